/**
 * WAL statistics as pictures (pg_waldump --stats / --stats=record, XLogDumpDisplayStats):
 * bytes and records per rmgr and per record type, WAL volume over LSN, and the share of
 * full-page images — drawn as plain SVG.
 */
import { bytesText, h, lsnText, s } from './dom.js';
import type { StatsRow, WalStatsSummary } from './protocol.js';

const REC = '#4e79a7';
const FPI = '#f28e2b';
const COUNT = '#59a14f';

export function renderStats(el: HTMLElement, stats: WalStatsSummary | null): void {
  if (stats === null || stats.count === 0) {
    el.replaceChildren(h('p', { class: 'muted' }, 'No records decoded yet.'));
    return;
  }
  const totalRec = stats.rmgrs.reduce((a, r) => a + r.recLen, 0);
  const totalFpi = stats.rmgrs.reduce((a, r) => a + r.fpiLen, 0);
  const byBytes = [...stats.rmgrs].sort((a, b) => b.recLen + b.fpiLen - (a.recLen + a.fpiLen));
  const byCount = [...stats.rmgrs].sort((a, b) => b.count - a.count);
  const types = [...stats.types].sort((a, b) => b.recLen + b.fpiLen - (a.recLen + a.fpiLen)).slice(0, 25);
  el.replaceChildren(
    h(
      'div',
      { class: 'stats-summary', id: 'stats-summary' },
      `${stats.count} records, ${bytesText(totalRec + totalFpi)} of WAL: ${bytesText(totalRec)} record data, ${bytesText(totalFpi)} full-page images (${((100 * totalFpi) / Math.max(1, totalRec + totalFpi)).toFixed(1)}%)`,
    ),
    h(
      'div',
      { class: 'legend' },
      h('span', { style: `background:${REC}` }, 'record bytes'),
      h('span', { style: `background:${FPI}` }, 'FPI bytes'),
      h('span', { style: `background:${COUNT}` }, 'records'),
    ),
    h(
      'div',
      { class: 'charts' },
      figure(
        'Bytes per rmgr',
        bars(
          byBytes.map((r) => ({ label: r.rmgr, a: r.recLen, b: r.fpiLen })),
          bytesText,
          'chart-rmgr-bytes',
        ),
      ),
      figure(
        'Records per rmgr',
        bars(
          byCount.map((r) => ({ label: r.rmgr, a: r.count, b: 0 })),
          String,
          'chart-rmgr-count',
          COUNT,
        ),
      ),
      figure('FPI share', share(totalRec, totalFpi)),
      figure(
        'Bytes per record type (top 25)',
        bars(
          types.map((r) => ({ label: typeLabel(r), a: r.recLen, b: r.fpiLen })),
          bytesText,
          'chart-type-bytes',
        ),
      ),
      figure('WAL volume over LSN', volume(stats)),
    ),
    h('h3', {}, `pg_waldump --stats=record (PostgreSQL ${stats.major})`),
    h('pre', { class: 'stats-text', id: 'stats-text' }, stats.text),
  );
}

function typeLabel(r: StatsRow): string {
  return `${r.rmgr}/${r.type ?? ''}`;
}

function figure(title: string, chart: SVGElement): HTMLElement {
  return h('figure', {}, h('figcaption', {}, title), chart as unknown as Node);
}

interface Bar {
  label: string;
  a: number;
  b: number;
}

function bars(data: Bar[], fmt: (n: number) => string, id: string, colorA = REC): SVGElement {
  const labelW = 190;
  const barW = 300;
  const valueW = 90;
  const rowH = 18;
  const width = labelW + barW + valueW;
  const height = data.length * rowH + 4;
  const max = Math.max(1, ...data.map((d) => d.a + d.b));
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, id, class: 'chart' });
  data.forEach((d, i) => {
    const y = i * rowH + 2;
    const g = s('g');
    g.append(s('title', {}, `${d.label}: ${fmt(d.a)}${d.b > 0 ? ` + ${fmt(d.b)} FPI` : ''}`));
    g.append(s('text', { x: labelW - 6, y: y + 12, 'text-anchor': 'end', class: 'lbl' }, d.label));
    const wa = (barW * d.a) / max;
    const wb = (barW * d.b) / max;
    g.append(s('rect', { x: labelW, y, width: Math.max(wa, d.a > 0 ? 1 : 0), height: rowH - 4, fill: colorA }));
    if (d.b > 0) g.append(s('rect', { x: labelW + wa, y, width: Math.max(wb, 1), height: rowH - 4, fill: FPI }));
    g.append(s('text', { x: labelW + wa + wb + 4, y: y + 12, class: 'val' }, fmt(d.a + d.b)));
    svg.append(g);
  });
  return svg;
}

function share(rec: number, fpi: number): SVGElement {
  const size = 180;
  const r = 70;
  const c = size / 2;
  const svg = s('svg', { width: size + 160, height: size, id: 'chart-fpi-share', class: 'chart' });
  const total = Math.max(1, rec + fpi);
  const frac = fpi / total;
  svg.append(s('circle', { cx: c, cy: c, r, fill: REC }));
  if (frac >= 0.9999) svg.append(s('circle', { cx: c, cy: c, r, fill: FPI }));
  else if (frac > 0) {
    const angle = frac * 2 * Math.PI;
    const x = c + r * Math.sin(angle);
    const y = c - r * Math.cos(angle);
    svg.append(s('path', { d: `M${c},${c} L${c},${c - r} A${r},${r} 0 ${frac > 0.5 ? 1 : 0} 1 ${x},${y} Z`, fill: FPI }));
  }
  svg.append(s('circle', { cx: c, cy: c, r: r * 0.5, fill: 'white' }));
  svg.append(s('text', { x: c, y: c + 5, 'text-anchor': 'middle', class: 'big' }, `${(100 * frac).toFixed(1)}%`));
  svg.append(s('text', { x: size + 10, y: c - 10, class: 'lbl' }, `FPI ${bytesText(fpi)}`));
  svg.append(s('text', { x: size + 10, y: c + 10, class: 'lbl' }, `records ${bytesText(rec)}`));
  return svg;
}

function volume(stats: WalStatsSummary): SVGElement {
  const n = stats.bucketLsn.length;
  const width = 700;
  const height = 200;
  const left = 60;
  const bottom = 30;
  const plotW = width - left - 10;
  const plotH = height - bottom - 10;
  const max = Math.max(1, ...stats.bucketRec.map((r, i) => r + stats.bucketFpi[i]!));
  const svg = s('svg', { width, height, id: 'chart-volume', class: 'chart' });
  const bw = plotW / Math.max(1, n);
  const step = n > 1 ? stats.bucketLsn[1]! - stats.bucketLsn[0]! : 0;
  for (let i = 0; i < n; i++) {
    const rec = stats.bucketRec[i]!;
    const fpi = stats.bucketFpi[i]!;
    const hr = (plotH * rec) / max;
    const hf = (plotH * fpi) / max;
    const x = left + i * bw;
    const g = s('g');
    g.append(s('title', {}, `${lsnText(stats.bucketLsn[i]!)}: ${bytesText(rec)} records, ${bytesText(fpi)} FPI`));
    g.append(s('rect', { x, y: 10 + plotH - hr, width: Math.max(bw - 1, 1), height: hr, fill: REC }));
    g.append(s('rect', { x, y: 10 + plotH - hr - hf, width: Math.max(bw - 1, 1), height: hf, fill: FPI }));
    svg.append(g);
  }
  svg.append(s('line', { x1: left, y1: 10 + plotH, x2: left + plotW, y2: 10 + plotH, stroke: '#888' }));
  svg.append(s('text', { x: left - 4, y: 16, 'text-anchor': 'end', class: 'lbl' }, bytesText(max)));
  svg.append(s('text', { x: left - 4, y: 10 + plotH, 'text-anchor': 'end', class: 'lbl' }, '0'));
  if (n > 0) {
    svg.append(s('text', { x: left, y: height - 8, class: 'lbl' }, lsnText(stats.bucketLsn[0]!)));
    svg.append(
      s(
        'text',
        { x: left + plotW, y: height - 8, 'text-anchor': 'end', class: 'lbl' },
        `${lsnText(stats.bucketLsn[n - 1]! + step)} (${bytesText(step)} per bar)`,
      ),
    );
  }
  return svg;
}
