/**
 * An error whose message is written for the user: it says what went wrong in the user's
 * terms and what to do next. The UI shows `message` (and `hint`, when present) as is;
 * any other error is treated as a bug and logged with its stack.
 *
 * @example throw new UserError('Port binding "80:abc": container port "abc" is not a number', { hint: 'e.g. 4000:8080' })
 */
export class UserError extends Error {
  /** A short next step for the user, e.g. "Open a folder or use an absolute path." */
  readonly hint?: string;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}
