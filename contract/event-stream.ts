/** What one Server-Sent Event of `GET /api/v1/events` carries. */
export interface LiveEventData {
  conversationId?: string;
  messageId?: string;
  broadcastId?: string;
}

/**
 * Reads a Server-Sent Events body and calls `onEvent` for each `event:` / `data:` block until the
 * stream ends (the widget and the tests both read the live stream this way).
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (type: string, data: LiveEventData) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type && data) onEvent(type, JSON.parse(data));
    }
  }
}
