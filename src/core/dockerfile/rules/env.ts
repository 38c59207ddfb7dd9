/** ENV/ARG rules: ML016 (legacy `ENV key value`), ML025 (secrets in ARG/ENV). */
import type { FixSpec, Rule } from '../engine';
import type { TextEdit } from '../types';

const ML016: Rule = {
  id: 'ML016',
  title: 'ENV key=value',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'ENV') continue;
      const t = inst.args.text;
      const m = /^([^\s=]+)(?:\s+|$)/.exec(t);
      if (!m || t.trim() === '') continue;
      const name = m[1];
      let value = t.slice(m[0].length).trim();
      let fixes: FixSpec[] = [];
      const esc = ctx.model.escape;
      if (/\s/.test(value) && !/^"[^"]*"$/.test(value) && !/^'[^']*'$/.test(value)) {
        value = value.includes('"') || value.includes(esc) ? '' : `"${value}"`;
      } else if (value === '') value = '""';
      if (value) fixes = [{ title: `Write ENV ${name}=${value}`, edits: [ctx.edit(inst.args.offsets[0], inst.args.end, `${name}=${value}`)], safe: true }];
      ctx.report(inst, `'ENV ${name} <value>' is the legacy form: write ENV ${name}=<value>.`, fixes);
    }
  },
};

const SECRET_WORDS = new Set(['token', 'tokens', 'key', 'keys', 'password', 'passwords', 'passwd', 'secret', 'secrets', 'credential', 'credentials', 'auth']);
const EXEMPT_WORDS = new Set(['public', 'file', 'version']);

/** `HF_TOKEN`, `WANDB_API_KEY`, `KAGGLE_KEY`: a `_`-bounded secret word, and no public/file/version. */
export function namesSecret(name: string): boolean {
  const words = name.toLowerCase().split(/_+/).filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w)) && !words.some((w) => EXEMPT_WORDS.has(w));
}

const ML025: Rule = {
  id: 'ML025',
  title: 'No secrets in ARG or ENV',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'ARG' && inst.keyword !== 'ENV') continue;
      const secret = inst.props.filter((p) => namesSecret(p.name));
      if (!secret.length) continue;
      const comment: string[] = [];
      for (const p of secret) {
        const id = p.name.toLowerCase();
        comment.push(
          `# ${p.name} is a secret: keep it out of the image (${inst.keyword} values are stored in its history).`,
          `#   build time: RUN --mount=type=secret,id=${id},env=${p.name} <command>   with   docker build --secret id=${id},env=${p.name} .`,
          `#   run time:   docker run -e ${p.name} IMAGE   (or --env-file .env)`,
        );
      }
      const edits: TextEdit[] = [];
      if (secret.length === inst.props.length) {
        const idx = ctx.model.index;
        const lastLine = idx.positionAt(inst.end).line;
        edits.push(ctx.edit(idx.lineStarts[inst.startLine], idx.nextLineStart(lastLine), comment.map((l) => l + ctx.eol).join('')));
      } else {
        edits.push(ctx.insertLinesBefore(inst, comment));
        for (const p of secret) {
          let s = p.start;
          while (s > 0 && /[ \t]/.test(ctx.model.text[s - 1])) s--;
          edits.push(ctx.edit(s, p.end, ''));
        }
      }
      ctx.report(inst, `${inst.keyword} ${secret.map((p) => p.name).join(', ')} looks like a secret: ${inst.keyword} values are baked into the image; use a build secret or pass it at run time.`, [
        { title: 'Replace with a comment showing build secrets and run-time env', edits, safe: false },
      ]);
    }
  },
};

export const envRules: Rule[] = [ML016, ML025];
