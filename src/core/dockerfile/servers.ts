/**
 * Known ML servers in a container's command (ML007, ML008, ML029): which tool, where it is
 * told to listen (flag, environment, or the tool's default), and where in the document.
 */
import { commandInvocations, type Instruction, type Model, type Stage, stageChain, substitute, variablesAt } from './model';
import { type Invocation, type Word, basename } from './shell';
import { pythonModule } from './commands';

export type ServerTool = 'flask' | 'uvicorn' | 'gunicorn' | 'streamlit' | 'jupyter' | 'gradio' | 'tensorboard' | 'mlflow' | 'http.server' | 'bentoml';

interface ToolInfo {
  port: number;
  /** Default bind address; null = all interfaces. */
  host: string | null;
  hostFlags: string[];
  portFlags: string[];
  hostEnv?: string;
  portEnv?: string;
  /** Flag that makes the tool listen on every interface. */
  addHost: (port: number) => string;
}

export const TOOLS: Record<ServerTool, ToolInfo> = {
  flask: { port: 5000, host: '127.0.0.1', hostFlags: ['--host', '-h'], portFlags: ['--port', '-p'], hostEnv: 'FLASK_RUN_HOST', portEnv: 'FLASK_RUN_PORT', addHost: () => '--host=0.0.0.0' },
  uvicorn: { port: 8000, host: '127.0.0.1', hostFlags: ['--host'], portFlags: ['--port'], hostEnv: 'UVICORN_HOST', portEnv: 'UVICORN_PORT', addHost: () => '--host=0.0.0.0' },
  gunicorn: { port: 8000, host: '127.0.0.1', hostFlags: ['--bind', '-b'], portFlags: [], addHost: (p) => `--bind=0.0.0.0:${p}` },
  streamlit: { port: 8501, host: null, hostFlags: ['--server.address'], portFlags: ['--server.port'], hostEnv: 'STREAMLIT_SERVER_ADDRESS', portEnv: 'STREAMLIT_SERVER_PORT', addHost: () => '--server.address=0.0.0.0' },
  jupyter: { port: 8888, host: 'localhost', hostFlags: ['--ip', '--ServerApp.ip', '--NotebookApp.ip'], portFlags: ['--port', '--ServerApp.port', '--NotebookApp.port'], portEnv: 'JUPYTER_PORT', addHost: () => '--ip=0.0.0.0' },
  gradio: { port: 7860, host: '127.0.0.1', hostFlags: [], portFlags: [], hostEnv: 'GRADIO_SERVER_NAME', portEnv: 'GRADIO_SERVER_PORT', addHost: () => '' },
  tensorboard: { port: 6006, host: 'localhost', hostFlags: ['--host'], portFlags: ['--port'], addHost: () => '--host=0.0.0.0' },
  mlflow: { port: 5000, host: '127.0.0.1', hostFlags: ['--host', '-h'], portFlags: ['--port', '-p'], hostEnv: 'MLFLOW_HOST', portEnv: 'MLFLOW_PORT', addHost: () => '--host=0.0.0.0' },
  // BentoML 1.x: `bentoml serve` listens on 0.0.0.0:3000 unless told otherwise (docs.bentoml.com, CLI reference).
  bentoml: { port: 3000, host: null, hostFlags: ['--host'], portFlags: ['--port', '-p'], hostEnv: 'BENTOML_HOST', portEnv: 'BENTOML_PORT', addHost: () => '--host=0.0.0.0' },
  'http.server': { port: 8000, host: null, hostFlags: ['--bind', '-b'], portFlags: [], addHost: () => '--bind=0.0.0.0' },
};

export interface ValueAt {
  value: string;
  /** Document range of the value text (for replacement), when it maps one to one. */
  start: number | null;
  end: number | null;
  /** Where it came from. */
  source: 'flag' | 'env' | 'inline-env' | 'default';
  /** The ENV instruction that set it (source 'env'). */
  envInst?: Instruction;
}

export interface Server {
  tool: ServerTool;
  inst: Instruction;
  inv: Invocation;
  /** The word after which host/port flags go (`run` of `flask run`, the tool's name...). */
  anchor: Word;
  host: ValueAt;
  /** Port, resolved; null when it names a variable without a value. */
  port: number | null;
  portValue: ValueAt;
  /** True when gunicorn's bind holds both (host:port in one value). */
  combined: boolean;
}

function valueOf(word: Word, from: number): { value: string; start: number | null; end: number | null } {
  const value = word.value.slice(from);
  const offs = word.valueOffsets.slice(from);
  // The value maps one to one when its characters are consecutive in the document.
  let direct = offs.length === value.length && offs.length > 0;
  for (let i = 1; direct && i < offs.length; i++) if (offs[i] !== offs[i - 1] + 1) direct = false;
  return { value, start: direct ? offs[0] : null, end: direct ? offs[offs.length - 1] + 1 : null };
}

/**
 * Finds `--name=value`, `--name value`, `-n value` in words after index `from`, and a short
 * option with its value in the same word (`-b0.0.0.0:5000`, or `"-b 0.0.0.0:5000"` as one
 * exec-form argument), which Python's argparse and click read as the option's value
 * (leading spaces dropped, as gunicorn does). Last one wins.
 */
export function findOption(words: Word[], from: number, names: string[]): { value: string; start: number | null; end: number | null } | null {
  let found: { value: string; start: number | null; end: number | null } | null = null;
  for (let i = from; i < words.length; i++) {
    const v = words[i].value;
    if (v === '--') break;
    for (const n of names) {
      if (v === n && i + 1 < words.length) found = valueOf(words[i + 1], 0);
      else if (v.startsWith(n + '=')) found = valueOf(words[i], n.length + 1);
      else if (/^-[A-Za-z]$/.test(n) && v.length > 2 && v.startsWith(n)) found = valueOf(words[i], 2 + /^\s*/.exec(v.slice(2))![0].length);
    }
  }
  return found;
}

function detect(inv: Invocation): { tool: ServerTool; anchor: number } | null {
  const w = inv.words;
  if (!w.length) return null;
  let prog = basename(w[0].value);
  let i = 0;
  const m = pythonModule(w);
  if (m >= 0) {
    prog = w[m].value;
    i = m;
    if (prog === 'http.server') return { tool: 'http.server', anchor: i };
    if (prog === 'jupyterlab' || prog === 'notebook') return { tool: 'jupyter', anchor: i };
    if (prog === 'tensorboard.main' || prog === 'tensorboard') return { tool: 'tensorboard', anchor: i };
  }
  const sub = (): { word: string; idx: number } | null => {
    for (let k = i + 1; k < w.length; k++) if (!w[k].value.startsWith('-')) return { word: w[k].value, idx: k };
    return null;
  };
  switch (prog) {
    case 'flask': {
      const s = sub();
      return s && s.word === 'run' ? { tool: 'flask', anchor: s.idx } : null;
    }
    case 'uvicorn':
      return { tool: 'uvicorn', anchor: i };
    case 'gunicorn':
      return { tool: 'gunicorn', anchor: i };
    case 'streamlit': {
      const s = sub();
      return s && s.word === 'run' ? { tool: 'streamlit', anchor: s.idx } : null;
    }
    case 'jupyter': {
      const s = sub();
      return s && /^(lab|notebook|server)$/.test(s.word) ? { tool: 'jupyter', anchor: s.idx } : null;
    }
    case 'jupyter-lab':
    case 'jupyter-notebook':
    case 'jupyter-server':
      return { tool: 'jupyter', anchor: i };
    case 'gradio': {
      const s = sub();
      return s ? { tool: 'gradio', anchor: i } : null;
    }
    case 'tensorboard':
      return { tool: 'tensorboard', anchor: i };
    case 'bentoml': {
      const s = sub();
      return s && (s.word === 'serve' || s.word === 'serve-http') ? { tool: 'bentoml', anchor: s.idx } : null;
    }
    case 'mlflow': {
      const s = sub();
      return s && (s.word === 'ui' || s.word === 'server') ? { tool: 'mlflow', anchor: s.idx } : null;
    }
    default:
      return null;
  }
}

/** The ENV instruction (in the stage chain, before `beforeIndex`) that last sets a variable. */
export function envSetting(stage: Stage, name: string, beforeIndex: number): { inst: Instruction; start: number | null; end: number | null } | null {
  let found: { inst: Instruction; start: number | null; end: number | null } | null = null;
  for (const s of stageChain(stage).reverse()) {
    for (const inst of s.instructions) {
      if (s === stage && inst.index >= beforeIndex) break;
      if (inst.keyword !== 'ENV') continue;
      for (const p of inst.props) if (p.name === name) found = { inst, start: p.valueStart, end: p.valueEnd };
    }
  }
  return found;
}

/** Jupyter images from the Jupyter Docker Stacks already listen on every interface. */
export function isJupyterStacksImage(image: string | null): boolean {
  return !!image && /^(docker\.io\/)?(quay\.io\/)?jupyter\//i.test(image);
}

/** Servers started by a stage's command (ENTRYPOINT + CMD, inherited ones included). */
export function findServers(model: Model, stage: Stage): Server[] {
  const out: Server[] = [];
  for (const { inst, inv } of commandInvocations(stage)) {
    const d = detect(inv);
    if (!d) continue;
    const info = TOOLS[d.tool];
    const vars = variablesAt(model, stage, inst.stage === stage ? inst.index : Number.MAX_SAFE_INTEGER);
    const inline = new Map<string, Word>();
    for (const a of inv.assigns) {
      const eq = a.value.indexOf('=');
      inline.set(a.value.slice(0, eq), a);
    }
    const envValue = (name: string | undefined): ValueAt | null => {
      if (!name) return null;
      const iw = inline.get(name);
      if (iw) {
        const v = valueOf(iw, name.length + 1);
        return { ...v, source: 'inline-env' };
      }
      const v = vars.get(name);
      if (v === undefined || v === null) return null;
      const set = envSetting(stage, name, inst.stage === stage ? inst.index : Number.MAX_SAFE_INTEGER);
      return { value: v, start: set?.start ?? null, end: set?.end ?? null, source: 'env', envInst: set?.inst };
    };
    const lookup = (n: string): string | null | undefined => {
      const iw = inline.get(n);
      if (iw) return iw.value.slice(n.length + 1);
      return vars.get(n);
    };
    let host: ValueAt;
    let portValue: ValueAt;
    let combined = false;
    if (d.tool === 'gunicorn') {
      const bind = findOption(inv.words, d.anchor + 1, info.hostFlags);
      let bindVal: ValueAt | null = bind ? { ...bind, source: 'flag' } : null;
      if (!bindVal) {
        const cmdArgs = lookup('GUNICORN_CMD_ARGS');
        const mm = cmdArgs ? /(?:--bind|-b)[= ]\s*(\S+)/.exec(cmdArgs) : null;
        if (mm) bindVal = { value: mm[1], start: null, end: null, source: 'env' };
      }
      if (bindVal) {
        combined = true;
        const v = bindVal.value.replace(/^["']|["']$/g, '');
        const k = v.lastIndexOf(':');
        const h = k >= 0 ? v.slice(0, k) : v;
        const p = k >= 0 ? v.slice(k + 1) : '8000';
        host = { ...bindVal, value: h === '' ? '0.0.0.0' : h, end: bindVal.start !== null && k >= 0 ? bindVal.start + k : bindVal.end };
        portValue = { ...bindVal, value: p, start: bindVal.start !== null && k >= 0 ? bindVal.start + k + 1 : null };
      } else {
        const port = envValue('PORT');
        if (port) {
          host = { value: '0.0.0.0', start: null, end: null, source: 'env' };
          portValue = port;
        } else {
          host = { value: info.host ?? '0.0.0.0', start: null, end: null, source: 'default' };
          portValue = { value: String(info.port), start: null, end: null, source: 'default' };
        }
      }
    } else if (d.tool === 'http.server') {
      const bind = findOption(inv.words, d.anchor + 1, info.hostFlags);
      host = bind ? { ...bind, source: 'flag' } : { value: '0.0.0.0', start: null, end: null, source: 'default' };
      let pv: ValueAt = { value: String(info.port), start: null, end: null, source: 'default' };
      for (let k = d.anchor + 1; k < inv.words.length; k++) {
        const v = inv.words[k].value;
        if (v === '--bind' || v === '-b' || v === '--directory' || v === '-d' || v === '--protocol' || v === '-p') { k++; continue; }
        if (/^\d+$/.test(v) || v.startsWith('$')) { pv = { ...valueOf(inv.words[k], 0), source: 'flag' }; break; }
      }
      portValue = pv;
    } else {
      const hf = info.hostFlags.length ? findOption(inv.words, d.anchor + 1, info.hostFlags) : null;
      const bindAll = d.tool === 'tensorboard' && inv.words.some((x) => x.value === '--bind_all');
      host = hf
        ? { ...hf, source: 'flag' }
        : bindAll
          ? { value: '0.0.0.0', start: null, end: null, source: 'flag' }
          : envValue(info.hostEnv) ?? { value: info.host ?? '0.0.0.0', start: null, end: null, source: 'default' };
      if (d.tool === 'jupyter' && host.source === 'default' && isJupyterStacksImage(stageChain(stage).pop()?.image?.resolved ?? null)) host = { ...host, value: '0.0.0.0' };
      const pf = info.portFlags.length ? findOption(inv.words, d.anchor + 1, info.portFlags) : null;
      portValue = pf ? { ...pf, source: 'flag' } : envValue(info.portEnv) ?? { value: String(info.port), start: null, end: null, source: 'default' };
    }
    const resolved = substitute(portValue.value.replace(/^["']|["']$/g, ''), lookup);
    const port = resolved !== null && /^\d{1,5}$/.test(resolved) ? Number(resolved) : null;
    out.push({ tool: d.tool, inst, inv, anchor: inv.words[d.anchor], host, port, portValue, combined });
  }
  return out;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === 'ip6-localhost';
}
