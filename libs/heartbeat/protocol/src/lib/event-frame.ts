/**
 * The text of an `event` frame (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event),
 * split around the two fields only the backplane knows: `seq` and `epoch`. A frame is
 * `before + seq + between + epoch + after`. The server's memory backplane joins the parts here; its
 * Redis backplane sends them to a Lua script, which joins them around the `seq` and `epoch` it
 * assigns. Both write the same bytes, from this one place.
 */
export interface EventFrameParts {
  readonly before: string;
  readonly between: string;
  readonly after: string;
}

/**
 * The parts of an event frame of `topic` carrying `data`, published at `timestamp` (ISO-8601).
 * `data` is serialized here, once: a value JSON has no text for (undefined, a function) goes out as
 * `null` (an event always has its `data` key); a BigInt or a cycle throws the TypeError of
 * `JSON.stringify`, before any `seq` is used.
 */
export function eventFrameParts(topic: string, data: unknown, timestamp: string): EventFrameParts {
  const dataJson = JSON.stringify(data) ?? 'null';
  return {
    before: `{"type":"event","topic":${JSON.stringify(topic)},"seq":`,
    between: ',"epoch":"',
    after: `","data":${dataJson},"timestamp":${JSON.stringify(timestamp)}}`,
  };
}

/**
 * Joins the parts around `seq` and `epoch`. An epoch is written as it is, between quotes: the
 * servers make epochs of letters, digits and `-` (no JSON escape needed), as the Lua script assumes.
 */
export function joinEventFrame(parts: EventFrameParts, seq: number, epoch: string): string {
  return parts.before + seq + parts.between + epoch + parts.after;
}
