/** "ML Lab: View Container Logs": follows a container's logs in a terminal. */
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { openLogsTerminal } from '../shared/logsTerminal';

export async function viewContainerLogs(ctx: CommandContext, arg?: unknown): Promise<void> {
  const c = await containerTarget(ctx, arg, 'View Container Logs');
  if (c) openLogsTerminal(ctx, c.id, c.name, c.ports);
}
