/**
 * Never crash, never hang: random and mutated Dockerfiles through every rule, with a seeded
 * PRNG (mulberry32) so a failure reproduces. Rule exceptions fail the test (helpers.ts sets
 * ruleErrorHook), and every offered fix must apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, lintDockerfile, safeFixEdits } from '../../../src/core/dockerfile/index';
import { lintRequirements } from '../../../src/core/requirements/index';
import { expandSnippet } from '../../../src/core/dockerfile/snippets';
import './helpers';

const SEED = 0x5eed_2024;
const ROOT = path.resolve(__dirname, '../../../..');

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(SEED);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
const int = (n: number): number => Math.floor(rnd() * n);

const snippets = JSON.parse(readFileSync(path.join(ROOT, 'snippets/dockerfile.json'), 'utf8')) as Record<string, { body: string[] }>;
const SEEDS: string[] = [
  ...Object.values(snippets).map((s) => expandSnippet(s.body).text),
  readFileSync(path.join(ROOT, 'test/fixtures/dockerfiles/messy/Dockerfile'), 'utf8'),
  '# escape=`\nFROM python as b\nRUN pip install `\n  numpy\nCMD flask run\n',
  'FROM nvidia/cuda:12.1.0-devel-ubuntu22.04\nRUN <<EOF\napt install -y curl\npip install torch\nEOF\nCMD ["sh", "-c", "uvicorn m:app --host 127.0.0.1"]\n',
  'ARG A=${B:-python}\nFROM ${A}\nENV HF_TOKEN x\nEXPOSE 127.0.0.1:80:80\nADD data/ /d\nWORKDIR rel\nRUN python train.py && conda install x\n',
];
const FRAGMENTS = ['\\', '\\\n', '[', ']', '"', "'", '${', '$(', '`', '<<EOF', '<<-X\n', '&&', '|', ';', '#', '\n', ' ', '--mount=type=cache', '["a", ', 'FROM ', 'RUN ', 'CMD ', '\u0000', '\uffff', '\ud800', '\r\n', '\t', 'as', 'EOF\n', '--'];
const KEYWORDS = ['FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'ENV', 'ARG', 'EXPOSE', 'USER', 'WORKDIR', 'VOLUME', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'from', 'run'];

function mutate(text: string): string {
  let t = text;
  const n = 1 + int(6);
  for (let k = 0; k < n; k++) {
    const at = int(t.length + 1);
    switch (int(7)) {
      case 0: t = t.slice(0, at); break; // truncate
      case 1: t = t.slice(0, at) + pick(FRAGMENTS) + t.slice(at); break;
      case 2: t = t.slice(0, at) + t.slice(at + 1 + int(20)); break;
      case 3: { // binary bytes
        let b = '';
        for (let i = 0; i < 1 + int(16); i++) b += String.fromCharCode(int(256));
        t = t.slice(0, at) + b + t.slice(at);
        break;
      }
      case 4: t = t.replace(/\n/, ' \\\n'); break; // stray continuation
      case 5: t = t.replace(/\]/, ''); break; // unbalanced JSON
      default: t = t.slice(0, at) + '\n' + pick(KEYWORDS) + ' ' + pick(FRAGMENTS) + pick(FRAGMENTS) + t.slice(at);
    }
  }
  return t;
}

function randomText(): string {
  const lines: string[] = [];
  for (let i = 0; i < 1 + int(30); i++) {
    let l = rnd() < 0.8 ? pick(KEYWORDS) + ' ' : '';
    for (let j = 0; j < int(8); j++) l += pick(FRAGMENTS) + (rnd() < 0.5 ? 'x' : ' ');
    lines.push(l);
  }
  return lines.join(rnd() < 0.1 ? '\r\n' : '\n');
}

function check(text: string, budgetMs: number): void {
  const t0 = performance.now();
  const findings = lintDockerfile(text, { buildContext: { hasDockerignore: false } });
  lintRequirements(text);
  const ms = performance.now() - t0;
  assert.ok(ms < budgetMs, `took ${ms.toFixed(0)} ms (budget ${budgetMs}) for ${JSON.stringify(text.slice(0, 200))}`);
  for (const f of findings) {
    assert.ok(f.range.start.line >= 0 && f.range.end.line >= f.range.start.line, 'range');
    for (const fix of f.fixes) applyEdits(text, fix.edits);
  }
  applyEdits(text, safeFixEdits(text, findings));
}

test(`fuzz: 1500 mutated Dockerfiles (seed ${SEED})`, () => {
  for (let i = 0; i < 1500; i++) check(mutate(pick(SEEDS)), 1000);
});

test(`fuzz: 500 random texts (seed ${SEED})`, () => {
  for (let i = 0; i < 500; i++) check(randomText(), 1000);
});

test('fuzz: pathological inputs', () => {
  const cases = [
    '', '\n', '\\', 'RUN \\', 'RUN ["', 'CMD [', 'FROM', 'FROM ${', 'FROM $', 'RUN <<EOF', 'RUN <<', 'ENV', 'ENV =', 'ARG =x\nFROM ${=}',
    'RUN ' + '$('.repeat(5000), 'RUN ' + '"'.repeat(5001), 'RUN ' + '\\\n'.repeat(5000), 'CMD ' + '['.repeat(3000),
    '# escape=`\nRUN a `\n', '# escape=\\\n', 'FROM a AS b\nFROM b AS a\nFROM a', 'RUN echo ' + 'x'.repeat(200000),
    Array.from({ length: 3000 }, () => 'RUN <<EOF').join('\n'), '\u0000'.repeat(10000),
  ];
  for (const c of cases) check(c, 3000);
});

test('fuzz: a 10,000-line Dockerfile in bounded time', () => {
  const parts: string[] = [];
  for (let i = 0; parts.length < 10_000; i++) parts.push(...mutate(pick(SEEDS)).split('\n'));
  check(parts.slice(0, 10_000).join('\n'), 10_000);
});
