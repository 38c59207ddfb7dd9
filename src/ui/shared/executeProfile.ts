/** Turning a parsed profile into a run: env files read, labels and bind address applied, the container name made free. */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseEnvFile, toRunRequest, type Profile } from '../../core/run/profile';
import { suggestContainerName, type RunRequest } from '../../core/run/createOptions';
import { UserError } from '../../core/errors';
import type { CommandContext } from './context';
import { config } from '../base/config';
import { describeError } from '../base/session';

/**
 * The command context a profile runs in: `ctx` itself, or, for a profile that names its engine
 * (`engine: gpu-box`), one whose session reaches that engine (views stay on the current one).
 * Asks the engine `GET /_ping` first, so a profile whose engine is down stops before building.
 * @throws UserError naming the engine and what to do, when it is unknown or does not answer
 */
export async function profileContext(ctx: CommandContext, profile: Profile): Promise<CommandContext> {
  if (!profile.engine) return ctx;
  const session = ctx.session.forEngine(profile.engine, profile.name);
  if (session === ctx.session) return ctx;
  try {
    await session.get().ping();
  } catch (err) {
    throw new UserError(`Profile ${profile.name} runs on the engine "${profile.engine}" (${session.describe()}), which does not answer: ${describeError(err)}`, {
      hint: `Start that engine or check the Engines view (its row says why), or remove engine: from the profile to run it on the current engine.`,
      cause: err,
    });
  }
  return { ...ctx, session };
}

/** How the picker and the task name where a profile runs: `on gpu-box`, or `on default (current engine)`. */
export function profileEngineText(ctx: CommandContext, profile: Profile): string {
  return profile.engine ? `on ${profile.engine}` : `on ${ctx.session.name()} (current engine)`;
}

/**
 * The Engine API run request for `profile`. Env files are read here (never logged).
 * @throws UserError when an env file cannot be read
 */
export function runRequestFor(profile: Profile): RunRequest {
  const fromFiles: Record<string, string> = {};
  for (const file of profile.run.envFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`Profile ${profile.name}: cannot read env file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
        hint: 'Create the file or remove it from envFiles.',
      });
    }
    Object.assign(fromFiles, parseEnvFile(text, process.env));
  }
  const req = toRunRequest(profile, { bindAddress: config.bindAddress(), envFromFiles: fromFiles, extraLabels: config.runLabels() });
  return { ...req, name: req.name ?? suggestContainerName(profile.image) };
}

/**
 * A profile names its container, so a second run meets the first one. Asks to replace it
 * (naming what is lost), or replaces it without asking when `replace` is true.
 * @returns false when the user keeps the existing container
 */
export async function freeContainerName(ctx: CommandContext, name: string, replace?: boolean): Promise<boolean> {
  const engine = ctx.session.get();
  const existing = (await engine.listContainers()).find((c) => c.name === name);
  if (!existing) return true;
  if (!replace) {
    const running = existing.state === 'running';
    const choice = await vscode.window.showWarningMessage(
      `A container named ${name} already exists (${existing.status}).`,
      { modal: true, detail: `Replace it? ${running ? 'It is running and will be stopped. ' : ''}Files it wrote outside volumes and bind mounts are lost.` },
      'Replace',
    );
    if (choice !== 'Replace') return false;
  }
  await engine.removeContainer(existing.id, { force: true });
  return true;
}
