/**
 * Blur and exposure (issue 16): a camera that lost focus, fogged, or whose
 * light failed or flooded still sends pictures and the model still answers,
 * on pictures unlike the ones it was taught and checked on. Each sampled
 * picture's measures (picture-measures.ts) go into a short window; its
 * median is held to the camera's own reference — the median sharpness of the
 * first pictures this station saw — and to fixed exposure limits. Medians,
 * because items differ: one plain part is not a blurred lens.
 *
 * These are warnings (the picture is still a picture of the item, and the
 * model still decides on it); a frozen camera is the alarm with the
 * fail-safe (frozen-picture.ts).
 */
import type { PictureHealthConfig } from '../../shared/source-config';
import type { PictureMeasures } from './picture-measures';

/** A reference sharpness below this is a scene with no edges to lose (a plain belt): blur is not judged. */
const MIN_REFERENCE_SHARPNESS = 5;
/** The way back is a little past the limit, so a window on the edge does not raise and clear in turn. */
const CLEAR_MARGIN = 1.25;
const LUMINANCE_MARGIN = 5;

export interface PictureQualityState {
  readonly blurred: string | null;
  readonly exposure: string | null;
}

export interface PictureQualityFigures {
  /** Median sharpness of the first pictures; null while they are being taken. */
  readonly referenceSharpness: number | null;
  /** The window's medians; null before the first picture. */
  readonly sharpness: number | null;
  readonly luminance: number | null;
  readonly clipped: number | null;
  /** Pictures measured since start. */
  readonly measured: number;
  /** The latest measures, oldest first (at most HISTORY). */
  readonly points: readonly { readonly at: number; readonly sharpness: number; readonly luminance: number; readonly clipped: number }[];
}

/** Measures kept for Diagnostics' chart: two minutes at five a second. */
const HISTORY = 600;

export class PictureQualityWatch {
  private readonly referenceTaken: number[] = [];
  private reference: number | null = null;
  private readonly window: PictureMeasures[] = [];
  private blurred: string | null = null;
  private exposure: string | null = null;
  private measured = 0;
  private readonly points: { at: number; sharpness: number; luminance: number; clipped: number }[] = [];

  constructor(
    private readonly config: PictureHealthConfig,
    private readonly onChange: (state: PictureQualityState) => void,
    /**
     * The camera's reference kept from an earlier run (a restart with the lens already out of focus must not learn
     * the blur as its reference), and where a newly taken one is kept.
     */
    private readonly kept: { readonly reference: number | null; readonly keep: (reference: number) => void } = { reference: null, keep: () => {} },
  ) {
    this.reference = kept.reference;
  }

  /** A technician refocused or replaced the camera: the next pictures are its new reference. */
  retakeReference(): void {
    this.reference = null;
    this.referenceTaken.length = 0;
  }

  figures(): PictureQualityFigures {
    const m = this.medians();
    return {
      referenceSharpness: this.reference,
      ...(m ?? { sharpness: null, luminance: null, clipped: null }),
      measured: this.measured,
      points: [...this.points],
    };
  }

  /** One sampled picture's measures. */
  observe(m: PictureMeasures): void {
    if (!this.config.enabled) return;
    this.measured++;
    this.points.push({ at: Date.now(), sharpness: m.sharpness, luminance: m.luminance, clipped: m.clipped });
    if (this.points.length > HISTORY) this.points.shift();
    if (this.reference === null) {
      this.referenceTaken.push(m.sharpness);
      if (this.referenceTaken.length >= this.config.referencePictures) {
        this.reference = median(this.referenceTaken);
        this.kept.keep(this.reference);
      }
    }
    this.window.push(m);
    if (this.window.length > this.config.windowPictures) this.window.shift();
    if (this.window.length < this.config.windowPictures) return;
    const now = this.medians()!;
    const blurred = this.judgeBlur(now.sharpness);
    const exposure = this.judgeExposure(now.luminance, now.clipped);
    if (blurred !== this.blurred || exposure !== this.exposure) {
      // Told when a finding comes, goes or changes its kind (too dark → too bright), not for every new figure.
      const changed = kindOf(blurred) !== kindOf(this.blurred) || kindOf(exposure) !== kindOf(this.exposure);
      this.blurred = blurred;
      this.exposure = exposure;
      if (changed) this.onChange({ blurred, exposure });
    }
  }

  private judgeBlur(sharpness: number): string | null {
    const ref = this.reference;
    if (ref === null || ref < MIN_REFERENCE_SHARPNESS) return null;
    const ratio = sharpness / ref;
    const limit = this.blurred === null ? this.config.blurRatio : this.config.blurRatio * CLEAR_MARGIN;
    if (ratio >= limit) return null;
    return `picture blurred: sharpness ${fmt(sharpness)} is ${Math.round(ratio * 100)} % of this camera's reference ${fmt(ref)} (limit ${Math.round(this.config.blurRatio * 100)} %)`;
  }

  private judgeExposure(luminance: number, clipped: number): string | null {
    const { minLuminance, maxLuminance, maxClipped } = this.config;
    const margin = this.exposure === null ? 0 : LUMINANCE_MARGIN;
    if (luminance < minLuminance + margin) return `picture too dark: mean grey ${luminance.toFixed(0)} (at least ${minLuminance})`;
    if (luminance > maxLuminance - margin) return `picture too bright: mean grey ${luminance.toFixed(0)} (at most ${maxLuminance})`;
    const clipLimit = this.exposure === null ? maxClipped : maxClipped / CLEAR_MARGIN;
    if (clipped > clipLimit) return `picture clipped: ${Math.round(clipped * 100)} % of it pure black or white (at most ${Math.round(maxClipped * 100)} %)`;
    return null;
  }

  private medians(): { sharpness: number; luminance: number; clipped: number } | null {
    if (this.window.length === 0) return null;
    return {
      sharpness: median(this.window.map((m) => m.sharpness)),
      luminance: median(this.window.map((m) => m.luminance)),
      clipped: median(this.window.map((m) => m.clipped)),
    };
  }
}

/** A finding's kind: its words before the figures ("picture too dark"), or null. */
function kindOf(finding: string | null): string | null {
  return finding === null ? null : finding.split(':')[0]!;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}
