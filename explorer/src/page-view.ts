/**
 * The page view (storage/bufpage.h PageHeaderData and ItemIdData, access/htup_details.h
 * HeapTupleHeaderData, the index AMs' special spaces): page header, a to-scale map of the
 * 8 kB page (header, line pointers, free space, tuples, special space), the items with their
 * infomask flags, and the checksum status — for a restored full-page image or a relation file.
 */

import { type HeapPageItem, heapTupleAt, infomaskFlags } from '../../src/common/page/heap.js';
import { type BtPageItem, pageFlagNames, verifyPageChecksum } from '../../src/common/page/index.js';
import { type ForkName, inspectPage, type PageReport } from '../../src/common/page/inspect.js';
import { decodeItemIds, decodePageHeader, LP_FLAG_NAMES } from '../../src/common/page/page.js';
import { type AttAlign, type AttributeDescriptor, decodeDatum, tupleDataSplit } from '../../src/common/page/tuple-data.js';
import { h, s } from './dom.js';

const BLCKSZ = 8192;
const RELSEG_SIZE = 131072;
const FORKS: ForkName[] = ['main', 'fsm', 'vm', 'init'];

interface Source {
  label: string;
  bytes: Uint8Array;
  /** Block number of the first page in `bytes` (segment number × RELSEG_SIZE for relation files). */
  firstBlock: number;
  fork: ForkName;
  /** true when the pages come from a full-page image (pd_checksum is not maintained there). */
  fromWal: boolean;
  /** "spc/db/rel" of a full-page image, for "records of this block". */
  rel: string | null;
}

export class PageView {
  readonly el: HTMLElement;
  private src: Source | null = null;
  private index = 0;
  private readonly nav: HTMLDivElement;
  private readonly body: HTMLDivElement;
  /** Column types typed by the user (pg_type.typname list) to decode heap tuple values. */
  private columnTypes = '';

  private readonly showBlockRecords: (rel: string, block: number) => void;

  constructor(showBlockRecords: (rel: string, block: number) => void) {
    this.showBlockRecords = showBlockRecords;
    this.nav = h('div', { class: 'page-nav' });
    this.body = h(
      'div',
      { class: 'page-body', id: 'page-body' },
      h('p', { class: 'muted' }, 'Open a relation file, or a full-page image from a WAL record.'),
    );
    this.el = h('section', { id: 'page-view' }, this.nav, this.body);
  }

  showPage(page: Uint8Array, block: number, fork: number, label: string, rel: string): void {
    this.src = { label, bytes: page, firstBlock: block, fork: FORKS[fork] ?? 'main', fromWal: true, rel };
    this.index = 0;
    this.render();
  }

  showFile(name: string, bytes: Uint8Array): void {
    const m = /^(\d+)(?:_(fsm|vm|init))?(?:\.(\d+))?$/.exec(name.replace(/^.*\//, ''));
    const fork = (m?.[2] as ForkName | undefined) ?? 'main';
    const segno = m?.[3] === undefined ? 0 : Number(m[3]);
    this.src = { label: name, bytes, firstBlock: segno * RELSEG_SIZE, fork, fromWal: false, rel: null };
    this.index = 0;
    this.render();
  }

  private render(): void {
    const src = this.src;
    if (src === null) return;
    const nPages = Math.floor(src.bytes.length / BLCKSZ);
    const problems: HTMLElement[] = [];
    if (src.bytes.length % BLCKSZ !== 0) {
      problems.push(
        h(
          'p',
          { class: 'error' },
          `${src.label}: size ${src.bytes.length} is not a multiple of ${BLCKSZ}; the last ${src.bytes.length % BLCKSZ} bytes are ignored`,
        ),
      );
    }
    const blockInput = h('input', { type: 'number', id: 'page-block', min: 0, max: Math.max(0, nPages - 1), value: this.index, size: 6 });
    blockInput.addEventListener('change', () => this.go(Number(blockInput.value)));
    this.nav.replaceChildren(
      h('strong', { id: 'page-label' }, src.label),
      nPages > 1
        ? h(
            'span',
            { class: 'pager' },
            h('button', { onclick: () => this.go(this.index - 1) }, '◀'),
            ' page ',
            blockInput,
            ` of ${nPages} `,
            h('button', { onclick: () => this.go(this.index + 1) }, '▶'),
          )
        : '',
      src.rel !== null
        ? h('button', { id: 'page-block-records', onclick: () => this.showBlockRecords(src.rel!, src.firstBlock) }, 'records of this block')
        : '',
    );
    if (nPages === 0) {
      this.body.replaceChildren(...problems, h('p', { class: 'error' }, `${src.label}: shorter than one ${BLCKSZ}-byte page`));
      return;
    }
    const page = src.bytes.subarray(this.index * BLCKSZ, (this.index + 1) * BLCKSZ);
    const block = src.firstBlock + this.index;
    try {
      const types = h('input', {
        id: 'page-types',
        type: 'text',
        size: 40,
        value: this.columnTypes,
        placeholder: 'e.g. int4,text,timestamptz',
        spellcheck: false,
      });
      types.addEventListener('change', () => {
        this.columnTypes = types.value;
        this.render();
      });
      const typesRow = h('p', {}, 'Column types to decode heap tuple values (pg_type names, in attribute order): ', types);
      const parts = renderPage(page, block, src, parseTypes(this.columnTypes));
      parts.splice(1, 0, typesRow);
      this.body.replaceChildren(...problems, ...parts);
    } catch (e) {
      this.body.replaceChildren(
        ...problems,
        h('p', { class: 'error', id: 'page-error' }, `block ${block}: ${e instanceof Error ? e.message : String(e)}`),
        hexDump(page),
      );
    }
  }

  private go(i: number): void {
    const src = this.src;
    if (src === null) return;
    const n = Math.floor(src.bytes.length / BLCKSZ);
    if (!Number.isInteger(i) || i < 0 || i >= n) return;
    this.index = i;
    this.render();
  }
}

/** attlen/attalign of the types decodeDatum knows (pg_type.typlen, typalign). */
const TYPES: Record<string, [number, AttAlign]> = {
  bool: [1, 'c'],
  int2: [2, 's'],
  int4: [4, 'i'],
  oid: [4, 'i'],
  xid: [4, 'i'],
  cid: [4, 'i'],
  int8: [8, 'd'],
  float4: [4, 'i'],
  float8: [8, 'd'],
  name: [64, 'c'],
  date: [4, 'i'],
  timestamp: [8, 'd'],
  timestamptz: [8, 'd'],
  time: [8, 'd'],
  interval: [16, 'd'],
  uuid: [16, 'c'],
  text: [-1, 'i'],
  varchar: [-1, 'i'],
  bpchar: [-1, 'i'],
  json: [-1, 'i'],
  bytea: [-1, 'i'],
  numeric: [-1, 'i'],
  jsonb: [-1, 'i'],
};

type Columns = AttributeDescriptor[] | string | null;

function parseTypes(text: string): Columns {
  const names = text
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x !== '');
  if (names.length === 0) return null;
  const out: AttributeDescriptor[] = [];
  for (const typname of names) {
    const t = TYPES[typname];
    if (t === undefined) return `unknown type "${typname}" (known: ${Object.keys(TYPES).join(', ')})`;
    out.push({ attlen: t[0], attalign: t[1], typname });
  }
  return out;
}

function tupleValues(page: Uint8Array, lp: number, columns: AttributeDescriptor[]): string {
  try {
    const tup = heapTupleAt(page, lp);
    if (tup === null) return '';
    const parts = tupleDataSplit(tup.data, columns, tup.t_infomask, tup.t_infomask2, tup.t_bits);
    return parts
      .map((v, i) => {
        if (v === null) return 'NULL';
        const d = decodeDatum(v, columns[i]!.typname!);
        return d === undefined
          ? '(toasted)'
          : typeof d === 'string'
            ? JSON.stringify(d.length > 80 ? `${d.slice(0, 80)}…` : d)
            : JSON.stringify(d);
      })
      .join(', ');
  } catch (e) {
    return `(${e instanceof Error ? e.message : String(e)})`;
  }
}

function renderPage(page: Uint8Array, block: number, src: Source, columns: Columns): HTMLElement[] {
  const report = inspectPage(page, block, src.fork);
  const hdr = decodePageHeader(page, block);
  const ck = verifyPageChecksum(page, block);
  let ckText: HTMLElement;
  if (ck === null) ckText = h('span', { class: 'muted' }, 'new page: no checksum');
  else if (ck.ok) ckText = h('span', { class: 'ok' }, `ok (0x${ck.stored.toString(16).padStart(4, '0')}) for block ${block}`);
  else if (src.fromWal)
    ckText = h(
      'span',
      { class: 'muted' },
      `stored 0x${ck.stored.toString(16).padStart(4, '0')}, computed 0x${ck.calculated.toString(16).padStart(4, '0')} for block ${block} — full-page images carry the in-memory page; the checksum is set when the page is written out`,
    );
  else
    ckText = h(
      'span',
      { class: 'error' },
      `MISMATCH: stored 0x${ck.stored.toString(16).padStart(4, '0')}, computed 0x${ck.calculated.toString(16).padStart(4, '0')} for block ${block} (or data checksums are off)`,
    );
  const header = h(
    'table',
    { class: 'kv', id: 'page-header' },
    h('tr', {}, h('th', {}, 'kind'), h('td', { id: 'page-kind' }, report.kind)),
    ...Object.entries(report.header)
      .filter(([k]) => k !== 'flags' && k !== 'checksum')
      .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))),
    h(
      'tr',
      {},
      h('th', {}, 'flags'),
      h('td', {}, `0x${hdr.pd_flags.toString(16).padStart(4, '0')} ${pageFlagNames(hdr.pd_flags).join(', ')}`),
    ),
    h('tr', {}, h('th', {}, 'checksum'), h('td', { id: 'page-checksum' }, ckText)),
  );
  const out: HTMLElement[] = [
    h(
      'div',
      { class: 'cols' },
      h('div', {}, h('h3', {}, 'Page header'), header),
      h('div', {}, h('h3', {}, 'Layout (to scale, 128 bytes a row)'), pageMap(page, report)),
    ),
  ];
  if (typeof columns === 'string') out.push(h('p', { class: 'error' }, columns));
  out.push(...itemsView(report, page, Array.isArray(columns) ? columns : null));
  return out;
}

const COLORS: Record<string, string> = {
  header: '#9c755f',
  linp: '#edc948',
  free: '#eeeeee',
  normal: '#4e79a7',
  redirect: '#b07aa1',
  dead: '#e15759',
  special: '#76b7b2',
};

function pageMap(page: Uint8Array, report: PageReport): SVGElement {
  const perRow = 128;
  const cell = 5;
  const rows = BLCKSZ / perRow;
  const rowH = 7;
  const svg = s('svg', { width: perRow * cell + 2, height: rows * rowH + 40, id: 'page-map', class: 'chart' });
  const hdr = report.header;
  const range = (start: number, end: number, color: string, title: string): void => {
    const g = s('g');
    g.append(s('title', {}, title));
    let a = Math.max(0, start);
    const b = Math.min(BLCKSZ, end);
    while (a < b) {
      const row = Math.floor(a / perRow);
      const rowEnd = Math.min(b, (row + 1) * perRow);
      g.append(
        s('rect', {
          x: 1 + (a % perRow) * cell,
          y: row * rowH,
          width: (rowEnd - a) * cell,
          height: rowH - 1,
          fill: color,
          stroke: '#fff',
          'stroke-width': 0.3,
        }),
      );
      a = rowEnd;
    }
    svg.append(g);
  };
  range(0, 24, COLORS.header!, 'PageHeaderData (24 bytes)');
  if (hdr.upper === 0) {
    range(24, BLCKSZ, COLORS.free!, 'new (all-zero) page');
    return svg;
  }
  range(24, hdr.lower, COLORS.linp!, `line pointers: ${(hdr.lower - 24) / 4} × 4 bytes (24–${hdr.lower})`);
  range(hdr.lower, hdr.upper, COLORS.free!, `free space ${hdr.upper - hdr.lower} bytes (${hdr.lower}–${hdr.upper})`);
  const h0 = decodePageHeader(page);
  for (const id of decodeItemIds(page, h0)) {
    if (id.lp_len === 0 || id.lp_flags === 0 || id.lp_flags === 2) continue;
    range(
      id.lp_off,
      id.lp_off + id.lp_len,
      id.lp_flags === 3 ? COLORS.dead! : COLORS.normal!,
      `item ${id.lp}: ${LP_FLAG_NAMES[id.lp_flags]}, offset ${id.lp_off}, length ${id.lp_len}`,
    );
  }
  if (hdr.special < BLCKSZ)
    range(hdr.special, BLCKSZ, COLORS.special!, `special space ${BLCKSZ - hdr.special} bytes (${hdr.special}–${BLCKSZ})`);
  const legendY = rows * rowH + 14;
  let x = 1;
  for (const [k, label] of [
    ['header', 'header'],
    ['linp', 'line pointers'],
    ['free', 'free'],
    ['normal', 'tuples'],
    ['dead', 'dead'],
    ['special', 'special'],
  ] as const) {
    svg.append(s('rect', { x, y: legendY - 9, width: 10, height: 10, fill: COLORS[k]!, stroke: '#999', 'stroke-width': 0.5 }));
    svg.append(s('text', { x: x + 14, y: legendY, class: 'lbl' }, label));
    x += 24 + label.length * 6.5;
  }
  return svg;
}

function itemsView(report: PageReport, page: Uint8Array, columns: AttributeDescriptor[] | null): HTMLElement[] {
  const items = report.items;
  const out: HTMLElement[] = [];
  if (report.kind === 'heap' && items !== undefined) {
    const rows = items as HeapPageItem[];
    out.push(
      h('h3', {}, `Heap tuples (${rows.length} line pointers)`),
      h(
        'table',
        { class: 'grid', id: 'page-items' },
        h(
          'tr',
          {},
          ...[
            'lp',
            'lp_off',
            'lp_flags',
            'lp_len',
            't_xmin',
            't_xmax',
            't_field3',
            't_ctid',
            'natts',
            't_hoff',
            'infomask flags',
            't_bits',
            columns === null ? 't_data' : 'values',
          ].map((t) => h('th', {}, t)),
        ),
        ...rows.map((r) => {
          const flags = r.tInfomask === null ? null : infomaskFlags(r.tInfomask, r.tInfomask2 ?? 0);
          return h(
            'tr',
            {},
            h('td', {}, r.lp),
            h('td', {}, r.lpOff),
            h('td', {}, LP_FLAG_NAMES[r.lpFlags] ?? String(r.lpFlags)),
            h('td', {}, r.lpLen),
            h('td', {}, r.tXmin ?? ''),
            h('td', {}, r.tXmax ?? ''),
            h('td', {}, r.tField3 ?? ''),
            h('td', {}, r.tCtid ?? ''),
            h('td', {}, r.tInfomask2 === null ? '' : r.tInfomask2 & 0x07ff),
            h('td', {}, r.tHoff ?? ''),
            h('td', { class: 'flags' }, flags === null ? '' : [...flags.rawFlags, ...flags.combinedFlags.map((f) => `(${f})`)].join(' ')),
            h('td', {}, r.tBits ?? ''),
            columns !== null && r.tData !== null
              ? h('td', { class: 'values' }, tupleValues(page, r.lp, columns))
              : h(
                  'td',
                  { class: 'data', title: r.tData ?? '' },
                  r.tData === null ? '' : `\\x${r.tData.length > 64 ? `${r.tData.slice(0, 64)}…` : r.tData}`,
                ),
          );
        }),
      ),
    );
  } else if (report.kind === 'btree' && items !== undefined) {
    const rows = items as BtPageItem[];
    out.push(
      h('h3', {}, `B-tree items (${rows.length})`),
      h(
        'table',
        { class: 'grid', id: 'page-items' },
        h('tr', {}, ...['itemoffset', 'ctid', 'itemlen', 'nulls', 'vars', 'dead', 'htid', 'tids', 'data'].map((t) => h('th', {}, t))),
        ...rows.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, r.itemoffset),
            h('td', {}, r.ctid),
            h('td', {}, r.itemlen),
            h('td', {}, String(r.nulls)),
            h('td', {}, String(r.vars)),
            h('td', {}, r.dead === null ? '' : String(r.dead)),
            h('td', {}, r.htid ?? ''),
            h('td', {}, r.tids === null ? '' : r.tids.join(' ')),
            h('td', { class: 'data' }, r.data),
          ),
        ),
      ),
    );
  } else if (items !== undefined) {
    out.push(
      h('h3', {}, `Items (${items.length})`),
      h('pre', { class: 'json', id: 'page-items' }, JSON.stringify(items, null, 1).slice(0, 20000)),
    );
  }
  if (report.stats !== undefined)
    out.push(h('h3', {}, 'Page statistics / opaque data'), h('pre', { class: 'json' }, JSON.stringify(report.stats, null, 2)));
  if (report.meta !== undefined) out.push(h('h3', {}, 'Metapage'), h('pre', { class: 'json' }, JSON.stringify(report.meta, null, 2)));
  if (report.contents !== undefined) out.push(h('h3', {}, 'FSM contents'), h('pre', { class: 'json' }, report.contents));
  return out;
}

function hexDump(page: Uint8Array): HTMLElement {
  const lines: string[] = [];
  for (let off = 0; off < page.length; off += 32) {
    let line = `${off.toString(16).padStart(4, '0')}  `;
    for (let j = 0; j < 32; j++) line += (page[off + j] ?? 0).toString(16).padStart(2, '0') + (j % 8 === 7 ? '  ' : ' ');
    lines.push(line);
  }
  return h('pre', { class: 'hex' }, lines.join('\n'));
}
