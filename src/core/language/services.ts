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
import { DockerfileLanguageServiceFactory, type DockerfileLanguageService } from 'dockerfile-language-service';
import { ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { Diagnostic } from 'vscode-languageserver-protocol';

export { ComposeHost, type ComposeDiagnostics } from './compose';

let service: DockerfileLanguageService | undefined;

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
