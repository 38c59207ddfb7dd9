/**
 * Pure rules behind the walkthrough's context keys (src/ui/walkthrough/walkthrough.ts sets them).
 */
import * as path from 'node:path';
import { isDockerfileName } from '../build/dockerfiles';

/**
 * Whether a container counts for the step "Run with a port and the artifacts volume": it has a
 * published port (a serving lab) or a mount whose container path ends in `/artifacts` (a
 * training lab's metrics folder).
 * @param c from `GET /containers/{id}/json`: `HostConfig.PortBindings` and `Mounts[].Destination`
 */
export function countsAsLabRun(c: { portBindings: Record<string, unknown[] | null>; mountDestinations: string[] }): boolean {
  const published = Object.values(c.portBindings).some((b) => Array.isArray(b) && b.length > 0);
  return published || c.mountDestinations.some((d) => /\/artifacts\/?$/.test(d));
}

/**
 * Whether the lab-guidance findings of a document went down: `before` and `after` are the
 * counts of our diagnostics for the same document (undefined before it was first linted).
 */
export function findingFixed(before: number | undefined, after: number): boolean {
  return before !== undefined && after < before;
}

/** Whether a saved file is a Dockerfile (`Dockerfile`, `train.dockerfile`, `Containerfile`...). */
export function isDockerfilePath(file: string): boolean {
  return isDockerfileName(path.basename(file));
}

/** Whether an opened file is a lab's metrics file (`metrics.json`, usually under artifacts/). */
export function isMetricsFile(file: string): boolean {
  return path.basename(file) === 'metrics.json';
}
