/**
 * GPU requests as `docker run --gpus` writes them, and their Engine API shape.
 * Source: https://docs.docker.com/engine/containers/resource_constraints/#gpu and the CLI's
 * parser (docker/cli opts/gpus.go): `--gpus all`, `--gpus 2`, `--gpus '"device=0,1"'`.
 */
import { UserError } from '../errors';

/** Which GPUs a container gets: all of them, a number of them, or the listed device ids. */
export type GpuRequest =
  | { kind: 'all' }
  | { kind: 'count'; count: number }
  /** Device ids as `nvidia-smi -L` shows them: indexes ("0") or UUIDs ("GPU-3a23c669-..."). */
  | { kind: 'devices'; deviceIds: string[] };

/** One Engine API `HostConfig.DeviceRequests` entry. */
export interface EngineDeviceRequest {
  Driver: string;
  /** -1: all GPUs; 0 with DeviceIDs. */
  Count: number;
  DeviceIDs?: string[];
  Capabilities: string[][];
  Options: Record<string, string>;
}

const EXPECTED = 'expected all, a count such as 2, or device ids such as device=0,1';
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * Parses a GPU request. Forms (as `--gpus` takes them, plus the plain list a YAML user writes):
 * - `all` -> every GPU;
 * - `2`, `count=2` (or the YAML number 2) -> that many GPUs; `count=all` = `all`;
 * - `device=0,1`, `"device=0,1"` (the CLI's quoted form), `0,1` or `GPU-3a23c669-...` -> those devices.
 * A lone number is a count, not device 0: write `device=0` for the first GPU.
 *
 * @throws UserError naming the expected form for empty text, count 0 or negative, empty or
 *   malformed device ids, and other keys (`driver=`, `capabilities=`, `options=` are not supported).
 */
export function parseGpuRequest(spec: string | number): GpuRequest {
  const raw = typeof spec === 'number' ? String(spec) : spec.trim();
  const fail = (what: string): never => {
    throw new UserError(`GPUs "${raw}": ${what}; ${EXPECTED}.`);
  };
  let text = raw;
  // The CLI needs the quotes around "device=0,1" because its value is CSV; accept them.
  if (/^"[^"]*"$/.test(text) || /^'[^']*'$/.test(text)) text = text.slice(1, -1).trim();
  if (text === '') fail('the request is empty');
  if (text.toLowerCase() === 'all') return { kind: 'all' };
  const eq = text.indexOf('=');
  let key = '';
  let value = text;
  if (eq >= 0) {
    key = text.slice(0, eq).trim().toLowerCase();
    value = text.slice(eq + 1).trim();
  }
  if (key === 'count' || (key === '' && /^-?\d+$/.test(value))) {
    if (value.toLowerCase() === 'all') return { kind: 'all' };
    if (!/^-?\d+$/.test(value)) fail(`count "${value}" is not a number`);
    const count = Number(value);
    if (count < 1) fail(count === 0 ? 'a count of 0 requests no GPU (for the first GPU write device=0)' : 'the count cannot be negative');
    return { kind: 'count', count };
  }
  if (key !== '' && key !== 'device') fail(`"${key}=" is not supported`);
  const ids = value.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) fail('a device id is empty');
  for (const id of ids) if (!DEVICE_ID.test(id)) fail(`device id "${id}" is not valid`);
  if (new Set(ids).size !== ids.length) fail('a device id is listed twice');
  return { kind: 'devices', deviceIds: ids };
}

/**
 * Converts a request to `HostConfig.DeviceRequests`, exactly as `docker run --gpus` sends it:
 * `[{ Driver: '', Count: -1 (all) | n | 0 (with DeviceIDs), DeviceIDs?: [...],
 *   Capabilities: [['gpu']], Options: {} }]`.
 */
export function toDeviceRequests(req: GpuRequest): EngineDeviceRequest[] {
  const base = { Driver: '', Capabilities: [['gpu']], Options: {} };
  switch (req.kind) {
    case 'all':
      return [{ ...base, Count: -1 }];
    case 'count':
      return [{ ...base, Count: req.count }];
    case 'devices':
      return [{ ...base, Count: 0, DeviceIDs: [...req.deviceIds] }];
  }
}

/**
 * Formats a request as the `--gpus` value (unquoted): "all", "2", "device=0" or "\"device=0,1\""
 * (several ids need the double quotes, since the CLI reads the value as CSV).
 */
export function formatGpuRequest(req: GpuRequest): string {
  switch (req.kind) {
    case 'all':
      return 'all';
    case 'count':
      return String(req.count);
    case 'devices':
      return req.deviceIds.length === 1 ? `device=${req.deviceIds[0]}` : `"device=${req.deviceIds.join(',')}"`;
  }
}

/**
 * Reads an Engine API `DeviceRequests` list back into a GPU request (for "Copy docker run
 * command" on an existing container); undefined when it holds no GPU request.
 */
export function gpuRequestFromDeviceRequests(requests: unknown): GpuRequest | undefined {
  if (!Array.isArray(requests)) return undefined;
  for (const r of requests as Array<Record<string, unknown>>) {
    const caps = Array.isArray(r?.Capabilities) ? (r.Capabilities as unknown[]).flat() : [];
    if (!caps.includes('gpu') && r?.Driver !== 'nvidia') continue;
    const ids = Array.isArray(r.DeviceIDs) ? (r.DeviceIDs as unknown[]).map(String) : [];
    if (ids.length > 0) return { kind: 'devices', deviceIds: ids };
    const count = typeof r.Count === 'number' ? r.Count : 0;
    return count < 0 ? { kind: 'all' } : { kind: 'count', count: Math.max(count, 1) };
  }
  return undefined;
}
