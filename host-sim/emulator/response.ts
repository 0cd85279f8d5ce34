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
  private readonly parts: Buffer[] = [];

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
    this.parts.push(frameLine(text));
    return this;
  }

  /** Adds an information part made of raw bytes (a header plus payload), already framed by the caller. */
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  /**
   * The bytes on the wire. `urcBetweenLines`, when given, goes after the first
   * information part, or before the final result when there is none.
   */
  toBytes(urcBetweenLines?: string): Buffer {
    const parts = [...this.parts];
    if (urcBetweenLines !== undefined) parts.splice(parts.length > 0 ? 1 : 0, 0, frameLine(urcBetweenLines));
    parts.push(frameLine(this.final));
    return Buffer.concat(parts);
  }
}
