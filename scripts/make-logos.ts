/**
 * Draws the Wabridge logo at every size Kommo asks for (reference/kommo-platform.md §1) and writes
 * images/*.png. Run it when the logo changes: `npx tsx scripts/make-logos.ts`. The PNGs are committed.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const sizes: Record<string, [number, number]> = {
  'logo_main.png': [400, 272],
  'logo_medium.png': [240, 84],
  'logo.png': [130, 100],
  'logo_small.png': [108, 108],
  'logo_min.png': [84, 84],
  'logo_dp.png': [174, 109],
};

const GREEN = [0x1f, 0xa8, 0x55];
const WHITE = [0xff, 0xff, 0xff];

/** A white speech bubble with a green bridge arch, centred on green, with a 10 px margin kept clear. */
function pixel(x: number, y: number, w: number, h: number): number[] {
  const r = Math.min(w, h) * 0.34;
  const cx = w / 2;
  const cy = h / 2 - r * 0.05;
  const dx = x - cx;
  const dy = y - cy;
  const inBubble = dx * dx + dy * dy <= r * r;
  const inTail = y > cy && y < cy + r * 1.05 && x < cx - r * 0.35 && x > cx - r * 0.95 && y - cy > (cx - x) * 0.9;
  if (!inBubble && !inTail) return GREEN;
  const archOuter = r * 0.55;
  const archInner = r * 0.35;
  const ay = cy + r * 0.3;
  const d = Math.hypot(x - cx, y - ay);
  const onArch = y <= ay && d <= archOuter && d >= archInner;
  const onDeck = Math.abs(y - ay) <= r * 0.08 && Math.abs(x - cx) <= r * 0.7;
  return onArch || onDeck ? GREEN : WHITE;
}

function png(w: number, h: number): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) raw.set(pixel(x + 0.5, y + 0.5, w, h), y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [name, [w, h]] of Object.entries(sizes)) writeFileSync(new URL(`../images/${name}`, import.meta.url), png(w, h));
