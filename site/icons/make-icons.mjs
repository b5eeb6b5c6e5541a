// Draws icon-192.png and icon-512.png, the raster versions of icon.svg
// (same shapes), for the web app manifest: node site/icons/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const bg = [0x1f, 0x2a, 0x44], fg = [0xf3, 0xf5, 0xfb], accent = [0x6d, 0x8d, 0xff];
// Shapes in the SVG's 64-unit space, painted in order: [cx, cy, r, color, opacity].
const circles = [[28, 40, 13, fg, 1], [38, 25, 8, fg, 0.85], [45, 14, 4.5, fg, 0.7], [28, 40, 6, accent, 1]];

function pixel(x, y) { // x, y in [0, 64); maskable icons keep the background to the edge
  let c = [...bg];
  for (const [cx, cy, r, col, op] of circles) {
    if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) c = c.map((v, i) => v + (col[i] - v) * op);
  }
  return c;
}

function png(size) {
  const ss = 4; // supersampling per axis
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0];
      for (let j = 0; j < ss; j++) for (let i = 0; i < ss; i++) {
        const c = pixel(((x + (i + 0.5) / ss) * 64) / size, ((y + (j + 0.5) / ss) * 64) / size);
        for (let k = 0; k < 3; k++) sum[k] += c[k];
      }
      for (let k = 0; k < 3; k++) raw[y * (size * 3 + 1) + 1 + x * 3 + k] = Math.round(sum[k] / (ss * ss));
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

for (const size of [192, 512]) writeFileSync(new URL(`icon-${size}.png`, import.meta.url), png(size));
