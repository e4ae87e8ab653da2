/** Small DOM helpers for the explorer (no framework): element builder and formatting. */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === false) continue;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const TWO_32 = 0x1_0000_0000;

/** "%X/%X" of a numeric LSN. */
export function lsnText(n: number): string {
  return `${Math.floor(n / TWO_32)
    .toString(16)
    .toUpperCase()}/${(n % TWO_32).toString(16).toUpperCase()}`;
}

/** "%X/%08X" of a numeric LSN (pg_waldump's record lines). */
export function lsnPadded(n: number): string {
  return `${Math.floor(n / TWO_32)
    .toString(16)
    .toUpperCase()}/${(n % TWO_32).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Parses "X/Y" (or a decimal byte position); null when not an LSN. */
export function parseLsnText(text: string): number | null {
  const t = text.trim();
  const m = /^([0-9a-fA-F]{1,8})\/([0-9a-fA-F]{1,8})$/.exec(t);
  if (m) return Number.parseInt(m[1]!, 16) * TWO_32 + Number.parseInt(m[2]!, 16);
  return null;
}

export function bytesText(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${n} B`;
}

export function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
