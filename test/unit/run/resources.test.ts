import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_SHM_SIZE_BYTES, formatByteSize, formatCpus, parseByteSize, parseCpus } from '../../../src/core/run/resources';
import { UserError } from '../../../src/core/errors';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const sizeCases: Array<{ name: string; input: string | number; expected: number }> = [
  { name: 'reads gigabytes as binary (2g = 2 GiB)', input: '2g', expected: 2 * GiB },
  { name: 'reads megabytes', input: '512m', expected: 512 * MiB },
  { name: 'reads kilobytes', input: '4k', expected: 4096 },
  { name: 'reads an upper-case unit', input: '2G', expected: 2 * GiB },
  { name: 'reads a unit with "B" as binary (64MB = 64 MiB, as Docker)', input: '64MB', expected: 64 * MiB },
  { name: 'reads a unit with "iB"', input: '2GiB', expected: 2 * GiB },
  { name: 'reads a bare number as bytes', input: '1000', expected: 1000 },
  { name: 'reads a "b" suffix as bytes', input: '1000b', expected: 1000 },
  { name: 'reads a YAML number as bytes', input: 67108864, expected: 64 * MiB },
  { name: 'reads a decimal size and truncates to whole bytes', input: '1.5g', expected: 1.5 * GiB },
  { name: 'accepts one space before the unit', input: '8 g', expected: 8 * GiB },
  { name: 'trims surrounding whitespace', input: ' 2g ', expected: 2 * GiB },
];
for (const c of sizeCases) {
  void test(`parseByteSize ${c.name}`, () => assert.equal(parseByteSize(c.input), c.expected));
}

const badSizes: Array<{ name: string; input: string | number; expected: RegExp }> = [
  { name: 'rejects a negative size', input: '-2g', expected: /"-2g": a size cannot be negative/ },
  { name: 'rejects a negative YAML number', input: -5, expected: /cannot be negative/ },
  { name: 'rejects empty text', input: ' ', expected: /the size is empty/ },
  { name: 'rejects a word unit', input: '2 gigs', expected: /"2 gigs": not a size/ },
  { name: 'rejects an unknown unit', input: '2x', expected: /not a size/ },
  { name: 'rejects exponent notation', input: '1e3', expected: /not a size/ },
  { name: 'rejects zero', input: '0', expected: /more than 0 bytes/ },
  { name: 'rejects "i" without "b"', input: '2gi', expected: /unit "gi" is not known/ },
  { name: 'rejects two decimal points', input: '1.2.3g', expected: /not a size/ },
];
for (const c of badSizes) {
  void test(`parseByteSize ${c.name}`, () => {
    assert.throws(
      () => parseByteSize(c.input),
      (err: unknown) => err instanceof UserError && c.expected.test(err.message) && /expected a size such as 2g, 512m or 64MB/.test(err.message),
    );
  });
}

const formatCases: Array<{ name: string; input: number; expected: string }> = [
  { name: 'writes whole gigabytes with g', input: 2 * GiB, expected: '2g' },
  { name: 'writes whole megabytes with m', input: 512 * MiB, expected: '512m' },
  { name: "writes Docker's default shm as 64m", input: DEFAULT_SHM_SIZE_BYTES, expected: '64m' },
  { name: 'writes 1.5 GiB in m', input: 1.5 * GiB, expected: '1536m' },
  { name: 'writes whole kilobytes with k', input: 2048, expected: '2k' },
  { name: 'writes other sizes in bytes with b', input: 1000, expected: '1000b' },
];
for (const c of formatCases) {
  void test(`formatByteSize ${c.name}`, () => {
    assert.equal(formatByteSize(c.input), c.expected);
    assert.equal(parseByteSize(formatByteSize(c.input)), c.input, 'reads back');
  });
}

const cpuCases: Array<{ name: string; input: string | number; expected: number }> = [
  { name: 'reads whole CPUs as NanoCpus', input: '2', expected: 2_000_000_000 },
  { name: 'reads a fraction', input: '1.5', expected: 1_500_000_000 },
  { name: 'reads a YAML number', input: 0.5, expected: 500_000_000 },
  { name: 'reads a leading-dot fraction', input: '.25', expected: 250_000_000 },
  { name: 'reads nine decimals exactly', input: '0.000000001', expected: 1 },
];
for (const c of cpuCases) {
  void test(`parseCpus ${c.name}`, () => assert.equal(parseCpus(c.input), c.expected));
}

const badCpus: Array<{ name: string; input: string | number; expected: RegExp }> = [
  { name: 'rejects zero', input: '0', expected: /must be more than 0/ },
  { name: 'rejects a negative count', input: '-1', expected: /cannot be negative/ },
  { name: 'rejects junk', input: 'two', expected: /not a number/ },
  { name: 'rejects more than 9 decimals', input: '0.0000000001', expected: /too precise/ },
  { name: 'rejects empty text', input: '', expected: /the value is empty/ },
];
for (const c of badCpus) {
  void test(`parseCpus ${c.name}`, () => {
    assert.throws(() => parseCpus(c.input), (err: unknown) => err instanceof UserError && c.expected.test(err.message) && /expected a number of CPUs/.test(err.message));
  });
}

const formatCpuCases: Array<{ name: string; input: number; expected: string }> = [
  { name: 'writes whole CPUs without decimals', input: 2_000_000_000, expected: '2' },
  { name: 'writes a fraction without trailing zeros', input: 1_500_000_000, expected: '1.5' },
  { name: 'writes a small fraction', input: 250_000_000, expected: '0.25' },
];
for (const c of formatCpuCases) {
  void test(`formatCpus ${c.name}`, () => assert.equal(formatCpus(c.input), c.expected));
}
