/**
 * BuildKit's build checks (Dockerfile frontend 1.8+, https://docs.docker.com/reference/build-checks/),
 * for editors where Docker DX (which runs BuildKit's own checks) is absent. Each check keeps
 * BuildKit's name as its rule id and its message text, so a finding reads like `docker build`'s
 * warning, and links to BuildKit's page for the rule.
 *
 * Run through `lintDockerfile(text, { buildChecks: true })`. BuildKit's own directive
 * `# check=skip=<Name>[,<Name>]` (or `skip=all`) at the top of the file silences them, as it
 * does for `docker build`.
 *
 * Conservative where BuildKit knows more than the text: UndefinedVar needs the base image's
 * environment, so it reports only in stages whose root is `scratch`, another stage, or an
 * image whose environment the caller read from the engine (`options.baseImages`).
 */
import type { Rule, RuleContext } from './engine';
import { type Stage, stageChain, substitute, variablesAt } from './model';

/** Predefined build arguments (https://docs.docker.com/build/building/variables/#pre-defined-build-arguments and the multi-platform ones). */
export const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'TARGETSTAGE',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR', 'BUILDKIT_INLINE_CACHE', 'BUILDKIT_MULTI_PLATFORM', 'BUILDKIT_SANDBOX_HOSTNAME', 'BUILDKIT_SYNTAX',
  'SOURCE_DATE_EPOCH',
]);

/** BuildKit's page for a check: `UndefinedArgInFrom` -> https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/ */
export function buildCheckUrl(name: string): string {
  return `https://docs.docker.com/go/dockerfile/rule/${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}/`;
}

/** A variable use in an instruction's text: `$NAME` or `${NAME}`; `withDefault` for `${NAME:-x}` and the other modifiers. */
interface VarUse {
  name: string;
  withDefault: boolean;
}

/** Variable uses in a text, skipping escaped `\$` and single-quoted parts (which Dockerfile words do not expand). */
export function variableUses(text: string): VarUse[] {
  const out: VarUse[] = [];
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') { i++; continue; }
    if (quote === "'") { if (c === "'") quote = ''; continue; }
    if (c === "'" && quote === '') { quote = "'"; continue; }
    if (c === '"') { quote = quote === '"' ? '' : '"'; continue; }
    if (c !== '$') continue;
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?/.exec(text.slice(i + 1, i + 200));
    if (braced) { out.push({ name: braced[1], withDefault: !!braced[2] }); continue; }
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, i + 200));
    if (plain) out.push({ name: plain[0], withDefault: false });
  }
  return out;
}

/** Edit distance, for BuildKit's "did you mean" hints (it suggests names within distance 2... of the same kind). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function suggest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dd = distance(name.toLowerCase(), k.toLowerCase());
    if (dd > 0 && dd < bestD && dd <= Math.max(1, Math.floor(k.length / 2))) { best = k; bestD = dd; }
  }
  return best;
}

/** Instructions whose arguments BuildKit expands (not RUN, CMD, ENTRYPOINT, HEALTHCHECK, SHELL: the shell or nothing expands those). */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG', 'ONBUILD']);

/** Names the root of a stage's chain defines in its environment, or null when unknown. */
function baseEnv(ctx: RuleContext, stage: Stage): Set<string> | null {
  const chain = stageChain(stage);
  const root = chain[chain.length - 1];
  const image = root.image?.resolved;
  if (!image) return null;
  if (image.toLowerCase() === 'scratch') return new Set(['PATH']);
  const known = ctx.options.baseImages?.[image]?.env;
  return known ? new Set([...known, 'PATH']) : null;
}

const UndefinedVar: Rule = {
  id: 'UndefinedVar',
  title: 'Usage of undefined variable',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const env = baseEnv(ctx, stage);
      if (!env) continue;
      for (const inst of stage.instructions) {
        if (!EXPANDED.has(inst.keyword)) continue;
        const vars = variablesAt(ctx.model, stage, inst.index);
        // ARG's own earlier props count (ARG A=1 B=$A).
        const local = new Set<string>();
        const seen = new Set<string>();
        const texts = inst.keyword === 'ARG' || inst.keyword === 'ENV' ? inst.props.map((p) => ({ name: p.name, value: p.value === null ? '' : ctx.text(p.valueStart ?? p.end, p.valueEnd ?? p.end) })) : [{ name: '', value: inst.line.text }];
        for (const t of texts) {
          for (const u of variableUses(t.value)) {
            if (u.withDefault || seen.has(u.name)) continue;
            if (vars.has(u.name) || env.has(u.name) || local.has(u.name) || PREDEFINED_ARGS.has(u.name)) continue;
            seen.add(u.name);
            const hint = suggest(u.name, [...vars.keys(), ...env]);
            ctx.report(inst, `UndefinedVar: Usage of undefined variable '$${u.name}'${hint ? ` (did you mean $${hint}?)` : ''}.`);
          }
          if (t.name) local.add(t.name);
        }
      }
    }
  },
};

const UndefinedArgInFrom: Rule = {
  id: 'UndefinedArgInFrom',
  title: 'FROM argument is not declared',
  defaultSeverity: 'warning',
  check(ctx) {
    const declared = new Set(ctx.model.globalArgs.keys());
    for (const stage of ctx.model.stages) {
      const seen = new Set<string>();
      for (const u of variableUses(stage.from.line.text)) {
        if (declared.has(u.name) || PREDEFINED_ARGS.has(u.name) || seen.has(u.name)) continue;
        seen.add(u.name);
        const hint = suggest(u.name, [...declared, ...PREDEFINED_ARGS]);
        ctx.report(stage.from, `UndefinedArgInFrom: FROM argument '${u.name}' is not declared${hint ? ` (did you mean ${hint}?)` : ''}.`);
      }
    }
  },
};

/** A reference Docker accepts after substitution: not empty, no empty name or tag part. */
function validReference(ref: string): boolean {
  if (!ref || /\s/.test(ref)) return false;
  return /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[0-9]+\/[a-z0-9._/-]+)?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@[a-z0-9]+:[a-f0-9]{32,})?$/i.test(ref) && !ref.includes('//');
}

const InvalidDefaultArgInFrom: Rule = {
  id: 'InvalidDefaultArgInFrom',
  title: 'Default value for ARG results in an invalid base image name',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const img = stage.image;
      if (!img || !img.raw.includes('$')) continue;
      const uses = variableUses(img.raw);
      // Only arguments declared without a default: an undeclared one is UndefinedArgInFrom's finding.
      if (!uses.some((u) => ctx.model.globalArgs.has(u.name) && ctx.model.globalArgs.get(u.name) === null)) continue;
      const withEmpty = substitute(img.raw, (n) => ctx.model.globalArgs.get(n) ?? (ctx.model.globalArgs.has(n) ? '' : undefined));
      if (withEmpty === null || validReference(withEmpty)) continue;
      ctx.report(stage.from, `InvalidDefaultArgInFrom: Default value for ARG ${img.raw} results in empty or invalid base image name: give the ARG a default.`);
    }
  },
};

const DuplicateStageName: Rule = {
  id: 'DuplicateStageName',
  title: 'Stage names should be unique',
  defaultSeverity: 'warning',
  check(ctx) {
    const seen = new Set<string>();
    for (const stage of ctx.model.stages) {
      if (!stage.name) continue;
      const key = stage.name.toLowerCase();
      if (seen.has(key)) ctx.report(stage.from, `DuplicateStageName: Duplicate stage name '${stage.name}', stage names should be unique.`);
      seen.add(key);
    }
  },
};

const ReservedStageName: Rule = {
  id: 'ReservedStageName',
  title: 'Reserved words should not be used as stage names',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const n = stage.name?.toLowerCase();
      if (n === 'scratch' || n === 'context') ctx.report(stage.from, `ReservedStageName: '${n}' is reserved and should not be used as a stage name.`);
    }
  },
};

const SINGLE = ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'];

const MultipleInstructionsDisallowed: Rule = {
  id: 'MultipleInstructionsDisallowed',
  title: 'Only one CMD, ENTRYPOINT, HEALTHCHECK per stage',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      for (const kw of SINGLE) {
        const all = stage.instructions.filter((i) => i.keyword === kw);
        for (const inst of all.slice(0, -1)) {
          // Safe: only the last one takes effect, so removing an earlier one changes nothing.
          ctx.report(inst, `MultipleInstructionsDisallowed: Multiple ${kw} instructions should not be used in the same stage because only the last one will be used.`, [
            { title: `Remove this ${kw} (the last one is used)`, edits: [ctx.deleteLines(inst)], safe: true },
          ]);
        }
      }
    }
  },
};

const ConsistentInstructionCasing: Rule = {
  id: 'ConsistentInstructionCasing',
  title: 'Instructions should be in consistent casing',
  defaultSeverity: 'warning',
  check(ctx) {
    const insts = ctx.model.instructions.filter((i) => /^[A-Za-z]+$/.test(i.keywordRaw));
    const upper = insts.filter((i) => i.keywordRaw === i.keywordRaw.toUpperCase()).length;
    const lower = insts.filter((i) => i.keywordRaw === i.keywordRaw.toLowerCase()).length;
    const wantUpper = upper >= lower;
    for (const inst of insts) {
      const want = wantUpper ? inst.keywordRaw.toUpperCase() : inst.keywordRaw.toLowerCase();
      if (inst.keywordRaw === want) continue;
      ctx.report(inst, `ConsistentInstructionCasing: Command '${inst.keywordRaw}' should match the case of the command majority (${wantUpper ? 'uppercase' : 'lowercase'}).`, [
        { title: `Write '${want}'`, edits: [ctx.edit(inst.keywordStart, inst.keywordEnd, want)], safe: true },
      ]);
    }
  },
};

const MaintainerDeprecated: Rule = {
  id: 'MaintainerDeprecated',
  title: 'The MAINTAINER instruction is deprecated',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'MAINTAINER') continue;
      const who = inst.args.text.trim();
      const fixes = who && !/["\\]/.test(who) ? [{ title: 'Use LABEL org.opencontainers.image.authors', edits: [ctx.edit(inst.keywordStart, inst.args.end, `LABEL org.opencontainers.image.authors="${who}"`)], safe: true }] : [];
      ctx.report(inst, 'MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (LABEL org.opencontainers.image.authors).', fixes);
    }
  },
};

/** `LABEL key value` (no `=`): the legacy form; ENV's is ML016's finding unless ML016 is off. */
const LegacyKeyValueFormat: Rule = {
  id: 'LegacyKeyValueFormat',
  title: 'Legacy key/value format with whitespace separator',
  defaultSeverity: 'warning',
  check(ctx) {
    const envToo = ctx.options.severities?.ML016 === 'off';
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'LABEL' && !(envToo && inst.keyword === 'ENV')) continue;
      const t = inst.args.text;
      const m = /^([^\s=]+)(\s+|$)/.exec(t);
      if (!m || t.trim() === '') continue;
      const value = t.slice(m[0].length).trim();
      const kw = inst.keyword;
      const safeValue = /^"[^"\\]*"$/.test(value) ? value : /["\\$]/.test(value) ? null : `"${value}"`;
      const fixes = safeValue !== null ? [{ title: `Write ${kw} ${m[1]}=${safeValue}`, edits: [ctx.edit(inst.args.offsets[0], inst.args.end, `${m[1]}=${safeValue}`)], safe: true }] : [];
      ctx.report(inst, `LegacyKeyValueFormat: "${kw} key=value" should be used instead of legacy "${kw} key value" format.`, fixes);
    }
  },
};

const NoEmptyContinuation: Rule = {
  id: 'NoEmptyContinuation',
  title: 'Empty continuation lines',
  defaultSeverity: 'warning',
  check(ctx) {
    const idx = ctx.model.index;
    for (const inst of ctx.model.instructions) {
      if (inst.endLine <= inst.startLine) continue;
      // Lines of a here-document body are content, not continuations.
      const firstBody = inst.heredocs.length ? idx.positionAt(inst.heredocs[0].body?.offsets[0] ?? inst.end).line : inst.endLine + 1;
      const empty: number[] = [];
      for (let l = inst.startLine + 1; l < Math.min(inst.endLine, firstBody); l++) if (ctx.model.lines[l].trim() === '') empty.push(l);
      if (!empty.length) continue;
      const edits = empty.map((l) => ctx.edit(idx.lineStarts[l], idx.nextLineStart(l), ''));
      ctx.report(inst, 'NoEmptyContinuation: Empty continuation line (a future Dockerfile syntax will reject it).', [{ title: 'Remove the empty continuation lines', edits, safe: true }]);
    }
  },
};

/** BuildKit's checks, by name; rule ids are BuildKit's names. */
export const BUILD_CHECKS: readonly Rule[] = [
  ConsistentInstructionCasing, DuplicateStageName, InvalidDefaultArgInFrom, LegacyKeyValueFormat, MaintainerDeprecated,
  MultipleInstructionsDisallowed, NoEmptyContinuation, ReservedStageName, UndefinedArgInFrom, UndefinedVar,
];

export const BUILD_CHECK_NAMES: ReadonlySet<string> = new Set(BUILD_CHECKS.map((r) => r.id));

/**
 * BuildKit's `# check=skip=A,B` directive (or `skip=all`), read from the directive lines at the
 * top of the file (https://docs.docker.com/reference/dockerfile/#check). Returns the skipped names.
 */
export function skippedChecks(lines: readonly string[]): Set<string> | 'all' {
  const out = new Set<string>();
  for (const l of lines) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(.*)$/.exec(l);
    if (!m) break;
    if (m[1].toLowerCase() !== 'check') continue;
    for (const part of m[2].split(';')) {
      const kv = /^\s*skip\s*=\s*(.*)$/i.exec(part);
      if (!kv) continue;
      for (const n of kv[1].split(',').map((x) => x.trim())) {
        if (n.toLowerCase() === 'all') return 'all';
        if (n) out.add(n);
      }
    }
  }
  return out;
}
