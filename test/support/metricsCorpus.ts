/**
 * The training-log corpus (test/fixtures/training-logs/<framework>/<name>.log with a
 * `<name>.expected.json` beside it) and how a parse of it is scored. Shared by the corpus unit
 * test and `npm run bench -- metrics-corpus`.
 *
 * Scoring, per excerpt:
 * - Series are matched by name after normalisation (`normaliseSeriesName`): lower case; a phase
 *   prefix (`train`/`training`, `val`/`valid`/`validation`/`eval`/`dev`, `test`) joined by `/`,
 *   `_`, `-`, `'s ` or a space becomes `train/`, `valid/` or `test/`; `average`/`avg` words are
 *   dropped; every other non-alphanumeric character is dropped. A found series matches an
 *   expected one with the same normalised name; one left over then matches an expected one
 *   whose name differs only by a missing phase on one side (a name without a phase and the same
 *   name with one).
 * - A series is found when it matched. Points found: for each matched series, the expected
 *   points that have a found point with the same y (relative difference at most 1e-6, NaN equal
 *   to NaN and to null), each found point used once. Points at the right x: those of them whose
 *   found point also has the same x (absolute difference at most 1e-6 times max(1, |x|)).
 * - Spurious series: found series that matched no expected series.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';

export interface CorpusSeries {
  name: string;
  x: 'step' | 'epoch' | 'line';
  /** [x, y]; y null stands for NaN */
  points: Array<[number, number | null]>;
}

export interface CorpusCase {
  framework: string;
  name: string;
  file: string;
  text: string;
  source: string;
  licence: string;
  expected: CorpusSeries[];
}

export const CORPUS_DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'training-logs');

/** Every excerpt of the corpus, sorted by framework and name. */
export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const framework of readdirSync(dir).sort()) {
    const fdir = path.join(dir, framework);
    if (!existsSync(fdir) || framework.includes('.')) continue;
    for (const f of readdirSync(fdir).sort()) {
      if (!f.endsWith('.log')) continue;
      const name = f.slice(0, -4);
      const side = JSON.parse(readFileSync(path.join(fdir, `${name}.expected.json`), 'utf8')) as { source: string; licence: string; series: CorpusSeries[] };
      out.push({ framework, name, file: path.join(fdir, f), text: readFileSync(path.join(fdir, f), 'utf8'), source: side.source, licence: side.licence, expected: side.series });
    }
  }
  return out;
}

const PHASES: Record<string, string> = { train: 'train', training: 'train', learn: 'train', val: 'valid', valid: 'valid', validation: 'valid', eval: 'valid', evaluation: 'valid', dev: 'valid', test: 'test' };

/** The name both sides are compared by (see the header). */
export function normaliseSeriesName(name: string): string {
  let n = name.toLowerCase().trim();
  let phase = '';
  const m = /^(training|train|learn|validation|valid|val|evaluation|eval|dev|test)(?:\/|_|-|'s\s+|\s+)(.+)$/.exec(n);
  if (m) {
    phase = PHASES[m[1]];
    n = m[2];
  }
  n = n.replace(/\b(?:average|avg)\b/g, '').replace(/[^a-z0-9@]/g, '');
  return phase ? `${phase}/${n}` : n;
}

function stripPhase(n: string): string {
  const i = n.indexOf('/');
  return i >= 0 ? n.slice(i + 1) : n;
}

const sameY = (a: number | null, b: number | null) => {
  const an = a === null || Number.isNaN(a);
  const bn = b === null || Number.isNaN(b);
  if (an || bn) return an && bn;
  return Math.abs((a as number) - (b as number)) <= 1e-6 * Math.max(Math.abs(a as number), Math.abs(b as number), 1e-12);
};
const sameX = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));

export interface CaseScore {
  seriesExpected: number;
  seriesFound: number;
  pointsExpected: number;
  pointsFound: number;
  pointsRightX: number;
  spurious: string[];
  missing: string[];
}

/** Scores one parse against the expected series (see the header for the rules). */
export function scoreCase(expected: CorpusSeries[], found: CorpusSeries[]): CaseScore {
  const s: CaseScore = { seriesExpected: expected.length, seriesFound: 0, pointsExpected: 0, pointsFound: 0, pointsRightX: 0, spurious: [], missing: [] };
  const pairs = new Map<number, number>(); // expected index -> found index
  const used = new Set<number>();
  const en = expected.map((e) => normaliseSeriesName(e.name));
  const fn = found.map((f) => normaliseSeriesName(f.name));
  en.forEach((n, i) => {
    const j = fn.findIndex((m, k) => !used.has(k) && m === n);
    if (j >= 0) { pairs.set(i, j); used.add(j); }
  });
  en.forEach((n, i) => {
    if (pairs.has(i)) return;
    const j = fn.findIndex((m, k) => !used.has(k) && (m.includes('/') !== n.includes('/')) && stripPhase(m) === stripPhase(n));
    if (j >= 0) { pairs.set(i, j); used.add(j); }
  });
  expected.forEach((e, i) => {
    s.pointsExpected += e.points.length;
    const j = pairs.get(i);
    if (j === undefined) { s.missing.push(e.name); return; }
    s.seriesFound++;
    const fp = found[j].points.map((p) => ({ x: p[0], y: p[1], used: false }));
    for (const [x, y] of e.points) {
      // prefer a found point at the right x, then any with the same y
      let hit = fp.find((p) => !p.used && sameY(p.y, y) && sameX(p.x, x));
      if (hit) { hit.used = true; s.pointsFound++; s.pointsRightX++; continue; }
      hit = fp.find((p) => !p.used && sameY(p.y, y));
      if (hit) { hit.used = true; s.pointsFound++; }
    }
  });
  found.forEach((f, k) => { if (!used.has(k)) s.spurious.push(f.name); });
  return s;
}
