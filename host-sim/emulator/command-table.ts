/** How command handlers are looked up: by upper-cased name, then by form. */
import type { AtCommand, CommandForm } from "./at-command.js";
import type { Response } from "./response.js";

export type CommandHandler = (command: AtCommand) => Response;
export type CommandHandlers = Partial<Record<CommandForm, CommandHandler>>;
export type CommandTable = ReadonlyMap<string, CommandHandlers>;
