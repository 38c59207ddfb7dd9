/**
 * The editing services bundle (dist/vendor/language.js, built by scripts/build.mjs) as the
 * extension loads it: the libraries answer, overlapping validator findings are left to our
 * checks, the Compose language service runs in-process, and the main bundle holds none of it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type * as Services from '../../../src/core/language/services';
import { SEMANTIC_TOKEN_MODIFIERS_LEGEND, SEMANTIC_TOKEN_TYPES_LEGEND } from '../../../src/core/language/legend';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const L = require(path.join(repo, 'dist', 'vendor', 'language.js')) as typeof Services;

describe('bundles', () => {
  it('dist/extension.js and dist/features.js hold none of the language services (they load on first use)', () => {
    const main = readFileSync(path.join(repo, 'dist', 'extension.js'), 'utf8');
    // the editing help is in dist/features.js (itself loaded on first use), which requires the services' bundle
    const features = readFileSync(path.join(repo, 'dist', 'features.js'), 'utf8');
    for (const marker of ['DockerAssist', 'ComposeLanguageService', 'createProtocolConnection']) {
      assert.ok(!main.includes(marker), `${marker} is in dist/extension.js`);
      assert.ok(!features.includes(marker), `${marker} is in dist/features.js`);
    }
    assert.ok(!main.includes('./vendor/language.js'));
    assert.ok(features.includes('./vendor/language.js'));
  });
  it('the language bundle shares dockerfile-ast and yaml with their own vendor bundles', () => {
    const lang = readFileSync(path.join(repo, 'dist', 'vendor', 'language.js'), 'utf8');
    assert.ok(lang.includes('require("./dockerfile-ast.js")') && lang.includes('require("./yaml.js")'));
  });
  it("the semantic token legend is the library's numbering", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TokensLegend } = require('dockerfile-language-service/lib/dockerSemanticTokens') as { TokensLegend: { init(): void; getTokenType(t: string): number; getTokenModifiers(m: string[]): number } };
    TokensLegend.init();
    SEMANTIC_TOKEN_TYPES_LEGEND.forEach((t, i) => assert.equal(TokensLegend.getTokenType(t), i, t));
    SEMANTIC_TOKEN_MODIFIERS_LEGEND.forEach((m, i) => assert.equal(TokensLegend.getTokenModifiers([m]), 1 << i, m));
  });
});

describe('dockerfile-language-service', () => {
  const text = 'FROM python:3.12-slim AS build\nRUN pip wheel -w /w numpy==2.0.0\nFROM build\nCOPY --from= /w /w\nHEALTHCHECK CMD true\n';
  it('COPY --from= offers the stages', () => assert.deepEqual((L.dockerfileService().computeCompletionItems(text, { line: 3, character: 12 }) as Array<{ label: string }>).map((i) => i.label), ['build']));
  it('hover on HEALTHCHECK shows its documentation', () => assert.match(JSON.stringify(L.dockerfileService().computeHover(text, { line: 4, character: 3 })), /container/i));
  it('Go to Definition on a stage name is its FROM', () => assert.deepEqual(L.dockerfileService().computeDefinition({ uri: 'file:///D' }, text, { line: 2, character: 7 })?.range, { start: { line: 0, character: 25 }, end: { line: 0, character: 30 } }));
  it('formatting removes the indentation of an instruction', () => assert.deepEqual(L.dockerfileService().format('FROM a\n   RUN x\n', { tabSize: 4, insertSpaces: true }).map((e) => e.newText), ['']));
});

describe('validateDockerfile', () => {
  it('keeps syntax errors, drops what BuildKit checks and lab rules report', () => {
    const d = L.validateDockerfile('from a\nMAINTAINER x\nFOO y\nCMD a\nCMD b\nWORKDIR app\nFROM a AS x\nFROM b AS x\nHEALTHCHECK --interval=abc CMD x\n');
    assert.deepEqual(d.map((x) => x.message).sort(), ['Unknown instruction: FOO', 'time: invalid duration abc']);
  });
});

describe('ComposeHost (in-process Compose language service)', () => {
  const host = new L.ComposeHost(20);
  after(() => host.dispose());
  const uri = 'file:///w/compose.yaml';
  it('completes service keys, hovers keys, and publishes YAML syntax diagnostics', async () => {
    await host.open(uri, 'services:\n  web:\n    image: nginx\n    \n');
    const c = await host.completion(uri, { line: 3, character: 4 });
    const labels = (Array.isArray(c) ? c : (c?.items ?? [])).map((i) => i.label);
    assert.ok(labels.includes('build:') && labels.includes('depends_on:'), labels.join(','));
    const h = await host.hover(uri, { line: 2, character: 6 });
    assert.match(JSON.stringify(h), /image/i);
    const got = new Promise<number>((resolve) => host.onDiagnostics((p) => { if (p.uri === uri && p.diagnostics.length) resolve(p.diagnostics.length); }));
    await host.change(uri, 'services:\n  web:\n    image: [\n');
    assert.ok((await got) >= 1);
  });
  it('cancels a request whose signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await host.completion(uri, { line: 1, character: 2 }, ac.signal).catch((e: unknown) => e);
    assert.ok(r === null || r instanceof Error || (typeof r === 'object' && r !== null), 'answers or fails, never hangs');
  });
});
