/**
 * Analysis time, median of many runs: a 1,000-line Dockerfile and each snippet expanded
 * with its defaults. Goal: under 10 ms for 1,000 lines, so every keystroke can be
 * checked. Not a test: prints figures.
 *   npx esbuild bench/lint.bench.ts --bundle --platform=node --outfile=out/bench/lint.bench.js && node out/bench/lint.bench.js
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lintDockerfile } from '../src/core/dockerfile/index';
import { expandSnippet } from '../src/core/dockerfile/snippets';
import { median } from './median';

const root = process.cwd(); // run from the repository root
const snippets = JSON.parse(readFileSync(path.join(root, 'snippets/dockerfile.json'), 'utf8')) as Record<string, { prefix: string; body: string[] }>;

// 1,000 lines: several realistic multi-stage Dockerfiles one after another.
const unit = [
  'FROM python:3.12-slim AS build',
  'WORKDIR /app',
  'RUN apt-get update && apt-get install -y curl \\',
  '    && rm -rf /var/lib/apt/lists/*',
  'COPY requirements.txt ./',
  'RUN pip install -r requirements.txt numpy',
  'COPY . .',
  'ENV MODEL_DIR /models',
  '# serve',
  'EXPOSE 8000',
  'CMD uvicorn main:app --port 8000',
  '',
];
const lines: string[] = [];
while (lines.length < 1000) lines.push(...unit);
const big = lines.slice(0, 1000).join('\n') + '\n';

const findings = lintDockerfile(big).length;
console.log(`1,000-line Dockerfile: median ${median(() => lintDockerfile(big), 100).toFixed(2)} ms (${findings} findings)`);
for (const s of Object.values(snippets)) {
  const text = expandSnippet(s.body).text;
  console.log(`snippet ${s.prefix.padEnd(16)} median ${median(() => lintDockerfile(text), 300).toFixed(3)} ms`);
}
