/**
 * Engine events (`GET /events`), the views' signal to refresh.
 */
import type * as DockerodeNs from 'dockerode';
import { EngineBase } from './connection';
import type { EngineEvent } from '../core/engineTypes';


/** The event stream of {@link Engine}. */
export abstract class EventsApi extends EngineBase {
  /**
   * Subscribes to engine events (`GET /events`) for containers, images, volumes and networks.
   * Resolves when the stream ends (engine stopped) or `signal` aborts; callers reconnect.
   * @param onOpen called once the subscription is open: changes made before then are in no
   *   stream, so a caller that lists again there misses nothing between two subscriptions
   */
  async events(onEvent: (e: EngineEvent) => void, signal: AbortSignal, onOpen?: () => void): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker().getEvents({
        filters: { type: ['container', 'image', 'volume', 'network'] },
        abortSignal: signal,
      } as DockerodeNs.GetEventsOptions)) as NodeJS.ReadableStream;
    } catch (err) {
      throw this.mapError('subscribe to engine events', err, signal);
    }
    // Subscribed: what changed before this moment is not in the stream (the caller lists again now).
    onOpen?.();
    // A host gone without closing the connection ends the subscription, so the caller reconnects.
    await this.followLines(stream, 'The engine event stream', (line) => {
      try {
        const e = JSON.parse(line) as { Type: string; Action: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
        onEvent({
          type: e.Type,
          action: e.Action,
          // Podman leaves Actor.ID empty for volume events and names the volume in Attributes.name.
          id: e.Actor?.ID || (e.Type === 'volume' ? (e.Actor?.Attributes?.name ?? '') : ''),
          time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
          attributes: e.Actor?.Attributes ?? {},
        });
      } catch {
        // a partial or foreign line: skip it, the next refresh lists the truth anyway
      }
    }, signal);
  }
}
