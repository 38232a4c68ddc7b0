/**
 * What camera health measures on a grey picture (issue 16), pure and cheap:
 * a 32×32 area-averaged thumbnail (frozen-picture.ts compares two), the
 * variance of the Laplacian (sharpness: a lens out of focus or fogged loses
 * the fine edges it sums), and exposure (mean luminance, and the share of
 * pixels clipped black or white). Measured on the pictures here, at most
 * 256 px wide: good castings give a Laplacian variance of 125–435 and a
 * mean of 140–155; the same castings blurred (Gaussian σ = 2) give 11–25.
 */

/** A grey picture, one byte a pixel, row by row. */
export interface GreyPicture {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface PictureMeasures {
  /** Variance of the 4-neighbour Laplacian over the inner pixels: high when sharp. */
  readonly sharpness: number;
  /** Mean grey level, 0–255. */
  readonly luminance: number;
  /** Share of pixels at 0–2 or 253–255 (nothing can be seen in them). */
  readonly clipped: number;
}

export const THUMBNAIL_SIDE = 32;

/** The picture averaged down to 32×32 cells (each cell the mean of the pixels it covers). */
export function greyThumbnail(p: GreyPicture): Uint8Array {
  const out = new Uint8Array(THUMBNAIL_SIDE * THUMBNAIL_SIDE);
  for (let cy = 0; cy < THUMBNAIL_SIDE; cy++) {
    const y0 = Math.floor((cy * p.height) / THUMBNAIL_SIDE);
    const y1 = Math.max(y0 + 1, Math.floor(((cy + 1) * p.height) / THUMBNAIL_SIDE));
    for (let cx = 0; cx < THUMBNAIL_SIDE; cx++) {
      const x0 = Math.floor((cx * p.width) / THUMBNAIL_SIDE);
      const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * p.width) / THUMBNAIL_SIDE));
      let sum = 0;
      let n = 0;
      for (let y = y0; y < y1 && y < p.height; y++)
        for (let x = x0; x < x1 && x < p.width; x++) {
          sum += p.data[y * p.width + x]!;
          n++;
        }
      out[cy * THUMBNAIL_SIDE + cx] = n ? Math.round(sum / n) : 0;
    }
  }
  return out;
}

export function measurePicture(p: GreyPicture): PictureMeasures {
  const { data, width: w, height: h } = p;
  let sum = 0;
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum += v;
    if (v <= 2 || v >= 253) clipped++;
  }
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const l = data[i - 1]! + data[i + 1]! + data[i - w]! + data[i + w]! - 4 * data[i]!;
      lapSum += l;
      lapSq += l * l;
      n++;
    }
  }
  const lapMean = n ? lapSum / n : 0;
  return {
    sharpness: n ? lapSq / n - lapMean * lapMean : 0,
    luminance: data.length ? sum / data.length : 0,
    clipped: data.length ? clipped / data.length : 0,
  };
}
