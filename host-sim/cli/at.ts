// bc20 at 'AT+...': one raw command; prints the response lines and the final
// result. Exit 0 on OK, 1 on ERROR or any failure.
import type { BC20Error } from "../../firmware/bc20/errors.js";
import { E_CME, E_ERROR } from "../../firmware/bc20/errors.js";
import { type ParsedArgs, UsageError, intOption } from "./args.js";
import { connect } from "./connect.js";

export async function at(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const text = args.positional[0];
	if (text === undefined || args.positional.length > 1)
		throw new UsageError("usage: bc20 at 'AT+COMMAND' (one command, quoted)");
	const timeout = intOption(args, "--timeout", 5000, 100, 600000);
	const session = await connect(args, "look");
	try {
		const { error, lines } = await new Promise<{ error: BC20Error | null; lines: string[] }>((resolve) => {
			session.modem.command(text, { timeout }, (error, lines) => resolve({ error, lines }));
		});
		for (const line of lines) out(line);
		if (error === null) {
			out("OK");
			return 0;
		}
		if (error.code === E_ERROR) out("ERROR");
		else if (error.code === E_CME) out(`+CME ERROR: ${error.cme}`);
		else throw error;
		return 1;
	} finally {
		await session.close();
	}
}
