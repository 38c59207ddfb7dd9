/**
 * The profile file checked against its JSON Schema (schemas/mllab-profiles.schema.json, the one
 * description of the file; the editor completes and hovers from it too), with each failed check
 * turned into a message at its YAML node's range. The validator is ajv's standalone code,
 * generated from the schema at build time (scripts/lib/profileValidator.mjs) and loaded on the
 * first profile read. The messages take their words from the schema: the expected form from a
 * field's `description` and first example, allowed values from `enum`/`const`, "did you mean"
 * from the property names, and the advice for a value that fails a pattern from VS Code's
 * `patternErrorMessage`/`errorMessage` keywords (the editor shows the same advice).
 */
import { isMap, isScalar, isSeq, isAlias, isPair } from 'yaml';
import type { Document, LineCounter, Node as YamlNode, Pair } from 'yaml';
import { validate, schema as profileSchema, type SchemaError } from './generated/profileValidator';
import type { ProfileError, SourceRange } from './profileTypes';

/** A step into the file's data: a mapping key or a list index. */
export type Segment = string | number;

/** JSON Schema nodes as the schema file writes them (draft-07, plus VS Code's keywords). */
interface SchemaNode {
  type?: string | string[];
  description?: string;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  required?: string[];
  pattern?: string;
  patternErrorMessage?: string;
  errorMessage?: string;
}

/** "profiles.train.run.ports[0]" for ['profiles', 'train', 'run', 'ports', 0]; "" for the file. */
export function pathText(segs: readonly Segment[]): string {
  return segs.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`), '');
}

/** Names people write for our fields (Compose and CLI spellings) -> our name. */
const ALIASES: Record<string, string> = {
  volume: 'volumes', mounts: 'volumes', port: 'ports', publish: 'ports', shm_size: 'shmSize', 'shm-size': 'shmSize',
  working_dir: 'workdir', workingDir: 'workdir', workingdir: 'workdir', environment: 'env', env_file: 'envFiles',
  env_files: 'envFiles', envFile: 'envFiles', 'env-file': 'envFiles', cmd: 'command', mem_limit: 'memory', mem: 'memory',
  remove: 'rm', autoRemove: 'rm', auto_remove: 'rm', container_name: 'name', gpu: 'gpus', ipc_mode: 'ipc', ipcMode: 'ipc',
  network_mode: 'network', stdin_open: 'interactive', stdinOpen: 'interactive', openStdin: 'interactive', label: 'labels', build_args: 'args', buildArgs: 'args', 'build-arg': 'args', file: 'dockerfile',
};

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known field nearest to `key` (a known alias, same letters in another case, or at most 2 edits away). */
export function suggestField(key: string, known: readonly string[]): string | undefined {
  const alias = ALIASES[key];
  if (alias !== undefined && known.includes(alias)) return alias;
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = key.length <= 3 ? 1 : 2;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist <= bestDistance) {
      best = k;
      bestDistance = dist - 1;
    }
  }
  return best;
}

/** "a mapping", "a list", "empty", `the text "x"`, "the number 2", "the boolean true". */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value}"`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = { string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', null: 'empty' };

/** "text", "text or a whole number"...: the schema's `type` in words; text alone when all scalars are accepted (they become text). */
function typeWords(type: string | string[] | undefined): string {
  const types = Array.isArray(type) ? type : type ? [type] : [];
  if (types.includes('string') && types.every((t) => ['string', 'number', 'integer', 'boolean'].includes(t)) && types.includes('boolean')) return 'text';
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string | string[] | undefined, value: unknown): boolean {
  const types = Array.isArray(type) ? type : type ? [type] : [];
  const t = jsonType(value);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const noStop = (s: string): string => s.replace(/\.\s*$/, '');

/** The schema node a JSON Pointer ("#/properties/profiles/...") names. */
function schemaAtPointer(pointer: string): SchemaNode | undefined {
  let node: unknown = profileSchema;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node as SchemaNode | undefined;
}

/** The schema nodes along a data path, root first (oneOf/anyOf branches are searched for the next step). */
function schemaChain(segs: readonly Segment[]): SchemaNode[] {
  const chain: SchemaNode[] = [profileSchema as SchemaNode];
  const next = (n: SchemaNode, seg: Segment): SchemaNode | undefined => {
    if (typeof seg === 'number') return n.items;
    if (n.properties?.[seg]) return n.properties[seg];
    return typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
  };
  for (const seg of segs) {
    const here = chain[chain.length - 1];
    const found = next(here, seg) ?? [...(here.oneOf ?? []), ...(here.anyOf ?? [])].map((b) => next(b, seg)).find((n) => n !== undefined);
    if (!found) break;
    chain.push(found);
  }
  return chain;
}

/**
 * The expected form of the value at a data path, from the schema: the nearest `description` on
 * the path, its allowed values when it lists them (`enum`), and its first example.
 */
export function expectedAt(segs: readonly Segment[]): string {
  const node = [...schemaChain(segs)].reverse().find((n) => typeof n.description === 'string');
  if (!node?.description) return '';
  const parts: string[] = [];
  if (node.enum) parts.push(`one of: ${node.enum.map(String).join(', ')}`);
  parts.push(noStop(node.description));
  const example = node.examples?.[0];
  const exampleText = typeof example === 'string' ? example : JSON.stringify(example);
  if (example !== undefined && !/\be\.g\./.test(node.description) && !node.description.includes(exampleText)) parts.push(`e.g. ${exampleText}`);
  return parts.join('; ');
}

/**
 * The field names of each section of the file, in the schema's order, for "belongs under":
 * the profile itself and each object-valued field of it (build, run, apps, metrics, swarm).
 */
function sectionsOf(): Array<{ label: string; names: string[] }> {
  const profile = (profileSchema as SchemaNode).properties?.profiles?.additionalProperties as SchemaNode;
  const out = [{ label: 'the profile itself', names: Object.keys(profile.properties ?? {}) }];
  for (const [name, s] of Object.entries(profile.properties ?? {})) {
    const obj = s.items ?? s;
    if (obj.properties) out.push({ label: `${name}:`, names: Object.keys(obj.properties) });
  }
  // the run section first: its field names are the ones most often written one level too high
  return out.sort((a, b) => (b.label === 'run:' ? 1 : 0) - (a.label === 'run:' ? 1 : 0));
}

/** Errors of a file, with the source offset each starts at (for ordering and for the profile it falls in). */
export type LocatedError = ProfileError & { offset: number };

/**
 * Reports problems of one parsed YAML document at the ranges of its nodes, with the expected
 * form from the schema.
 */
export class ProfileReporter {
  readonly errors: LocatedError[] = [];
  /** Pattern failures held back for a code parser with a more specific message (see checkSchema). */
  private deferred: Array<{ segs: Segment[]; message: string }> = [];
  /** Data paths where the schema found a problem. */
  private readonly schemaBad: Array<readonly Segment[]> = [];

  constructor(private readonly doc: Document, private readonly lc: LineCounter) {}

  /** The pair holding the value at `segs` (undefined for the file and list items), and the value node. */
  locate(segs: readonly Segment[]): { pair?: Pair; node?: YamlNode } {
    let node: unknown = this.doc.contents;
    let pair: Pair | undefined;
    for (const seg of segs) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg)) as Pair | undefined;
        node = pair?.value ?? undefined;
        if (!pair) return {};
      } else if (isSeq(node) && typeof seg === 'number') {
        pair = undefined;
        node = node.items[seg];
      } else {
        return {};
      }
    }
    return { pair, node: (node ?? undefined) as YamlNode | undefined };
  }

  /** [start, end) of the value at `segs` ('value'; the key when the value is missing) or of its key ('key'). */
  span(segs: readonly Segment[], where: 'value' | 'key' = 'value'): [number, number] {
    for (let n = segs.length; n >= 0; n--) {
      const { pair, node } = this.locate(segs.slice(0, n));
      const key = isPair(pair) ? (pair.key as YamlNode | null) : undefined;
      const first = where === 'key' ? key ?? node : node ?? key;
      const r = first?.range ?? (where === 'key' ? node?.range : key?.range);
      if (r) return [r[0], r[1] > r[0] ? r[1] : r[0]];
    }
    return [0, 0];
  }

  /** The 1-based line/column range of source offsets [start, end). */
  rangeOf(at: [number, number]): SourceRange {
    const a = this.lc.linePos(at[0]);
    const b = this.lc.linePos(Math.max(at[1], at[0]));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  /** Adds a problem at a YAML range. */
  addAt(at: [number, number], pathValue: string, message: string, expected: string): void {
    this.errors.push({ message, ...this.rangeOf(at), path: pathValue, expected, offset: at[0] });
  }

  /** Adds a problem with the value (or key) at a data path; the expected form defaults to the schema's. */
  report(segs: readonly Segment[], message: string, where: 'value' | 'key' = 'value', expected = expectedAt(segs)): void {
    this.addAt(this.span(segs, where), pathText(segs), message, expected);
  }

  /** Whether the schema found a problem with the value at `segs` itself (its type, its key, a required field). */
  isSchemaProblem(segs: readonly Segment[]): boolean {
    return this.schemaBad.some((b) => b.length === segs.length && b.every((s, i) => String(s) === String(segs[i])));
  }

  /**
   * Whether the schema found a problem at `segs`, inside it, or in a value holding it: the code
   * checks skip such values, so each problem is reported once.
   */
  schemaFailed(segs: readonly Segment[]): boolean {
    const prefix = (a: readonly Segment[], b: readonly Segment[]): boolean => a.length <= b.length && a.every((s, i) => String(s) === String(b[i]));
    return this.schemaBad.some((b) => prefix(segs, b) || prefix(b, segs));
  }

  /**
   * Checks `data` (the document as plain values) against the schema and reports every failure;
   * call flushDeferred after the code checks.
   * @returns the number of failures reported
   */
  checkSchema(data: unknown, parsedByCode: (segs: readonly Segment[]) => boolean = () => false): number {
    if (validate(data)) return 0;
    const before = this.errors.length;
    this.reportAll([...(validate.errors ?? [])], data, parsedByCode);
    return this.errors.length - before;
  }

  /**
   * A code parser reported its own, more specific message for the value at `segs` (e.g.
   * `Size "2 gigs": not a size`): the pattern failure held back for it is dropped.
   */
  supersede(segs: readonly Segment[]): void {
    this.deferred = this.deferred.filter((d) => pathText(d.segs) !== pathText(segs));
  }

  /** Reports the held-back pattern failures no code parser superseded: the schema's verdict stands. */
  flushDeferred(): void {
    for (const d of this.deferred) this.report(d.segs, d.message);
    this.deferred = [];
  }

  /**
   * @param parsedByCode values whose pattern failure waits for the code parser of that field:
   *   when the parser fails too, its message is reported instead (supersede); otherwise the
   *   schema's (flushDeferred)
   */
  private reportAll(errors: SchemaError[], data: unknown, parsedByCode: (segs: readonly Segment[]) => boolean): void {
    // A failed oneOf/anyOf: report the errors of the branch whose type the value has, or one "should be" message.
    for (const e of errors.filter((x) => x.keyword === 'oneOf' || x.keyword === 'anyOf')) {
      if (!errors.includes(e)) continue;
      const inside = errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/`));
      for (const x of [e, ...inside]) errors.splice(errors.indexOf(x), 1);
      const branches = schemaAtPointer(e.schemaPath) as unknown as SchemaNode[];
      const segs = this.segments(e.instancePath);
      const value = valueAt(data, segs);
      if (branches.every((b) => b.required && !b.type)) {
        const names = branches.map((b) => b.required!.join(' and '));
        const where = segs.length ? `${pathText(segs)}` : 'The file';
        this.mark(segs);
        this.report(segs, `${where} has neither ${names.join(' nor ')}: give ${names.length === 2 ? 'one of them' : 'one'}`, 'key');
        continue;
      }
      const i = branches.findIndex((b) => typeMatches(b.type, value));
      if (i >= 0) {
        errors.push(...inside.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${i}/`)));
      } else {
        this.mark(segs);
        this.report(segs, `${pathText(segs)} should be ${branches.map((b) => typeWords(b.type)).join(' or ')}, not ${describeValue(value)}`);
      }
    }
    const missing = new Map<string, string[]>();
    for (const e of errors) {
      const segs = this.segments(e.instancePath);
      const p = pathText(segs);
      const node = schemaAtPointer(e.schemaPath.replace(/\/[^/]*$/, '')) ?? {};
      const value = valueAt(data, segs);
      if (e.keyword === 'propertyNames') continue;
      if (e.propertyName !== undefined) {
        const key = [...segs, e.propertyName];
        this.mark(key);
        const advice = node.patternErrorMessage ? `: ${lowerFirst(noStop(node.patternErrorMessage))}` : '';
        this.report(key, `"${e.propertyName}" is not a valid name in ${p}${advice}`, 'key', expectedAt(segs));
        continue;
      }
      switch (e.keyword) {
        case 'additionalProperties': {
          const key = String(e.params.additionalProperty);
          const known = Object.keys(node.properties ?? {});
          const suggestion = suggestField(key, known);
          const elsewhere = sectionsOf().find((s) => s.names.includes(key) && s.names.join() !== known.join());
          let message = `Unknown field "${key}" in ${p || 'the file'}`;
          if (suggestion !== undefined) message += `; did you mean "${suggestion}"?`;
          else if (elsewhere) message += `; "${key}" belongs under ${elsewhere.label}`;
          this.mark([...segs, key]);
          this.report([...segs, key], message, 'key', `one of: ${known.join(', ')}`);
          break;
        }
        case 'required':
          missing.set(e.instancePath, [...(missing.get(e.instancePath) ?? []), String(e.params.missingProperty)]);
          break;
        case 'type': {
          const empty = value === null && typeWords(node.type).startsWith('text') ? ' (write "" for an empty value)' : '';
          this.mark(segs);
          this.report(segs, `${p || 'The file'} should be ${typeWords(node.type)}${empty}, not ${describeValue(value)}`);
          break;
        }
        case 'const':
        case 'enum': {
          const allowed = (node.enum ?? [node.const]).map(String);
          const why = node.errorMessage ? `: ${lowerFirst(noStop(node.errorMessage))}` : '';
          this.mark(segs);
          this.report(segs, `${p} should be ${allowed.length > 1 ? `one of ${allowed.join(', ')}` : allowed[0]}, not ${describeValue(value)}${why}`);
          break;
        }
        case 'pattern': {
          const advice = node.patternErrorMessage ? `: ${lowerFirst(noStop(node.patternErrorMessage))}` : '';
          const message = `"${String(value)}" is not valid for ${p}${advice}`;
          if (parsedByCode(segs)) this.deferred.push({ segs, message });
          else {
            this.mark(segs);
            this.report(segs, message);
          }
          break;
        }
        case 'minLength':
          this.mark(segs);
          this.report(segs, `${p} is empty`);
          break;
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum': {
          const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[e.keyword];
          this.mark(segs);
          this.report(segs, `${p} is ${String(value)}; it must be ${words} ${String(e.params.limit)}`);
          break;
        }
        default:
          this.mark(segs);
          this.report(segs, `${p || 'The file'} ${e.message ?? 'is not valid'}`);
      }
    }
    for (const [pointer, names] of missing) {
      const segs = this.segments(pointer);
      this.mark(segs);
      this.report(segs, `${pathText(segs) || 'The file'} needs a ${names.join(' and a ')}`, 'key');
    }
  }

  private mark(segs: readonly Segment[]): void {
    this.schemaBad.push([...segs]);
  }

  /** A JSON Pointer as data path segments; list indexes as numbers where the YAML node is a list. */
  private segments(pointer: string): Segment[] {
    const out: Segment[] = [];
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      const { node } = this.locate(out);
      out.push(isSeq(node) && /^\d+$/.test(key) ? Number(key) : key);
    }
    return out;
  }
}

/** The plain value at a data path. */
export function valueAt(data: unknown, segs: readonly Segment[]): unknown {
  let v = data;
  for (const s of segs) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s as string] : undefined;
  return v;
}
