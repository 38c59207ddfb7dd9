/**
 * Serving rules: ML007 (EXPOSE the server's port), ML008 (bind 0.0.0.0, not loopback),
 * ML029 (EXPOSE matches the port the server listens on), ML030 (EXPOSE takes only a
 * container port).
 */
import type { FixSpec, Rule, RuleContext } from '../engine';
import { argWords, type Instruction, type Stage, stageChain, substitute, variablesAt } from '../model';
import { findServers, isLoopback, type Server, TOOLS } from '../servers';
import type { TextEdit } from '../types';

function exposes(stage: Stage): Instruction[] {
  return stageChain(stage).reverse().flatMap((s) => s.instructions.filter((i) => i.keyword === 'EXPOSE'));
}

/** Inserts whole lines before the server's command when it is in the stage, else at its end. */
function beforeCommand(ctx: RuleContext, stage: Stage, server: Server, lines: string[]): TextEdit {
  if (server.inst.stage === stage) return ctx.insertLinesBefore(server.inst, lines);
  const last = stage.instructions[stage.instructions.length - 1] ?? stage.from;
  return ctx.insertLinesAfter(last, lines);
}

const ML007: Rule = {
  id: 'ML007',
  title: 'EXPOSE the server port',
  defaultSeverity: 'warning',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    const servers = findServers(ctx.model, final);
    if (!servers.length || exposes(final).length) return;
    const s = servers[0];
    const port = s.port ?? TOOLS[s.tool].port;
    const edit = beforeCommand(ctx, final, s, [`EXPOSE ${port}`]);
    if (s.port === null) edit.snippet = edit.newText.replace(String(port), `\${1:${port}}`);
    ctx.report(final.from, `The container starts ${s.tool} on port ${port} but the image does not EXPOSE it: add EXPOSE ${port} so tools know which port to publish.`, [
      { title: `Insert EXPOSE ${port}`, edits: [edit], safe: s.port !== null },
    ]);
  },
};

const ML008: Rule = {
  id: 'ML008',
  title: 'Bind servers to 0.0.0.0',
  defaultSeverity: 'error',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    for (const s of findServers(ctx.model, final)) {
      if (!isLoopback(s.host.value)) continue;
      const msg = `${s.tool} listens on ${s.host.value} inside the container, so a published port cannot reach it: bind 0.0.0.0.`;
      let fix: FixSpec | null = null;
      let on = s.inst;
      if (s.host.source !== 'default' && s.host.start !== null && s.host.end !== null) {
        fix = { title: `Bind 0.0.0.0 instead of ${s.host.value}`, edits: [ctx.edit(s.host.start, s.host.end, '0.0.0.0')], safe: true };
        if (s.host.source === 'env' && s.host.envInst) on = s.host.envInst;
      } else if (s.host.source === 'default') {
        if (s.tool === 'gradio') {
          fix = { title: 'Insert ENV GRADIO_SERVER_NAME=0.0.0.0', edits: [beforeCommand(ctx, final, s, ['ENV GRADIO_SERVER_NAME=0.0.0.0'])], safe: true };
        } else {
          const flag = TOOLS[s.tool].addHost(s.port ?? TOOLS[s.tool].port);
          fix = { title: `Add ${flag}`, edits: [ctx.insertAfterWord(s.anchor, flag)], safe: true };
        }
      }
      ctx.report(on, s.host.source === 'default' ? `${s.tool} listens on ${s.host.value} by default, so a published port cannot reach it: bind 0.0.0.0.` : msg, fix ? [fix] : []);
    }
  },
};

interface PortWord {
  inst: Instruction;
  /** Document range of the container port number. */
  start: number;
  end: number;
  from: number;
  to: number;
  /** Written as a variable (`${PORT:-7860}`): the range is the whole word. */
  variable: boolean;
}

function exposedPorts(ctx: RuleContext, stage: Stage): PortWord[] {
  const out: PortWord[] = [];
  for (const inst of exposes(stage)) {
    const vars = variablesAt(ctx.model, inst.stage!, inst.index);
    for (const w of argWords(inst)) {
      if (w.value.includes('$')) {
        // `${PORT:-7860}/tcp`: resolve first; the fix then replaces the whole word.
        const v = substitute(w.value, (n) => vars.get(n));
        const m = v === null ? null : /^(?:.*:)?(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(v);
        if (m) out.push({ inst, start: w.start, end: w.end, from: Number(m[1]), to: Number(m[2] ?? m[1]), variable: true });
        continue;
      }
      const colon = w.value.lastIndexOf(':');
      const spec = w.value.slice(colon + 1).split('/')[0];
      const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
      if (!m) continue;
      const s = w.valueOffsets[colon + 1] ?? w.start;
      out.push({ inst, start: s, end: s + spec.length, from: Number(m[1]), to: Number(m[2] ?? m[1]), variable: false });
    }
  }
  return out;
}

const ML029: Rule = {
  id: 'ML029',
  title: 'EXPOSE the port the server listens on',
  defaultSeverity: 'warning',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    const ports = exposedPorts(ctx, final);
    if (!ports.length) return;
    for (const s of findServers(ctx.model, final)) {
      if (s.port === null || s.portValue.source === 'default') continue;
      if (ports.some((p) => p.from <= s.port! && s.port! <= p.to)) continue;
      const p = ports.find((x) => x.inst.stage === final) ?? ports[0];
      ctx.report(p.inst, `EXPOSE ${ctx.text(p.start, p.end)} but ${s.tool} is told to listen on ${s.port}: expose ${s.port}.`, [
        { title: `EXPOSE ${s.port}`, edits: [ctx.edit(p.start, p.end, String(s.port))], safe: !p.variable },
      ]);
    }
  },
};

const ML030: Rule = {
  id: 'ML030',
  title: 'EXPOSE takes a container port only',
  defaultSeverity: 'error',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'EXPOSE' || !inst.stage) continue;
      const vars = variablesAt(ctx.model, inst.stage, inst.index);
      // A variable is not a mapping (`${PORT:-7860}` has a colon of its own): judge its resolved
      // value, and skip it when it has none (lab-rules ML030).
      const bad = argWords(inst).filter((w) => (w.value.includes('$') ? substitute(w.value, (n) => vars.get(n)) ?? '' : w.value).includes(':'));
      if (!bad.length) continue;
      const edits = bad.filter((w) => !w.value.includes('$')).map((w) => ctx.edit(w.start, w.end, w.value.slice(w.value.lastIndexOf(':') + 1)));
      ctx.report(inst, `EXPOSE ${bad.map((w) => w.value).join(' ')} names a host port or address: EXPOSE takes only the container port; publishing to the host happens at run time (docker run -p 4000:8080).`,
        edits.length === bad.length ? [{ title: 'Keep only the container port', edits, safe: true }] : []);
    }
  },
};

export const serverRules: Rule[] = [ML007, ML008, ML029, ML030];
