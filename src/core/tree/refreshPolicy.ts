/**
 * When the views refresh after engine events. Microsoft's Container Tools refreshes 500 ms
 * after the last event; we refresh 50 ms after the last event of a burst (`docker run` sends
 * create, network connect and start within a few ms), so the tree is current within 100 ms of
 * the last event with a list call of about 30 ms (300 containers, ../shared/environment.md).
 */
export const REFRESH_DEBOUNCE_MS = 50;
/**
 * Longest a refresh waits while events keep coming less than {@link REFRESH_DEBOUNCE_MS} apart
 * (containers created and removed in a loop, a compose project starting): the views then
 * refresh at least this often instead of waiting for the stream to go quiet.
 */
export const REFRESH_MAX_WAIT_MS = 500;
/** fallback poll while a view is visible, for events lost while the stream reconnects */
export const FALLBACK_POLL_MS = 30_000;
/** cap of the reconnect delay when the event stream keeps dropping (doubling from 1 s) */
export const MAX_RECONNECT_BACKOFF_MS = 30_000;
/**
 * cap of that delay for an engine on a local socket: a failed connect to a socket costs next to
 * nothing, and a person who has just started Docker (the welcome content tells them how) expects
 * the views back within a moment, not after up to 30 s
 */
export const LOCAL_RECONNECT_BACKOFF_MS = 2_000;

/**
 * The container an engine event is only about, or undefined when it may change more than one
 * container's row (an image, a new network or volume...): a container's own events, and a
 * network's connect/disconnect or a volume's mount/unmount of a container (`docker run` sends
 * `network connect` between `create` and `start`), which change only what that container's row
 * and the "used by" columns show. Moby's events carry the container id in Actor.Attributes.container
 * for those.
 */
export function containerOfEvent(e: { type: string; action: string; id: string; attributes: Record<string, string> }): string | undefined {
  if (e.type === 'container') return e.id || undefined;
  if ((e.type === 'network' && (e.action === 'connect' || e.action === 'disconnect')) || (e.type === 'volume' && (e.action === 'mount' || e.action === 'unmount'))) {
    return e.attributes.container || undefined;
  }
  return undefined;
}
