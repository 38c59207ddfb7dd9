/**
 * Compose files: which file names are Compose files, what a file declares (services, named
 * volumes, project name), read with the `yaml` package. Pure: text in, data out.
 *
 * File names: `compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml` (the
 * names Compose looks for by default, https://docs.docker.com/compose/intro/compose-application-model/#the-compose-file)
 * and `docker-compose.<anything>.yml`/`.yaml` (override files such as `docker-compose.gpu.yml`).
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { UserError } from '../errors';

/** Regex source for a Compose file's base name; package.json `when` clauses use the same one (a unit test compares). */
export const COMPOSE_FILE_NAME_SOURCE = '^(compose\\.ya?ml|docker-compose(\\.[\\w-]+)*\\.ya?ml)$';
const COMPOSE_FILE_NAME = new RegExp(COMPOSE_FILE_NAME_SOURCE);

/** Glob for `workspace.findFiles`: every Compose file name at any depth. */
export const COMPOSE_FILE_GLOB = '**/{compose.yaml,compose.yml,docker-compose.yml,docker-compose.yaml,docker-compose.*.yml,docker-compose.*.yaml}';

/** Whether a path's base name is a Compose file name (`compose.yaml`, `docker-compose.gpu.yml`...). */
export function isComposeFileName(filePath: string): boolean {
  return COMPOSE_FILE_NAME.test(path.basename(filePath));
}

/** What a Compose file declares, as far as the commands need it. */
export interface ComposeFileInfo {
  /** top-level `name:` when set */
  name?: string;
  /** service names, in file order */
  services: string[];
  /** named volumes declared under top-level `volumes:` with their engine names, and whether external (never removed by `down -v`) */
  volumes: Array<{ key: string; name?: string; external: boolean }>;
  /** profile names the services list under `profiles:`, each once, in file order (Compose only starts their services when asked with `--profile`) */
  profiles: string[];
}

function parseRoot(text: string, file: string) {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new UserError(`${file} is not valid YAML${at}: ${e.message.split('\n')[0]}`, { hint: 'Fix the file, then run the Compose command again.' });
  }
  return doc;
}

/**
 * Reads a Compose file's services, named volumes and `name:`.
 * @param file shown in error messages
 * @throws UserError when the text is not valid YAML or not a mapping
 */
export function readComposeFile(text: string, file = 'The Compose file'): ComposeFileInfo {
  const doc = parseRoot(text, file);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { services: [], volumes: [], profiles: [] };
  if (!isMap(root)) throw new UserError(`${file} is not a Compose file: its top level should be a mapping with services:.`);
  const keys = (node: unknown): string[] => (isMap(node) ? node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : []);
  const servicesNode = root.get('services', true);
  const services = keys(servicesNode);
  const profiles = new Set<string>();
  if (isMap(servicesNode)) {
    for (const p of servicesNode.items) {
      const list = isMap(p.value) ? p.value.get('profiles', true) : undefined;
      if (isSeq(list)) for (const x of list.items) if (isScalar(x) && typeof x.value === 'string' && x.value) profiles.add(x.value);
    }
  }
  const volumesNode = root.get('volumes', true);
  const volumes = isMap(volumesNode)
    ? volumesNode.items.map((p) => {
        const key = String(isScalar(p.key) ? p.key.value : p.key);
        const v = p.value;
        const name = isMap(v) ? v.get('name') : undefined;
        const external = isMap(v) ? v.get('external') : undefined;
        return { key, ...(typeof name === 'string' ? { name } : {}), external: external === true || isMap(external) };
      })
    : [];
  const name: unknown = root.get('name');
  return { ...(typeof name === 'string' && name.trim() ? { name: name.trim() } : {}), services, volumes, profiles: [...profiles] };
}

/**
 * Compose's project name: `COMPOSE_PROJECT_NAME`, else the file's top-level `name:`, else the
 * base name of the project folder (the first file's folder), normalised as Compose does:
 * lower case, only `a-z0-9_-` kept (compose-go `loader.NormalizeProjectName`; Compose v1
 * `normalize_name` strips the same characters).
 * @throws UserError when nothing usable is left (a folder named only with other characters)
 */
export function composeProjectName(info: Pick<ComposeFileInfo, 'name'>, projectDir: string, env: Record<string, string | undefined> = {}): string {
  const raw = env.COMPOSE_PROJECT_NAME?.trim() || info.name || path.basename(projectDir);
  const normalised = raw.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
  if (!normalised) {
    throw new UserError(`No Compose project name can be made from "${raw}".`, { hint: 'Add a top-level name: to the Compose file (e.g. name: iris-lab).' });
  }
  return normalised;
}

/**
 * The engine names of the named volumes `down --volumes` removes: every declared volume that
 * is not external, as `<project>_<key>` unless it sets `name:`. Anonymous volumes of the
 * services' containers go too; they have no name to show.
 */
export function volumesRemovedByDown(info: ComposeFileInfo, project: string): string[] {
  return info.volumes.filter((v) => !v.external).map((v) => v.name ?? `${project}_${v.key}`);
}
