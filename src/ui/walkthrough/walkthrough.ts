/**
 * The walkthrough "Containerise your first model" (package.json `contributes.walkthroughs`):
 * sets the context keys its steps complete on (WalkthroughContexts), each when the real event
 * happened: a lab is open, a Dockerfile was saved, a finding went away, the built image exists,
 * a container ran with a port or the artifacts mount, a metrics file was opened. Steps that
 * complete on a command use `onCommand:` in package.json and need nothing here.
 */
import * as vscode from 'vscode';
import { CommandIds, WalkthroughContexts } from '../../core/ids';
import { countsAsLabRun, findingFixed, isDockerfilePath, isMetricsFile } from '../../core/labs/walkthrough';
import { DIAGNOSTIC_SOURCE } from '../language/lintDocument';
import { describeError, type EngineSession } from '../base/session';
import { log } from '../base/log';

type ContextKey = (typeof WalkthroughContexts)[keyof typeof WalkthroughContexts];

export class LabWalkthrough implements vscode.Disposable {
  private readonly done = new Set<ContextKey>();
  private readonly findings = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly session: EngineSession) {
    this.subscriptions = [
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.checkLabOpen()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (isDockerfilePath(d.uri.path)) this.set(WalkthroughContexts.dockerfileSaved);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isMetricsFile(d.uri.path)) this.set(WalkthroughContexts.metricsOpened);
      }),
      vscode.languages.onDidChangeDiagnostics((e) => this.onDiagnostics(e.uris)),
    ];
    void this.checkLabOpen();
  }

  /** Called by the command registry after a command resolved, with its result. */
  async afterCommand(id: string, result: unknown): Promise<void> {
    try {
      if (id === CommandIds.labNew) await this.checkLabOpen();
      const r = result as { tag?: string; id?: string } | undefined;
      if (id === CommandIds.imageBuild && r?.tag) {
        await this.session.get().inspectImage(r.tag); // throws when the image is not there
        this.set(WalkthroughContexts.imageBuilt);
      }
      if ((id === CommandIds.containerRun || id === CommandIds.profileRun) && r?.id) {
        const c = (await this.session.get().inspectContainer(r.id)) as {
          HostConfig?: { PortBindings?: Record<string, unknown[] | null> | null };
          Mounts?: Array<{ Destination?: string }>;
          Config?: { Labels?: Record<string, string> };
        };
        if (countsAsLabRun({ portBindings: c.HostConfig?.PortBindings ?? {}, mountDestinations: (c.Mounts ?? []).map((m) => m.Destination ?? '') })) {
          this.set(WalkthroughContexts.containerRan);
        }
        // A profile with a build step built (and tagged) its image first.
        if (id === CommandIds.profileRun) this.set(WalkthroughContexts.imageBuilt);
      }
    } catch (err) {
      // the object is gone already: the step stays open
      log().info(`Walkthrough: after ${id}: ${describeError(err)}`);
    }
  }

  private set(key: ContextKey): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    log().info(`Walkthrough: ${key}`);
    void vscode.commands.executeCommand('setContext', key, true);
  }

  private async checkLabOpen(): Promise<void> {
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.joinPath(f.uri, '.vscode', 'mllab.yaml'));
        this.set(WalkthroughContexts.labOpen);
        return;
      } catch {
        // not a lab folder
      }
    }
  }

  private onDiagnostics(uris: readonly vscode.Uri[]): void {
    for (const uri of uris) {
      const key = uri.toString();
      const count = vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE).length;
      if (findingFixed(this.findings.get(key), count)) this.set(WalkthroughContexts.findingFixed);
      this.findings.set(key, count);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
