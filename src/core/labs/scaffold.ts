/**
 * "ML Lab: New Lab...": the lab templates shipped in `templates/<id>/` and the pure logic that
 * copies one into a folder without overwriting anything. File access goes through a small
 * interface so the logic is unit-tested in memory and run on the real file system by the UI.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors';

export interface LabTemplate {
  /** folder name under `templates/`, e.g. "training" */
  id: string;
  label: string;
  detail: string;
  /** the Dockerfile the template builds from, relative to the lab folder */
  dockerfile: string;
  /** the container port a serving template listens on; undefined for training */
  port?: number;
}

/** Every template, in the order the picker shows them. A unit test checks each folder exists. */
export const LAB_TEMPLATES: readonly LabTemplate[] = [
  { id: 'training', label: 'Training', detail: 'train.py prints the loss per epoch and writes artifacts/metrics.json; train.dockerfile', dockerfile: 'train.dockerfile' },
  { id: 'serving-flask', label: 'Serving: Flask', detail: 'an iris classifier behind POST /predict, on port 8080', dockerfile: 'Dockerfile', port: 8080 },
  { id: 'serving-fastapi', label: 'Serving: FastAPI', detail: 'an iris classifier behind POST /predict with docs at /docs, on port 8000 (uvicorn)', dockerfile: 'Dockerfile', port: 8000 },
  { id: 'serving-streamlit', label: 'Serving: Streamlit', detail: 'an iris classifier page with sliders, on port 8501', dockerfile: 'Dockerfile', port: 8501 },
  { id: 'serving-gradio', label: 'Serving: Gradio', detail: 'an iris classifier form, on port 7860', dockerfile: 'Dockerfile', port: 7860 },
];

/** What scaffolding needs from a file system (node:fs in the extension, a map in unit tests). */
export interface LabFs {
  /** every file below `dir`, as paths relative to it with `/` separators (dot files included) */
  listFiles(dir: string): Promise<string[]>;
  readFile(file: string): Promise<Uint8Array>;
  exists(file: string): Promise<boolean>;
  /** writes a file, creating its parent folders */
  writeFile(file: string, data: Uint8Array): Promise<void>;
}

/** One file to create: `from` in the template, `to` in the target folder (absolute paths). */
export interface ScaffoldPlan {
  template: LabTemplate;
  files: Array<{ relative: string; from: string; to: string }>;
}

/** The template with this id. @throws UserError naming the known ids. */
export function findTemplate(id: string): LabTemplate {
  const t = LAB_TEMPLATES.find((x) => x.id === id);
  if (!t) throw new UserError(`There is no lab template "${id}". Templates: ${LAB_TEMPLATES.map((x) => x.id).join(', ')}.`);
  return t;
}

/**
 * Lists what scaffolding `templateId` into `targetDir` would create, and refuses when any of
 * those files already exists (a lab is never written over a student's work).
 *
 * @param templatesRoot absolute path of the extension's `templates/` folder
 * @param targetDir absolute path of the folder to create the lab in (it may exist and hold other files)
 * @throws UserError naming up to five files that exist, and what to do; or when the template has no files.
 */
export async function planScaffold(fs: LabFs, templatesRoot: string, templateId: string, targetDir: string): Promise<ScaffoldPlan> {
  const template = findTemplate(templateId);
  const from = path.join(templatesRoot, template.id);
  const relatives = (await fs.listFiles(from)).sort();
  if (relatives.length === 0) throw new UserError(`Lab template "${template.id}" has no files in ${from}; reinstall the extension.`);
  const files = relatives.map((relative) => ({ relative, from: path.join(from, relative), to: path.join(targetDir, relative) }));
  const existing: string[] = [];
  for (const f of files) if (await fs.exists(f.to)) existing.push(f.relative);
  if (existing.length > 0) {
    const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? ` and ${existing.length - 5} more` : '');
    throw new UserError(
      `${targetDir} already has ${shown}: a new lab never overwrites files. Pick an empty folder, or move those files away first.`,
    );
  }
  return { template, files };
}

/**
 * Copies the planned files. Checks again just before each write, so a file created since the
 * plan is not overwritten either.
 * @returns the absolute paths written, in order
 * @throws UserError when a target file appeared since the plan (files written before it stay)
 */
export async function writeScaffold(fs: LabFs, plan: ScaffoldPlan): Promise<string[]> {
  const written: string[] = [];
  for (const f of plan.files) {
    if (await fs.exists(f.to)) throw new UserError(`${f.to} appeared while the lab was being written; it was left as it is.`);
    await fs.writeFile(f.to, await fs.readFile(f.from));
    written.push(f.to);
  }
  return written;
}

/** LabFs on the real file system (node:fs). */
export function nodeLabFs(): LabFs {
  return {
    listFiles: async (dir) => {
      const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    },
    readFile: (file) => fsp.readFile(file),
    exists: async (file) => {
      try {
        await fsp.lstat(file);
        return true;
      } catch {
        return false;
      }
    },
    writeFile: async (file, data) => {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      // 'wx': fail rather than overwrite when the file appeared after the check.
      await fsp.writeFile(file, data, { flag: 'wx' });
    },
  };
}
