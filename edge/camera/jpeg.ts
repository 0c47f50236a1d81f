// Baseline JPEG (JFIF, YCbCr 4:2:0) in plain TypeScript for thumbnails and snapshots. libvips
// (sharp) cost the agent ~20 MB of RSS for pictures of a few KB; this costs nothing while idle.
// Huffman tables are built for each picture from its own symbol counts (ITU T.81 Annex K.2), as
// libjpeg's optimize_coding does, which saves ~8 % over the example tables of Annex K.3.

// Annex K.1 quantisation tables, natural order, scaled by quality as libjpeg does.
const LUMA_QT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];
/** ZIGZAG[k] = natural index of the k-th coefficient in zig-zag order. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22,
  15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
// Scale factors of the AAN fast DCT.
const AAN = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

function scaledTable(base: readonly number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Uint8Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** Multipliers that turn the AAN DCT output into quantised coefficients (natural order). */
function divisors(table: Uint8Array): Float64Array {
  const out = new Float64Array(64);
  for (let row = 0; row < 8; row++) for (let col = 0; col < 8; col++) out[row * 8 + col] = 1 / (table[row * 8 + col]! * AAN[row]! * AAN[col]! * 8);
  return out;
}

/** In-place forward DCT of one 8×8 block (AAN), then quantisation into `out` in zig-zag order. */
function transform(block: Float64Array, div: Float64Array, out: Int32Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const step = pass === 0 ? 1 : 8;
    const stride = pass === 0 ? 8 : 1;
    for (let i = 0; i < 8; i++) {
      const o = i * stride;
      const d0 = block[o]!,
        d1 = block[o + step]!,
        d2 = block[o + 2 * step]!,
        d3 = block[o + 3 * step]!;
      const d4 = block[o + 4 * step]!,
        d5 = block[o + 5 * step]!,
        d6 = block[o + 6 * step]!,
        d7 = block[o + 7 * step]!;
      const t0 = d0 + d7,
        t7 = d0 - d7,
        t1 = d1 + d6,
        t6 = d1 - d6,
        t2 = d2 + d5,
        t5 = d2 - d5,
        t3 = d3 + d4,
        t4 = d3 - d4;
      let t10 = t0 + t3;
      const t13 = t0 - t3;
      let t11 = t1 + t2;
      let t12 = t1 - t2;
      block[o] = t10 + t11;
      block[o + 4 * step] = t10 - t11;
      const z1 = (t12 + t13) * 0.707106781;
      block[o + 2 * step] = t13 + z1;
      block[o + 6 * step] = t13 - z1;
      t10 = t4 + t5;
      t11 = t5 + t6;
      t12 = t6 + t7;
      const z5 = (t10 - t12) * 0.382683433;
      const z2 = 0.5411961 * t10 + z5;
      const z4 = 1.306562965 * t12 + z5;
      const z3 = t11 * 0.707106781;
      const z11 = t7 + z3;
      const z13 = t7 - z3;
      block[o + 5 * step] = z13 + z2;
      block[o + 3 * step] = z13 - z2;
      block[o + step] = z11 + z4;
      block[o + 7 * step] = z11 - z4;
    }
  }
  for (let k = 0; k < 64; k++) {
    const n = ZIGZAG[k]!;
    out[k] = Math.round(block[n]! * div[n]!);
  }
}

/** Bits needed for a coefficient's magnitude (its JPEG "category"). */
function category(v: number): number {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a > 0) {
    n++;
    a >>= 1;
  }
  return n;
}

/** One component's blocks as Huffman symbols: (symbol, extra-bit count, value) triples. */
interface SymbolStream {
  triples: Int32Array;
  /** Index of each block's first triple; one more entry for the end. */
  starts: Int32Array;
}

function symbolStream(blocks: readonly Int32Array[]): SymbolStream {
  const out: number[] = [];
  const starts = new Int32Array(blocks.length + 1);
  let previousDc = 0;
  blocks.forEach((q, b) => {
    starts[b] = out.length / 3;
    const diff = q[0]! - previousDc;
    previousDc = q[0]!;
    const dcSize = category(diff);
    out.push(dcSize, dcSize, diff);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const v = q[k]!;
      if (v === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) out.push(0xf0, 0, 0);
      const size = category(v);
      out.push((run << 4) | size, size, v);
      run = 0;
    }
    if (run > 0) out.push(0x00, 0, 0);
  });
  starts[blocks.length] = out.length / 3;
  return { triples: Int32Array.from(out), starts };
}

interface HuffmanTable {
  /** Count of codes of each length 1..16. */
  bits: number[];
  /** Symbols ordered by code length. */
  values: number[];
  code: Int32Array;
  length: Int32Array;
}

/** Code lengths limited to 16 bits from symbol counts (T.81 Annex K.2, figures K.1–K.3). */
function buildTable(freq: Float64Array): HuffmanTable {
  const f = Array.from(freq);
  f[256] = 1; // reserved so that no code is all ones
  const size = new Array<number>(257).fill(0);
  const others = new Array<number>(257).fill(-1);
  for (;;) {
    let c1 = -1,
      c2 = -1;
    for (let i = 0; i < 257; i++) if (f[i]! > 0 && (c1 < 0 || f[i]! <= f[c1]!)) c1 = i;
    for (let i = 0; i < 257; i++) if (f[i]! > 0 && i !== c1 && (c2 < 0 || f[i]! <= f[c2]!)) c2 = i;
    if (c2 < 0) break;
    f[c1]! += f[c2]!;
    f[c2] = 0;
    size[c1]!++;
    while (others[c1]! >= 0) {
      c1 = others[c1]!;
      size[c1]!++;
    }
    others[c1] = c2;
    size[c2]!++;
    while (others[c2]! >= 0) {
      c2 = others[c2]!;
      size[c2]!++;
    }
  }
  const bits = new Array<number>(33).fill(0);
  for (let i = 0; i < 257; i++) if (size[i]! > 0) bits[size[i]!]!++;
  for (let i = 32; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i]! -= 2;
      bits[i - 1]!++;
      bits[j + 1]! += 2;
      bits[j]!--;
    }
  }
  let longest = 16;
  while (bits[longest] === 0) longest--;
  bits[longest]!--; // drop the reserved symbol
  const values: number[] = [];
  for (let len = 1; len <= 32; len++) for (let s = 0; s < 256; s++) if (size[s] === len) values.push(s);
  const table: HuffmanTable = { bits: bits.slice(1, 17), values, code: new Int32Array(256), length: new Int32Array(256) };
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let n = 0; n < table.bits[len - 1]!; n++) {
      table.code[values[k]!] = code++;
      table.length[values[k]!] = len;
      k++;
    }
    code <<= 1;
  }
  return table;
}

class BitWriter {
  private out = new Uint8Array(4096);
  private length = 0;
  private acc = 0;
  private count = 0;

  raw(...values: number[]): void {
    for (const v of values) this.push(v & 0xff);
  }

  bits(value: number, length: number): void {
    // At most 16 bits at a time onto fewer than 8 pending: stays within 24 bits.
    this.acc = (this.acc << length) | (value & ((1 << length) - 1));
    this.count += length;
    while (this.count >= 8) {
      this.count -= 8;
      const byte = (this.acc >> this.count) & 0xff;
      this.push(byte);
      if (byte === 0xff) this.push(0); // byte stuffing
    }
    this.acc &= (1 << this.count) - 1;
  }

  /** Pads the last byte with ones (T.81 F.1.2.3). */
  flush(): void {
    if (this.count > 0) this.bits((1 << (8 - this.count)) - 1, 8 - this.count);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.out.subarray(0, this.length));
  }

  private push(byte: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }
}

/** Encodes packed RGB as a baseline JPEG at the given quality (1–100, libjpeg's scale). */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality: number): Buffer {
  if (width < 1 || height < 1 || rgb.length < width * height * 3) throw new RangeError(`no ${width}×${height} RGB picture in ${rgb.length} bytes`);
  const lumaQt = scaledTable(LUMA_QT, quality);
  const chromaQt = scaledTable(CHROMA_QT, quality);
  const lumaDiv = divisors(lumaQt);
  const chromaDiv = divisors(chromaQt);
  const y: Int32Array[] = [];
  const cb: Int32Array[] = [];
  const cr: Int32Array[] = [];
  const block = new Float64Array(64);
  const cbBlock = new Float64Array(64);
  const crBlock = new Float64Array(64);
  const lastX = width - 1;
  const lastY = height - 1;
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16) {
      // Four luma blocks, then one Cb and one Cr block from 2×2 averages (4:2:0); pixels past
      // the picture's edge repeat the last row or column.
      for (let b = 0; b < 4; b++) {
        const bx = mx + (b & 1) * 8;
        const by = my + (b >> 1) * 8;
        for (let j = 0; j < 64; j++) {
          const p = (Math.min(by + (j >> 3), lastY) * width + Math.min(bx + (j & 7), lastX)) * 3;
          block[j] = 0.299 * rgb[p]! + 0.587 * rgb[p + 1]! + 0.114 * rgb[p + 2]! - 128;
        }
        const out = new Int32Array(64);
        transform(block, lumaDiv, out);
        y.push(out);
      }
      for (let j = 0; j < 64; j++) {
        const x0 = mx + 2 * (j & 7);
        const y0 = my + 2 * (j >> 3);
        const xa = Math.min(x0, lastX),
          xb = Math.min(x0 + 1, lastX);
        const ya = Math.min(y0, lastY) * width,
          yb = Math.min(y0 + 1, lastY) * width;
        const p1 = (ya + xa) * 3,
          p2 = (ya + xb) * 3,
          p3 = (yb + xa) * 3,
          p4 = (yb + xb) * 3;
        const r = (rgb[p1]! + rgb[p2]! + rgb[p3]! + rgb[p4]!) / 4;
        const g = (rgb[p1 + 1]! + rgb[p2 + 1]! + rgb[p3 + 1]! + rgb[p4 + 1]!) / 4;
        const bl = (rgb[p1 + 2]! + rgb[p2 + 2]! + rgb[p3 + 2]! + rgb[p4 + 2]!) / 4;
        cbBlock[j] = -0.168736 * r - 0.331264 * g + 0.5 * bl;
        crBlock[j] = 0.5 * r - 0.418688 * g - 0.081312 * bl;
      }
      const qcb = new Int32Array(64);
      const qcr = new Int32Array(64);
      transform(cbBlock, chromaDiv, qcb);
      transform(crBlock, chromaDiv, qcr);
      cb.push(qcb);
      cr.push(qcr);
    }
  }
  // Each component keeps its own DC prediction; luma uses tables 0, both chroma tables 1.
  const streams = [symbolStream(y), symbolStream(cb), symbolStream(cr)];
  const freq = [0, 1, 2, 3].map(() => new Float64Array(257)); // DC luma, AC luma, DC chroma, AC chroma
  streams.forEach((stream, ci) => {
    const dc = freq[ci === 0 ? 0 : 2]!;
    const ac = freq[ci === 0 ? 1 : 3]!;
    for (let b = 0; b + 1 < stream.starts.length; b++) {
      const first = stream.starts[b]!;
      dc[stream.triples[first * 3]!]!++;
      for (let i = first + 1; i < stream.starts[b + 1]!; i++) ac[stream.triples[i * 3]!]!++;
    }
  });
  const tables = freq.map(buildTable);

  const w = new BitWriter();
  w.raw(0xff, 0xd8);
  w.raw(0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0); // JFIF 1.1, no density, no thumbnail
  for (const [id, table] of [
    [0, lumaQt],
    [1, chromaQt],
  ] as const) {
    w.raw(0xff, 0xdb, 0, 67, id);
    for (let k = 0; k < 64; k++) w.raw(table[ZIGZAG[k]!]!);
  }
  w.raw(0xff, 0xc0, 0, 17, 8, height >> 8, height, width >> 8, width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  for (const [index, klass, id] of [
    [0, 0, 0],
    [1, 1, 0],
    [2, 0, 1],
    [3, 1, 1],
  ] as const) {
    const t = tables[index]!;
    const length = 2 + 1 + 16 + t.values.length;
    w.raw(0xff, 0xc4, length >> 8, length, (klass << 4) | id, ...t.bits, ...t.values);
  }
  w.raw(0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0);
  for (let m = 0; m < cb.length; m++) {
    for (let b = 0; b < 4; b++) writeBlock(w, streams[0]!, 4 * m + b, tables[0]!, tables[1]!);
    writeBlock(w, streams[1]!, m, tables[2]!, tables[3]!);
    writeBlock(w, streams[2]!, m, tables[2]!, tables[3]!);
  }
  w.flush();
  w.raw(0xff, 0xd9);
  return w.toBuffer();
}

/** Writes one block's symbols: its DC difference, then its AC runs. */
function writeBlock(w: BitWriter, stream: SymbolStream, block: number, dc: HuffmanTable, ac: HuffmanTable): void {
  const { triples } = stream;
  for (let i = stream.starts[block]!; i < stream.starts[block + 1]!; i++) {
    const symbol = triples[i * 3]!;
    const size = triples[i * 3 + 1]!;
    const value = triples[i * 3 + 2]!;
    const table = i === stream.starts[block] ? dc : ac;
    w.bits(table.code[symbol]!, table.length[symbol]!);
    if (size > 0) w.bits(value < 0 ? value + (1 << size) - 1 : value, size);
  }
}
