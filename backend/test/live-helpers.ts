import { readEventStream, type LiveEventData } from '../../contract/event-stream';

/** Opens the event stream as the widget does (fetch with the session header) and collects what arrives until it ends. */
export async function openStream(url: string, auth: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events`, { headers: auth, signal: controller.signal });
  const events: { event: string; data: LiveEventData }[] = [];
  let ended = false;
  // The server ending the stream ends the read; so does aborting at close.
  const reading = readEventStream(response.body!, (event, data) => events.push({ event, data }))
    .catch(() => undefined)
    .finally(() => (ended = true));
  return {
    status: response.status,
    events,
    /** Whether the server ended the stream (or it was closed here). */
    ended: () => ended,
    async close() {
      controller.abort();
      await reading;
    },
  };
}
