/**
 * The editor help for Dockerfiles, compose files and `requirements*.txt`: lab guidance
 * diagnostics and their code actions, BuildKit's build checks, and the editing help from the
 * language service libraries (loaded on first use) with ML-aware completion. `activate()` calls
 * {@link registerLanguageFeatures} once.
 */
import * as vscode from 'vscode';
import { buildModel } from '../../core/dockerfile/model';
import type { BaseImageFacts } from '../../core/dockerfile/index';
import { LabDiagnostics } from './diagnostics';
import { LabCodeActionProvider } from './codeActions';
import { setDockerfileLintExtras } from './lintDocument';
import { ComposeEditing } from './editing/compose';
import { toDiagnostic } from './editing/convert';
import { DockerfileEditing } from './editing/dockerfile';
import { editingState } from './editing/gate';
import { languageServices, languageServicesLoaded } from './editing/services';
import { ImageSources, type EditingSources } from './editing/sources';

export type { EditingSources } from './editing/sources';

/**
 * Document selector of the code action provider: every file (Dockerfiles have many namings
 * and requirements files any language id); the provider itself decides with `lintedKind`.
 */
const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }, { scheme: 'vscode-vfs' }];

/** What tests and the bench read about the editing help. */
export interface EditingApi {
  /** cost of the last Dockerfile check (lint + build checks + validator), ms */
  lastCheckMs(): number;
  /** whether the editing services bundle has been loaded */
  servicesLoaded(): boolean;
}

/** The external base images a Dockerfile builds on (roots of its stages), resolved through its ARG defaults. */
function baseImagesOf(text: string): string[] {
  try {
    const model = buildModel(text);
    const names = new Set(model.stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
    return [...new Set(model.stages.map((s) => s.image?.resolved).filter((i): i is string => !!i && i !== 'scratch' && !names.has(i.toLowerCase())))];
  } catch {
    return [];
  }
}

/** Registers diagnostics, code actions and the editing help; returns their disposables and the test API. */
export function registerLanguageFeatures(context: vscode.ExtensionContext, sources: EditingSources): { disposables: vscode.Disposable[]; api: EditingApi } {
  const images = new ImageSources(sources);
  let lastCheckMs = 0;
  setDockerfileLintExtras({
    buildChecks: () => editingState('dockerfile').library,
    baseImages: async (text) => {
      const out: Record<string, BaseImageFacts> = {};
      await Promise.all(baseImagesOf(text).map(async (ref) => {
        const f = await images.baseImageFacts(ref);
        if (f) out[ref] = f;
      }));
      return out;
    },
  });
  const syntax = (text: string): vscode.Diagnostic[] =>
    editingState('dockerfile').library ? languageServices().validateDockerfile(text).map((d) => toDiagnostic(d, 'dockerfile-utils')) : [];
  const diagnostics = new LabDiagnostics(context.extensionUri, syntax, (_doc, _n, ms) => (lastCheckMs = ms));
  const dockerfile = new DockerfileEditing(images, () => diagnostics.checkAll());
  return {
    disposables: [
      diagnostics,
      dockerfile,
      new ComposeEditing(images),
      vscode.languages.registerCodeActionsProvider(SELECTOR, new LabCodeActionProvider(), LabCodeActionProvider.metadata),
      { dispose: () => setDockerfileLintExtras(undefined) },
    ],
    api: { lastCheckMs: () => lastCheckMs, servicesLoaded: languageServicesLoaded },
  };
}
