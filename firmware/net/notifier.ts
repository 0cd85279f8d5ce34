// Hands a socket's callbacks to the application from a fresh turn of the
// clock. The modem learns of data, room and endings deep inside its receive
// turn (serial callback, channel, reader, socket); an application callback
// run there would add its own depth to all of that, and whatever it starts
// (a read, the next report, a TLS record) more. So the net classes only note
// what happened and deliver it here, from a timer callback at rest: the
// receive turn stays shallow whatever the application does (XS counts its
// stack in slots; the manifest gives 512). One timer callback per socket,
// made once: nothing is allocated per notice.
import type { Clock } from "../at/seams.js";

export class Notifier {
	#clock: Clock;
	#armed = false;
	#run: () => void;

	// `deliver` runs from the clock, once per request() burst.
	constructor(clock: Clock, deliver: () => void) {
		this.#clock = clock;
		this.#run = () => {
			this.#armed = false;
			deliver();
		};
	}

	request(): void {
		if (this.#armed) return;
		this.#armed = true;
		this.#clock.set(this.#run, 0);
	}
}
