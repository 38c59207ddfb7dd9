/**
 * Actions on several explorer rows at once (containers, images, volumes, networks): which rows a
 * command acts on, and what to tell the user afterwards.
 *
 * A tree view created with `canSelectMany` runs a row's menu command with (the row it was chosen
 * on, every selected row) — but only when more than one row is selected and the chosen row is
 * one of them; otherwise the second argument is absent (VS Code's MultipleSelectionActionRunner,
 * microsoft/vscode src/vs/workbench/browser/parts/views/treeView.ts). So a command acts on the
 * selection when that second argument is there, and on the chosen row alone otherwise.
 */

/**
 * The rows a command acts on.
 * @param arg the row the command was chosen on (or a code caller's argument)
 * @param selected VS Code's second argument: every selected row, or undefined
 * @returns `rows`: the selected rows when several were passed, else `[arg]`; `lost`: how many
 *   selected rows VS Code could no longer find (removed, or the view was refreshing: it passes
 *   `undefined` for them)
 */
export function targetRows(arg: unknown, selected: unknown): { rows: unknown[]; lost: number } {
  if (Array.isArray(selected) && selected.length > 1) {
    const rows = selected.filter((r) => r !== undefined && r !== null);
    return { rows, lost: selected.length - rows.length };
  }
  return { rows: [arg], lost: 0 };
}

/** One object the bulk action could not act on, and the reason in the user's terms. */
export interface BulkFailure {
  name: string;
  reason: string;
}

/** The result of a bulk action on named objects. */
export interface BulkOutcome {
  done: string[];
  failed: BulkFailure[];
  /** objects left alone because the action does not apply, with why ("already running") */
  skipped: BulkFailure[];
}

const names = (xs: readonly string[]): string => xs.join(', ');

/**
 * What to tell the user after a bulk action, e.g. `Stopped 2 containers: a, b. Could not stop c:
 * it is not running.` `error` is true when any object failed (the message is then shown as an
 * error, naming each failed object and why).
 * @param verbPast e.g. 'Stopped'
 * @param verb e.g. 'stop'
 * @param noun singular and plural, e.g. ['container', 'containers']
 */
export function describeBulkOutcome(o: BulkOutcome, verbPast: string, verb: string, noun: readonly [string, string]): { message: string; error: boolean } {
  const count = (n: number) => `${n} ${n === 1 ? noun[0] : noun[1]}`;
  const parts: string[] = [];
  if (o.done.length) parts.push(`${verbPast} ${count(o.done.length)}: ${names(o.done)}.`);
  else parts.push(`${verbPast} no ${noun[1]}.`);
  if (o.failed.length) parts.push(`Could not ${verb} ${count(o.failed.length)}: ${o.failed.map((f) => `${f.name} (${f.reason})`).join('; ')}.`);
  if (o.skipped.length) parts.push(`Left alone: ${o.skipped.map((f) => `${f.name} (${f.reason})`).join('; ')}.`);
  return { message: parts.join(' '), error: o.failed.length > 0 };
}

/**
 * Lines for a confirmation that names every object, at most `max` of them with "… and N more"
 * after (a modal dialog grows with its text).
 */
export function listForConfirmation(lines: readonly string[], max = 50): string {
  return lines.slice(0, max).join('\n') + (lines.length > max ? `\n… and ${lines.length - max} more` : '');
}
