/**
 * The real-world regression corpus: verbatim Dockerfiles of ML projects from public
 * repositories (test/fixtures/real-world/SOURCES.md, sources.json) and the findings a person
 * reviewed for them against the rule catalogue (expected-findings.json). Shared by the
 * expected-output unit test (realWorld.test.ts) and the lint-corpus bench.
 *
 * After a deliberate rule change, refresh the expected file and review what changed:
 *   node scripts/build.mjs && node out/test/unit/dockerfile/corpus.js --update
 * New findings come in with verdict "unreviewed", which fails the test until a person sets
 * "correct" or "false-positive"; dropped findings disappear from the file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { lintDockerfile } from '../../../src/core/dockerfile/index';

const ROOT = path.resolve(__dirname, '../../../..');
export const CORPUS_DIR = path.join(ROOT, 'test/fixtures/real-world');
export const EXPECTED_FILE = path.join(CORPUS_DIR, 'expected-findings.json');

export type Verdict = 'correct' | 'false-positive' | 'unreviewed';

export interface ReviewedFinding {
  /** 1-based line of the instruction the finding is on. */
  line: number;
  rule: string;
  verdict: Verdict;
  /** Why, for findings whose verdict needed a reading of the catalogue. */
  note?: string;
}

export interface Expected {
  reviewedAgainst: string;
  files: Record<string, ReviewedFinding[]>;
}

export interface Source {
  file: string;
  repository: string;
  path: string;
  commit: string;
  license: string;
  kind: string;
}

export function sources(): Source[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'sources.json'), 'utf8')) as Source[];
}

/** The corpus Dockerfiles (`*.Dockerfile`), sorted by name. */
export function corpusFiles(): { name: string; text: string }[] {
  return readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith('.Dockerfile'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(CORPUS_DIR, name), 'utf8') }));
}

export function readExpected(): Expected {
  return JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Expected;
}

/**
 * Lints one corpus file the way the corpus was reviewed: default severities and no build
 * context (ML024 needs to know whether a .dockerignore exists, which the copies cannot say).
 */
export function lintCorpusFile(text: string): { line: number; rule: string; message: string }[] {
  return lintDockerfile(text).map((f) => ({ line: f.range.start.line + 1, rule: f.rule, message: f.message }));
}

const key = (f: { line: number; rule: string }): string => `${f.line} ${f.rule}`;

/** Findings present but not reviewed (`added`) and reviewed but gone (`dropped`), as "line rule". */
export function diffFindings(actual: readonly { line: number; rule: string }[], expected: readonly { line: number; rule: string }[]): { added: string[]; dropped: string[] } {
  const left = new Map<string, number>();
  for (const e of expected) left.set(key(e), (left.get(key(e)) ?? 0) + 1);
  const added: string[] = [];
  for (const a of actual) {
    const n = left.get(key(a)) ?? 0;
    if (n > 0) left.set(key(a), n - 1);
    else added.push(key(a));
  }
  const dropped = [...left].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { added, dropped };
}

/**
 * Precision of the reviewed findings: correct / (correct + false positives). Unreviewed
 * findings are counted apart and left out of the ratio.
 */
export function precision(expected: Expected): { correct: number; falsePositives: number; unreviewed: number; precision: number } {
  let correct = 0;
  let falsePositives = 0;
  let unreviewed = 0;
  for (const list of Object.values(expected.files)) {
    for (const f of list) {
      if (f.verdict === 'correct') correct++;
      else if (f.verdict === 'false-positive') falsePositives++;
      else unreviewed++;
    }
  }
  const decided = correct + falsePositives;
  return { correct, falsePositives, unreviewed, precision: decided ? correct / decided : 1 };
}

/** Rewrites the expected file from the current findings, keeping the verdicts and notes of those that remain. */
export function updateExpected(): { added: number; dropped: number } {
  let old: Expected;
  try {
    old = readExpected();
  } catch {
    old = { reviewedAgainst: 'lab-rules.md', files: {} };
  }
  const files: Record<string, ReviewedFinding[]> = {};
  let added = 0;
  let dropped = 0;
  for (const { name, text } of corpusFiles()) {
    const pool = [...(old.files[name] ?? [])];
    files[name] = lintCorpusFile(text).map((f) => {
      const i = pool.findIndex((p) => p.line === f.line && p.rule === f.rule);
      if (i >= 0) return pool.splice(i, 1)[0];
      added++;
      return { line: f.line, rule: f.rule, verdict: 'unreviewed' as const };
    });
    dropped += pool.length;
  }
  writeFileSync(EXPECTED_FILE, JSON.stringify({ reviewedAgainst: old.reviewedAgainst, files }, null, 1).replace(/\{\n\s+("line"[^}]*)\n\s+\}/g, (_m, body: string) => `{ ${body.replace(/\n\s+/g, ' ')} }`) + '\n');
  return { added, dropped };
}

if (require.main === module && process.argv.includes('--update')) {
  const r = updateExpected();
  console.log(`expected-findings.json: ${r.added} new finding(s) marked unreviewed, ${r.dropped} dropped`);
}
