/**
 * The quick fix for an image without debugpy: a `RUN pip install` line in the Dockerfile stage
 * the profile builds. Chosen over copying a local debugpy into the container: debugpy ships
 * compiled parts per Python version and platform, so a copy from the machine running VS Code
 * (often macOS or Windows, another Python) would not run in a Linux image, and the line in the
 * Dockerfile makes every later debug run work, on any engine.
 */
import type { TextEdit } from '../dockerfile/types';
import { buildModel, runInvocations, type Stage } from '../dockerfile/model';
import { pipInstall } from '../dockerfile/commands';

export const DEBUGPY_RUN_LINE = 'RUN pip install --no-cache-dir debugpy';

/**
 * Where to add `RUN pip install --no-cache-dir debugpy` (with a comment line above it): in the
 * stage named by `target`, else the last stage; after its last `pip install` line, else before
 * its first `USER` (installing needs root), else at the stage's end.
 * @returns a text edit inserting whole lines (0-based), and the stage's name for messages
 *   ('' for an unnamed stage); undefined when the Dockerfile has no FROM or already installs debugpy there
 */
export function addDebugpyEdit(dockerfileText: string, target?: string): { edit: TextEdit; stage: string } | undefined {
  const model = buildModel(dockerfileText);
  if (model.stages.length === 0) return undefined;
  const stage: Stage = (target && model.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase())) || model.stages[model.stages.length - 1];
  if (stage.instructions.some((i) => i.keyword === 'RUN' && /\bpip\d*(\.\d+)?\b.*\binstall\b.*\bdebugpy\b/.test(i.line.text))) return undefined;
  const pipLines = stage.instructions.filter((i) => i.keyword === 'RUN' && runInvocations(i).some((inv) => pipInstall(inv) !== null));
  const user = stage.instructions.find((i) => i.keyword === 'USER');
  const last = stage.instructions[stage.instructions.length - 1] ?? stage.from;
  let line: number;
  if (pipLines.length) line = pipLines[pipLines.length - 1].endLine + 1;
  else if (user) line = user.startLine;
  else line = last.endLine + 1;
  const atEnd = line >= model.lines.length;
  const text = `# debugpy: the debugger "ML Lab: Debug Profile..." runs the script under\n${DEBUGPY_RUN_LINE}\n`;
  const needsBreak = atEnd && !dockerfileText.endsWith('\n') && dockerfileText.length > 0;
  const pos = atEnd ? { line: model.lines.length - 1, character: model.lines[model.lines.length - 1].length } : { line, character: 0 };
  return { edit: { range: { start: pos, end: pos }, newText: needsBreak ? `\n${text}` : text }, stage: stage.name ?? '' };
}
