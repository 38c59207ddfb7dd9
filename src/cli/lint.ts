/**
 * mllab-lint: the lab guidance rules on the command line, for CI on student submissions
 * (as instructors run hadolint).
 *
 *   mllab-lint [--format text|json] [--fail-level error|warning|information|hint] [--fix] FILE...
 *
 * Files named requirements*.txt get the requirements.txt rules (ML013, ML028); every other
 * file is read as a Dockerfile. Exit codes: 0 clean (nothing at or above the fail level),
 * 1 findings at or above the fail level, 2 usage error or a file that cannot be read.
 * The default fail level is `warning`: information and hint findings (ML009, ML010, ML011,
 * ML019, ML020, ML021, ML027) are advice and do not fail a build; hadolint's default is
 * `info`, pass `--fail-level information` for that behaviour.
 * `--fix` applies the safe fixes in place (repeatedly, until none applies), then reports
 * what remains.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { walkArgs } from './args';
import { applyEdits, lintDockerfile, safeFixEdits, SEVERITY_ORDER } from '../core/dockerfile/index';
import { lintRequirements } from '../core/requirements/index';
import type { Finding, Severity } from '../core/dockerfile/types';

export interface CliIO {
  readFile(file: string): Promise<string>;
  writeFile(file: string, text: string): Promise<void>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether a path exists (for `.dockerignore` next to a Dockerfile); ML024 is skipped without it. */
  exists?(file: string): Promise<boolean>;
}

export const USAGE = `Usage: mllab-lint [--format text|json] [--fail-level error|warning|information|hint] [--fix] FILE...

Checks Dockerfiles and requirements*.txt files against the ML Container Lab guidance rules
(ML001-ML030, docs/rules/MLxxx.md).

  --format text|json   text (default): path:line:col: severity RULE message; json: an array of
                       {file, line, column, endLine, endColumn, rule, severity, message}
  --fail-level LEVEL   exit 1 when a finding is at or above LEVEL (default: warning)
  --fix                apply the safe fixes in place, then report what remains
  -h, --help           show this help

Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage error or unreadable file.
`;

const SEVERITIES: Severity[] = ['error', 'warning', 'information', 'hint'];
const MAX_FIX_ROUNDS = 10;

interface Args {
  format: 'text' | 'json';
  failLevel: Severity;
  fix: boolean;
  files: string[];
  help: boolean;
}

/** Parses argv (without node and script). @throws Error with a usage message on bad arguments. */
export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { format: 'text', failLevel: 'warning', fix: false, files: [], help: false };
  walkArgs(argv, ({ arg, value: need }) => {
    switch (arg) {
      case '--format': {
        const v = need();
        if (v !== 'text' && v !== 'json') throw new Error(`--format must be text or json, not '${v}'`);
        a.format = v;
        break;
      }
      case '--fail-level': {
        const v = need();
        const s = v === 'info' ? 'information' : v;
        if (!SEVERITIES.includes(s as Severity)) throw new Error(`--fail-level must be one of ${SEVERITIES.join(', ')}, not '${v}'`);
        a.failLevel = s as Severity;
        break;
      }
      case '--fix':
        a.fix = true;
        break;
      case '-h':
      case '--help':
        a.help = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new Error(`unknown option ${arg}`);
        a.files.push(arg);
    }
  }, (f) => a.files.push(f));
  return a;
}

export function isRequirementsFile(file: string): boolean {
  return /^requirements.*\.txt$/i.test(path.basename(file));
}

async function lintFile(file: string, text: string, io: CliIO): Promise<Finding[]> {
  if (isRequirementsFile(file)) return lintRequirements(text);
  let hasDockerignore: boolean | undefined;
  if (io.exists) {
    const dir = path.dirname(file);
    hasDockerignore = (await io.exists(path.join(dir, '.dockerignore'))) || (await io.exists(`${file}.dockerignore`));
  }
  return lintDockerfile(text, { buildContext: { hasDockerignore } });
}

/**
 * Runs the linter. Never throws: errors become messages on stderr and exit code 2.
 * @returns the process exit code
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr(`mllab-lint: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (!args.files.length) {
    io.stderr(`mllab-lint: no files given\n\n${USAGE}`);
    return 2;
  }
  let unreadable = false;
  let failing = false;
  const json: object[] = [];
  const threshold = SEVERITY_ORDER[args.failLevel];
  for (const file of args.files) {
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      io.stderr(`mllab-lint: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message}\n`);
      unreadable = true;
      continue;
    }
    let findings = await lintFile(file, text, io);
    if (args.fix) {
      let fixed = text;
      for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
        const edits = safeFixEdits(fixed, findings);
        if (!edits.length) break;
        fixed = applyEdits(fixed, edits);
        findings = await lintFile(file, fixed, io);
      }
      if (fixed !== text) {
        try {
          await io.writeFile(file, fixed);
        } catch (err) {
          io.stderr(`mllab-lint: cannot write ${file}: ${(err as Error).message}\n`);
          unreadable = true;
        }
      }
    }
    for (const f of findings) {
      if (SEVERITY_ORDER[f.severity] <= threshold) failing = true;
      const line = f.range.start.line + 1;
      const column = f.range.start.character + 1;
      if (args.format === 'json') {
        json.push({ file, line, column, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1, rule: f.rule, severity: f.severity, message: f.message });
      } else {
        io.stdout(`${file}:${line}:${column}: ${f.severity} ${f.rule} ${f.message}\n`);
      }
    }
  }
  if (args.format === 'json') io.stdout(JSON.stringify(json, null, 2) + '\n');
  if (unreadable) return 2;
  return failing ? 1 : 0;
}

/** The real file system and console. */
export const nodeIO: CliIO = {
  readFile: (f) => fs.readFile(f, 'utf8'),
  writeFile: (f, t) => fs.writeFile(f, t, 'utf8'),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  exists: (f) => fs.access(f).then(() => true, () => false),
};

// Run when executed directly (node dist/cli/mllab-lint.js), not when imported by tests.
if (require.main === module) {
  void runCli(process.argv.slice(2), nodeIO).then((code) => {
    process.exitCode = code;
  });
}
