/**
 * Runs inside the extension host (code-server, loaded by scripts/run-host-tests.mjs --tests):
 * times the Dockerfile editing help as the editor asks for it, through VS Code's own
 * provider commands (every registered provider answers, ours included). Prints figures; the
 * caller (bench/language.bench.ts) asserts nothing either.
 *
 *   completion  vscode.executeCompletionItemProvider at a FROM, a RUN flag, a COPY --from= and an EXPOSE
 *   hover       vscode.executeHoverProvider on instruction keywords
 *   semantic tokens  vscode.provideDocumentSemanticTokens (whole document, as after each edit)
 *   diagnostics after an edit: from applying the edit to the ML Container Lab diagnostics changing
 *               (includes the 250 ms debounce), and the check's own cost (lint + build checks + validator)
 */
import * as vscode from 'vscode';
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

const N = Number(process.env.MLLAB_BENCH_LANGUAGE_N ?? 60);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)];
const fmt = (xs: number[]) => `median ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

interface Api { editing: { lastCheckMs(): number; servicesLoaded(): boolean }; activationMs: number }

/** A 1,000-line Dockerfile: stages of ARG/ENV/RUN/COPY with continuations, as long ML Dockerfiles look. */
function generated(): string {
  const out = ['# syntax=docker/dockerfile:1', 'ARG PYTHON=3.12'];
  let stage = 0;
  while (out.length < 990) {
    out.push(`FROM python:\${PYTHON}-slim AS stage${stage}`, 'WORKDIR /app', `ENV STAGE=${stage} PIP_NO_CACHE_DIR=1`);
    for (let i = 0; i < 20 && out.length < 985; i++) {
      out.push(`RUN --mount=type=cache,target=/root/.cache/pip pip install numpy==2.0.${i} \\`, `    scipy==1.13.${i} \\`, '    && echo done');
      if (i % 5 === 0) out.push(`COPY --from=stage${Math.max(0, stage - 1)} /app /app/s${i}`);
    }
    stage++;
  }
  out.push('EXPOSE 8080', 'USER 1000', 'CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]');
  return out.join('\n') + '\n';
}

async function open(file: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function spots(doc: vscode.TextDocument): { name: string; pos: vscode.Position }[] {
  const out: { name: string; pos: vscode.Position }[] = [];
  for (let l = 0; l < doc.lineCount && out.length < 4; l++) {
    const t = doc.lineAt(l).text;
    if (/^FROM /.test(t) && !out.some((o) => o.name === 'FROM')) out.push({ name: 'FROM', pos: new vscode.Position(l, 5) });
    if (/^RUN --/.test(t) && !out.some((o) => o.name === 'RUN --')) out.push({ name: 'RUN --', pos: new vscode.Position(l, 6) });
    if (/^COPY --from=/.test(t) && !out.some((o) => o.name === 'COPY --from=')) out.push({ name: 'COPY --from=', pos: new vscode.Position(l, 12) });
    if (/^EXPOSE /.test(t) && !out.some((o) => o.name === 'EXPOSE')) out.push({ name: 'EXPOSE', pos: new vscode.Position(l, 7) });
  }
  return out;
}

async function measure(label: string, doc: vscode.TextDocument, api: Api): Promise<void> {
  const sp = spots(doc);
  const completion: number[] = [];
  const hover: number[] = [];
  for (let i = 0; i < N; i++) {
    for (const s of sp) {
      const t0 = performance.now();
      await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, s.pos);
      completion.push(performance.now() - t0);
    }
    const t1 = performance.now();
    await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(sp[0]?.pos.line ?? 0, 1));
    hover.push(performance.now() - t1);
  }
  console.log(`[${label}] ${doc.lineCount} lines; spots: ${sp.map((s) => s.name).join(', ')}`);
  console.log(`[${label}] completion: ${fmt(completion)}`);
  console.log(`[${label}] hover:      ${fmt(hover)}`);
  // Where the slow ones fall: the first requests after the bundle loads (JIT) or spread over the run (the shared machine).
  const slowest = (xs: number[]) => xs.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 4).map(([v, i]) => `#${i} ${v.toFixed(0)} ms`).join(', ');
  console.log(`[${label}] slowest: completion ${slowest(completion)}; hover ${slowest(hover)}`);
  // Semantic tokens run after every edit in the same extension host thread: a slow one delays the completion behind it.
  const tokens: number[] = [];
  for (let i = 0; i < Math.min(N, 15); i++) {
    const t0 = performance.now();
    await vscode.commands.executeCommand('vscode.provideDocumentSemanticTokens', doc.uri);
    tokens.push(performance.now() - t0);
  }
  console.log(`[${label}] semantic tokens: ${fmt(tokens)}`);
  // Diagnostics after an edit: type one character at the end of a comment line, wait for our collection to change.
  const latency: number[] = [];
  const cost: number[] = [];
  const editor = vscode.window.activeTextEditor!;
  for (let i = 0; i < Math.min(N, 15); i++) {
    const changed = new Promise<number>((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === doc.uri.toString())) { sub.dispose(); resolve(performance.now()); }
      });
    });
    const t0 = performance.now();
    await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount - 1, 0), i % 2 === 0 ? `LABEL bench${i}=x\n` : ''));
    if (i % 2 === 1) await editor.edit((b) => b.delete(doc.lineAt(doc.lineCount - 2).rangeIncludingLineBreak));
    latency.push((await changed) - t0);
    cost.push(api.editing.lastCheckMs());
  }
  console.log(`[${label}] diagnostics after an edit (250 ms debounce included): ${fmt(latency)}`);
  console.log(`[${label}] diagnostics cost per check (lint + BuildKit checks + validator): ${fmt(cost)}`);
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<Api>('ml-container-lab.ml-container-lab')!;
  const t0 = performance.now();
  const api = await ext.activate();
  console.log(`activation: ${(performance.now() - t0).toFixed(1)} ms including loading dist/extension.js; ${api.activationMs} ms in activate(); editing services loaded: ${api.editing.servicesLoaded()}`);
  const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const iris = path.join(ws, 'train.dockerfile');
  const first = await open(iris);
  const c0 = performance.now();
  await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', first.uri, new vscode.Position(0, 5));
  console.log(`first completion (loads the editing services bundle): ${(performance.now() - c0).toFixed(1)} ms; loaded: ${api.editing.servicesLoaded()}`);
  await measure('iris-train/train.dockerfile', first, api);
  const big = path.join(ws, 'bench', 'Dockerfile');
  mkdirSync(path.dirname(big), { recursive: true });
  writeFileSync(big, generated());
  await measure('generated 1,000 lines', await open(big), api);
}
