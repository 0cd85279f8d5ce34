// Minimal HTTP/1.1 and MQTT 3.1.1 clients written the way Moddable's own
// ECMA-419 clients use their sockets: they get `socket: {io, ...}` and
// `dns: {io, ...}` in their options, construct those classes themselves with
// the spread options plus address/port/callbacks, treat the first onWritable
// as "connected", read status and header lines byte by byte in "number"
// format, the body with read(count) in "buffer" format, write only what
// onWritable allowed, and take onError() (no arguments) as the end.
// Used to prove that such clients run over the BC20 classes unchanged.

type IoClass = new (options: any) => any;

export interface IoOptions {
	socket: { io: IoClass; [key: string]: unknown };
	dns: { io: IoClass; [key: string]: unknown };
}

function bytesOf(text: string): Uint8Array {
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
	return bytes;
}

export interface HttpResult {
	status: number;
	headers: Map<string, string>;
	body: Uint8Array;
	callbacksInsideCalls: number; // callbacks that ran synchronously inside a socket method or constructor
}

// GET path from host:port, Connection: close; resolves when the server closed.
export function httpGet(options: IoOptions & { host: string; port: number; path: string }): Promise<HttpResult> {
	return new Promise((resolve, reject) => {
		const result: HttpResult = { status: 0, headers: new Map(), body: new Uint8Array(0), callbacksInsideCalls: 0 };
		let inside = false;
		let socket: any;
		let state: "connecting" | "status" | "headers" | "body" = "connecting";
		let line = "";
		let request = bytesOf(`GET ${options.path} HTTP/1.1\r\nhost: ${options.host}\r\nconnection: close\r\n\r\n`);
		const body: number[] = [];
		const guard = <T>(f: () => T): T => {
			inside = true;
			try {
				return f();
			} finally {
				inside = false;
			}
		};
		const dns = guard(() => new options.dns.io(options.dns));
		guard(() =>
			dns.resolve({
				host: options.host,
				onResolved: (_host: string, address: string) => {
					if (inside) result.callbacksInsideCalls++;
					socket = guard(
						() =>
							new options.socket.io({
								...options.socket,
								address,
								host: options.host,
								port: options.port,
								onWritable(count: number) {
									if (inside) result.callbacksInsideCalls++;
									if (state === "connecting") state = "status";
									if (request.length === 0) return;
									const n = Math.min(count, request.length);
									guard(() => socket.write(request.subarray(0, n)));
									request = request.subarray(n);
								},
								onReadable(count: number) {
									if (inside) result.callbacksInsideCalls++;
									while (count > 0) {
										if (state === "status" || state === "headers") {
											socket.format = "number";
											while (count > 0) {
												const c = guard(() => socket.read());
												count--;
												line += String.fromCharCode(c);
												if (c === 10) break;
											}
											socket.format = "buffer";
											if (!line.endsWith("\r\n")) return;
											if (state === "status") {
												result.status = Number(line.split(" ")[1]);
												state = "headers";
											} else if (line === "\r\n") state = "body";
											else {
												const colon = line.indexOf(":");
												result.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
											}
											line = "";
										} else {
											const chunk = guard(() => socket.read(count)) as ArrayBuffer;
											count -= chunk.byteLength;
											body.push(...new Uint8Array(chunk));
										}
									}
								},
								onError() {
									if (inside) result.callbacksInsideCalls++;
									socket.close();
									result.body = Uint8Array.from(body);
									if (result.status === 0) reject(new Error("connection failed before a response"));
									else resolve(result);
								},
							}),
					);
				},
				onError: (host: string) => reject(new Error(`cannot resolve ${host}`)),
			}),
		);
	});
}

function mqttString(text: string): number[] {
	return [text.length >> 8, text.length & 255, ...bytesOf(text)];
}

function mqttPacket(type: number, body: number[]): Uint8Array {
	const out = [type];
	let length = body.length;
	do {
		let digit = length % 128;
		length = Math.floor(length / 128);
		if (length > 0) digit |= 128;
		out.push(digit);
	} while (length > 0);
	return Uint8Array.from([...out, ...body]);
}

export interface MqttResult {
	connack: number; // return code
	pubackId: number;
}

// CONNECT, then PUBLISH (QoS 1) one message, wait for PUBACK, DISCONNECT.
export function mqttPublish(
	options: IoOptions & { host: string; port: number; clientId: string; topic: string; payload: Uint8Array },
): Promise<MqttResult> {
	return new Promise((resolve, reject) => {
		const result: MqttResult = { connack: -1, pubackId: -1 };
		const outgoing: Uint8Array[] = [
			mqttPacket(0x10, [...mqttString("MQTT"), 4, 2, 0, 60, ...mqttString(options.clientId)]),
		];
		let writable = 0;
		let received: number[] = [];
		let socket: any;
		const flush = () => {
			while (outgoing.length && outgoing[0].length <= writable) {
				const packet = outgoing.shift() as Uint8Array;
				writable = socket.write(packet);
			}
		};
		new options.dns.io(options.dns).resolve({
			host: options.host,
			onResolved: (_host: string, address: string) => {
				socket = new options.socket.io({
					...options.socket,
					address,
					port: options.port,
					onWritable(count: number) {
						writable = count;
						flush();
					},
					onReadable(count: number) {
						const data = new Uint8Array(socket.read(count) as ArrayBuffer);
						received.push(...data);
						while (received.length >= 2 && received.length >= 2 + received[1]) {
							const type = received[0] >> 4;
							const packet = received.slice(0, 2 + received[1]);
							received = received.slice(2 + received[1]);
							if (type === 2) {
								result.connack = packet[3];
								const id = 7;
								outgoing.push(mqttPacket(0x32, [...mqttString(options.topic), id >> 8, id & 255, ...options.payload]));
								flush();
							} else if (type === 4) {
								result.pubackId = (packet[2] << 8) | packet[3];
								outgoing.push(Uint8Array.from([0xe0, 0]));
								flush();
								socket.close();
								resolve(result);
							}
						}
					},
					onError() {
						reject(new Error("MQTT connection failed"));
					},
				});
			},
			onError: (host: string) => reject(new Error(`cannot resolve ${host}`)),
		});
	});
}

export interface WebSocketMessage {
	binary: boolean;
	data: Uint8Array;
}

export interface WebSocketResult {
	status: number; // of the Upgrade response
	acceptValid: boolean; // Sec-WebSocket-Accept matched the key sent
	messages: WebSocketMessage[]; // as received, in order
}

// A WebSocket (RFC 6455) client shaped like Moddable's (modules/network/
// websocket): an HTTP/1.1 Upgrade with Sec-WebSocket-Key, the 101 status and
// header lines read byte by byte in "number" format, every frame header read
// byte by byte in "number" format, payloads with read(count) in "buffer"
// format, client frames masked. Sends `messages` one after another, each
// after the echo of the one before; resolves with the echoes, after a close
// frame.
export function webSocketEcho(
	options: IoOptions & {
		host: string;
		port: number;
		path: string;
		messages: WebSocketMessage[];
		checkAccept: (key: string, accept: string) => boolean;
	},
): Promise<WebSocketResult> {
	return new Promise((resolve, reject) => {
		const result: WebSocketResult = { status: 0, acceptValid: false, messages: [] };
		const keyBytes = new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
		const key = btoa(String.fromCharCode(...keyBytes));
		let outgoing = bytesOf(
			`GET ${options.path} HTTP/1.1\r\nHost: ${options.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
				`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
		);
		let writable = 0;
		let state: "status" | "headers" | "frame" | "payload" | "done" = "status";
		let line = "";
		let header: number[] = [];
		let payload: number[] = [];
		let remaining = 0;
		let next = 0;
		let socket: any;
		const flush = () => {
			if (outgoing.length === 0 || writable === 0) return;
			const n = Math.min(writable, outgoing.length);
			writable = socket.write(outgoing.subarray(0, n));
			outgoing = outgoing.subarray(n);
			if (state === "done" && outgoing.length === 0) {
				socket.close();
				resolve(result);
			}
		};
		const send = (opcode: number, data: Uint8Array) => {
			const mask = new Uint8Array(4).map(() => Math.floor(Math.random() * 256));
			const length = data.length < 126 ? [0x80 | data.length] : [0x80 | 126, data.length >> 8, data.length & 255];
			const frame = Uint8Array.from([0x80 | opcode, ...length, ...mask, ...data.map((b, i) => b ^ mask[i & 3])]);
			const rest = outgoing;
			outgoing = new Uint8Array(rest.length + frame.length);
			outgoing.set(rest);
			outgoing.set(frame, rest.length);
			flush();
		};
		const sendNext = () => {
			if (next < options.messages.length) {
				const message = options.messages[next++];
				send(message.binary ? 2 : 1, message.data);
			} else {
				state = "done";
				send(8, Uint8Array.of(1000 >> 8, 1000 & 255));
			}
		};
		// A frame header is complete once it holds 2 bytes plus its extended length.
		const headerLength = () =>
			header.length < 2 ? 2 : 2 + ((header[1] & 127) === 126 ? 2 : (header[1] & 127) === 127 ? 8 : 0);
		const frameDone = () => {
			const opcode = header[0] & 15;
			if (opcode === 1 || opcode === 2) {
				result.messages.push({ binary: opcode === 2, data: Uint8Array.from(payload) });
				sendNext();
			}
			header = [];
			payload = [];
		};
		new options.dns.io(options.dns).resolve({
			host: options.host,
			onResolved: (_host: string, address: string) => {
				socket = new options.socket.io({
					...options.socket,
					address,
					port: options.port,
					onWritable(count: number) {
						writable = count;
						flush();
					},
					onReadable(count: number) {
						while (count > 0 && state !== "done") {
							if (state === "payload") {
								const chunk = new Uint8Array(socket.read(Math.min(count, remaining)) as ArrayBuffer);
								count -= chunk.length;
								remaining -= chunk.length;
								payload.push(...chunk);
								if (remaining === 0) {
									state = "frame";
									frameDone();
								}
								continue;
							}
							socket.format = "number";
							const c = socket.read() as number;
							socket.format = "buffer";
							count--;
							if (state === "frame") {
								header.push(c);
								if (header.length < headerLength()) continue;
								remaining = 0;
								for (let i = 2; i < header.length; i++) remaining = remaining * 256 + header[i];
								if (header.length === 2) remaining = header[1] & 127;
								if (remaining > 0) state = "payload";
								else frameDone();
								continue;
							}
							line += String.fromCharCode(c);
							if (c !== 10) continue;
							if (state === "status") {
								result.status = Number(line.split(" ")[1]);
								if (result.status !== 101) return reject(new Error(`Upgrade refused: ${line.trim()}`));
								state = "headers";
							} else if (line === "\r\n") {
								state = "frame";
								sendNext();
							} else {
								const colon = line.indexOf(":");
								if (line.slice(0, colon).trim().toLowerCase() === "sec-websocket-accept") {
									result.acceptValid = options.checkAccept(key, line.slice(colon + 1).trim());
								}
							}
							line = "";
						}
					},
					onError() {
						reject(new Error("WebSocket connection failed"));
					},
				});
			},
			onError: (host: string) => reject(new Error(`cannot resolve ${host}`)),
		});
	});
}

export interface MqttSessionResult {
	connack: number;
	pingresps: number;
	pubackId: number;
}

// An MQTT session that stays connected: CONNECT with `keepAlive` seconds, a
// PINGREQ each time that long passes without anything sent (as MQTT 3.1.1
// asks of a client) until `pings` PINGRESPs came back, then one QoS 1
// PUBLISH, its PUBACK, DISCONNECT.
export function mqttKeepAliveSession(
	options: IoOptions & {
		host: string;
		port: number;
		clientId: string;
		keepAlive: number;
		pings: number;
		topic: string;
		payload: Uint8Array;
	},
): Promise<MqttSessionResult> {
	return new Promise((resolve, reject) => {
		const result: MqttSessionResult = { connack: -1, pingresps: 0, pubackId: -1 };
		const outgoing: Uint8Array[] = [
			mqttPacket(0x10, [
				...mqttString("MQTT"),
				4,
				2,
				options.keepAlive >> 8,
				options.keepAlive & 255,
				...mqttString(options.clientId),
			]),
		];
		let writable = 0;
		let received: number[] = [];
		let socket: any;
		let keepAlive: ReturnType<typeof setTimeout> | undefined;
		const flush = () => {
			while (outgoing.length && outgoing[0].length <= writable) {
				writable = socket.write(outgoing.shift() as Uint8Array);
			}
		};
		const send = (packet: Uint8Array) => {
			outgoing.push(packet);
			flush();
		};
		const ping = () => {
			keepAlive = setTimeout(() => send(Uint8Array.of(0xc0, 0)), options.keepAlive * 1000);
		};
		const fail = (error: Error) => {
			clearTimeout(keepAlive);
			socket?.close();
			reject(error);
		};
		new options.dns.io(options.dns).resolve({
			host: options.host,
			onResolved: (_host: string, address: string) => {
				socket = new options.socket.io({
					...options.socket,
					address,
					port: options.port,
					onWritable(count: number) {
						writable = count;
						flush();
					},
					onReadable(count: number) {
						received.push(...new Uint8Array(socket.read(count) as ArrayBuffer));
						while (received.length >= 2 && received.length >= 2 + received[1]) {
							const type = received[0] >> 4;
							const packet = received.slice(0, 2 + received[1]);
							received = received.slice(2 + received[1]);
							if (type === 2) {
								result.connack = packet[3];
								if (result.connack !== 0) return fail(new Error(`CONNACK ${result.connack}`));
								ping();
							} else if (type === 13) {
								if (++result.pingresps < options.pings) ping();
								else {
									const id = 9;
									send(mqttPacket(0x32, [...mqttString(options.topic), id >> 8, id & 255, ...options.payload]));
								}
							} else if (type === 4) {
								result.pubackId = (packet[2] << 8) | packet[3];
								send(Uint8Array.of(0xe0, 0));
								socket.close();
								resolve(result);
							}
						}
					},
					onError() {
						fail(new Error("MQTT connection failed"));
					},
				});
			},
			onError: (host: string) => reject(new Error(`cannot resolve ${host}`)),
		});
	});
}
