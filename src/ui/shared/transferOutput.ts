/**
 * The "ML Container Lab: Registry" output channel: the full push/pull stream. It keeps the
 * text it was given (bounded) so host tests can assert that no credential ever reached it.
 */
import * as vscode from 'vscode';

/** Characters kept for {@link TransferOutput.text}; older text is dropped. */
const KEEP_CHARS = 200_000;

export class TransferOutput implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;
  private kept = '';

  appendLine(line: string): void {
    this.channel ??= vscode.window.createOutputChannel('ML Container Lab: Registry');
    this.channel.appendLine(line);
    this.kept = (this.kept + line + '\n').slice(-KEEP_CHARS);
  }

  show(): void {
    this.channel?.show(true);
  }

  /** What was written (the last 200,000 characters). */
  text(): string {
    return this.kept;
  }

  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}
