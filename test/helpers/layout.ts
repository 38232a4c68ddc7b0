/**
 * Layout and legibility checks run inside a Chromium page (issue 12): what
 * runs past the screen's edge or is cut off, whether an element is above the
 * fold, and the contrast of text against what is behind it. The functions
 * given to page.evaluate run in the page, so each is self-contained; the node
 * type-check has no DOM types, so the little of the DOM they use is spelt out.
 */
import type { Page } from 'playwright-core';

export const SCREEN_SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface El {
  tagName: string;
  id: string;
  className: unknown;
  textContent: string | null;
  parentElement: El | null;
  clientLeft: number;
  clientTop: number;
  clientWidth: number;
  clientHeight: number;
  scrollWidth: number;
  scrollHeight: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box;
  closest(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  readonly childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
}
interface Style {
  display: string;
  visibility: string;
  overflowX: string;
  overflowY: string;
  position: string;
  color: string;
  backgroundColor: string;
  backgroundImage: string;
  opacity: string;
  fontSize: string;
  fontWeight: string;
  width: string;
  height: string;
}
interface Dom {
  document: { documentElement: El; body: El; querySelectorAll(selector: string): ArrayLike<El> };
  getComputedStyle(el: El, pseudo?: string): Style;
  innerWidth: number;
  innerHeight: number;
}

export interface LayoutReport {
  /** The document's scroll width and the viewport's: a horizontal scroll when the first is larger. */
  readonly scrollWidth: number;
  readonly clientWidth: number;
  /** Elements whose box runs past the left or right edge of the viewport (outside any scrolling box). */
  readonly offscreen: string[];
  /** Elements cut off by an ancestor that hides its overflow, or clipping their own content. */
  readonly clipped: string[];
}

/** Runs in the page: everything that runs past the viewport's sides or is cut off by a box that hides its overflow. */
export function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => {
    const w = globalThis as unknown as Dom;
    const doc = w.document;
    const viewportWidth = doc.documentElement.clientWidth;
    const SLACK = 1;
    const name = (el: El): string => {
      const testId = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const box = el.getBoundingClientRect();
      return `${el.tagName.toLowerCase()}${testId ? `[data-testid=${testId}]` : ''}${cls} "${text}" x ${Math.round(box.left)}–${Math.round(box.right)}, y ${Math.round(box.top)}–${Math.round(box.bottom)}`;
    };
    const hides = (o: string): boolean => o === 'hidden' || o === 'clip';
    const scrolls = (o: string): boolean => o === 'auto' || o === 'scroll';
    const offscreen: string[] = [];
    const clipped: string[] = [];
    for (const el of Array.from(doc.body.querySelectorAll('*'))) {
      const style = w.getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || style.display === 'contents') continue;
      // uPlot's cursor and selection overlays are parked outside the plot on purpose, and clipped by it.
      if (typeof el.className === 'string' && /(^|\s)u-(cursor|select)/.test(el.className)) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1) continue;
      // The box's own content cut off: text or children past a box that hides its overflow.
      if ((hides(style.overflowX) && el.scrollWidth > el.clientWidth + SLACK) || (hides(style.overflowY) && el.scrollHeight > el.clientHeight + SLACK)) {
        clipped.push(`${name(el)} clips its content (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      }
      // The nearest ancestor that does not let its overflow show decides whether the element can be seen.
      let clipper: El | null = null;
      for (let a = el.parentElement; a && a !== doc.body && a !== doc.documentElement; a = a.parentElement) {
        const s = w.getComputedStyle(a);
        if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
          clipper = a;
          break;
        }
      }
      if (clipper) {
        const s = w.getComputedStyle(clipper);
        const c = clipper.getBoundingClientRect();
        // The padding box clips, not the border box.
        const left = c.left + clipper.clientLeft;
        const top = c.top + clipper.clientTop;
        const right = left + clipper.clientWidth;
        const bottom = top + clipper.clientHeight;
        const outX = box.left < left - SLACK || box.right > right + SLACK;
        const outY = box.top < top - SLACK || box.bottom > bottom + SLACK;
        if ((outX && hides(s.overflowX)) || (outY && hides(s.overflowY))) clipped.push(`${name(el)} cut off by ${name(clipper)}`);
        // Inside a scrolling box it can be scrolled to; the box itself is checked against the viewport.
        if (scrolls(s.overflowX) || hides(s.overflowX)) continue;
      }
      if (style.position === 'fixed' && box.left >= -SLACK && box.right <= viewportWidth + SLACK) continue;
      if (box.left < -SLACK || box.right > viewportWidth + SLACK) offscreen.push(name(el));
    }
    return { scrollWidth: doc.documentElement.scrollWidth, clientWidth: viewportWidth, offscreen, clipped };
  });
}

/** How far below the fold each element's box ends (0 or less: it is all on the screen without scrolling). */
export async function belowFold(page: Page, testIds: readonly string[]): Promise<Record<string, number | null>> {
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  return page.evaluate((ids) => {
    const w = globalThis as unknown as Dom;
    const out: Record<string, number | null> = {};
    for (const id of ids) {
      const el = w.document.querySelectorAll(`[data-testid="${id}"]`)[0];
      out[id] = el ? Math.round(el.getBoundingClientRect().bottom - w.innerHeight) : null;
    }
    return out;
  }, testIds);
}

export interface ContrastFinding {
  readonly text: string;
  readonly ratio: number;
  readonly needed: number;
  readonly color: string;
  readonly background: string;
}

/**
 * Runs in the page: the WCAG 2 contrast of every element with text of its own under `root`, its colour
 * (with its opacity) against the first opaque background behind it (colours with alpha composited on it).
 * Large text (24 px, or 18.67 px bold) needs 3:1, the rest 4.5:1.
 */
export function textContrast(page: Page, root: string): Promise<ContrastFinding[]> {
  return page.evaluate((rootSelector) => {
    const w = globalThis as unknown as Dom & { Node: { TEXT_NODE: number } };
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba | null => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p.length > 3 ? p[3]! : 1];
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const luminance = ([r, g, b]: Rgba): number => {
      const lin = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const hex = (c: Rgba): string =>
      `#${c
        .slice(0, 3)
        .map((v) => Math.round(v).toString(16).padStart(2, '0'))
        .join('')}`;
    const out: {
      text: string;
      ratio: number;
      needed: number;
      color: string;
      background: string;
    }[] = [];
    const roots = w.document.querySelectorAll(rootSelector);
    for (const root of Array.from(roots)) {
      for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
        // A disabled control's text is exempt (WCAG 1.4.3: an inactive component), and is drawn faded on purpose.
        if (el.closest(':disabled, [aria-disabled="true"]')) continue;
        const own = Array.from(el.childNodes)
          .filter((n) => n.nodeType === w.Node.TEXT_NODE)
          .map((n) => n.textContent ?? '')
          .join('')
          .trim();
        if (!own) continue;
        const style = w.getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        // The backgrounds behind the text, nearest first, down to the first opaque one (the page's, at worst).
        const layers: Rgba[] = [];
        let opacity = 1;
        for (let a: El | null = el; a; a = a.parentElement) {
          const s = w.getComputedStyle(a);
          opacity *= Number(s.opacity);
          const bg = parse(s.backgroundColor);
          if (bg && bg[3] > 0) {
            layers.push(bg);
            if (bg[3] >= 1) break;
          }
        }
        let background: Rgba = [255, 255, 255, 1];
        for (const layer of layers.reverse()) background = over(layer, background);
        const fg = parse(style.color);
        if (!fg) continue;
        // The text's own alpha and every ancestor's opacity blend it into what is behind it.
        const color = over([fg[0], fg[1], fg[2], fg[3] * opacity], background);
        const [l1, l2] = [luminance(color), luminance(background)].sort((x, y) => y - x) as [number, number];
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        out.push({ text: own.slice(0, 40), ratio: Math.round(ratio * 100) / 100, needed: large ? 3 : 4.5, color: hex(color), background: hex(background) });
      }
    }
    return out;
  }, root);
}

/**
 * The size of every range input's thumb as Chromium lays it out. The thumb lives in the input's user-agent shadow
 * tree, which the page cannot see (and getComputedStyle(input, '::-webkit-slider-thumb') answers with the input's own
 * style), so it is found and measured through the DevTools protocol.
 */
export async function sliderThumbs(page: Page): Promise<{ width: number; height: number }[]> {
  type CdpNode = { nodeId: number; attributes?: string[]; children?: CdpNode[]; shadowRoots?: CdpNode[] };
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
    const thumbs: number[] = [];
    const attr = (n: CdpNode, name: string): string | undefined => {
      const a = n.attributes ?? [];
      for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
      return undefined;
    };
    // Chromium's shadow tree: <div pseudo="-webkit-slider-runnable-track"><div id="thumb"></div></div>.
    const walk = (n: CdpNode): void => {
      if (attr(n, 'pseudo') === '-webkit-slider-runnable-track') for (const c of n.children ?? []) if (attr(c, 'id') === 'thumb') thumbs.push(c.nodeId);
      for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) walk(c);
    };
    walk(root);
    const out: { width: number; height: number }[] = [];
    for (const nodeId of thumbs) {
      const { model } = await cdp.send('DOM.getBoxModel', { nodeId });
      out.push({ width: model.width, height: model.height });
    }
    return out;
  } finally {
    await cdp.detach();
  }
}
