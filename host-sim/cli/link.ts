// The link to the module ending under a command (the emulator killed, a
// bridge that hangs up, a busy `bc20 sim`, a USB adapter pulled): one line
// saying what was lost, exit 1. A command that has something to add (nc's
// summary of the bytes not sent) takes the loss itself with onLinkLost;
// every other command ends through linkLoss.
import type { TransportError } from "../transport/host-transport.js";

let lost: Error | null = null;
let said = "";
let taker: ((error: Error) => void) | null = null;
let rejectLoss: (error: Error) => void = () => {};

// Rejects when the link is lost and no command took the loss itself.
export const linkLoss = new Promise<never>((_, reject) => (rejectLoss = reject));
linkLoss.catch(() => {}); // a command that ends first leaves it pending

// A line of text the far end sent that is not the module's protocol: a
// busy `bc20 sim` or a serial server that refuses the connection says why
// in one, just before it hangs up.
export function heard(line: string): void {
	said = line;
}

export function linkLost(error: TransportError): void {
	if (lost) return;
	lost = new Error(`lost the link to ${error.message}${said === "" ? "" : ` (it said: ${said})`}`);
	if (taker) taker(lost);
	else rejectLoss(lost);
}

export function onLinkLost(take: (error: Error) => void): void {
	taker = take;
}

// After a loss the driver's pending writes fail too; they say nothing new.
export function linkIsLost(): boolean {
	return lost !== null;
}
