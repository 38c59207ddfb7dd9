/**
 * Resource sizes as `docker run` writes them: `--memory`/`-m`, `--shm-size` and `--cpus`.
 * Sources: https://docs.docker.com/engine/containers/resource_constraints/ and the CLI's
 * parsers (github.com/docker/go-units `RAMInBytes` for sizes, docker/cli `opts.NanoCPUs`).
 */
import { UserError } from '../errors';

/**
 * Docker's default size of a container's `/dev/shm`: 64 MB (67108864 bytes). Source:
 * https://docs.docker.com/reference/cli/docker/container/run/ ("--shm-size: Size of /dev/shm.
 * ... If you omit the unit, the system uses bytes. If you omit the size entirely, the system
 * uses 64m"). PyTorch DataLoader workers share batches through it and die with bus errors.
 */
export const DEFAULT_SHM_SIZE_BYTES = 64 * 1024 * 1024;

/** Multipliers of `RAMInBytes`: binary (1 k = 1024 bytes), whatever the case or a trailing "b"/"ib". */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const SIZE_EXPECTED = 'expected a size such as 2g, 512m or 64MB (number with unit b, k, m, g; 1k = 1024 bytes)';
/** go-units RAMInBytes: `^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, narrowed to one decimal point. */
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(i?b?)$/i;

/**
 * Parses a size as `docker run --memory` and `--shm-size` do: a number (decimals allowed) and an
 * optional unit `b`, `k`, `m`, `g` (also `t`, `p`), case-insensitive, optionally followed by `b`
 * or `ib` (`64MB`, `2GiB`); every unit is binary (1k = 1024 bytes), as in Docker. A bare number
 * is bytes. A YAML number is taken as bytes too.
 *
 * @example parseByteSize('2g') === 2147483648; parseByteSize('512m') === 536870912
 * @returns the size in bytes (whole bytes; a fraction is truncated as Docker does).
 * @throws UserError naming the expected form for empty text, negative or zero sizes, junk such
 *   as `2 gigs` or `1e3`, and sizes beyond 2^53 bytes.
 */
export function parseByteSize(text: string | number): number {
  const raw = typeof text === 'number' ? String(text) : text.trim();
  const fail = (what: string): never => {
    throw new UserError(`Size "${raw}": ${what}; ${SIZE_EXPECTED}.`);
  };
  if (raw === '') fail('the size is empty');
  if (raw.startsWith('-')) fail('a size cannot be negative');
  const m = SIZE.exec(raw);
  if (!m) fail('not a size');
  const [, num, unit, suffix] = m as RegExpExecArray;
  // "1i" without "b" is not a unit; RAMInBytes would accept it, but it is surely a typo.
  if (suffix.toLowerCase() === 'i') fail(`unit "${unit}${suffix}" is not known`);
  const bytes = Math.trunc(Number(num) * UNITS[unit.toLowerCase()]);
  if (bytes <= 0) fail('the size must be more than 0 bytes');
  if (!Number.isSafeInteger(bytes)) fail('the size is too large');
  return bytes;
}

/**
 * Formats bytes in the short form `docker run` accepts, with the largest binary unit that
 * divides the size exactly: 2147483648 -> "2g", 536870912 -> "512m", 67108864 -> "64m",
 * 2048 -> "2k". Other sizes are written in bytes with a "b" suffix (1000 -> "1000b",
 * 1536 -> "1536b"), which `parseByteSize` and Docker read back.
 * @param bytes a positive whole number of bytes.
 */
export function formatByteSize(bytes: number): string {
  for (const [unit, mul] of [['g', UNITS.g], ['m', UNITS.m], ['k', UNITS.k]] as const) {
    if (bytes >= mul && bytes % mul === 0) return `${bytes / mul}${unit}`;
  }
  return `${bytes}b`;
}

const CPUS_EXPECTED = 'expected a number of CPUs such as 2 or 1.5';

/**
 * Parses `docker run --cpus` (how many CPUs the container may use, e.g. `1.5`) into the
 * Engine API's `HostConfig.NanoCpus` (CPUs x 10^9), as docker/cli `opts.NanoCPUs` does: at
 * most 9 decimals ("value is too precise" otherwise).
 *
 * @example parseCpus('1.5') === 1_500_000_000; parseCpus(2) === 2_000_000_000
 * @returns NanoCpus, a whole number.
 * @throws UserError for empty text, junk, zero, negative or too precise values.
 */
export function parseCpus(text: string | number): number {
  const raw = typeof text === 'number' ? String(text) : text.trim();
  const fail = (what: string): never => {
    throw new UserError(`CPUs "${raw}": ${what}; ${CPUS_EXPECTED}.`);
  };
  if (raw === '') fail('the value is empty');
  if (raw.startsWith('-')) fail('cannot be negative');
  const m = /^(\d+)(?:\.(\d+))?$/.exec(raw) ?? /^()\.(\d+)$/.exec(raw);
  if (!m) fail('not a number');
  const [, whole, frac = ''] = m as RegExpExecArray;
  if (frac.length > 9) fail('too precise (at most 9 decimals)');
  const nano = Number(whole || '0') * 1e9 + Number(frac.padEnd(9, '0') || '0');
  if (nano === 0) fail('must be more than 0');
  if (!Number.isSafeInteger(nano)) fail('too large');
  return nano;
}

/** Formats NanoCpus as `--cpus` text: 1500000000 -> "1.5", 2000000000 -> "2". */
export function formatCpus(nanoCpus: number): string {
  const whole = Math.floor(nanoCpus / 1e9);
  const frac = String(nanoCpus % 1e9).padStart(9, '0').replace(/0+$/, '');
  return frac === '' ? String(whole) : `${whole}.${frac}`;
}
