/**
 * Human-readable sizes, ages and ids, as the Docker CLI shows them (`docker images`,
 * `docker ps`). Source: github.com/docker/go-units (HumanSize, HumanDuration).
 */

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * Formats a byte count with decimal units (1 kB = 1000 bytes) and 3 significant digits, as
 * `docker images` does, with a space for readability: 957000000 -> "957 MB",
 * 1234567890 -> "1.23 GB", 512 -> "512 B". A value that rounds to 1000 moves up a unit
 * ("1 MB", where go-units would print "1e+03kB").
 * @param bytes size in bytes; negative or non-finite values (the engine's "unknown") give "unknown".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let rounded = Number(value.toPrecision(3));
  if (rounded >= 1000 && unit < SIZE_UNITS.length - 1) {
    rounded = Number((rounded / 1000).toPrecision(3));
    unit++;
  }
  return `${rounded} ${SIZE_UNITS[unit]}`;
}

/**
 * Formats how long ago `fromMs` was, with go-units HumanDuration's steps, lower-cased:
 * "less than a second ago", "5 seconds ago", "about a minute ago", "3 minutes ago",
 * "about an hour ago", "5 hours ago" (up to 48), "3 days ago" (up to 2 weeks), "3 weeks ago"
 * (up to 2 months), "5 months ago" (up to 2 years), "3 years ago".
 * @param fromMs, nowMs epoch milliseconds; a future `fromMs` (clock skew) counts as now.
 */
export function formatAge(fromMs: number, nowMs: number): string {
  const ms = Math.max(0, nowMs - fromMs);
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(ms / 3_600_000 + 0.5); // go-units rounds hours
  let text: string;
  if (seconds < 1) text = 'less than a second';
  else if (seconds === 1) text = '1 second';
  else if (seconds < 60) text = `${seconds} seconds`;
  else if (minutes === 1) text = 'about a minute';
  else if (minutes < 60) text = `${minutes} minutes`;
  else if (hours === 1) text = 'about an hour';
  else if (hours < 48) text = `${hours} hours`;
  else if (hours < 24 * 7 * 2) text = `${Math.floor(hours / 24)} days`;
  else if (hours < 24 * 30 * 2) text = `${Math.floor(hours / 24 / 7)} weeks`;
  else if (hours < 24 * 365 * 2) text = `${Math.floor(hours / 24 / 30)} months`;
  else text = `${Math.floor(Math.floor(ms / 3_600_000) / 24 / 365)} years`;
  return `${text} ago`;
}

/** The 12-character short id Docker shows: "sha256:c2ce58fbf46c..." -> "c2ce58fbf46c". */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  return hex.slice(0, 12);
}
