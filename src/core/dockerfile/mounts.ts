/**
 * `RUN --mount=...` options, read as BuildKit reads them: one CSV record of `key=value`
 * fields (docs.docker.com "RUN --mount"; BuildKit's parseMount reads the value with a CSV
 * reader). A field may be quoted as a whole (`"target=/root/.cache"`) or in its value
 * (`target="/root/.cache"`); `""` inside quotes is a literal quote. Keys are case-insensitive.
 */
import type { Instruction } from './model';

/** Splits a CSV record into fields, removing the quoting. Never throws: an unclosed quote runs to the end. */
export function csvFields(value: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '"' && value[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

/**
 * A mount's options: lower-case key -> value (a field without `=` gets ''). `dst` and
 * `destination` are read as `target`, as BuildKit does.
 */
export function parseMount(value: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of csvFields(value)) {
    const eq = f.indexOf('=');
    let key = (eq < 0 ? f : f.slice(0, eq)).trim().toLowerCase();
    if (key === 'dst' || key === 'destination') key = 'target';
    if (key) m.set(key, eq < 0 ? '' : f.slice(eq + 1));
  }
  return m;
}

/** The RUN's `--mount` options, one map per mount flag. */
export function mounts(inst: Instruction): Map<string, string>[] {
  return inst.flags.filter((f) => f.name === 'mount' && f.value !== null).map((f) => parseMount(f.value!));
}

/**
 * Whether a mount of one of `types` (`cache`, `tmpfs`...) on the RUN has a target matching
 * `target`. BuildKit's default mount type is `bind`.
 */
export function mountCovers(inst: Instruction, target: RegExp, types: readonly string[] = ['cache']): boolean {
  return mounts(inst).some((m) => types.includes(m.get('type') ?? 'bind') && target.test(m.get('target') ?? ''));
}
