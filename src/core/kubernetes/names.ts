/**
 * Kubernetes names, label syntax and quantities, and the rule that says which env variable
 * names look secret. Plain functions, no `vscode`: used by the Job export (./job.ts).
 */

/**
 * A DNS-1123 label: lower-case letters, digits and `-`, starting and ending with a letter or
 * digit, at most 63 characters. Job, container, Pod volume names and label name parts follow it
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names).
 */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_DNS_LABEL = 63;

/**
 * Turns a Docker name (container, volume, profile: letters, digits, `_`, `.`, `-`) into a
 * DNS-1123 label: lower case, every other character `-`, runs of `-` collapsed, trimmed to 63
 * characters. `Iris_Train.v2` -> `iris-train-v2`.
 * @param fallback returned when nothing usable is left (e.g. `"__"`)
 */
export function toDnsLabel(name: string, fallback = 'job'): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_DNS_LABEL)
    .replace(/-+$/, '');
  return s === '' ? fallback : s;
}

/** A label value: empty, or at most 63 of `[A-Za-z0-9_.-]` starting and ending with a letter or digit. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** A label key's name part (after the optional `prefix/`): as a value, but not empty. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label key's prefix: a DNS-1123 subdomain (dot-separated labels), at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `key: value` is a valid Kubernetes label
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set).
 * Docker labels are free text, so many are not (`org.opencontainers.image.url: https://...`):
 * the export keeps those as annotations.
 */
export function isValidLabel(key: string, value: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name) && value.length <= 63 && LABEL_VALUE.test(value);
}

const GI = 1024 ** 3;
const MI = 1024 ** 2;
const KI = 1024;

/**
 * Bytes as a Kubernetes quantity with the largest binary suffix that divides them exactly:
 * 1073741824 -> "1Gi", 536870912 -> "512Mi", 2048 -> "2Ki", 1000 -> "1000"
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/).
 * @param bytes a positive whole number of bytes
 */
export function bytesToQuantity(bytes: number): string {
  for (const [suffix, mul] of [['Gi', GI], ['Mi', MI], ['Ki', KI]] as const) {
    if (bytes >= mul && bytes % mul === 0) return `${bytes / mul}${suffix}`;
  }
  return String(bytes);
}

/**
 * Docker's NanoCpus (CPUs x 10^9) as a Kubernetes CPU quantity: whole CPUs as a number
 * ("2"), else millicores ("1500m"), rounded up to Kubernetes' precision of 1m.
 */
export function nanoCpusToQuantity(nanoCpus: number): string {
  if (nanoCpus % 1e9 === 0) return String(nanoCpus / 1e9);
  return `${Math.ceil(nanoCpus / 1e6)}m`;
}

/**
 * Words that make an env variable name look secret, and words that clear it, from BuildKit's
 * `SecretsUsedInArgOrEnv` build check (moby/buildkit, frontend/dockerfile/dockerfile2llb/
 * validations.go, `getSecretsRegex`; https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/):
 * a whole `_`-separated word, case-insensitive.
 */
const SECRET_WORD = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET_WORD = /(?:_|^)(?:public|file|version)(?:_|$)/i;

/**
 * Whether an env variable's name looks like it holds a secret, by BuildKit's rule (above):
 * `HF_TOKEN`, `WANDB_API_KEY`, `AWS_SECRET_ACCESS_KEY`, `PASSWORD`, `DB_PASSWORD`, `GITHUB_AUTH`
 * do; `EPOCHS`, `TOKENIZER`, `KEYBOARD`, `PUBLIC_KEY`, `KEY_FILE` (a path) do not.
 */
export function looksSecret(envName: string): boolean {
  return SECRET_WORD.test(envName) && !NOT_SECRET_WORD.test(envName);
}
