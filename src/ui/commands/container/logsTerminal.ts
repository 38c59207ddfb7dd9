/**
 * Container logs in a terminal: a Pseudoterminal that follows `GET /containers/{id}/logs` so
 * colours (ANSI escapes) stay intact and no Docker CLI is needed. URLs that Jupyter,
 * TensorBoard, MLflow, Streamlit, Gradio, Flask or uvicorn print are offered once each, with
 * the container port rewritten to the published host port. Closing the terminal stops following.
 */
import * as vscode from 'vscode';
import { detectUrls, type DetectedUrl, type PublishedPort } from '../../../core/logs/urls';
import type { CommandContext } from '../context';
import { describeError } from '../../session';

const kindNames: Record<DetectedUrl['kind'], string> = {
  jupyter: 'Jupyter',
  tensorboard: 'TensorBoard',
  mlflow: 'MLflow',
  streamlit: 'Streamlit',
  gradio: 'Gradio',
  flask: 'Flask',
  uvicorn: 'Uvicorn',
  other: 'A server',
};

/** Splits streamed text into lines and reports each new URL once. */
export class UrlWatcher {
  private partial = '';
  private readonly seen = new Set<string>();

  constructor(
    private readonly ports: PublishedPort[],
    private readonly onUrl: (u: DetectedUrl) => void,
  ) {}

  push(text: string): void {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      for (const u of detectUrls(line, this.ports)) {
        if (this.seen.has(u.url)) continue;
        this.seen.add(u.url);
        this.onUrl(u);
      }
    }
  }
}

function offerUrl(u: DetectedUrl): void {
  void vscode.window.showInformationMessage(`${kindNames[u.kind]} is serving at ${u.url}`, 'Open in Browser').then((choice) => {
    if (choice) void vscode.env.openExternal(vscode.Uri.parse(u.url));
  });
}

/** Follows a container's log text until it ends or `signal` aborts (default: a log stream of its own). */
export type LogSource = (onText: (text: string) => void, signal: AbortSignal) => Promise<void>;

/** @param endText what the terminal says when the logs end (default: the container stopped) */
export function openLogsTerminal(ctx: CommandContext, id: string, name: string, ports: PublishedPort[] = [], source?: LogSource, endText?: string): vscode.Terminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const abort = new AbortController();
  const urls = new UrlWatcher(ports, offerUrl);
  // Writes are coalesced for up to one frame (16 ms): a container printing 1,000 lines/s in
  // 1,000 chunks would otherwise send 1,000 messages/s to the terminal renderer, which then
  // starves everything else on the page (the Training Run panel's chart fell seconds behind).
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) writeEmitter.fire(pending);
    pending = '';
  };
  const write = (text: string) => {
    pending += text;
    if (!timer) timer = setTimeout(flush, 16);
  };
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writeEmitter.event,
    open: () => {
      writeEmitter.fire(`\x1b[2mFollowing logs of ${name} (${id.slice(0, 12)}); close this terminal to stop.\x1b[0m\r\n`);
      const follow: LogSource = source ?? ((onText, signal) => ctx.session.get().logs(id, onText, { follow: true, signal }));
      follow((text) => {
        write(text.replace(/\r?\n/g, '\r\n'));
        urls.push(text);
      }, abort.signal).then(
        () => {
          flush();
          if (!abort.signal.aborted) writeEmitter.fire(`\r\n\x1b[2m[${endText ?? `container ${name} stopped: end of logs`}]\x1b[0m\r\n`);
        },
        (err: unknown) => {
          flush();
          writeEmitter.fire(`\r\n\x1b[31m${describeError(err)}\x1b[0m\r\n`);
        },
      );
    },
    close: () => {
      if (timer) clearTimeout(timer);
      abort.abort();
      writeEmitter.dispose();
    },
  };
  const terminal = vscode.window.createTerminal({ name: `Logs: ${name}`, pty, iconPath: new vscode.ThemeIcon('output') });
  terminal.show(true);
  return terminal;
}
