import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lintDockerfile } from '../../../src/core/dockerfile/index';
import { ML_DOCKERIGNORE } from '../../../src/core/dockerfile/rules/copy';
import { expandSnippet, firstPlaceholder } from '../../../src/core/dockerfile/snippets';
import { assertParses } from './helpers';

const ROOT = path.resolve(__dirname, '../../../..');
type Snippets = Record<string, { prefix: string; body: string[]; description: string }>;
const dockerfile = JSON.parse(readFileSync(path.join(ROOT, 'snippets/dockerfile.json'), 'utf8')) as Snippets;
const ignore = JSON.parse(readFileSync(path.join(ROOT, 'snippets/dockerignore.json'), 'utf8')) as Snippets;

const FRAGMENTS = new Set(['ml-user', 'ml-apt', 'ml-healthcheck']);
const WRAP = 'FROM python:3.12-slim\nWORKDIR /app\n';

test('expandSnippet: placeholders, choices, nesting, escapes', () => {
  assert.equal(expandSnippet('a ${1:x} $2 ${3|p,q|} \\$HOME \\} ${4:out ${5:in}} $0').text, 'a x  p $HOME } out in ');
  assert.equal(expandSnippet(['FROM \\${BASE}', '${TM_FILENAME}$1']).text, 'FROM ${BASE}\n');
  const e = expandSnippet('x ${2:b} ${1:a}');
  assert.deepEqual(firstPlaceholder(e), { index: 1, start: 4, end: 5 });
});

test('every prefix the issue asks for exists', () => {
  const prefixes = Object.values(dockerfile).map((s) => s.prefix).sort();
  assert.deepEqual(prefixes, ['ml-apt', 'ml-fastapi', 'ml-flask', 'ml-gradio', 'ml-healthcheck', 'ml-jupyter', 'ml-multistage', 'ml-pytorch-cpu', 'ml-pytorch-cuda', 'ml-streamlit', 'ml-train', 'ml-user']);
  assert.deepEqual(Object.values(ignore).map((s) => s.prefix), ['ml-dockerignore']);
});

test('ml-train starts with the BASE_IMAGE ARG and selects it first', () => {
  const s = Object.values(dockerfile).find((x) => x.prefix === 'ml-train')!;
  assert.equal(s.body[0], 'ARG BASE_IMAGE=${1:python:3.12-slim}');
  assert.equal(s.body[1], 'FROM \\${BASE_IMAGE}');
  const e = expandSnippet(s.body);
  const p = firstPlaceholder(e)!;
  assert.equal(e.text.slice(p.start, p.end), 'python:3.12-slim');
  assert.ok(e.text.startsWith('ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE}\n'));
});

for (const s of Object.values(dockerfile).filter((x) => x.body.some((l) => /^FROM /i.test(l)))) {
  test(`snippet ${s.prefix} takes its base image from the BASE_IMAGE placeholder, selected first`, () => {
    assert.match(s.body[0], /^ARG BASE_IMAGE=\$\{1:[^}]+\}$/, 'the first line declares the base image as placeholder 1');
    const froms = s.body.filter((l) => /^FROM /i.test(l));
    for (const from of froms) assert.match(from, /^FROM \\\$\{BASE_IMAGE\}( AS \S+)?$/, `every FROM uses the placeholder: ${from}`);
    const e = expandSnippet(s.body);
    const p = firstPlaceholder(e)!;
    assert.equal(e.text.slice(0, p.start), 'ARG BASE_IMAGE=', 'the first placeholder is the base image default');
  });
}

for (const s of Object.values(dockerfile)) {
  test(`snippet ${s.prefix} expanded with its defaults lints clean`, () => {
    const body = expandSnippet(s.body).text;
    const text = FRAGMENTS.has(s.prefix) ? `${WRAP}${body}\n${/^USER /m.test(body) ? '' : 'USER 1000\n'}` : body + '\n';
    assertParses(text);
    const findings = lintDockerfile(text, { buildContext: { hasDockerignore: true } });
    assert.deepEqual(findings.map((f) => `${f.rule} ${f.message}`), [], text);
  });
}

test('ml-dockerignore holds the ML defaults of ML024', () => {
  const lines = expandSnippet(Object.values(ignore)[0].body).text.split('\n');
  for (const l of ML_DOCKERIGNORE) assert.ok(lines.includes(l), l);
});
