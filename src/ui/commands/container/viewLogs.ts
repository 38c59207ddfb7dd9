/** "ML Lab: View Container Logs": follows a container's logs in a terminal. */
import type { CommandContext } from '../context';
import { pickContainer, refFromArg } from '../pick';
import { openLogsTerminal } from './logsTerminal';

export async function viewContainerLogs(ctx: CommandContext, arg?: unknown): Promise<void> {
  const id = refFromArg(arg, 'id');
  if (id) {
    const c = (await ctx.session.get().listContainers()).find((x) => x.id === id || x.name === id);
    openLogsTerminal(ctx, c?.id ?? id, c?.name ?? id, c?.ports);
    return;
  }
  const picked = await pickContainer(ctx, 'View Container Logs');
  if (picked) openLogsTerminal(ctx, picked.id, picked.name, picked.ports);
}
