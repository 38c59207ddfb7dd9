/**
 * Runs one action on several objects with one progress notification, then says what was done
 * and names each object that failed and why (src/core/bulk.ts has the wording and the rule for
 * which rows a command acts on).
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { describeBulkOutcome, targetRows, type BulkFailure, type BulkOutcome } from '../../core/bulk';
import { lostRowMessage } from '../../core/rowCommands';
import { describeError } from '../base/session';

/**
 * The rows of a multi-row command, or undefined when it was chosen on one row (the caller then
 * keeps its single-row behaviour).
 * @throws UserError when some selected rows could no longer be found: nothing is done then
 */
export function selectedRows(commandId: string, arg: unknown, selected: unknown): unknown[] | undefined {
  const { rows, lost } = targetRows(arg, selected);
  if (lost) {
    const { message, hint } = lostRowMessage(commandId);
    throw new UserError(`${message} (${lost} of the ${rows.length + lost} selected rows)`, { hint: `Select the rows again. ${hint}` });
  }
  return rows.length > 1 ? rows : undefined;
}

/**
 * Acts on each item in turn under one cancellable progress notification ("Stop 3 containers:
 * lab-a (1/3)"); an item's error is recorded with its message, never stops the others.
 * Cancelling leaves the remaining items alone and lists them as skipped.
 * @param title e.g. 'Stop 3 containers'
 * @param name the item's name as the user knows it
 */
export async function actOnEach<T>(title: string, items: readonly T[], name: (item: T) => string, act: (item: T) => Promise<void>, skipped: BulkFailure[] = []): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { done: [], failed: [], skipped: [...skipped] };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    for (const [i, item] of items.entries()) {
      if (token.isCancellationRequested) {
        outcome.skipped.push({ name: name(item), reason: 'cancelled' });
        continue;
      }
      progress.report({ message: `${name(item)} (${i + 1}/${items.length})`, increment: 100 / items.length });
      try {
        await act(item);
        outcome.done.push(name(item));
      } catch (err) {
        outcome.failed.push({ name: name(item), reason: describeError(err) });
      }
    }
  });
  return outcome;
}

/**
 * Tells the outcome: an information message when everything was done, an error naming each
 * failed object otherwise. Returns the outcome for callers (and tests).
 */
export function reportOutcome(o: BulkOutcome, verbPast: string, verb: string, noun: readonly [string, string]): BulkOutcome {
  const { message, error } = describeBulkOutcome(o, verbPast, verb, noun);
  if (error) void vscode.window.showErrorMessage(message);
  else void vscode.window.showInformationMessage(message);
  return o;
}
