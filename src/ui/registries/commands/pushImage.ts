/**
 * "Push Image...": from an image tag's context menu or the palette. A tag without a registry
 * host would go to Docker Hub; the command offers to tag it for a registry first.
 */
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { familiarReference, parseReference, referenceProblem, registryDisplayName, retargetReference } from '../../../core/registry/reference';
import { DOCKER_HUB } from '../../../core/registry/reference';
import type { CommandContext } from '../../shared/context';
import { pickImage, refFromArg } from '../../shared/pick';
import { announceDigest, runTransfer } from '../transfer';
import type { LoginArgs } from './login';

/** Arguments that answer every prompt: `{image, target}` tags `image` as `target` and pushes that; `{image, registry}` retargets to a registry. */
export interface PushArgs {
  image?: string;
  target?: string;
  registry?: string;
  login?: LoginArgs;
}

export async function pushImage(ctx: CommandContext, arg?: unknown): Promise<{ reference: string; digest?: string } | undefined> {
  const args: PushArgs = arg && typeof arg === 'object' && !('kind' in arg) ? (arg as PushArgs) : {};
  const local = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Push Image'));
  if (!local) return undefined;
  const parsed = parseReference(local);
  let target = args.target ?? (args.registry ? familiarReference(retargetReference(parsed, args.registry)) : undefined);
  if (!target && !parsed.explicitRegistry) {
    const others = ctx.registries.view.entries().filter((e) => e.registry !== DOCKER_HUB);
    const suggestion = familiarReference(retargetReference(parsed, others[0]?.registry ?? '127.0.0.1:5000'));
    const choice = await vscode.window.showWarningMessage(
      `${local} names no registry, so it would be pushed to Docker Hub as docker.io/${parsed.path}. Tag it for a registry first?`,
      { modal: true },
      'Tag for Registry...',
      'Push to Docker Hub',
    );
    if (!choice) return undefined;
    if (choice === 'Tag for Registry...') {
      target = await vscode.window.showInputBox({
        title: `Tag ${local} for a registry`,
        prompt: 'registry-host[:port]/repository[:tag]',
        value: suggestion,
        valueSelection: [0, suggestion.indexOf('/')],
        validateInput: (v) => referenceProblem(v.trim()) ?? (parseReference(v.trim()).explicitRegistry ? undefined : 'Start with the registry host, e.g. 127.0.0.1:5000/'),
      });
      if (!target) return undefined;
    }
  }
  let reference = local;
  if (target && target.trim() !== local) {
    const t = parseReference(target.trim());
    if (!t.explicitRegistry && !args.target) throw new UserError(`"${target}" names no registry host.`, { hint: 'e.g. 127.0.0.1:5000/lab/iris:v1' });
    if (t.digest) throw new UserError(`"${target}" has a digest; a push target needs a tag.`);
    reference = familiarReference(t);
    const repo = reference.slice(0, reference.length - (t.tag ?? 'latest').length - 1);
    await ctx.session.get().tagImage(local, repo, t.tag ?? 'latest');
    ctx.views.images.refresh();
  }
  const pushed = parseReference(reference);
  if (pushed.digest) throw new UserError(`Cannot push ${reference}: push a tag, not a digest.`);
  const result = await runTransfer(ctx, 'push', reference, { login: args.login });
  if (!result) return undefined;
  await ctx.registries.remember(reference);
  ctx.views.images.refresh();
  ctx.registries.view.refresh();
  announceDigest(`Pushed to ${registryDisplayName(pushed.registry)}:`, reference, result.digest);
  return { reference, digest: result.digest };
}
