export function bundleForXS(entry: string, options: { globalName: string; minify?: boolean }): Promise<string>;
