/**
 * The lab guidance rules on the real-world corpus: findings per file and per rule,
 * precision of the reviewed findings (test/fixtures/real-world/expected-findings.json), and
 * the time to lint the whole corpus (median of many runs). Goal: precision of at least 99%.
 * Not a test: prints figures. Findings that differ from the reviewed list are printed too
 * (the unit test realWorld.test.ts fails on them).
 *   npm run bench -- lint-corpus
 */
import { median } from './median';
import { corpusFiles, diffFindings, lintCorpusFile, precision, readExpected } from '../test/unit/dockerfile/corpus';

const files = corpusFiles();
const expected = readExpected();
const perRule = new Map<string, number>();
let total = 0;
let lines = 0;
const changed: string[] = [];

console.log('findings per file (reviewed false positives in brackets):');
for (const { name, text } of files) {
  const found = lintCorpusFile(text);
  const reviewed = expected.files[name] ?? [];
  const fp = reviewed.filter((f) => f.verdict === 'false-positive').length;
  total += found.length;
  lines += text.split('\n').length;
  for (const f of found) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
  console.log(`  ${String(found.length).padStart(3)}${fp ? ` [${fp}]` : '    '}  ${name}`);
  const { added, dropped } = diffFindings(found, reviewed);
  changed.push(...added.map((k) => `  + ${name}:${k} (not reviewed)`), ...dropped.map((k) => `  - ${name}:${k} (reviewed, no longer reported)`));
}

console.log('\nfindings per rule:');
for (const [rule, n] of [...perRule].sort()) console.log(`  ${rule} ${n}`);
const p = precision(expected);
console.log(`\ncorpus: ${files.length} Dockerfiles, ${lines} lines, ${total} findings (${(total / files.length).toFixed(1)} per file)`);
console.log(`reviewed: ${p.correct} correct, ${p.falsePositives} false positives, ${p.unreviewed} unreviewed; precision ${(p.precision * 100).toFixed(1)}% (goal: at least 99%)`);
if (changed.length) console.log(`findings differ from the reviewed list (${changed.length}):\n${changed.join('\n')}`);
else console.log('findings match the reviewed list');
const ms = median(() => { for (const f of files) lintCorpusFile(f.text); }, 20, 3);
console.log(`lint time for the whole corpus: median ${ms.toFixed(1)} ms (${(ms / files.length).toFixed(2)} ms per file)`);
