/**
 * requirements.txt checks (catalogue `../shared/lab-rules.md`):
 *   ML013 (error)   a `sklearn` requirement - the PyPI `sklearn` package refuses to install
 *                   (source: PyPI sklearn brownout); fix: `scikit-learn`.
 *   ML028 (warning) a requirement without a version (source: labs, `pip freeze > requirements.txt`);
 *                   fix: the version installed in the last built image when known, else a
 *                   `==VERSION` placeholder.
 * A requirement counts as versioned with any specifier (`==`, `~=`, `>=`...), as in ML003.
 * Suppression comments work as in Dockerfiles: `# mllab-ignore ML028` on the line above,
 * `# mllab-ignore-file ML028` anywhere.
 */
import { finish } from '../dockerfile/index';
import { LineIndex } from '../dockerfile/text';
import { normalizeName } from '../dockerfile/commands';
import type { Finding, Fix, LintOptions } from '../dockerfile/types';

export interface Requirement {
  /** 0-based line of the requirement (its first line when continued with `\`). */
  line: number;
  name: string;
  /** Offsets in the text: the name, and where a version specifier goes (after extras). */
  nameStart: number;
  nameEnd: number;
  insertAt: number;
  /** The specifier/URL part after name and extras, before markers and comments. */
  spec: string;
}

/** Reads the requirement lines of a requirements.txt (options, paths, URLs and comments skipped). */
export function parseRequirements(text: string): Requirement[] {
  const index = new LineIndex(text);
  const out: Requirement[] = [];
  for (let l = 0; l < index.lineCount; l++) {
    const start = index.lineStarts[l];
    let line = index.lineText(l);
    const first = l;
    // Join `\` continuations (only the first physical line is checked for the name).
    while (/\\\s*$/.test(line) && l + 1 < index.lineCount) {
      l++;
      line = line.replace(/\\\s*$/, ' ') + index.lineText(l);
    }
    const code = line.replace(/(^|\s)#.*$/, '');
    const lead = /^\s*/.exec(code)![0].length;
    const body = code.slice(lead);
    if (!body || body.startsWith('-') || /^[.~/]/.test(body) || /^[a-z][a-z0-9+.-]*:\/\//i.test(body)) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?/.exec(body);
    if (!m) continue;
    const nameStart = start + lead;
    const nameEnd = nameStart + m[1].length;
    const insertAt = nameStart + m[0].replace(/\s+$/, '').length;
    const spec = body.slice(m[0].length).split(';')[0].trim();
    out.push({ line: first, name: m[1], nameStart, nameEnd, insertAt, spec });
  }
  return out;
}

function isVersioned(r: Requirement): boolean {
  return /[=<>!~]/.test(r.spec) || r.spec.startsWith('@');
}

/** Versions by normalised name from `pip freeze` output (`name==1.2.3` lines). */
export function parseFreeze(freezeOutput: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of freezeOutput.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#]+)/.exec(raw);
    if (m) out.set(normalizeName(m[1]), m[2]);
  }
  return out;
}

/**
 * Checks a requirements.txt.
 * @param options severities per rule; `installedVersions` lets ML028's fix pin real versions
 * @returns findings on the requirement's line; never throws
 */
export function lintRequirements(text: string, options: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  try {
    const index = new LineIndex(text);
    const known = new Map<string, string>();
    for (const [k, v] of Object.entries(options.installedVersions ?? {})) known.set(normalizeName(k), v);
    for (const r of parseRequirements(text)) {
      const range = index.range(index.lineStarts[r.line], index.lineEnd(r.line));
      const lower = r.name.toLowerCase();
      if (lower === 'sklearn') {
        const dummy = /^==\s*0\.0(\.post\d+)?$/.test(r.spec);
        const end = dummy ? index.lineStarts[r.line] + index.lineText(r.line).indexOf(r.spec) + r.spec.length : r.nameEnd;
        findings.push({
          rule: 'ML013',
          severity: 'error',
          message: "The 'sklearn' package on PyPI refuses to install: the package is 'scikit-learn'.",
          range,
          fixes: [{ title: 'Replace sklearn with scikit-learn', edits: [{ range: index.range(r.nameStart, Math.max(end, r.nameEnd)), newText: 'scikit-learn' }], safe: true }],
        });
        continue;
      }
      if (isVersioned(r)) continue;
      const v = known.get(normalizeName(r.name));
      const at = index.range(r.insertAt, r.insertAt);
      const fix: Fix = v
        ? { title: `Pin ${r.name}==${v} (installed in the image)`, edits: [{ range: at, newText: `==${v}` }], safe: true }
        : { title: `Pin ${r.name} to a version`, edits: [{ range: at, newText: '==VERSION', snippet: '==${1:VERSION}' }], safe: false };
      findings.push({
        rule: 'ML028',
        severity: 'warning',
        message: `${r.name} has no version: pin it (${r.name}==<version>, e.g. from pip freeze) so the image builds the same tomorrow.`,
        range,
        fixes: [fix],
      });
    }
  } catch {
    return [];
  }
  return finish(findings, text.split(/\r?\n/), options);
}

/**
 * "Pin to installed versions": adds `==<version>` from `pip freeze` output (run inside the
 * last image built from the Dockerfile) to every requirement that has no version. Names match
 * after PEP 503 normalisation; requirements pip freeze does not list stay as they are.
 */
export function pinRequirements(text: string, freezeOutput: string): string {
  const versions = parseFreeze(freezeOutput);
  let out = '';
  let at = 0;
  for (const r of parseRequirements(text)) {
    if (isVersioned(r) || r.name.toLowerCase() === 'sklearn') continue;
    const v = versions.get(normalizeName(r.name));
    if (!v) continue;
    out += text.slice(at, r.insertAt) + `==${v}`;
    at = r.insertAt;
  }
  return out + text.slice(at);
}
