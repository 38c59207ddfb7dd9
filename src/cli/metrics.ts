/**
 * mllab-metrics: the training metrics of a log file, parsed exactly as the Training Run panel
 * parses a container's logs, for lab reports and CI.
 *
 *   mllab-metrics [--format json|csv] [--profile FILE --name PROFILE] FILE|-
 *
 * JSON (default): {"series": [{"name": "val_loss", "x": "epoch", "points": [[1, 0.52], [2, 0.47]]}]}
 * with x one of step, epoch, line (the order of arrival) and y null for NaN. CSV: one row per
 * point, `series,x_kind,x,y`. `--profile`/`--name` add that run profile's `metrics:` patterns,
 * tried before the built-in forms. Exit codes: 0 printed, 2 usage error, unreadable file or a
 * profile error (printed as FILE:LINE:COLUMN: message).
 */
import { promises as fs } from 'node:fs';
import { parseLogSeries } from '../core/logs/metricsReport';
import { walkArgs } from './args';
import { compileMetricPatterns, parseProfiles } from '../core/run/profile';
import type { MetricPattern } from '../core/logs/metricLines';

export interface MetricsCliIO {
  readFile(file: string): Promise<string>;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const USAGE = `Usage: mllab-metrics [--format json|csv] [--profile FILE --name PROFILE] FILE|-

Prints the training metrics found in a log (FILE, or standard input for -), parsed as the
ML Container Lab Training Run panel parses a container's logs.

  --format json|csv    json (default): {"series": [{"name", "x": "step"|"epoch"|"line", "points": [[x, y], ...]}]}
                       csv: series,x_kind,x,y rows
  --profile FILE       a run profiles file (.mllab/profiles.yaml); with --name, that profile's
  --name PROFILE       metrics: patterns are tried before the built-in forms
  -h, --help           show this help

Exit codes: 0 printed, 2 usage error, unreadable file or profile error.
`;

interface Args {
  format: 'json' | 'csv';
  profile?: string;
  name?: string;
  file?: string;
  help: boolean;
}

/** Parses argv (without node and script). @throws Error with a usage message on bad arguments. */
export function parseMetricsArgs(argv: readonly string[]): Args {
  const a: Args = { format: 'json', help: false };
  const operand = (f: string) => {
    if (a.file !== undefined) throw new Error('give one log file (or - for standard input)');
    a.file = f;
  };
  walkArgs(argv, ({ arg, value: need }) => {
    switch (arg) {
      case '--format': {
        const v = need();
        if (v !== 'json' && v !== 'csv') throw new Error(`--format must be json or csv, not '${v}'`);
        a.format = v;
        break;
      }
      case '--profile': a.profile = need(); break;
      case '--name': a.name = need(); break;
      case '-h':
      case '--help': a.help = true; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new Error(`unknown option ${arg}`);
        operand(arg);
    }
  }, operand);
  if (!a.help && a.file === undefined) throw new Error('no log file given (use - for standard input)');
  if ((a.profile === undefined) !== (a.name === undefined)) throw new Error('--profile and --name go together');
  return a;
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Runs the reader. Never throws: errors become messages on stderr and exit code 2. @returns the exit code */
export async function runMetricsCli(argv: readonly string[], io: MetricsCliIO): Promise<number> {
  let args: Args;
  try {
    args = parseMetricsArgs(argv);
  } catch (err) {
    io.stderr(`mllab-metrics: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  let patterns: MetricPattern[] = [];
  if (args.profile !== undefined) {
    let text: string;
    try {
      text = await io.readFile(args.profile);
    } catch (err) {
      io.stderr(`mllab-metrics: cannot read ${args.profile}: ${(err as Error).message}\n`);
      return 2;
    }
    const { profiles, errors } = parseProfiles(text);
    if (errors.length) {
      for (const e of errors) io.stderr(`${args.profile}:${e.line}:${e.column}: ${e.message}\n`);
      return 2;
    }
    const p = profiles.find((x) => x.name === args.name);
    if (!p) {
      io.stderr(`mllab-metrics: no profile named '${args.name}' in ${args.profile} (it has: ${profiles.map((x) => x.name).join(', ') || 'none'})\n`);
      return 2;
    }
    patterns = compileMetricPatterns(p.metrics ?? []);
  }
  let log: string;
  try {
    log = args.file === '-' ? await io.readStdin() : await io.readFile(args.file!);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr(`mllab-metrics: cannot read ${args.file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message}\n`);
    return 2;
  }
  const report = parseLogSeries(log, patterns);
  if (args.format === 'json') io.stdout(`${JSON.stringify(report)}\n`);
  else {
    const rows = ['series,x_kind,x,y'];
    for (const s of report.series) for (const [x, y] of s.points) rows.push(`${csvField(s.name)},${s.x},${x},${y === null ? 'NaN' : y}`);
    io.stdout(`${rows.join('\n')}\n`);
  }
  return 0;
}

/** The real file system and console. */
export const nodeMetricsIO: MetricsCliIO = {
  readFile: (f) => fs.readFile(f, 'utf8'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

// Run when executed directly (node dist/cli/mllab-metrics.js), not when imported by tests.
if (require.main === module) {
  void runMetricsCli(process.argv.slice(2), nodeMetricsIO).then((code) => {
    process.exitCode = code;
  });
}
