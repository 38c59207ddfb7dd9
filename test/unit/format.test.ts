import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatAge, formatBytes, shortId } from '../../src/core/format';

const byteCases: Array<{ name: string; input: number; expected: string }> = [
  { name: 'shows 0 bytes', input: 0, expected: '0 B' },
  { name: 'shows bytes below 1 kB', input: 512, expected: '512 B' },
  { name: 'uses decimal kilobytes as docker does', input: 1000, expected: '1 kB' },
  { name: 'keeps 3 significant digits', input: 1_990_000, expected: '1.99 MB' },
  { name: 'rounds to 3 significant digits', input: 1_234_567_890, expected: '1.23 GB' },
  { name: 'shows a typical ML image size', input: 957_000_000, expected: '957 MB' },
  { name: 'moves up a unit when rounding reaches 1000', input: 999_600, expected: '1 MB' },
  { name: 'shows terabytes', input: 2.5e12, expected: '2.5 TB' },
  { name: 'shows "unknown" for the engine\'s -1', input: -1, expected: 'unknown' },
  { name: 'shows "unknown" for NaN', input: Number.NaN, expected: 'unknown' },
];

for (const c of byteCases) {
  void test(`formatBytes ${c.name}`, () => {
    assert.equal(formatBytes(c.input), c.expected);
  });
}

const NOW = Date.UTC(2024, 5, 1);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const ageCases: Array<{ name: string; agoMs: number; expected: string }> = [
  { name: 'says less than a second', agoMs: 300, expected: 'less than a second ago' },
  { name: 'says 1 second', agoMs: 1 * S, expected: '1 second ago' },
  { name: 'counts seconds', agoMs: 42 * S, expected: '42 seconds ago' },
  { name: 'says about a minute', agoMs: 90 * S, expected: 'about a minute ago' },
  { name: 'counts minutes', agoMs: 3 * M, expected: '3 minutes ago' },
  { name: 'says about an hour', agoMs: 70 * M, expected: 'about an hour ago' },
  { name: 'rounds hours', agoMs: 5 * H + 31 * M, expected: '6 hours ago' },
  { name: 'counts hours up to 48', agoMs: 47 * H, expected: '47 hours ago' },
  { name: 'counts days from 48 hours', agoMs: 3 * D, expected: '3 days ago' },
  { name: 'counts weeks from 2 weeks', agoMs: 21 * D, expected: '3 weeks ago' },
  { name: 'counts months from 2 months', agoMs: 150 * D, expected: '5 months ago' },
  { name: 'counts years from 2 years', agoMs: 3 * 365 * D, expected: '3 years ago' },
  { name: 'treats a future time (clock skew) as now', agoMs: -5 * S, expected: 'less than a second ago' },
];

for (const c of ageCases) {
  void test(`formatAge ${c.name}`, () => {
    assert.equal(formatAge(NOW - c.agoMs, NOW), c.expected);
  });
}

const idCases: Array<{ name: string; input: string; expected: string }> = [
  { name: 'strips sha256: and keeps 12 characters', input: 'sha256:c2ce58fbf46c0123456789abcdef', expected: 'c2ce58fbf46c' },
  { name: 'shortens a bare container id', input: '4f66ad9a0b2e1c3d5e6f', expected: '4f66ad9a0b2e' },
  { name: 'keeps an already short id', input: 'abc', expected: 'abc' },
];

for (const c of idCases) {
  void test(`shortId ${c.name}`, () => {
    assert.equal(shortId(c.input), c.expected);
  });
}
