// A failure that ends the command with its own exit code, not 1: 130 for a
// command interrupted by Ctrl-C, as shells report a death by SIGINT.
export class ExitStatus extends Error {
	constructor(
		message: string,
		readonly code: number,
	) {
		super(message);
	}
}
