/**
 * A socket's receive buffer in buffer access mode. Data is kept in nodes, one
 * per arrival (a TCP segment or a UDP datagram), because the module's AT+QIRD
 * reads from the current node only: "The remaining length ... only indicates
 * the current remaining data stored in one node" (manual 2.1.5).
 */
export class ReceiveBuffer {
	private readonly nodes: Buffer[] = [];
	private size = 0;

	constructor(readonly capacity: number) {}

	/** Bytes held. */
	get length(): number {
		return this.size;
	}

	/** Room left before the buffer is full. */
	get free(): number {
		return this.capacity - this.size;
	}

	/** Stores one arrival as one node. The caller checks that it fits. */
	append(node: Buffer): void {
		this.nodes.push(node);
		this.size += node.length;
	}

	/**
	 * Takes up to `max` bytes from the current node. `remaining` is what is left
	 * in that node afterwards. Returns an empty buffer when nothing is held.
	 */
	read(max: number): { data: Buffer; remaining: number } {
		const node = this.nodes[0];
		if (node === undefined) return { data: Buffer.alloc(0), remaining: 0 };
		const data = node.subarray(0, max);
		const rest = node.subarray(data.length);
		if (rest.length === 0) this.nodes.shift();
		else this.nodes[0] = rest;
		this.size -= data.length;
		return { data, remaining: rest.length };
	}

	/** Empties the buffer, returning its nodes in arrival order. */
	takeAll(): Buffer[] {
		const nodes = this.nodes.splice(0);
		this.size = 0;
		return nodes;
	}
}
