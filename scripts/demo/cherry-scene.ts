/**
 * Synthetic cherry scenes for the demo data set: a red cherry on a conveyor
 * belt, seen from above; a pit shows as a dark, irregular spot or hole.
 *
 * A scene is drawn in two steps so that the randomness is explicit and
 * reproducible: `randomScene(rng, hasPit)` draws every parameter from a
 * seeded generator, `sceneToSvg(scene)` renders it (sharp rasterises the SVG).
 */
export type Rng = () => number;

export interface PitSpot {
  /** Centre relative to the cherry centre, in cherry radii. */
  readonly dx: number;
  readonly dy: number;
  /** Radius in pixels before the irregular outline is applied. */
  readonly radius: number;
  /** Outline radii multipliers, one per vertex (irregular shape). */
  readonly outline: readonly number[];
  /** 0 = invisible, 1 = black hole. */
  readonly contrast: number;
  /** A hole has a lighter rim around it. */
  readonly rim: boolean;
}

export interface CherryScene {
  readonly size: number;
  readonly belt: { readonly hue: number; readonly lightness: number; readonly stripeAngle: number; readonly stripeGap: number; readonly noiseSeed: number };
  readonly cherry: {
    readonly cx: number;
    readonly cy: number;
    readonly rx: number;
    readonly ry: number;
    readonly rotation: number;
    /** base colour of the skin */
    readonly r: number;
    readonly g: number;
    readonly b: number;
  };
  readonly highlight: { readonly dx: number; readonly dy: number; readonly size: number; readonly opacity: number };
  /** Stem cavity: a small darker dimple where the stem was, on clean and pitted cherries alike. */
  readonly cavity: { readonly angle: number; readonly size: number; readonly opacity: number } | null;
  readonly stem: { readonly angle: number; readonly length: number; readonly bend: number } | null;
  /** A broad, faint bruise: darker skin that is not a pit (a hard clean case). */
  readonly bruise: { readonly dx: number; readonly dy: number; readonly radius: number; readonly opacity: number } | null;
  readonly pit: PitSpot | null;
  /** Global light: <1 darker, >1 brighter; and a warm/cool tint. */
  readonly light: { readonly gain: number; readonly tint: number; readonly gradientAngle: number; readonly gradientStrength: number };
}

const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const chance = (rng: Rng, p: number): boolean => rng() < p;

export function randomScene(rng: Rng, hasPit: boolean, size = 128): CherryScene {
  const radius = between(rng, size * 0.22, size * 0.34);
  const aspect = between(rng, 0.88, 1.08);
  const margin = radius * 1.05;
  const cx = between(rng, margin, size - margin);
  const cy = between(rng, margin, size - margin);
  // Skin from bright red to dark burgundy.
  const shade = rng();
  const skin = {
    r: Math.round(between(rng, 150, 235) * (1 - 0.35 * shade)),
    g: Math.round(between(rng, 8, 45) * (1 - 0.5 * shade)),
    b: Math.round(between(rng, 20, 55) * (1 - 0.3 * shade)),
  };
  const hard = chance(rng, 0.18);
  let pit: PitSpot | null = null;
  if (hasPit) {
    const vertices = 7 + Math.floor(rng() * 5);
    const outline = Array.from({ length: vertices }, () => between(rng, 0.6, 1.35));
    const dist = Math.sqrt(rng()) * 0.62;
    const angle = rng() * Math.PI * 2;
    pit = {
      dx: Math.cos(angle) * dist,
      dy: Math.sin(angle) * dist,
      radius: hard ? between(rng, size * 0.025, size * 0.045) : between(rng, size * 0.035, size * 0.09),
      outline,
      contrast: hard ? between(rng, 0.5, 0.7) : between(rng, 0.7, 1),
      rim: chance(rng, 0.4),
    };
  }
  return {
    size,
    belt: {
      hue: between(rng, 190, 230),
      lightness: between(rng, 28, 52),
      stripeAngle: between(rng, -8, 8),
      stripeGap: between(rng, 6, 14),
      noiseSeed: Math.floor(rng() * 1000),
    },
    cherry: { cx, cy, rx: radius, ry: radius * aspect, rotation: between(rng, 0, 180), ...skin },
    highlight: {
      dx: between(rng, -0.45, -0.15),
      dy: between(rng, -0.45, -0.15),
      size: between(rng, 0.12, 0.3),
      opacity: between(rng, 0.25, 0.7),
    },
    cavity: chance(rng, 0.6)
      ? { angle: rng() * 360, size: between(rng, 0.08, hard && !hasPit ? 0.17 : 0.12), opacity: between(rng, 0.2, hard && !hasPit ? 0.55 : 0.4) }
      : null,
    stem: chance(rng, 0.35) ? { angle: rng() * 360, length: between(rng, 0.5, 1.0), bend: between(rng, -0.5, 0.5) } : null,
    bruise: chance(rng, hasPit ? 0.15 : 0.3)
      ? { dx: between(rng, -0.4, 0.4), dy: between(rng, -0.4, 0.4), radius: between(rng, 0.25, 0.45), opacity: between(rng, 0.15, hard ? 0.4 : 0.3) }
      : null,
    pit,
    light: {
      gain: between(rng, 0.72, 1.2),
      tint: between(rng, -1, 1),
      gradientAngle: rng() * 360,
      gradientStrength: between(rng, 0, 0.35),
    },
  };
}

/** Where the pit is in image pixels (after the cherry's rotation), for annotations. */
export function pitLocation(s: CherryScene): { x: number; y: number; radius: number } | null {
  if (!s.pit) return null;
  const { cherry: c, pit } = s;
  const a = (c.rotation * Math.PI) / 180;
  const ox = pit.dx * c.rx;
  const oy = pit.dy * c.ry;
  const maxOutline = Math.max(...pit.outline);
  return {
    x: c.cx + ox * Math.cos(a) - oy * Math.sin(a),
    y: c.cy + ox * Math.sin(a) + oy * Math.cos(a),
    radius: pit.radius * maxOutline,
  };
}

const f = (v: number): string => v.toFixed(2);

function irregularPath(cx: number, cy: number, radius: number, outline: readonly number[]): string {
  // A closed cubic-smoothed outline through points at varying radii.
  const pts = outline.map((m, i) => {
    const a = (i / outline.length) * Math.PI * 2;
    return [cx + Math.cos(a) * radius * m, cy + Math.sin(a) * radius * m] as const;
  });
  const mid = (p: readonly [number, number], q: readonly [number, number]) => [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2] as const;
  const first = mid(pts[pts.length - 1]!, pts[0]!);
  let d = `M${f(first[0])},${f(first[1])}`;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const m = mid(p, pts[(i + 1) % pts.length]!);
    d += ` Q${f(p[0])},${f(p[1])} ${f(m[0])},${f(m[1])}`;
  }
  return `${d} Z`;
}

export function sceneToSvg(s: CherryScene): string {
  const { size, cherry: c, belt } = s;
  const beltColor = `hsl(${f(belt.hue)},18%,${f(belt.lightness)}%)`;
  const stripeColor = `hsl(${f(belt.hue)},14%,${f(belt.lightness - 9)}%)`;
  const stripes: string[] = [];
  for (let x = -size; x < size * 2; x += belt.stripeGap) {
    stripes.push(`<line x1="${f(x)}" y1="-10" x2="${f(x)}" y2="${size + 10}" stroke="${stripeColor}" stroke-width="1.6"/>`);
  }
  const skin = `rgb(${c.r},${c.g},${c.b})`;
  const skinLight = `rgb(${Math.min(255, c.r + 45)},${Math.min(255, c.g + 30)},${Math.min(255, c.b + 30)})`;
  const skinDark = `rgb(${Math.round(c.r * 0.45)},${Math.round(c.g * 0.4)},${Math.round(c.b * 0.5)})`;
  const r = c.rx;
  const parts: string[] = [];
  if (s.bruise) {
    parts.push(
      `<circle cx="${f(c.cx + s.bruise.dx * r)}" cy="${f(c.cy + s.bruise.dy * r)}" r="${f(s.bruise.radius * r)}" fill="rgb(70,10,20)" opacity="${f(s.bruise.opacity)}" filter="url(#soft)"/>`,
    );
  }
  if (s.cavity) {
    const a = (s.cavity.angle * Math.PI) / 180;
    const px = c.cx + Math.cos(a) * r * 0.78;
    const py = c.cy + Math.sin(a) * c.ry * 0.78;
    parts.push(
      `<ellipse cx="${f(px)}" cy="${f(py)}" rx="${f(s.cavity.size * r)}" ry="${f(s.cavity.size * r * 0.55)}" transform="rotate(${f(s.cavity.angle + 90)} ${f(px)} ${f(py)})" fill="${skinDark}" opacity="${f(s.cavity.opacity)}" filter="url(#soft)"/>`,
    );
  }
  if (s.pit) {
    const p = s.pit;
    const px = c.cx + p.dx * r;
    const py = c.cy + p.dy * c.ry;
    const dark = Math.round(18 + (1 - p.contrast) * 90);
    if (p.rim) {
      parts.push(
        `<path d="${irregularPath(px, py, p.radius * 1.35, p.outline)}" fill="rgb(205,120,95)" opacity="${f(0.25 + 0.3 * p.contrast)}" filter="url(#soft)"/>`,
      );
    }
    parts.push(
      `<path d="${irregularPath(px, py, p.radius, p.outline)}" fill="rgb(${dark},${Math.round(dark * 0.55)},${Math.round(dark * 0.45)})" opacity="${f(0.55 + 0.45 * p.contrast)}" filter="url(#pit)"/>`,
    );
  }
  const hl = s.highlight;
  const highlight = `<ellipse cx="${f(c.cx + hl.dx * r)}" cy="${f(c.cy + hl.dy * c.ry)}" rx="${f(hl.size * r)}" ry="${f(hl.size * r * 0.6)}" transform="rotate(-35 ${f(c.cx + hl.dx * r)} ${f(c.cy + hl.dy * c.ry)})" fill="white" opacity="${f(hl.opacity)}" filter="url(#soft)"/>`;
  let stem = '';
  if (s.stem) {
    const a = (s.stem.angle * Math.PI) / 180;
    const x0 = c.cx + Math.cos(a) * r * 0.8;
    const y0 = c.cy + Math.sin(a) * c.ry * 0.8;
    const len = s.stem.length * r;
    const x1 = x0 + Math.cos(a) * len;
    const y1 = y0 + Math.sin(a) * len;
    const qx = (x0 + x1) / 2 - Math.sin(a) * s.stem.bend * len;
    const qy = (y0 + y1) / 2 + Math.cos(a) * s.stem.bend * len;
    stem = `<path d="M${f(x0)},${f(y0)} Q${f(qx)},${f(qy)} ${f(x1)},${f(y1)}" stroke="rgb(96,110,40)" stroke-width="${f(Math.max(1.5, r * 0.07))}" fill="none" stroke-linecap="round"/>`;
  }
  const light = s.light;
  const tint = light.tint >= 0 ? `rgb(255,200,120)` : `rgb(120,170,255)`;
  const ga = (light.gradientAngle * Math.PI) / 180;
  const shadowDx = 3;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
<defs>
  <radialGradient id="skin" cx="0.38" cy="0.34" r="0.78">
    <stop offset="0" stop-color="${skinLight}"/>
    <stop offset="0.55" stop-color="${skin}"/>
    <stop offset="1" stop-color="${skinDark}"/>
  </radialGradient>
  <linearGradient id="light" x1="${f(0.5 - Math.cos(ga) / 2)}" y1="${f(0.5 - Math.sin(ga) / 2)}" x2="${f(0.5 + Math.cos(ga) / 2)}" y2="${f(0.5 + Math.sin(ga) / 2)}">
    <stop offset="0" stop-color="white" stop-opacity="${f(light.gradientStrength * 0.5)}"/>
    <stop offset="1" stop-color="black" stop-opacity="${f(light.gradientStrength)}"/>
  </linearGradient>
  <filter id="soft" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${f(r * 0.06)}"/></filter>
  <filter id="pit" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="0.7"/></filter>
  <filter id="shadow" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${f(r * 0.12)}"/></filter>
  <filter id="grain"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="${belt.noiseSeed}"/><feColorMatrix type="saturate" values="0"/></filter>
</defs>
<rect width="${size}" height="${size}" fill="${beltColor}"/>
<g transform="rotate(${f(belt.stripeAngle)} ${size / 2} ${size / 2})">${stripes.join('')}</g>
<rect width="${size}" height="${size}" filter="url(#grain)" opacity="0.12"/>
<ellipse cx="${f(c.cx + shadowDx)}" cy="${f(c.cy + shadowDx)}" rx="${f(c.rx)}" ry="${f(c.ry)}" fill="black" opacity="0.45" filter="url(#shadow)"/>
<g transform="rotate(${f(c.rotation)} ${f(c.cx)} ${f(c.cy)})">
  <ellipse cx="${f(c.cx)}" cy="${f(c.cy)}" rx="${f(c.rx)}" ry="${f(c.ry)}" fill="url(#skin)"/>
  ${parts.join('\n  ')}
</g>
${highlight}
${stem}
<rect width="${size}" height="${size}" fill="url(#light)"/>
<rect width="${size}" height="${size}" fill="${tint}" opacity="${f(Math.abs(light.tint) * 0.12)}"/>
<rect width="${size}" height="${size}" fill="${light.gain < 1 ? 'black' : 'white'}" opacity="${f(Math.abs(1 - light.gain) * 0.6)}"/>
</svg>`;
}
