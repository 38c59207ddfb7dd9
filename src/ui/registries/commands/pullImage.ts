/** "Pull Image...": by reference (recently used ones offered), from a tag in the Registries view, or from arguments. */
import * as vscode from 'vscode';
import { familiarReference, parseReference, referenceProblem } from '../../../core/registry/reference';
import type { RegistryNode } from '../../../core/registry/tree';
import type { CommandContext } from '../../shared/context';
import { announceDigest, runTransfer } from '../transfer';
import type { LoginArgs } from './login';

function referenceFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as Partial<RegistryNode> & { reference?: unknown };
    if (typeof o.reference === 'string') return o.reference;
    if (o.kind === 'registryTag' && typeof o.ref === 'string') return o.ref;
  }
  return undefined;
}

/** A quick pick of recent references that also takes a typed one. */
async function askReference(ctx: CommandContext): Promise<string | undefined> {
  const recent = ctx.registries.recent();
  const qp = vscode.window.createQuickPick();
  qp.title = 'Pull Image';
  qp.placeholder = 'Image reference, e.g. jupyter/scipy-notebook:latest or 127.0.0.1:5000/lab/iris:v1';
  const recentItems = recent.map((r) => ({ label: r, description: 'recently used' }));
  qp.items = recentItems;
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    const problem = typed ? referenceProblem(typed) : undefined;
    qp.items = typed && !recent.includes(typed) ? [{ label: typed, description: problem ? `invalid: ${problem}` : 'pull this' }, ...recentItems] : recentItems;
  });
  try {
    return await new Promise<string | undefined>((resolve) => {
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0]?.label ?? qp.value.trim();
        if (picked && referenceProblem(picked)) return; // the item's description says what is wrong
        resolve(picked || undefined);
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
  } finally {
    qp.dispose();
  }
}

export async function pullImage(ctx: CommandContext, arg?: unknown): Promise<{ reference: string; digest?: string } | undefined> {
  const given = referenceFromArg(arg);
  const input = given ?? (await askReference(ctx));
  if (!input) return undefined;
  const ref = parseReference(input);
  const reference = familiarReference(ref);
  const login = arg && typeof arg === 'object' ? (arg as { login?: LoginArgs }).login : undefined;
  const result = await runTransfer(ctx, 'pull', reference, { login });
  if (!result) return undefined;
  await ctx.registries.remember(reference);
  ctx.views.images.refresh();
  announceDigest('Pulled', reference, result.digest);
  return { reference, digest: result.digest };
}
