/** Inspect (containers, images, volumes) as JSON in a read-only editor, and image history as a table. */
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { pickImage, refFromArg } from '../shared/pick';
import { formatBytes, formatAge } from '../../core/format';
import { pickVolume } from '../volumes/volumes';

function fileName(ref: string): string {
  return ref.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export async function inspectContainer(ctx: CommandContext, arg?: unknown): Promise<void> {
  const c = await containerTarget(ctx, arg, 'Inspect Container');
  if (!c) return;
  const json = await ctx.session.get().inspectContainer(c.id);
  await ctx.docs.show(`/container/${fileName(c.name)}.json`, JSON.stringify(json, null, 2), 'json');
}

export async function inspectImage(ctx: CommandContext, arg?: unknown): Promise<void> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Inspect Image'));
  if (!ref) return;
  const json = await ctx.session.get().inspectImageRaw(ref);
  await ctx.docs.show(`/image/${fileName(ref)}.json`, JSON.stringify(json, null, 2), 'json');
}

export async function inspectVolume(ctx: CommandContext, arg?: unknown): Promise<void> {
  const name = refFromArg(arg, 'name') ?? (await pickVolume(ctx, 'Inspect Volume'));
  if (!name) return;
  const json = await ctx.session.get().inspectVolume(name);
  await ctx.docs.show(`/volume/${fileName(name)}.json`, JSON.stringify(json, null, 2), 'json');
}

/**
 * Image history: one line per layer, newest first, with its size and the instruction that made
 * it (as `docker history --no-trunc` shows), so students see which layer is heavy.
 */
export async function imageHistory(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Image History'));
  if (!ref) return undefined;
  const layers = await ctx.session.get().imageHistory(ref);
  const now = Date.now();
  const total = layers.reduce((s, l) => s + l.size, 0);
  const lines = [
    `History of ${ref}: ${layers.length} layers, ${formatBytes(total)}`,
    '',
    `${'SIZE'.padStart(10)}  ${'CREATED'.padEnd(18)}  INSTRUCTION`,
    ...layers.map((l) => {
      const instruction = l.createdBy.replace(/^\/bin\/sh -c #\(nop\)\s+/, '').replace(/^\/bin\/sh -c /, 'RUN ').replace(/\s+/g, ' ').trim();
      return `${formatBytes(l.size).padStart(10)}  ${formatAge(l.created, now).padEnd(18)}  ${instruction || l.comment || '(imported)'}`;
    }),
  ];
  const text = lines.join('\n') + '\n';
  await ctx.docs.show(`/image/${fileName(ref)}.history.txt`, text);
  return text;
}
