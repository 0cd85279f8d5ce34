// The shape every benchmark section has, so scripts/bench.ts can run a list
// of them: each prints one table (plus notes), adds its figures to
// bench/results.json under its key, and states its targets as met or not.
export interface Table {
	columns: string[];
	rows: string[][];
}

export interface Target {
	name: string; // e.g. "XS time >= 20x the naive baseline"
	value: string; // what was measured, e.g. "buffer-read 2.2x, line-mix 0.2x"
	met: boolean;
}

export interface SectionResult {
	table: Table;
	// Lines printed under the table (checks that passed, what a figure means).
	notes: string[];
	// Every figure of the section, for results.json.
	data: unknown;
	targets: Target[];
}

export interface Section {
	key: string; // its entry in results.json
	title: string;
	run(): Promise<SectionResult>;
}

export const MB = 1024 * 1024;

// A table with a header rule; the first column is left-aligned, the others
// (figures) right-aligned.
export function formatTable({ columns, rows }: Table): string {
	const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells
			.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
			.join("  ")
			.trimEnd();
	return [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// Figures with a sensible number of significant digits for a table.
export function fixed(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	const abs = Math.abs(value);
	return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

export function ratio(value: number): string {
	return `${fixed(value)}x`;
}
