/** "Tag Image..." and "Copy Full Tag". */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { familiarRepository, parseReference, referenceProblem } from '../../core/registry/reference';
import type { CommandContext } from '../shared/context';
import { pickImage, refFromArg } from '../shared/pick';

export async function tagImage(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Tag Image'));
  if (!ref) return undefined;
  const given = arg && typeof arg === 'object' && typeof (arg as { newTag?: unknown }).newTag === 'string' ? (arg as { newTag: string }).newTag : undefined;
  const target =
    given ??
    (await vscode.window.showInputBox({
      title: `Tag ${ref}`,
      prompt: 'New reference: [registry-host[:port]/]repository[:tag], e.g. 127.0.0.1:5000/lab/iris:v1',
      value: ref,
      validateInput: (v) => referenceProblem(v.trim()) ?? (v.includes('@') ? 'a tag cannot carry a digest; remove the @sha256:... part' : undefined),
    }));
  if (!target) return undefined;
  const parsed = parseReference(target.trim());
  if (parsed.digest) throw new UserError(`"${target.trim()}" has a digest; a new tag cannot carry one.`, { hint: 'e.g. 127.0.0.1:5000/lab/iris:v1' });
  const repository = familiarRepository(parsed);
  const tag = parsed.tag ?? 'latest';
  await ctx.session.get().tagImage(ref, repository, tag);
  ctx.views.images.refresh();
  return `${repository}:${tag}`;
}

export async function copyImageTag(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Copy Full Tag'));
  if (!ref) return undefined;
  await vscode.env.clipboard.writeText(ref);
  void vscode.window.showInformationMessage(`Copied ${ref}.`);
  return ref;
}
