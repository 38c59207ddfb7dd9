/**
 * The editing bundle's parse cache and linear semantic tokens (src/core/language/services.ts)
 * must answer exactly what the unmodified libraries answer. The reference is the libraries
 * straight from node_modules, a module instance of their own that the bundle's cache never
 * touches. Every Dockerfile of the real-world corpus is asked every question twice, with
 * semantic tokens in between, so a request that changed the shared parse would show.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DockerfileLanguageServiceFactory } from 'dockerfile-language-service';
import type * as Services from '../../../src/core/language/services';
import { corpusFiles } from '../dockerfile/corpus';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const L = require(path.join(repo, 'dist', 'vendor', 'language.js')) as typeof Services;

const reference = DockerfileLanguageServiceFactory.createLanguageService();
const capabilities = {
  completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] as ('markdown' | 'plaintext')[], deprecatedSupport: true } },
  hover: { contentFormat: ['markdown', 'plaintext'] as ('markdown' | 'plaintext')[] },
};
reference.setCapabilities(capabilities);

type Svc = ReturnType<typeof Services.dockerfileService>;

/** Everything the editor asks of one Dockerfile, at the start and end of each line and inside its first words. */
function answers(svc: Svc, text: string): unknown[] {
  const out: unknown[] = [];
  const doc = { uri: 'file:///w/Dockerfile' };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, l) => {
    if (l % 3 !== 0 && l > 40) return; // long files: every third line is enough and keeps the test short
    // Within the line: past its end the bundle's newer vscode-languageserver-textdocument clamps differently.
    for (const character of [0, Math.min(line.length, 2), Math.min(line.length, 6), line.length]) {
      const p = { line: l, character };
      out.push(svc.computeCompletionItems(text, p), svc.computeHover(text, p), svc.computeSignatureHelp(text, p), svc.computeDefinition(doc, text, p), svc.computeHighlightRanges(text, p), svc.prepareRename(text, p));
    }
  });
  out.push(svc.computeSymbols(doc, text), svc.computeLinks(text), svc.format(text, { tabSize: 4, insertSpaces: true }), svc.computeFoldingRanges(text), svc.validate(text, {}));
  return JSON.parse(JSON.stringify(out)) as unknown[];
}

describe('parse cache of the editing bundle', () => {
  const files = corpusFiles();
  it('answers every request on every corpus Dockerfile as the unmodified library does, also after semantic tokens and on a second ask', async () => {
    const before = { ...L.parseCounts };
    for (const { name, text } of files) {
      const expected = answers(reference, text);
      assert.deepEqual(answers(L.dockerfileService(), text), expected, `${name}: first ask`);
      L.semanticTokens(text);
      assert.deepEqual(answers(L.dockerfileService(), text), expected, `${name}: second ask`);
      await Promise.resolve();
    }
    // One parse per file, every other request served from the cache.
    assert.equal(L.parseCounts.parsed - before.parsed, files.length);
    assert.ok(L.parseCounts.reused - before.reused > files.length * 100, `reused ${L.parseCounts.reused - before.reused}`);
  });

  it('parses again when the text changes by one character, and keeps the four most recent texts', () => {
    const svc = L.dockerfileService();
    const stages = (t: string) => (svc.computeCompletionItems(t, { line: 1, character: 12 }) as Array<{ label: string }>).map((i) => i.label);
    const text = (name: string) => `FROM a AS ${name}\nCOPY --from= /a /a\n`;
    for (const n of ['one', 'two', 'thr', 'fou', 'fiv']) assert.deepEqual(stages(text(n)), [n]);
    const n = L.parseCounts.parsed;
    assert.deepEqual(stages(text('fiv')), ['fiv']);
    assert.deepEqual(stages(text('two')), ['two']);
    assert.equal(L.parseCounts.parsed, n, 'the four most recent are cached');
    assert.deepEqual(stages(text('one')), ['one']);
    assert.equal(L.parseCounts.parsed, n + 1, 'the oldest was dropped');
    assert.deepEqual(stages(text('onf')), ['onf']);
    assert.equal(L.parseCounts.parsed, n + 2);
  });
});

describe('semantic tokens in linear time', () => {
  it('are the unmodified library tokens on every corpus Dockerfile', () => {
    for (const { name, text } of corpusFiles()) assert.deepEqual(L.semanticTokens(text).data, reference.computeSemanticTokens(text).data, name);
  });
});
