/**
 * Microsoft's Compose language service (`@microsoft/compose-language-service`, the one Container
 * Tools ships) run inside the extension host: no second process and no language client.
 *
 * The package is an LSP server. Its `ComposeLanguageService` class wants an LSP `Connection`;
 * we give it one from vscode-languageserver's transport-neutral `createConnection` over an
 * in-memory message pipe, and talk to it from the other end with a plain JSON-RPC connection.
 * Why not the package's `server.js`: it calls vscode-languageserver/node's `createConnection()`
 * at import, which needs stdio/IPC arguments and calls `process.exit` when its stream ends (it
 * would take the extension host down). Why not vscode-languageclient: about 250 kB minified
 * for the few requests used here. The watchdog given to the server never exits the process.
 *
 * Requests (all LSP shapes, positions 0-based UTF-16): completion, hover, document links,
 * formatting, code lenses; diagnostics arrive through {@link ComposeHost.onDiagnostics}.
 */
import { ComposeLanguageService } from '#compose-language-service';
import { createConnection } from '#languageserver-common';
import {
  AbstractMessageReader,
  AbstractMessageWriter,
  CancellationTokenSource,
  createProtocolConnection,
  type CompletionItem,
  type CompletionList,
  type DataCallback,
  type Diagnostic,
  type Disposable,
  type DocumentLink,
  type Hover,
  type Message,
  type MessageReader,
  type MessageWriter,
  type Position,
  type ProtocolConnection,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';

/** One end of an in-memory message pipe: what one side writes, the other side's reader delivers (next microtask, in order). */
class PipeReader extends AbstractMessageReader implements MessageReader {
  callback: DataCallback | undefined;
  private readonly queue: Message[] = [];
  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.queue.splice(0)) callback(m);
    return { dispose: () => (this.callback = undefined) };
  }
  deliver(m: Message): void {
    if (this.callback) this.callback(m);
    else this.queue.push(m);
  }
}

class PipeWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly to: PipeReader) {
    super();
  }
  write(msg: Message): Promise<void> {
    queueMicrotask(() => this.to.deliver(msg));
    return Promise.resolve();
  }
  end(): void {}
}

function pipe(): [MessageReader, MessageWriter, MessageReader, MessageWriter] {
  const toServer = new PipeReader();
  const toClient = new PipeReader();
  return [toServer, new PipeWriter(toClient), toClient, new PipeWriter(toServer)];
}

export interface ComposeDiagnostics {
  uri: string;
  diagnostics: Diagnostic[];
}

/** Cancels a request when `signal` aborts (the editor moved on). */
function tokenFor(signal?: AbortSignal) {
  const source = new CancellationTokenSource();
  signal?.addEventListener('abort', () => source.cancel(), { once: true });
  return source.token;
}

/**
 * The Compose language service and a client to it, in this process. Create once, `open`
 * documents, `change` them with their full new text, ask, `close`, `dispose`.
 */
export class ComposeHost {
  private readonly client: ProtocolConnection;
  private readonly service: ComposeLanguageService;
  private readonly ready: Promise<unknown>;
  private readonly listeners = new Set<(d: ComposeDiagnostics) => void>();
  private readonly versions = new Map<string, number>();

  /**
   * @param diagnosticDelayMs the service's own debounce of diagnostics after a change (its default is 1,000 ms)
   * @param alternateYaml what another YAML extension already does for compose files (the service's
   *   `alternateYamlLanguageService` client capability: it then leaves those features out), or undefined
   */
  constructor(diagnosticDelayMs = 250, alternateYaml?: Record<string, boolean>) {
    const [serverIn, serverOut, clientIn, clientOut] = pipe();
    let shutdown = false;
    const server = createConnection(
      () => createProtocolConnection(serverIn, serverOut),
      // Never exits the process: this is the extension host.
      { get shutdownReceived() { return shutdown; }, set shutdownReceived(v: boolean) { shutdown = v; }, initialize: () => undefined, exit: () => undefined },
    );
    const params = {
      processId: null,
      rootUri: null,
      capabilities: {
        // publishDiagnostics: the service sends diagnostics only to clients that say they take them.
        textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: {} },
        ...(alternateYaml ? { experimental: { alternateYamlLanguageService: alternateYaml } } : {}),
      },
      initializationOptions: { diagnosticDelay: diagnosticDelayMs, telemetryAggregationInterval: 24 * 3600_000 },
    };
    this.service = new ComposeLanguageService(server, params as never);
    const capabilities = this.service.capabilities;
    server.onInitialize(() => ({ capabilities, serverInfo: { name: 'Docker Compose Language Server (in-process)' } }));
    server.listen();
    this.client = createProtocolConnection(clientIn, clientOut);
    this.client.onNotification('textDocument/publishDiagnostics', (p: ComposeDiagnostics) => {
      for (const l of this.listeners) l(p);
    });
    // Telemetry and log messages of the service: not wanted in the extension host.
    this.client.onNotification('telemetry/event', () => undefined);
    this.client.onNotification('window/logMessage', () => undefined);
    this.client.listen();
    this.ready = this.client.sendRequest('initialize', params).then(() => this.client.sendNotification('initialized', {}));
  }

  /** Called with each document's diagnostics as the service publishes them (YAML syntax and structure problems). */
  onDiagnostics(listener: (d: ComposeDiagnostics) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async open(uri: string, text: string): Promise<void> {
    await this.ready;
    this.versions.set(uri, 1);
    await this.client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockercompose', version: 1, text } });
  }

  /** Replaces a document's text (opens it first when the service does not have it). */
  async change(uri: string, text: string): Promise<void> {
    await this.ready;
    const v = this.versions.get(uri);
    if (v === undefined) return this.open(uri, text);
    this.versions.set(uri, v + 1);
    await this.client.sendNotification('textDocument/didChange', { textDocument: { uri, version: v + 1 }, contentChanges: [{ text }] });
  }

  async close(uri: string): Promise<void> {
    if (!this.versions.delete(uri)) return;
    await this.ready;
    await this.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  has(uri: string): boolean {
    return this.versions.has(uri);
  }

  private async request<R>(method: string, params: object, signal?: AbortSignal): Promise<R | null> {
    await this.ready;
    const r = await this.client.sendRequest<unknown>(method, params, tokenFor(signal));
    // The service answers a failed handler with its error object instead of throwing.
    if (r && typeof r === 'object' && 'code' in r && 'message' in r && !('items' in r)) return null;
    return r as R | null;
  }

  completion(uri: string, position: Position, signal?: AbortSignal): Promise<CompletionList | CompletionItem[] | null> {
    return this.request('textDocument/completion', { textDocument: { uri }, position }, signal);
  }

  hover(uri: string, position: Position, signal?: AbortSignal): Promise<Hover | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position }, signal);
  }

  links(uri: string, signal?: AbortSignal): Promise<DocumentLink[] | null> {
    return this.request('textDocument/documentLink', { textDocument: { uri } }, signal);
  }

  format(uri: string, options: { tabSize: number; insertSpaces: boolean }, signal?: AbortSignal): Promise<TextEdit[] | null> {
    return this.request('textDocument/formatting', { textDocument: { uri }, options }, signal);
  }

  dispose(): void {
    this.service.dispose();
    this.client.dispose();
  }
}
