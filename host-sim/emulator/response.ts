/**
 * One command's answer as the module frames it in verbose (V1) format: each
 * information part is "\r\n<line>\r\n" (or a header with raw data), then the
 * final result "\r\nOK\r\n" / "\r\nERROR\r\n". Parts stay separate until
 * output so a fault can slip a URC in between them.
 */

export function frameLine(line: string): Buffer {
	return Buffer.from(`\r\n${line}\r\n`, "latin1");
}

export class Response {
	/** Information lines (framed at output) and raw parts (already framed). */
	private readonly parts: (string | Buffer)[] = [];

	/** The ERROR answers a command whose parameters the module could not accept (the host's mistake). */
	invalid = false;

	private constructor(private readonly final: "OK" | "ERROR") {}

	static ok(...lines: string[]): Response {
		const response = new Response("OK");
		for (const line of lines) response.line(line);
		return response;
	}

	static error(): Response {
		return new Response("ERROR");
	}

	/** ERROR for parameters out of range or malformed. */
	static invalid(): Response {
		const response = new Response("ERROR");
		response.invalid = true;
		return response;
	}

	/** Adds an information line. */
	line(text: string): this {
		this.parts.push(text);
		return this;
	}

	/** Adds an information part made of raw bytes (a header plus payload), already framed by the caller. */
	raw(bytes: Buffer): this {
		this.parts.push(bytes);
		return this;
	}

	/**
	 * The bytes on the wire, each line framed by `frame` (where a fault may
	 * damage it). `insert` goes between lines: before information part
	 * `position` (1 = after the first; clamped to the parts there are), or
	 * before the final result when there is no information part.
	 */
	toBytes(insert: readonly Buffer[] = [], position = 1, frame: (line: string) => Buffer = frameLine): Buffer {
		const parts = this.parts.map((part) => (typeof part === "string" ? frame(part) : part));
		parts.splice(Math.max(0, Math.min(position, parts.length)), 0, ...insert);
		parts.push(frame(this.final));
		return Buffer.concat(parts);
	}
}
