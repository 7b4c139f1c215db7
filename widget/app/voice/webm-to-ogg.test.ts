import { describe, expect, it } from 'vitest';
import { NotOpusInWebm, oggCrc, opusSamples, webmToOgg } from './webm-to-ogg';

const bytes = (...parts: (number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** An EBML element: id bytes, a size (8-byte form, or unknown), its content. */
const el = (id: number[], content: Uint8Array | number[], unknownSize = false) => {
  const c = Uint8Array.from(content);
  const size = unknownSize
    ? [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    : [0x01, 0, 0, 0, 0, (c.length >> 16) & 0xff, (c.length >> 8) & 0xff, c.length & 0xff];
  return bytes(id, size, c);
};
const text = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const opusHead = bytes(text('OpusHead'), [1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);
/** A 20 ms CELT packet (config 31, one frame) of `n` bytes. */
const packet = (n: number, fill: number) => bytes([31 << 3], new Array(n - 1).fill(fill));
const simpleBlock = (p: Uint8Array) => el([0xa3], bytes([0x81, 0, 0, 0x80], p));

/** A recording as Chromium's MediaRecorder writes it: Segment and Cluster of unknown size. */
function webm(packets: Uint8Array[]) {
  const header = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], text('webm')));
  const tracks = el([0x16, 0x54, 0xae, 0x6b], el([0xae], bytes(el([0xd7], [1]), el([0x86], text('A_OPUS')), el([0x63, 0xa2], opusHead))));
  const cluster = bytes([0x1f, 0x43, 0xb6, 0x75], [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], el([0xe7], [0]), ...packets.map(simpleBlock));
  return bytes(
    header,
    [0x18, 0x53, 0x80, 0x67],
    [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    el([0x15, 0x49, 0xa9, 0x66], [0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40]),
    tracks,
    cluster,
  );
}

/** Reads Ogg pages back: flags, granule, checksum check, and the packets (joined across lacing). */
function readOgg(ogg: Uint8Array) {
  const pages: { flags: number; granule: number; sequence: number; crcOk: boolean; packets: Uint8Array[] }[] = [];
  let at = 0;
  while (at < ogg.length) {
    expect(String.fromCharCode(...ogg.subarray(at, at + 4))).toBe('OggS');
    const view = new DataView(ogg.buffer, ogg.byteOffset + at);
    const count = ogg[at + 26]!;
    const lacing = [...ogg.subarray(at + 27, at + 27 + count)];
    const length = 27 + count + lacing.reduce((a, b) => a + b, 0);
    const copy = ogg.slice(at, at + length);
    copy.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let data = at + 27 + count;
    let current: number[] = [];
    for (const l of lacing) {
      current.push(...ogg.subarray(data, data + l));
      data += l;
      if (l < 255) {
        packets.push(Uint8Array.from(current));
        current = [];
      }
    }
    pages.push({
      flags: ogg[at + 5]!,
      granule: view.getUint32(6, true) + view.getUint32(10, true) * 2 ** 32,
      sequence: view.getUint32(18, true),
      crcOk: oggCrc(copy) === view.getUint32(22, true),
      packets,
    });
    at += length;
  }
  return pages;
}

describe('a voice note recorded as WebM, sent as Ogg', () => {
  it('when Chromium recorded Opus in WebM, then the same packets come out as Ogg pages: OpusHead, OpusTags, then the audio with granule positions and valid checksums', () => {
    // 60 packets of 20 ms (1.2 s), one of them longer than 255 bytes (two lacing values).
    const packets = Array.from({ length: 60 }, (_, i) => packet(i === 7 ? 300 : 40 + (i % 5), i));
    const pages = readOgg(webmToOgg(webm(packets)));
    expect(pages.every((p) => p.crcOk)).toBe(true);
    expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
    expect(pages[0]!.flags).toBe(2); // beginning of stream
    expect(pages[0]!.packets).toEqual([opusHead]);
    expect(String.fromCharCode(...pages[1]!.packets[0]!.subarray(0, 8))).toBe('OpusTags');
    expect(pages.at(-1)!.flags).toBe(4); // end of stream
    expect(pages.slice(2).flatMap((p) => p.packets)).toEqual(packets);
    // 50 packets on the first audio page (1 s = 48 000 samples), the last 10 on the next.
    expect(pages.slice(2).map((p) => [p.packets.length, p.granule])).toEqual([
      [50, 48_000],
      [10, 57_600],
    ]);
  });

  it('when an Opus packet holds several frames, then its samples count each frame', () => {
    expect(opusSamples(Uint8Array.from([(31 << 3) | 0]))).toBe(960); // 20 ms CELT
    expect(opusSamples(Uint8Array.from([(1 << 3) | 1]))).toBe(1920); // two 20 ms SILK frames
    expect(opusSamples(Uint8Array.from([(16 << 3) | 3, 4]))).toBe(480); // four 2.5 ms CELT frames
  });

  it('when the recording is not Opus, then it is refused rather than sent as something WhatsApp cannot play', () => {
    const vorbis = bytes(
      el([0x1a, 0x45, 0xdf, 0xa3], []),
      el([0x16, 0x54, 0xae, 0x6b], el([0xae], el([0x86], text('A_VORBIS')))),
      el([0xa3], bytes([0x81, 0, 0, 0x80], [1, 2, 3])),
    );
    expect(() => webmToOgg(vorbis)).toThrow(NotOpusInWebm);
    expect(() => webmToOgg(text('not a recording'))).toThrow(NotOpusInWebm);
  });
});
