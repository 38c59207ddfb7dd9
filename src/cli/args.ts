/**
 * The command-line tools' argument walk: `--name value`, `--name=value`, flags, operands, and
 * `--` ending the options (as POSIX utilities and Node's own CLI read them).
 */
export interface ArgVisit {
  /** the option name or operand as given (`--format`, `-h`, `FILE`) */
  arg: string;
  /** the option's value: after `=`, else the next argument. @throws Error "`arg` needs a value" when there is none */
  value(): string;
}

/**
 * Calls `visit` for each argument in order; after `--`, `operand` gets every remaining argument.
 * @throws whatever `visit` throws (usage errors)
 */
export function walkArgs(argv: readonly string[], visit: (a: ArgVisit) => void, operand: (arg: string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    if (arg === '--') {
      argv.slice(i + 1).forEach(operand);
      return;
    }
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    visit({
      arg,
      value: () => {
        if (inline !== undefined) return inline;
        const v = argv[++i];
        if (v === undefined) throw new Error(`${arg} needs a value`);
        return v;
      },
    });
  }
}
