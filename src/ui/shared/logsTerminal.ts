/**
 * Container logs in a terminal: a Pseudoterminal that follows `GET /containers/{id}/logs` so
 * colours (ANSI escapes) stay intact and no Docker CLI is needed. URLs that Jupyter,
 * TensorBoard, MLflow, Streamlit, Gradio, Flask or uvicorn print are offered once each, with
 * the container port rewritten to the published host port. Closing the terminal stops following.
 */
import * as vscode from 'vscode';
import { detectUrls, type DetectedUrl, type PublishedPort } from '../../core/logs/urls';
import type { CommandContext } from './context';
import { describeError, type EngineSession } from '../base/session';
import { engineIsLocal, openInBrowser } from '../base/forwards';

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

/** Offers a URL a server printed; on a remote engine it opens through a port forward (ssh://) or at the remote host. */
function offerUrl(session: EngineSession, u: DetectedUrl): void {
  let where = '';
  try {
    if (!engineIsLocal(session)) where = ` on the engine "${session.name()}"`;
  } catch { /* the engine settings are malformed: offer the URL as printed */ }
  void vscode.window.showInformationMessage(`${kindNames[u.kind]} is serving at ${u.url}${where}`, 'Open in Browser').then((choice) => {
    if (choice) openInBrowser(session, u.url).catch((err: unknown) => void vscode.window.showErrorMessage(describeError(err)));
  });
}

/** Terminal writes: within a frame when the log is quiet, at most this often while text keeps coming (ms). */
const quietFlushMs = 16;
const busyEveryMs = 125;

/** Follows a container's log text until it ends or `signal` aborts (default: a log stream of its own). */
export type LogSource = (onText: (text: string) => void, signal: AbortSignal) => Promise<void>;

/** @param endText what the terminal says when the logs end (default: the container stopped) */
export function openLogsTerminal(ctx: CommandContext, id: string, name: string, ports: PublishedPort[] = [], source?: LogSource, endText?: string): vscode.Terminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const abort = new AbortController();
  const urls = new UrlWatcher(ports, (u) => offerUrl(ctx.session, u));
  // Writes are coalesced: a quiet log's text reaches the terminal within one frame (16 ms);
  // while text keeps coming, at most one write per `busyEveryMs`. The terminal renderer redraws
  // on every write, and at 1,000 lines/s in 16 ms writes those redraws took the page's main
  // thread from the Training Run panel in the same page (its chart fell seconds behind:
  // bench/runPanel.bench.ts, p90 2.4 s with 16 ms writes).
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let lastFlush = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) writeEmitter.fire(pending);
    pending = '';
    lastFlush = Date.now();
  };
  const write = (text: string) => {
    pending += text;
    if (!timer) timer = setTimeout(flush, Math.max(quietFlushMs, busyEveryMs - (Date.now() - lastFlush)));
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
