/** Median wall time in ms of `runs` calls of `fn`, after `warmup` calls that let the JIT settle. */
export function median(fn: () => void, runs: number, warmup = 20): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
