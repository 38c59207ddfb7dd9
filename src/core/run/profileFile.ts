/**
 * Writing run profiles back into `.vscode/mllab.yaml` ("Save as profile" after a guided run),
 * keeping the file's comments, blank lines and the order of everything else (yaml Document API).
 */
import { isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { UserError } from '../errors';
import { PROFILE_FIELDS, type ProfileInput } from './profileTypes';

/** A profile as the user writes it (unresolved: relative paths, sizes as text), e.g. what a guided run collected. */
export type { ProfileInput } from './profileTypes';

/** Plain object with fields in the file's canonical order, undefined and empty lists/maps left out. */
function ordered(input: object, order: readonly string[]): Record<string, unknown> {
  const value = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = [...order, ...Object.keys(value).filter((k) => !order.includes(k))];
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0 && k !== 'entrypoint') continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

function profileNode(doc: Document, profile: ProfileInput): YamlNode {
  const plain: Record<string, unknown> = { ...profile };
  if (profile.build) plain.build = ordered(profile.build, PROFILE_FIELDS.build);
  if (profile.run) plain.run = ordered(profile.run, PROFILE_FIELDS.run);
  const node = doc.createNode(ordered(plain, PROFILE_FIELDS.profile)) as YamlNode;
  // Short lists (command, ports, volumes) read best on one line: [python, train.py].
  // Port bindings, mounts, "1000:1000" or "0,1" are quoted, as the Compose docs advise: a YAML 1.1
  // reader (older tools) would take 22:22 for a base-60 number; numbers and booleans as text stay text.
  const style = (n: unknown): void => {
    if (isMap(n)) for (const pair of n.items) style(pair.value);
    else if (isSeq(n)) {
      n.flow = n.items.every((i) => isScalar(i));
      for (const i of n.items) style(i);
    } else if (isScalar(n) && typeof n.value === 'string' && /^[\d:.]+$|,|^(true|false|yes|no|on|off|null|~)$|^\s|\s$|^$/i.test(n.value)) {
      n.type = 'QUOTE_DOUBLE';
    }
  };
  style(node);
  return node;
}

/**
 * Adds the profile `name` to the profile file text, or replaces it when it exists (keeping its
 * place and the comment on its key), creating `version: 1` and `profiles:` when the file is
 * empty or has none. The rest of the file keeps its comments, blank lines and order; yaml may
 * normalise spacing inside lines it re-prints.
 *
 * @param text the current file content ('' for a new file).
 * @returns the new file content.
 * @throws UserError when the file has YAML syntax errors (fix them first; we never rewrite a
 *   file we could not read), when its top level or `profiles` is not a mapping, or for an
 *   invalid profile name (letters, digits, _, . and -).
 */
export function saveProfile(text: string, name: string, profile: ProfileInput): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UserError(`Profile name "${name}" is not valid: use letters, digits, _, . and -, e.g. train.`);
  }
  const doc = parseDocument(text) as unknown as Document;
  if (doc.errors.length > 0) {
    throw new UserError(`The profile file has YAML errors (first: ${doc.errors[0].message.split('\n')[0]}); fix them before saving a profile.`);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const comment = doc.commentBefore;
    doc.contents = doc.createNode({ version: 1, profiles: {} }) as unknown as typeof doc.contents;
    doc.commentBefore = comment;
  }
  const root = doc.contents as unknown;
  if (!isMap(root)) throw new UserError('The profile file should be a mapping with version: 1 and profiles:; it is not, so the profile was not saved.');
  if (!root.has('version')) root.items.unshift(doc.createPair('version', 1));
  let profiles = root.get('profiles', true);
  if (profiles === undefined || profiles === null || (isScalar(profiles) && profiles.value === null)) {
    root.set('profiles', new YAMLMap());
    profiles = root.get('profiles', true);
  }
  if (!isMap(profiles)) throw new UserError('"profiles" in the profile file is not a mapping of profile names; the profile was not saved.');
  const node = profileNode(doc, profile);
  const existing = profiles.items.find((p) => isScalar(p.key) && p.key.value === name);
  if (existing) {
    const old = existing.value as YamlNode | null;
    if (old && 'commentBefore' in old && old.commentBefore) node.commentBefore = old.commentBefore;
    if (old && old.comment) node.comment = old.comment;
    existing.value = node;
  } else {
    profiles.flow = false;
    profiles.set(name, node);
  }
  return doc.toString({ lineWidth: 0 });
}
