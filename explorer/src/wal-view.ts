/**
 * The WAL records view: a virtualised table of the record index (only visible rows are in the
 * DOM), pg_waldump-like filters (--rmgr, --relation, --block, --fork, --xid, --fullpage,
 * --start/--end, plus text search) and the detail of one record (XLogRecord header, block
 * references, decoded body tree, hex with the record's byte ranges highlighted).
 */
import { bytesText, h, hex2, lsnPadded, parseLsnText } from './dom.js';
import type { RecordDetail } from './protocol.js';
import { BLOCK_FIELDS, RecordStore, type RowBatch } from './record-store.js';

const ROW_H = 22;
const FORKS = ['main', 'fsm', 'vm', 'init'];

export interface WalViewHooks {
  requestDetail(index: number, lsn: number): void;
  openPage(page: Uint8Array, block: number, fork: number, label: string, rel: string): void;
}

type Predicate = (i: number) => boolean;

export class WalView {
  readonly el: HTMLElement;
  private store = new RecordStore();
  private filtered: number[] = [];
  private predicate: Predicate | null = null;
  private selected = -1;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly window: HTMLDivElement;
  private readonly countEl: HTMLSpanElement;
  private readonly detailEl: HTMLDivElement;
  private readonly rmgrSelect: HTMLSelectElement;
  private readonly rmgrsSeen = new Set<string>();
  private readonly inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  private renderQueued = false;
  private readonly hooks: WalViewHooks;
  private filterError: HTMLSpanElement;

  constructor(hooks: WalViewHooks) {
    this.hooks = hooks;
    this.rmgrSelect = h('select', { id: 'f-rmgr', title: 'rmgr (--rmgr)' }, h('option', { value: '' }, 'all rmgrs'));
    const fork = h(
      'select',
      { id: 'f-fork', title: 'fork (--fork)' },
      h('option', { value: '' }, 'any fork'),
      ...FORKS.map((f, i) => h('option', { value: String(i) }, f)),
    );
    const input = (id: string, placeholder: string, size: number): HTMLInputElement =>
      h('input', { id, placeholder, size, type: 'text', spellcheck: false, title: placeholder });
    this.inputs = {
      rmgr: this.rmgrSelect,
      rel: input('f-rel', 'relation (spc/db/rel or rel)', 16),
      block: input('f-block', 'block', 6),
      fork,
      xid: input('f-xid', 'xid', 8),
      start: input('f-start', 'start LSN', 11),
      end: input('f-end', 'end LSN', 11),
      text: input('f-text', 'search type/description', 22),
      fpi: h('input', { id: 'f-fpi', type: 'checkbox', title: 'records with full-page images only (--fullpage)' }),
    };
    this.filterError = h('span', { class: 'filter-error', id: 'filter-error' });
    this.countEl = h('span', { class: 'count', id: 'record-count' }, '0 records');
    let timer = 0;
    const onChange = (): void => {
      clearTimeout(timer);
      timer = window.setTimeout(() => this.applyFilter(), 120);
    };
    for (const el of Object.values(this.inputs)) {
      el.addEventListener('input', onChange);
      el.addEventListener('change', onChange);
    }
    const clear = h(
      'button',
      {
        id: 'f-clear',
        onclick: () => {
          for (const el of Object.values(this.inputs)) {
            if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = false;
            else el.value = '';
          }
          this.applyFilter();
        },
      },
      'clear',
    );
    const filters = h(
      'div',
      { class: 'filters' },
      this.rmgrSelect,
      this.inputs.rel!,
      this.inputs.block!,
      fork,
      this.inputs.xid!,
      this.inputs.start!,
      this.inputs.end!,
      this.inputs.text!,
      h('label', {}, this.inputs.fpi!, ' FPI only'),
      clear,
      this.countEl,
      this.filterError,
    );
    const head = h(
      'div',
      { class: 'row head' },
      h('span', { class: 'c-i' }, '#'),
      h('span', { class: 'c-lsn' }, 'LSN'),
      h('span', { class: 'c-rmgr' }, 'rmgr'),
      h('span', { class: 'c-type' }, 'type'),
      h('span', { class: 'c-len' }, 'rec/tot'),
      h('span', { class: 'c-xid' }, 'xid'),
      h('span', { class: 'c-desc' }, 'description, block refs'),
    );
    this.spacer = h('div', { class: 'spacer' });
    this.window = h('div', { class: 'rows' });
    this.viewport = h('div', { class: 'viewport', id: 'records', tabindex: 0 }, this.spacer, this.window);
    this.viewport.addEventListener('scroll', () => this.queueRender());
    // ↑/↓ move the selection through the filtered rows (and keep it in view).
    this.viewport.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      const at = this.filtered.indexOf(this.selected);
      const k = Math.max(0, Math.min(this.filtered.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
      const i = this.filtered[k];
      if (i === undefined) return;
      const top = k * ROW_H;
      if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
      else if (top + ROW_H > this.viewport.scrollTop + this.viewport.clientHeight)
        this.viewport.scrollTop = top + ROW_H - this.viewport.clientHeight;
      this.select(i);
    });
    this.window.addEventListener('click', (e) => {
      const rowEl = (e.target as HTMLElement).closest('.row') as HTMLElement | null;
      if (rowEl?.dataset.i === undefined) return;
      this.select(Number(rowEl.dataset.i));
    });
    this.detailEl = h('div', { class: 'detail', id: 'detail' }, h('p', { class: 'muted' }, 'Select a record to see its detail.'));
    this.el = h('section', { id: 'wal-view' }, filters, h('div', { class: 'table' }, head, this.viewport), this.detailEl);
    window.addEventListener('resize', () => this.queueRender());
  }

  reset(): void {
    this.store = new RecordStore();
    this.filtered = [];
    this.selected = -1;
    this.rmgrsSeen.clear();
    while (this.rmgrSelect.options.length > 1) this.rmgrSelect.remove(1);
    this.detailEl.replaceChildren(h('p', { class: 'muted' }, 'Select a record to see its detail.'));
    this.updateCount();
    this.queueRender();
  }

  get recordCount(): number {
    return this.store.n;
  }

  addRows(batch: RowBatch): void {
    const p = this.predicate;
    const first = this.store.n;
    this.store.append(batch);
    for (let i = first; i < this.store.n; i++) if (p === null || p(i)) this.filtered.push(i);
    for (const t of batch.newTypes) {
      if (!this.rmgrsSeen.has(t.rmgr)) {
        this.rmgrsSeen.add(t.rmgr);
        this.rmgrSelect.append(h('option', { value: t.rmgr }, t.rmgr));
      }
    }
    this.updateCount();
    this.queueRender();
  }

  /** Shows only records of this relation/block (from the page view's "records touching this block"). */
  filterBlock(rel: string, block: number): void {
    for (const el of Object.values(this.inputs)) {
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = false;
      else el.value = '';
    }
    (this.inputs.rel as HTMLInputElement).value = rel;
    (this.inputs.block as HTMLInputElement).value = String(block);
    this.applyFilter();
  }

  private updateCount(): void {
    const total = this.store.n;
    this.countEl.textContent = this.predicate === null ? `${total} records` : `${this.filtered.length} of ${total} records`;
  }

  private buildPredicate(): Predicate | null {
    const v = (k: string): string => this.inputs[k]!.value.trim();
    const tests: Predicate[] = [];
    const problems: string[] = [];
    const rmgr = v('rmgr');
    const st = this.store;
    if (rmgr !== '') tests.push((i) => st.rmgr(i) === rmgr);
    const rel = v('rel');
    let relParts: number[] | null = null;
    if (rel !== '') {
      const parts = rel.split('/').map((x) => Number(x));
      if ((parts.length !== 1 && parts.length !== 3) || parts.some((x) => !Number.isInteger(x) || x < 0))
        problems.push('relation: spc/db/rel or rel');
      else relParts = parts;
    }
    const blockText = v('block');
    const block = blockText === '' ? null : Number(blockText);
    if (block !== null && (!Number.isInteger(block) || block < 0)) problems.push('block: a number');
    const forkText = v('fork');
    const fork = forkText === '' ? null : Number(forkText);
    if (relParts !== null || (block !== null && Number.isInteger(block)) || fork !== null) {
      const rp = relParts;
      tests.push((i) => {
        const b = st.blocks;
        for (let k = st.blkOff[i]! * BLOCK_FIELDS, e = st.blkOff[i + 1]! * BLOCK_FIELDS; k < e; k += BLOCK_FIELDS) {
          if (rp !== null) {
            if (rp.length === 1 ? b[k + 2] !== rp[0] : b[k] !== rp[0] || b[k + 1] !== rp[1] || b[k + 2] !== rp[2]) continue;
          }
          if (block !== null && b[k + 4] !== block) continue;
          if (fork !== null && b[k + 3] !== fork) continue;
          return true;
        }
        return false;
      });
    }
    const xidText = v('xid');
    if (xidText !== '') {
      const xid = Number(xidText);
      if (!Number.isInteger(xid) || xid < 0) problems.push('xid: a number');
      else tests.push((i) => st.xid[i] === xid);
    }
    const startText = v('start');
    if (startText !== '') {
      const start = parseLsnText(startText);
      if (start === null) problems.push('start: an LSN like 0/1A2B3C4');
      else tests.push((i) => st.lsn[i]! >= start);
    }
    const endText = v('end');
    if (endText !== '') {
      const end = parseLsnText(endText);
      if (end === null) problems.push('end: an LSN like 0/1A2B3C4');
      else tests.push((i) => st.lsn[i]! < end);
    }
    if ((this.inputs.fpi as HTMLInputElement).checked) tests.push((i) => st.fpi[i]! > 0);
    const text = v('text').toLowerCase();
    if (text !== '') tests.push((i) => `${st.type(i)} ${st.desc[i]}${st.blk[i]}`.toLowerCase().includes(text));
    this.filterError.textContent = problems.length > 0 ? `ignored: ${problems.join('; ')}` : '';
    if (tests.length === 0) return null;
    return (i) => {
      for (const t of tests) if (!t(i)) return false;
      return true;
    };
  }

  applyFilter(): void {
    this.predicate = this.buildPredicate();
    const p = this.predicate;
    const out: number[] = [];
    for (let i = 0; i < this.store.n; i++) if (p === null || p(i)) out.push(i);
    this.filtered = out;
    this.viewport.scrollTop = 0;
    this.updateCount();
    this.queueRender();
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const n = this.filtered.length;
    this.spacer.style.height = `${n * ROW_H}px`;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_H) - 5);
    const last = Math.min(n, Math.ceil((top + height) / ROW_H) + 5);
    this.window.style.transform = `translateY(${first * ROW_H}px)`;
    const out: HTMLElement[] = [];
    for (let k = first; k < last; k++) {
      const i = this.filtered[k]!;
      const st = this.store;
      const tot = st.tot[i]!;
      const fpi = st.fpi[i]!;
      const text = st.desc[i]! + st.blk[i]!;
      out.push(
        h(
          'div',
          { class: i === this.selected ? 'row sel' : fpi > 0 ? 'row fpi' : 'row', 'data-i': i },
          h('span', { class: 'c-i' }, i + 1),
          h('span', { class: 'c-lsn' }, lsnPadded(st.lsn[i]!)),
          h('span', { class: 'c-rmgr' }, st.rmgr(i)),
          h('span', { class: 'c-type' }, st.type(i)),
          h('span', { class: 'c-len' }, `${tot - fpi}/${tot}`),
          h('span', { class: 'c-xid' }, st.xid[i]!),
          h('span', { class: 'c-desc', title: text }, text),
        ),
      );
    }
    this.window.replaceChildren(...out);
  }

  select(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.store.n) return;
    const lsn = this.store.lsn[i]!;
    this.selected = i;
    this.queueRender();
    this.detailEl.replaceChildren(h('p', { class: 'muted' }, `Decoding the record at ${lsnPadded(lsn)}…`));
    this.hooks.requestDetail(i, lsn);
  }

  showDetailError(index: number, message: string): void {
    const lsn = index < this.store.n ? lsnPadded(this.store.lsn[index]!) : '?';
    this.detailEl.replaceChildren(h('p', { class: 'error' }, `record at ${lsn}: ${message}`));
  }

  showDetail(d: RecordDetail): void {
    const headerTable = h(
      'table',
      { class: 'kv' },
      ...Object.entries(d.header).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))),
    );
    const blocks = h(
      'table',
      { class: 'grid', id: 'detail-blocks' },
      h('tr', {}, ...['id', 'rel', 'fork', 'blk', 'flags', 'data', 'image', ''].map((t) => h('th', {}, t))),
      ...d.blocks.map((b) =>
        h(
          'tr',
          {},
          h('td', {}, `#${b.id}`),
          h('td', {}, `${b.spcOid}/${b.dbOid}/${b.relNumber}`),
          h('td', {}, FORKS[b.fork] ?? String(b.fork)),
          h('td', {}, b.blockNumber),
          h('td', {}, `0x${hex2(b.forkFlags)}${b.willInit ? ' WILL_INIT' : ''}`),
          h('td', {}, b.hasData ? `${b.dataLength} B` : '—'),
          h(
            'td',
            {},
            b.image === null
              ? '—'
              : `${b.image.length} B, hole ${b.image.holeOffset}+${b.image.holeLength}, ${b.image.compression}${b.image.apply ? '' : ', for WAL verification'}`,
          ),
          h(
            'td',
            {},
            b.page !== null
              ? h(
                  'button',
                  {
                    class: 'open-page',
                    'data-block': b.id,
                    onclick: () =>
                      this.hooks.openPage(
                        b.page!,
                        b.blockNumber,
                        b.fork,
                        `full-page image of block #${b.id} (rel ${b.spcOid}/${b.dbOid}/${b.relNumber} ${FORKS[b.fork] ?? b.fork} blk ${b.blockNumber}) in the record at ${lsnPadded(d.lsn)}`,
                        `${b.spcOid}/${b.dbOid}/${b.relNumber}`,
                      ),
                  },
                  'open page',
                )
              : b.imageError !== null
                ? h('span', { class: 'error' }, b.imageError)
                : '',
          ),
        ),
      ),
    );
    const body =
      d.bodyError !== null
        ? h('p', { class: 'error' }, `body: ${d.bodyError}`)
        : h('div', { class: 'tree', id: 'detail-body' }, tree('body', d.body, true));
    const parts: (Node | string)[] = [
      h('pre', { class: 'line', id: 'detail-line' }, d.line),
      h('div', { class: 'cols' }, h('div', {}, h('h3', {}, 'XLogRecord'), headerTable), h('div', {}, h('h3', {}, 'Decoded body'), body)),
      h('h3', {}, `Block references (${d.blocks.length})`),
      d.blocks.length > 0 ? blocks : h('p', { class: 'muted' }, 'none'),
      d.detailedBlocks !== '' ? h('pre', { class: 'line' }, d.detailedBlocks) : '',
      h('h3', {}, `Bytes (${bytesText(d.raw.length)})`),
      hexView(d),
    ];
    this.detailEl.replaceChildren(...parts);
  }
}

function tree(key: string, value: unknown, open = false): HTMLElement {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const label = Array.isArray(value) ? `${key} [${value.length}]` : key;
    const d = h('details', open ? { open: true } : {}, h('summary', {}, label));
    for (const [k, v] of entries) d.append(tree(k, v, entries.length <= 8));
    return d;
  }
  return h(
    'div',
    { class: 'leaf' },
    h('span', { class: 'k' }, `${key}: `),
    h('span', { class: 'v' }, JSON.stringify(value) ?? 'undefined'),
  );
}

const HEX_LIMIT = 64 * 1024;

function hexView(d: RecordDetail): HTMLElement {
  const raw = d.raw;
  const kindAt = new Uint8Array(raw.length);
  const kinds = ['', 'header', 'block-header', 'image', 'block-data', 'main-data'];
  for (const r of d.ranges) {
    const k = kinds.indexOf(r.kind);
    kindAt.fill(k, r.start, Math.min(r.end, raw.length));
  }
  const n = Math.min(raw.length, HEX_LIMIT);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    let hexPart = '';
    let ascii = '';
    let cur = -1;
    for (let j = 0; j < 16; j++) {
      const i = off + j;
      if (i >= n) {
        hexPart += '   ';
        continue;
      }
      const k = kindAt[i]!;
      if (k !== cur) {
        if (cur !== -1) hexPart += '</span>';
        hexPart += `<span class="hx-${kinds[k] || 'none'}">`;
        cur = k;
      }
      const b = raw[i]!;
      hexPart += `${hex2(b)} `;
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') : '.';
    }
    if (cur !== -1) hexPart += '</span>';
    lines.push(`<span class="off">${off.toString(16).padStart(6, '0')}</span>  ${hexPart} ${ascii}`);
  }
  const pre = h('pre', { class: 'hex', id: 'detail-hex' });
  pre.innerHTML = lines.join('\n') + (raw.length > n ? `\n… ${raw.length - n} more bytes` : '');
  const legend = h(
    'div',
    { class: 'legend' },
    ...d.ranges.map((r) => h('span', { class: `hx-${r.kind}` }, `${r.label} ${r.start}–${r.end}`)),
  );
  return h('div', {}, legend, pre);
}
