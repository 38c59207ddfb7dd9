/**
 * The editing services that come from libraries, gathered in one module that the build turns
 * into its own lazily loaded bundle (dist/vendor/language.js): nothing here is parsed until
 * the first Dockerfile or compose file asks for completion, hover, diagnostics...
 *
 * - Dockerfiles: rcjsuen's `dockerfile-language-service` (completion, hover, signature help,
 *   symbols, definition, highlights, rename, links, formatting, semantic tokens) and its
 *   validator from `dockerfile-utils`, the same pair Container Tools and Docker DX use.
 * - Compose files: Microsoft's `@microsoft/compose-language-service`, in-process (compose.ts).
 *
 * All results are LSP shapes (0-based lines, UTF-16 characters).
 */
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { DockerfileLanguageServiceFactory, type DockerfileLanguageService } from 'dockerfile-language-service';
import { DockerSemanticTokens } from 'dockerfile-language-service/lib/dockerSemanticTokens';
import { ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { Diagnostic, SemanticTokens } from 'vscode-languageserver-protocol';

export { ComposeHost, type ComposeDiagnostics } from './compose';

let service: DockerfileLanguageService | undefined;

/**
 * Parsed Dockerfiles by exact text, most recent first. Every call of the language service and
 * of the validator parses the whole text again (`DockerfileParser.parse`, about 40 ms for
 * 1,000 lines on a busy machine), and one keystroke asks for completion, signature help and,
 * debounced, diagnostics of the same text: with this cache they share one parse. Keyed by the
 * text, not by a document version, because the library's API takes text; a few entries
 * cover several open Dockerfiles and the editor's back-and-forth between two versions.
 */
const PARSE_CACHE_SIZE = 4;
const parsed: Array<{ text: string; dockerfile: Dockerfile }> = [];
const parseFresh = DockerfileParser.parse;
/** Parses done and parses saved since the bundle loaded (the bench prints them). */
export const parseCounts = { parsed: 0, reused: 0 };
/** Above zero while a caller that changes the parse result it gets runs (semantic tokens). */
let freshParses = 0;

function parseCached(content: string): Dockerfile {
  if (freshParses > 0) return parseFresh(content);
  const k = parsed.findIndex((p) => p.text === content);
  if (k >= 0) {
    const [hit] = parsed.splice(k, 1);
    parsed.unshift(hit);
    parseCounts.reused++;
    return hit.dockerfile;
  }
  const dockerfile = parseFresh(content);
  parseCounts.parsed++;
  parsed.unshift({ text: content, dockerfile });
  parsed.length = Math.min(parsed.length, PARSE_CACHE_SIZE);
  return dockerfile;
}
// The library and dockerfile-utils call `DockerfileParser.parse` through the module object at each
// request, so replacing it here serves all of them from the cache. Their read-only use of the
// result is checked against fresh parses on the real-world corpus (test/unit/language/parseCache.test.ts).
(DockerfileParser as { parse: (content: string) => Dockerfile }).parse = parseCached;

/**
 * Semantic tokens of a Dockerfile, as the library computes them, in linear time: the library
 * appends each token with `tokens = tokens.concat([...])`, which copies the whole array each
 * time (about 1 s for 1,000 lines, blocking the extension host on every edit). Here the array
 * appends in place. It also edits the parse it gets (drops embedded comments from the comment
 * list, clips variable ranges), so it gets a parse of its own, never the shared one.
 */
export function semanticTokens(content: string): SemanticTokens {
  freshParses++;
  try {
    const t = new DockerSemanticTokens(content);
    // Each token asks its instruction for its variables, which reparses the instruction's
    // arguments: quadratic in an instruction's length (long RUN continuations). Asked once here.
    for (const i of (t as unknown as { dockerfile: Dockerfile }).dockerfile.getInstructions()) {
      const variables = i.getVariables();
      // The library clips the range it gets; a fresh copy per ask, as a fresh parse gave.
      for (const v of variables) {
        const r = v.getRange();
        v.getRange = () => ({ start: { ...r.start }, end: { ...r.end } });
      }
      i.getVariables = () => variables;
    }
    const data: number[] = [];
    // `concat` of this one array pushes in place and returns the same array.
    Object.defineProperty(data, 'concat', { value: (more: number[]) => { for (const x of more) data.push(x); return data; } });
    (t as unknown as { tokens: number[] }).tokens = data;
    return { data: [...t.computeSemanticTokens().data] };
  } finally {
    freshParses--;
  }
}

/** The Dockerfile language service, made once, told that the editor takes snippets and Markdown. */
export function dockerfileService(): DockerfileLanguageService {
  if (!service) {
    service = DockerfileLanguageServiceFactory.createLanguageService();
    service.setCapabilities({
      completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'], deprecatedSupport: true } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
    });
  }
  return service;
}


/**
 * Validator findings our own checks report under BuildKit's or the lab guidance's name, so the
 * same problem never shows twice: instruction casing (ConsistentInstructionCasing), duplicate
 * stage names (DuplicateStageName), empty continuation lines (NoEmptyContinuation), several
 * CMD/ENTRYPOINT/HEALTHCHECK (MultipleInstructionsDisallowed), MAINTAINER
 * (MaintainerDeprecated), relative WORKDIR (ML023).
 */
export const COVERED_VALIDATOR_CODES: ReadonlySet<number> = new Set([
  ValidationCode.CASING_INSTRUCTION, ValidationCode.DUPLICATE_BUILD_STAGE_NAME, ValidationCode.EMPTY_CONTINUATION_LINE,
  ValidationCode.MULTIPLE_INSTRUCTIONS, ValidationCode.DEPRECATED_MAINTAINER, ValidationCode.WORKDIR_IS_NOT_ABSOLUTE,
]);

const SETTINGS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.IGNORE,
  emptyContinuationLine: ValidationSeverity.IGNORE,
  instructionCasing: ValidationSeverity.IGNORE,
  instructionCmdMultiple: ValidationSeverity.IGNORE,
  instructionEntrypointMultiple: ValidationSeverity.IGNORE,
  instructionHealthcheckMultiple: ValidationSeverity.IGNORE,
  instructionWorkdirRelative: ValidationSeverity.IGNORE,
};

/**
 * dockerfile-utils' syntax diagnostics (unknown instructions, missing arguments, bad flags,
 * invalid ports, durations, JSON...), without those {@link COVERED_VALIDATOR_CODES} names.
 */
export function validateDockerfile(text: string): Diagnostic[] {
  return dockerfileService().validate(text, SETTINGS).filter((d) => typeof d.code !== 'number' || !COVERED_VALIDATOR_CODES.has(d.code));
}
