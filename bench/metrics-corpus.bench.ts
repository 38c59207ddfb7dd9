/**
 * The metric parser on the real training-log corpus (`npm run bench -- metrics-corpus`; prints
 * figures, asserts nothing): per framework folder and in total, the expected series found,
 * the expected points found, the points found at the right x, and the spurious series
 * (series found that match no expected one). Each excerpt is parsed as the Training Run panel
 * and `mllab-metrics` parse it (a MetricStream fed the whole text, then ended).
 *
 * Scoring (test/support/metricsCorpus.ts has the code): series are matched by name after
 * normalisation (lower case; a phase prefix train/training, val/valid/validation/eval/dev, test
 * joined by '/', '_', '-', "'s " or a space becomes train/, valid/, test/; the words
 * average/avg and every other non-alphanumeric character dropped; a name without a phase then
 * matches the same name with one when nothing else matched). A point is found when a matched
 * series has a point with the same y (relative 1e-6; NaN equals NaN), each used once; it is at
 * the right x when that point's x is also the same (within 1e-6 relative, 1e-6 absolute below 1).
 * Goals for an unseen set of 55 excerpts scored the same way: >= 90% of series, >= 90% of
 * points at the right x, <= 5 spurious series.
 *
 * MLLAB_CORPUS_VERBOSE=1 also lists each excerpt's missing and spurious series. MLLAB_CORPUS_DIR
 * scores another folder of the same layout instead (a held-out batch, before it joins the corpus).
 */
import { loadCorpus, scoreCase, type CaseScore } from '../test/support/metricsCorpus';
import { parseLogSeries } from '../src/core/logs/metricsReport';

const verbose = process.env.MLLAB_CORPUS_VERBOSE === '1';
const corpus = loadCorpus(process.env.MLLAB_CORPUS_DIR || undefined);
const byFw = new Map<string, { excerpts: number; right: number; s: CaseScore }>();
const total = { excerpts: 0, right: 0, s: { seriesExpected: 0, seriesFound: 0, pointsExpected: 0, pointsFound: 0, pointsRightX: 0, spurious: [] as string[], missing: [] as string[] } };
for (const c of corpus) {
  const found = parseLogSeries(c.text).series;
  const s = scoreCase(c.expected, found);
  const fully = s.seriesFound === s.seriesExpected && s.pointsRightX === s.pointsExpected && !s.spurious.length ? 1 : 0;
  const agg = byFw.get(c.framework) ?? { excerpts: 0, right: 0, s: { seriesExpected: 0, seriesFound: 0, pointsExpected: 0, pointsFound: 0, pointsRightX: 0, spurious: [], missing: [] } };
  for (const a of [agg, total]) {
    a.excerpts++;
    a.right += fully;
    a.s.seriesExpected += s.seriesExpected;
    a.s.seriesFound += s.seriesFound;
    a.s.pointsExpected += s.pointsExpected;
    a.s.pointsFound += s.pointsFound;
    a.s.pointsRightX += s.pointsRightX;
    a.s.spurious.push(...s.spurious);
  }
  byFw.set(c.framework, agg);
  if (verbose && (s.missing.length || s.spurious.length || s.pointsRightX < s.pointsExpected)) {
    console.log(`  ${c.framework}/${c.name}: missing [${s.missing.join(', ')}] spurious [${s.spurious.join(', ')}] points ${s.pointsRightX}/${s.pointsExpected} at right x (${s.pointsFound} found)`);
  }
}
const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(0)}%` : '-').padStart(5);
const row = (label: string, a: { excerpts: number; right: number; s: CaseScore }) =>
  `${label.padEnd(20)} ${String(a.excerpts).padStart(3)} ${String(a.right).padStart(5)}  ${`${a.s.seriesFound}/${a.s.seriesExpected}`.padStart(8)} ${pct(a.s.seriesFound, a.s.seriesExpected)}  ${`${a.s.pointsFound}/${a.s.pointsExpected}`.padStart(8)} ${pct(a.s.pointsFound, a.s.pointsExpected)}  ${`${a.s.pointsRightX}`.padStart(5)} ${pct(a.s.pointsRightX, a.s.pointsExpected)}  ${String(a.s.spurious.length).padStart(4)}`;
console.log(`metric parser on ${corpus.length} real log excerpts from ${byFw.size} frameworks and forms (${process.env.MLLAB_CORPUS_DIR || 'test/fixtures/training-logs'})`);
console.log(`${'framework'.padEnd(20)} exc right    series     %    points     %  right-x    %  spur`);
for (const [fw, a] of [...byFw.entries()].sort()) console.log(row(fw, a));
console.log(row('TOTAL', total));
