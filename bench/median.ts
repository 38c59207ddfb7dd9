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

/** The median of measured values (the mean of the middle two for an even count). */
export function medianOfValues(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Wall time of one awaited call, in ms. */
export async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Median wall time in ms of `n` awaited calls of `fn`, after one warm-up call (the first call makes connections) unless `warm` is false. */
export async function medianAsync(n: number, fn: () => Promise<unknown>, warm = true): Promise<number> {
  if (warm) await fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) t.push(await timedAsync(fn));
  return medianOfValues(t);
}
