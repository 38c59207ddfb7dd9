/** ML005: the final stage runs as root. */
import type { Rule } from '../engine';
import { argWords, effectiveCommand, type Instruction, rootImage, runInvocations, stageChain, substitute, variablesAt, workdirAt } from '../model';
import { basename } from '../shell';
import type { LintOptions } from '../types';

/**
 * Base images known to switch to a non-root user, for when the engine cannot say (the image is
 * not pulled). Each entry is what the image's own Dockerfile ends with:
 * - Jupyter Docker Stacks (`jupyter/*`, `quay.io/jupyter/*`): `USER ${NB_UID}` = jovyan
 *   (jupyter/docker-stacks, images/docker-stacks-foundation/Dockerfile);
 * - mambaorg/micromamba: `USER $MAMBA_USER` = mambauser (mamba-org/micromamba-docker, Dockerfile);
 * - pytorch/torchserve: `USER model-server` (pytorch/serve, docker/Dockerfile).
 */
export const KNOWN_NON_ROOT_BASES: ReadonlyArray<{ pattern: RegExp; user: string; shown: string }> = [
  { pattern: /^(docker\.io\/)?(quay\.io\/)?jupyter\//i, user: 'jovyan', shown: 'jupyter/*' },
  { pattern: /^(docker\.io\/)?mambaorg\/micromamba(:|@|$)/i, user: '$MAMBA_USER', shown: 'mambaorg/micromamba' },
  { pattern: /^(docker\.io\/)?pytorch\/torchserve(:|@|$)/i, user: 'model-server', shown: 'pytorch/torchserve' },
];

/** Which user a base image runs as, and how we know: the engine's `Config.User`, the documented list, or nothing. */
export interface BaseUser {
  /** Non-root user name, or null (root or unknown). */
  user: string | null;
  source: 'engine' | 'list' | 'unknown';
}

const isRootName = (n: string): boolean => n === '' || n === 'root' || n === '0' || n.startsWith('root:') || n.startsWith('0:');

/**
 * The user a base image switches to (lab-rules ML005): from `options.baseImages[image].user`
 * (the image's `Config.User`, read from the engine) when given, else from {@link KNOWN_NON_ROOT_BASES}.
 */
export function baseUserOf(image: string | null, facts?: LintOptions['baseImages']): BaseUser {
  if (!image) return { user: null, source: 'unknown' };
  const f = facts?.[image];
  if (f?.user !== undefined) return { user: isRootName(f.user) ? null : f.user.split(':')[0], source: 'engine' };
  const known = KNOWN_NON_ROOT_BASES.find((k) => k.pattern.test(image));
  return known ? { user: known.user, source: 'list' } : { user: null, source: 'unknown' };
}

/** The documented fallback alone (kept for callers that have no engine facts). */
export function baseUser(image: string | null): string | null {
  return baseUserOf(image).user;
}

const ML005: Rule = {
  id: 'ML005',
  title: 'Run as a non-root user',
  defaultSeverity: 'warning',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    const chain = stageChain(final).reverse();
    const users: { inst: Instruction; name: string | null }[] = [];
    let created: string | null = null;
    for (const s of chain) {
      for (const inst of s.instructions) {
        if (inst.keyword === 'USER') {
          const w = argWords(inst)[0];
          const v = w ? substitute(w.value, (n) => variablesAt(ctx.model, s, inst.index).get(n)) : null;
          users.push({ inst, name: v === null ? null : v.split(':')[0] });
        } else if (inst.keyword === 'RUN') {
          for (const inv of runInvocations(inst)) {
            const p = inv.words.length ? basename(inv.words[0].value) : '';
            if (p !== 'useradd' && p !== 'adduser') continue;
            const last = [...inv.words].reverse().find((x) => !x.value.startsWith('-'));
            if (last && last !== inv.words[0] && /^[a-z_][a-z0-9_-]*$/i.test(last.value)) created = last.value;
          }
        }
      }
    }
    const base = rootImage(final);
    const last = users[users.length - 1];
    // A files-only image (FROM scratch, no CMD or ENTRYPOINT: an artifact other images copy
    // from) runs no process, as root or otherwise.
    const { cmd, entrypoint } = effectiveCommand(final);
    if (!last && base === 'scratch' && !cmd && !entrypoint) return;
    const isRoot = (n: string | null): boolean => n === 'root' || n === '0';
    const bu = baseUserOf(base, ctx.options.baseImages);
    if (!last && bu.user) return;
    if (last && !isRoot(last.name)) return;
    // The user to switch to: one created in the Dockerfile, an earlier non-root USER, or a new one.
    const earlier = [...users].reverse().find((u) => u.name !== null && !isRoot(u.name))?.name ?? null;
    const name = created ?? earlier ?? bu.user;
    const lines: string[] = [];
    if (!name) {
      const alpine = !!base && /alpine/i.test(base);
      let create = alpine ? 'RUN adduser -D -u 1000 app' : 'RUN useradd --create-home --uid 1000 app';
      const copied = final.instructions.some((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
      const wd = workdirAt(ctx.model, final, Number.MAX_SAFE_INTEGER);
      if (copied && wd.explicit && wd.dir && wd.dir !== '/') create += ` && chown -R app:app ${wd.dir}`;
      lines.push(create);
    }
    lines.push(`USER ${name ?? 'app'}`);
    // Before the first CMD/ENTRYPOINT after the last USER, else at the end of the stage.
    const after = last && last.inst.stage === final ? last.inst.index : final.from.index;
    const target = final.instructions.find((i) => i.index > after && (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'));
    const lastInst = final.instructions[final.instructions.length - 1] ?? final.from;
    const edit = target ? ctx.insertLinesBefore(target, lines) : ctx.insertLinesAfter(lastInst, lines);
    const fix = { title: name ? `Switch to USER ${name}` : 'Create a user and switch to it (USER app)', edits: [edit], safe: false };
    // Say how the base image's user was decided, so a wrong guess can be told apart from a wrong image.
    const why = !base || base === 'scratch'
      ? ''
      : bu.source === 'engine'
        ? ` (the engine says ${base} runs as root: its Config.User is empty)`
        : ` (${base} is not on the engine and not among the base images known to switch user: ${KNOWN_NON_ROOT_BASES.map((k) => k.shown).join(', ')})`;
    if (!last) ctx.report(final.from, `The final stage has no USER, so the container runs as root${why}: create a user and switch to it.`, [fix]);
    else ctx.report(last.inst, 'The final stage ends as root (USER root), so the container runs as root: switch back to a non-root user.', [fix]);
  },
};

export const userRules: Rule[] = [ML005];
