/**
 * Run profiles from the palette: "Run Profile...", "Save Last Run as Profile...", "Copy Profile
 * as docker Command", "Open Run Profiles File".
 */
import * as vscode from 'vscode';
import { saveProfile, type ProfileInput } from '../../core/run/profileFile';
import { dockerBuildCommand, dockerRunCommand } from '../../core/run/cliText';
import { compileMetricPatterns, type Profile } from '../../core/run/profile';
import { UserError } from '../../core/errors';
import { SettingIds } from '../../core/ids';
import { splitReference } from '../../core/tree/models';
import type { CommandContext } from '../shared/context';
import { errorsOf, type LoadedProfiles } from '../shared/profileStore';
import { freeContainerName, profileContext, profileEngineText, runRequestFor } from '../shared/executeProfile';
import { runWithChecks, type RunPolicy } from '../shared/runner';
import { buildImage } from '../images/buildImage';
import { lastGuidedRun } from '../containers/runContainer';
import { config } from '../base/config';

/** Programmatic arguments: the profile's name, plus the run policy and whether to replace a container of the same name. */
export interface RunProfileArgs extends RunPolicy {
  profile: string;
  replaceExisting?: boolean;
}

const template = `# ML Container Lab run profiles: commit this file so everyone runs the same thing.
# Run one with "ML Lab: Run Profile..." or as a task (Terminal > Run Task > mllab).
version: 1
profiles: {}
`;

function problemText(loaded: LoadedProfiles, name: string): string | undefined {
  const errs = errorsOf(loaded, name);
  if (!errs.length) return undefined;
  return errs
    .slice(0, 5)
    .map((e) => `line ${e.line}, column ${e.column}: ${e.message}`)
    .join('; ');
}

/** Builds the profile's image when it has a build section; false when the build failed or was cancelled. */
export async function buildProfileImage(ctx: CommandContext, profile: Profile): Promise<boolean> {
  if (!profile.build) return true;
  const built = await buildImage(ctx, {
    dockerfile: profile.build.dockerfile,
    context: profile.build.context,
    tag: profile.build.tag,
    buildArgs: profile.build.args,
    target: profile.build.target,
    platform: profile.build.platform,
  });
  return !!built;
}

/** The profile to act on: by name (an error when it has problems) or picked from the valid ones. */
export async function pickProfile(ctx: CommandContext, arg: unknown, title: string): Promise<{ profile: Profile; loaded: LoadedProfiles } | undefined> {
  const loaded = await ctx.profiles.load();
  const wanted = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? (arg as { profile?: string }).profile : undefined;
  if (wanted) {
    const profile = loaded.profiles.find((p) => p.name === wanted);
    if (profile) return { profile, loaded };
    const problems = problemText(loaded, wanted);
    throw new UserError(
      problems
        ? `Profile ${wanted} is not run: ${vscode.workspace.asRelativePath(loaded.uri)} has errors (${problems}).`
        : `No profile named ${wanted} in ${vscode.workspace.asRelativePath(loaded.uri)}.`,
      { hint: 'Fix the file (its errors are in the Problems view), then run the profile again.' },
    );
  }
  if (!loaded.profiles.length) {
    const open = 'Open Profiles File';
    const msg = loaded.errors.length
      ? `${vscode.workspace.asRelativePath(loaded.uri)} has ${loaded.errors.length} error(s) and no profile that can run.`
      : `No run profiles yet. Run a container with "ML Lab: Run Container..." and save it as a profile, or write ${vscode.workspace.asRelativePath(loaded.uri)}.`;
    if ((await vscode.window.showInformationMessage(msg, open)) === open) await openProfiles(ctx);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    loaded.profiles.map((p) => ({
      label: p.name,
      description: `${p.build ? `build ${p.build.tag}` : p.image} · ${profileEngineText(ctx, p)}`,
      detail: p.description,
      profile: p,
    })),
    // stays open when a run's panel or terminal takes the focus meanwhile (a closed picker loses the choice)
    { title, placeHolder: 'Run profile', ignoreFocusOut: true },
  );
  return picked && { profile: picked.profile, loaded };
}

/** "Run Profile...": builds the profile's image when it has a build section, then runs it with the pre-flight checks. */
export async function runProfile(ctx: CommandContext, arg?: unknown): Promise<{ id: string; name: string } | undefined> {
  const picked = await pickProfile(ctx, arg, 'Run Profile');
  if (!picked) return undefined;
  const { profile } = picked;
  // a profile that names its engine runs there; ctx is then that engine's
  ctx = await profileContext(ctx, profile);
  const policy: Partial<RunProfileArgs> = arg && typeof arg === 'object' ? (arg as RunProfileArgs) : {};
  if (!(await buildProfileImage(ctx, profile))) return undefined;
  const req = runRequestFor(profile);
  if (!(await freeContainerName(ctx, req.name!, policy.replaceExisting))) return undefined;
  const details = await ctx.session.get().inspectImage(req.image);
  return runWithChecks(ctx, req, { imageUser: details.user, record: { source: 'profile', profile: profile.name, metricPatterns: compileMetricPatterns(profile.metrics ?? []) }, ...policy });
}

/** "Save Last Run as Profile...": writes the last guided run (or `{input}`) into the profiles file, keeping its comments and order. */
export async function saveAsProfile(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = arg && typeof arg === 'object' ? (arg as { name?: string; input?: ProfileInput }) : {};
  const input = given.input ?? lastGuidedRun(ctx);
  if (!input) {
    throw new UserError('There is no run to save yet.', { hint: 'Run a container with "ML Lab: Run Container...", then save it as a profile.' });
  }
  const loaded = await ctx.profiles.load();
  const suggested = splitReference(input.image ?? input.build?.tag ?? 'run').repository.split('/').pop()!.replace(/[^A-Za-z0-9_-]/g, '-');
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Save as Profile',
      prompt: `Profile name in ${vscode.workspace.asRelativePath(loaded.uri)}`,
      value: suggested,
      validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.trim()) ? undefined : 'Letters, digits, _ . - (starting with a letter or digit)'),
    }));
  if (!name) return undefined;
  const text = saveProfile(loaded.text, name.trim(), input);
  await vscode.workspace.fs.writeFile(loaded.uri, new TextEncoder().encode(text));
  await ctx.profiles.load();
  if (!given.name) await vscode.window.showTextDocument(loaded.uri);
  return name.trim();
}

/** "Copy Profile as docker Command": the `docker build` and `docker run` text the profile stands for. */
export async function copyProfileCommand(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const picked = await pickProfile(ctx, arg, 'Copy Profile as docker Command');
  if (!picked) return undefined;
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { profile } = picked;
  // a profile's engine is a Docker context: the CLI reaches it with --context
  const onEngine = (cmd: string) => (profile.engine && profile.engine !== SettingIds.dockerHost ? cmd.replace(/^docker /, `docker --context ${profile.engine} `) : cmd);
  const text = [
    ...(profile.build ? [dockerBuildCommand(profile, { cwd })] : []),
    dockerRunCommand(profile, { bindAddress: config.bindAddress(), cwd }),
  ].map(onEngine).join('\n');
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied the docker command${profile.build ? 's' : ''} of profile ${profile.name}.`);
  return text;
}

/** "Open Run Profiles File": opens it, creating it with a commented template when missing. */
export async function openProfiles(ctx: CommandContext): Promise<vscode.Uri | undefined> {
  const loaded = await ctx.profiles.load();
  if (!vscode.workspace.workspaceFolders?.length) throw new UserError('Open a folder first: run profiles live in the workspace.');
  if (!loaded.exists) await vscode.workspace.fs.writeFile(loaded.uri, new TextEncoder().encode(template));
  await vscode.window.showTextDocument(loaded.uri);
  return loaded.uri;
}
