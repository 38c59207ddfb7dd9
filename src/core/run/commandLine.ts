/**
 * Command lines and env files as Docker's CLI reads them: a command written as one string split
 * into words (no shell runs), and `--env-file` files. Used by run profiles, the guided run and
 * Compose.
 */
import { UserError } from '../errors';

/**
 * Splits a command written as one string into words, like a POSIX shell would but without
 * running one: words are separated by spaces and tabs; `'...'` keeps everything literally;
 * `"..."` keeps everything except `\"`, `\\`, `\$` and `` \` `` (the backslash goes); a backslash
 * outside quotes keeps the next character. No expansion happens: `$HOME`, `*.py`, `~` and
 * `&&` reach the program as written (use `["sh", "-c", "..."]` for shell features).
 *
 * @example splitCommand(`python train.py --note "first run"`) -> ["python", "train.py", "--note", "first run"]
 * @throws UserError for an unterminated quote or a trailing backslash.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UserError(`Command "${text}": the single quote at character ${i + 1} is not closed.`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) j++;
        word += text[j];
      }
      if (j >= text.length) throw new UserError(`Command "${text}": the double quote at character ${i + 1} is not closed.`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new UserError(`Command "${text}": it ends with a backslash.`);
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Reads an env file as `docker run --env-file` does (docker/cli opts/envfile.go): one
 * `NAME=value` per line, the value taken literally (quotes are NOT removed, no `$` expansion);
 * leading whitespace is ignored; blank lines and lines starting with `#` are skipped; a line
 * with only `NAME` takes the value from `hostEnv`, and is left out when the host has none.
 *
 * @param hostEnv the extension host's environment (process.env) for bare names.
 * @throws UserError naming the line for a name with whitespace or an empty name.
 */
export function parseEnvFile(text: string, hostEnv: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^[ \t\v\f]+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '') throw new UserError(`Env file line ${i + 1}: no variable name before "=".`);
    if (/\s/.test(name)) throw new UserError(`Env file line ${i + 1}: variable "${name}" contains whitespace; expected NAME=value.`);
    if (eq >= 0) env[name] = line.slice(eq + 1);
    else if (hostEnv[name] !== undefined) env[name] = hostEnv[name] as string;
  });
  return env;
}
