/**
 * The module's volatile state outside the TCP/IP stack: what the bring-up
 * commands read and set. It is reset at every boot (unlike NVRAM).
 */

/** <stat> of +CEREG: 0 not registered (radio off), 1 registered (home), 2 searching. */
export type RegistrationStatus = 0 | 1 | 2;

export interface ModemState {
	echo: boolean;
	/** AT+CFUN: 1 full functionality, 0 minimum (radio off). */
	functionality: 0 | 1;
	registration: RegistrationStatus;
	/** The PDP context is up and has an address: TCP/IP commands work. */
	attached: boolean;
	/** The context was up and broke (pdpdeact), so TCP/IP errors are 570 rather than 561. */
	contextBroken: boolean;
	/** AT+CEREG=<n>: 0 no URC, 1 "+CEREG: <stat>", 2 and above add location fields. */
	ceregMode: number;
	/** AT+QSCLK: 0 never sleep, 1 light and deep sleep, 2 light sleep only. The module's default is 1. */
	sleepMode: 0 | 1 | 2;
	/** AT+CPSMS=<mode>[,,,<Requested_Periodic-TAU>[,<Requested_Active-Time>]]. */
	psmMode: number;
	psmPeriodicTau: string;
	psmActiveTime: string;
	/** AT+QATWAKEUP=1: report "+QATWAKEUP" when the module wakes. */
	wakeupUrc: boolean;
	/** AT+QNBIOTEVENT=1,1: report "+QNBIOTEVENT: "ENTER PSM"" / "EXIT PSM". */
	nbiotEvents: boolean;
	/** AT+QBAND: the bands searched. */
	bands: number[];
	/** AT+CEDRXS <mode>: 0 off, 1 on, 2 on with +CEDRXP reports. */
	edrxMode: number;
	/** AT+CEDRXS <Requested_eDRX_value>, four bits. */
	edrxValue: string;
}

export function initialModemState(echo: boolean, bands: readonly number[]): ModemState {
	return {
		echo,
		functionality: 1,
		registration: 0,
		attached: false,
		contextBroken: false,
		ceregMode: 0,
		sleepMode: 1,
		psmMode: 0,
		psmPeriodicTau: "00111000",
		psmActiveTime: "00100010",
		wakeupUrc: false,
		nbiotEvents: false,
		bands: [...bands],
		edrxMode: 0,
		edrxValue: "0010",
	};
}

/** Tracking area code and cell ID reported with +CEREG modes 2 and up (made up, but well-formed). */
const LOCATION_FIELDS = '"1A2D","0CE1B3F5",9';

/** The +CEREG status fields: "<stat>" plus, from mode 2 and while registered, the location. */
export function registrationFields(state: ModemState): string {
	return state.ceregMode >= 2 && state.registration === 1
		? `${state.registration},${LOCATION_FIELDS}`
		: `${state.registration}`;
}
