/**
 * Chromium's MediaRecorder records Opus only inside WebM; WhatsApp plays a voice note only as Opus in
 * Ogg (docs/decisions/029-voice-notes.md). The Opus packets are the same in both containers, so this
 * moves them from one to the other without decoding: WebM's SimpleBlocks become Ogg packets, the
 * track's OpusHead (or one made for it) the first page, then OpusTags, then the audio, each page's
 * granule position the samples decoded up to its last packet (RFC 7845).
 */

// The WebM masters whose children we read; every other element is skipped by its size.
const DESCEND = new Set([0x18538067 /* Segment */, 0x1f43b675 /* Cluster */, 0x1654ae6b /* Tracks */, 0xae /* TrackEntry */, 0xa0 /* BlockGroup */]);
const CODEC_ID = 0x86;
const CODEC_PRIVATE = 0x63a2;
const SIMPLE_BLOCK = 0xa3;
const BLOCK = 0xa1;

export class NotOpusInWebm extends Error {
  override readonly name = 'NotOpusInWebm';
}

/** An EBML variable-length integer at `at`: its value (the length marker removed unless `keepMarker`) and its length. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = bytes[at];
  if (first === undefined || first === 0) throw new NotOpusInWebm('not an EBML stream');
  const length = Math.clz32(first) - 23;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i];
    if (b === undefined) throw new NotOpusInWebm('truncated');
    value = value * 256 + b;
    if (b !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

/** The Opus packets of a WebM recording (its first track), and the OpusHead it declares. */
export function opusPacketsOfWebm(bytes: Uint8Array): { head: Uint8Array | null; packets: Uint8Array[] } {
  let codec = '';
  let head: Uint8Array | null = null;
  const packets: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const id = vint(bytes, at, true);
    const size = vint(bytes, at + id.length, false);
    const start = at + id.length + size.length;
    if (DESCEND.has(id.value)) {
      at = start; // its children follow inline (a live recording leaves the size unknown)
      continue;
    }
    if (size.unknown) throw new NotOpusInWebm('an element of unknown size');
    const end = Math.min(bytes.length, start + size.value);
    if (id.value === CODEC_ID) codec = new TextDecoder().decode(bytes.subarray(start, end));
    else if (id.value === CODEC_PRIVATE) head = bytes.slice(start, end);
    else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
      const track = vint(bytes, start, false);
      // track number, 16-bit timecode, flags; then the frame (MediaRecorder does not lace Opus).
      const frame = bytes.subarray(start + track.length + 3, end);
      if (track.value === 1 && frame.length) packets.push(frame.slice());
    }
    at = end;
  }
  if (codec && codec !== 'A_OPUS') throw new NotOpusInWebm(`the recording is ${codec}, not Opus`);
  if (!packets.length) throw new NotOpusInWebm('no audio in the recording');
  return { head, packets };
}

/** Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte (RFC 6716 §3.1). */
export function opusSamples(packet: Uint8Array): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  const tenths = config < 12 ? [100, 200, 400, 600][config % 4]! : config < 16 ? [100, 200][config % 2]! : [25, 50, 100, 200][config % 4]!;
  const count = toc & 3;
  const frames = count === 0 ? 1 : count === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return (frames * tenths * 48) / 10;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, initial 0). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

function page(packets: Uint8Array[], o: { serial: number; sequence: number; granule: number; first: boolean; last: boolean }): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let n = p.length; ; n -= 255) {
      lacing.push(Math.min(n, 255));
      if (n < 255) break;
    }
  }
  const body = packets.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(27 + lacing.length + body);
  const view = new DataView(out.buffer);
  out.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
  out[5] = (o.first ? 2 : 0) | (o.last ? 4 : 0);
  view.setUint32(6, o.granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(o.granule / 2 ** 32), true);
  view.setUint32(14, o.serial, true);
  view.setUint32(18, o.sequence, true);
  out[26] = lacing.length;
  out.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    out.set(p, at);
    at += p.length;
  }
  view.setUint32(22, oggCrc(out), true);
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** An OpusHead for a mono 48 kHz stream, when the WebM track did not carry one. */
function defaultHead(): Uint8Array {
  const head = new Uint8Array(19);
  head.set(ascii('OpusHead'));
  head[8] = 1; // version
  head[9] = 1; // channels
  new DataView(head.buffer).setUint16(10, 312, true); // pre-skip (what libopus encoders use)
  new DataView(head.buffer).setUint32(12, 48_000, true);
  return head;
}

/** Opus in WebM (as Chromium records it) → Opus in Ogg (as WhatsApp plays a voice note). */
export function webmToOgg(webm: Uint8Array, serial = 0x57a8b71d): Uint8Array {
  const { head, packets } = opusPacketsOfWebm(webm);
  const opusHead = head && new TextDecoder().decode(head.subarray(0, 8)) === 'OpusHead' ? head : defaultHead();
  const vendor = ascii('Wabridge');
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  tags.set(ascii('OpusTags'));
  new DataView(tags.buffer).setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  const pages = [
    page([opusHead], { serial, sequence: 0, granule: 0, first: true, last: false }),
    page([tags], { serial, sequence: 1, granule: 0, first: false, last: false }),
  ];
  // About a second of audio per page (50 packets of 20 ms), within the 255 lacing values a page holds.
  let granule = 0;
  let batch: Uint8Array[] = [];
  let laces = 0;
  packets.forEach((p, i) => {
    const needed = Math.floor(p.length / 255) + 1;
    if (batch.length && (laces + needed > 255 || batch.length === 50)) {
      pages.push(page(batch, { serial, sequence: pages.length, granule, first: false, last: false }));
      batch = [];
      laces = 0;
    }
    batch.push(p);
    laces += needed;
    granule += opusSamples(p);
    if (i === packets.length - 1) pages.push(page(batch, { serial, sequence: pages.length, granule, first: false, last: true }));
  });
  const out = new Uint8Array(pages.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pages) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
