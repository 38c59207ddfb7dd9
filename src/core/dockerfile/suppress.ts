/**
 * Suppression comments (catalogue conventions):
 *   `# mllab-ignore ML005` (ids comma-separated) on the line directly above an instruction
 *   silences those rules for that instruction; `# mllab-ignore-file ML011` anywhere silences a
 *   rule for the whole file. A stack of comment lines directly above the instruction counts as
 *   "the line directly above", so several ignore comments can sit on top of each other.
 */
export const LINE_DIRECTIVE = /^\s*#\s*mllab-ignore(?!-)\s*:?\s*(.*)$/i;
export const FILE_DIRECTIVE = /^\s*#\s*mllab-ignore-file\s*:?\s*(.*)$/i;

/** Rule ids in the list after a suppression keyword ("ML005, ml011 ML012"). */
export function parseIds(list: string): string[] {
  const ids: string[] = [];
  for (const m of list.matchAll(/\bML\d{3}\b/gi)) ids.push(m[0].toUpperCase());
  return ids;
}

export interface Suppressions {
  file: Set<string>;
  /** 0-based line of a finding's first line -> rule ids silenced there. */
  isSuppressed(rule: string, line: number): boolean;
}

/** Reads the suppression comments of a text given as lines. */
export function readSuppressions(lines: readonly string[]): Suppressions {
  const file = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.includes('mllab-ignore')) continue;
    const f = FILE_DIRECTIVE.exec(l);
    if (f) {
      for (const id of parseIds(f[1])) file.add(id);
      continue;
    }
    const m = LINE_DIRECTIVE.exec(l);
    if (!m) continue;
    const ids = parseIds(m[1]);
    // Applies to the first non-comment line below the comment block.
    let j = i + 1;
    while (j < lines.length && /^\s*#/.test(lines[j])) j++;
    if (j >= lines.length || lines[j].trim() === '') continue;
    let set = byLine.get(j);
    if (!set) byLine.set(j, (set = new Set()));
    for (const id of ids) set.add(id);
  }
  return {
    file,
    isSuppressed(rule: string, line: number): boolean {
      return file.has(rule) || (byLine.get(line)?.has(rule) ?? false);
    },
  };
}
