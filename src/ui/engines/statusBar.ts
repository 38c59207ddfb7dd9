/**
 * Engine status in the status bar: engine version and running/total containers, or a warning
 * state when the engine cannot be reached (click to retry).
 */
import * as vscode from 'vscode';
import { CommandIds } from '../../core/ids';
import type { ContainerSummary } from '../../core/engineTypes';
import type { EngineSession } from '../base/session';
import { describeError } from '../base/session';

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlLab.engineStatus', vscode.StatusBarAlignment.Left, 20);
  private version: string | undefined;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: EngineSession) {
    this.item.name = 'ML Container Lab: Docker engine';
    // Another engine: its version is asked anew.
    this.subscription = session.onDidChange(() => (this.version = undefined));
  }

  /** Shows the engine's state from a fresh container list (the views pass theirs, so the engine is asked once). */
  async update(containers: ContainerSummary[] | undefined, error?: unknown): Promise<void> {
    if (error !== undefined || !containers) {
      this.version = undefined;
      this.item.text = '$(warning) Docker: not reachable';
      this.item.tooltip = `${describeError(error)}\nClick to retry.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = CommandIds.engineRetry;
      this.item.show();
      return;
    }
    if (!this.version) {
      try {
        const v = await this.session.get().version();
        this.version = `${v.product === 'podman' ? 'Podman' : 'Docker'} ${v.version}`;
      } catch {
        this.version = 'Docker ?';
      }
    }
    const running = containers.filter((c) => c.state === 'running').length;
    const name = this.session.name();
    const local = this.session.get().connection.address.kind === 'socket';
    // The engine is named unless it is the plain local one ("default").
    this.item.text = `$(${local ? 'vm' : 'remote'}) ${name === 'default' ? '' : `${name} · `}${this.version} · ${running}/${containers.length}`;
    this.item.tooltip = `Engine "${name}": ${this.version} at ${this.session.describe()}\n${running} running of ${containers.length} containers\nSwitch engines in the Engines view.`;
    this.item.backgroundColor = undefined;
    this.item.command = 'mlLab.views.containers.focus';
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
