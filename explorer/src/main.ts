/**
 * The explorer page: opens WAL segment files (plain, .gz, .zst) or relation files from the
 * file picker, drag and drop, or — under `pgffi explore PATH` — the local read-only file API,
 * and shows records, statistics and pages. Decoding runs in a Web Worker with the library's
 * browser-safe core; no bytes leave the machine.
 */
import { bytesText, h } from './dom.js';
import { PageView } from './page-view.js';
import type { FromWorker, InputFile, ToWorker, WalStatsSummary } from './protocol.js';
import { renderStats } from './stats-view.js';
import { WalView } from './wal-view.js';
import './style.css';

/** What the end-to-end tests and the bench read back. */
interface ExplorerState {
  loading: boolean;
  recordCount: number;
  firstRowsMs: number | null;
  doneMs: number | null;
  workerMs: number | null;
  notes: { level: string; message: string }[];
}

const state: ExplorerState = { loading: false, recordCount: 0, firstRowsMs: null, doneMs: null, workerMs: null, notes: [] };
(window as unknown as { __explorer: ExplorerState }).__explorer = state;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);

const pageView = new PageView((rel, block) => {
  walView.filterBlock(rel, block);
  showTab('wal');
});
const walView = new WalView({
  requestDetail: (index, lsn) => send({ type: 'detail', index, lsn }),
  openPage: (page, block, fork, label, rel) => {
    pageView.showPage(page, block, fork, label, rel);
    showTab('page');
  },
});
const statsEl = h('section', { id: 'stats-view' }, h('p', { class: 'muted' }, 'No WAL opened yet.'));
const filesEl = h('section', { id: 'files-view' });

const status = h('span', { id: 'status' }, 'Open WAL segment files (also .gz/.zst) or a relation file.');
const notes = h('div', { id: 'notes' });
const fileInput = h('input', { type: 'file', id: 'file-input', multiple: true });
fileInput.addEventListener('change', () => {
  if (fileInput.files !== null && fileInput.files.length > 0) void openFiles([...fileInput.files]);
});

const tabs: Record<string, { button: HTMLButtonElement; panel: HTMLElement }> = {};
function tab(name: string, label: string, panel: HTMLElement): HTMLButtonElement {
  const button = h('button', { class: 'tab', id: `tab-${name}`, onclick: () => showTab(name) }, label);
  tabs[name] = { button, panel };
  return button;
}
function showTab(name: string): void {
  for (const [k, t] of Object.entries(tabs)) {
    t.button.classList.toggle('active', k === name);
    t.panel.hidden = k !== name;
  }
}

const filesTab = tab('files', 'Files', filesEl);
filesTab.hidden = true;
const nav = h(
  'nav',
  {},
  tab('wal', 'Records', walView.el),
  tab('stats', 'Statistics', statsEl),
  tab('page', 'Page', pageView.el),
  filesTab,
);
document.body.append(
  h(
    'header',
    {},
    h('h1', {}, 'postgres-ffi explorer'),
    h('label', { class: 'picker' }, 'Open files… ', fileInput),
    h('span', { class: 'muted' }, 'or drop them here — decoded in this browser, nothing is uploaded.'),
  ),
  h('div', { class: 'statusbar' }, status),
  notes,
  nav,
  h('main', {}, walView.el, statsEl, pageView.el, filesEl),
);
showTab('wal');

function note(level: 'error' | 'info', message: string): void {
  state.notes.push({ level, message });
  notes.append(h('div', { class: `note ${level}` }, message));
}

function clearNotes(): void {
  state.notes = [];
  notes.replaceChildren();
}

let t0 = 0;
let stats: WalStatsSummary | null = null;

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'files':
      if (m.major !== null) status.textContent = `PostgreSQL ${m.major} WAL: decoding ${m.files.length} file(s)…`;
      break;
    case 'rows':
      walView.addRows(m.batch);
      state.recordCount = walView.recordCount;
      if (state.firstRowsMs === null) state.firstRowsMs = performance.now() - t0;
      status.textContent = `decoding… ${walView.recordCount} records`;
      break;
    case 'note':
      note(m.note.level, m.note.message);
      break;
    case 'done':
      state.loading = false;
      state.doneMs = performance.now() - t0;
      state.workerMs = m.elapsedMs;
      state.recordCount = walView.recordCount;
      stats = m.stats;
      renderStats(statsEl, stats);
      status.textContent = `${m.count} records decoded in ${(m.elapsedMs / 1000).toFixed(2)} s`;
      status.dataset.done = 'true';
      break;
    case 'detail':
      walView.showDetail(m.detail);
      break;
    case 'detail-error':
      walView.showDetailError(m.index, m.message);
      break;
    case 'fatal':
      state.loading = false;
      note('error', `decoder failed: ${m.message}`);
      status.textContent = 'failed';
      status.dataset.done = 'true';
      break;
  }
};
// Whatever goes wrong is said in place, never a blank page.
window.addEventListener('error', (e) => note('error', `error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) =>
  note('error', `error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`),
);
worker.onerror = (e) => {
  state.loading = false;
  note('error', `worker error: ${e.message}`);
};

function isWalish(name: string, head: Uint8Array): boolean {
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return true;
  const magic = head.length >= 2 ? (head[0] as number) | ((head[1] as number) << 8) : 0;
  if (magic === 0xd10d || magic === 0xd110 || magic === 0xd113) return true; // XLOG_PAGE_MAGIC of 14, 15, 16
  return /^[0-9A-F]{24}(\.partial)?(\.gz|\.zst)?$/.test(name);
}

async function openFiles(files: File[]): Promise<void> {
  delete status.dataset.done;
  const loaded: InputFile[] = [];
  for (const f of files) loaded.push({ name: f.name, bytes: await f.arrayBuffer() });
  openLoaded(loaded);
}

/** Sorts loaded files into WAL (to the worker) and a relation file (to the page view). */
function openLoaded(files: InputFile[]): void {
  clearNotes();
  const wal: InputFile[] = [];
  let relation: InputFile | null = null;
  for (const f of files) {
    const head = new Uint8Array(f.bytes, 0, Math.min(8, f.bytes.byteLength));
    if (isWalish(f.name, head)) wal.push(f);
    else if (relation === null) relation = f;
    else note('info', `${f.name}: only one relation file is shown at a time`);
  }
  if (relation !== null) {
    pageView.showFile(relation.name, new Uint8Array(relation.bytes));
    if (wal.length === 0) {
      status.textContent = `${relation.name}: ${bytesText(relation.bytes.byteLength)}, ${Math.floor(relation.bytes.byteLength / 8192)} pages`;
      showTab('page');
      status.dataset.done = 'true';
      return;
    }
  }
  if (wal.length === 0) {
    status.dataset.done = 'true';
    return;
  }
  walView.reset();
  stats = null;
  renderStats(statsEl, null);
  state.loading = true;
  state.recordCount = 0;
  state.firstRowsMs = null;
  state.doneMs = null;
  delete status.dataset.done;
  status.textContent = `reading ${wal.length} file(s)…`;
  showTab('wal');
  t0 = performance.now();
  send(
    { type: 'open', files: wal },
    wal.map((f) => f.bytes),
  );
}

document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const files = e.dataTransfer?.files;
  if (files !== undefined && files.length > 0) void openFiles([...files]);
});

// `pgffi explore PATH`: browse PATH through the local read-only API.
interface Entry {
  name: string;
  type: 'file' | 'dir';
  size: number;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let cwd = '';
async function browse(dir: string): Promise<void> {
  cwd = dir;
  let entries: Entry[];
  try {
    entries = await api<Entry[]>(`api/list?path=${encodeURIComponent(dir)}`);
  } catch (e) {
    filesEl.replaceChildren(h('p', { class: 'error' }, `cannot list ${dir || '.'}: ${e instanceof Error ? e.message : String(e)}`));
    return;
  }
  const segs = entries.filter((e) => e.type === 'file' && /^[0-9A-F]{24}(\.partial)?(\.gz|\.zst)?$/.test(e.name));
  const crumbs = dir === '' ? [] : dir.split('/');
  filesEl.replaceChildren(
    h(
      'div',
      { class: 'crumbs' },
      link('root', () => void browse('')),
      ...crumbs.map((c, i) =>
        h(
          'span',
          {},
          ' / ',
          link(c, () => void browse(crumbs.slice(0, i + 1).join('/'))),
        ),
      ),
    ),
    segs.length > 0
      ? h(
          'button',
          { id: 'open-all-wal', onclick: () => void fetchAndOpen(segs.map((e) => e.name)) },
          `Open all ${segs.length} WAL segments here`,
        )
      : '',
    h(
      'table',
      { class: 'grid', id: 'file-list' },
      h('tr', {}, h('th', {}, 'name'), h('th', {}, 'size')),
      ...entries.map((e) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            h(
              'a',
              {
                href: '#',
                'data-name': e.name,
                onclick: (ev: Event) => {
                  ev.preventDefault();
                  if (e.type === 'dir') void browse(join(cwd, e.name));
                  else void fetchAndOpen([e.name]);
                },
              },
              e.type === 'dir' ? `${e.name}/` : e.name,
            ),
          ),
          h('td', {}, e.type === 'dir' ? '' : bytesText(e.size)),
        ),
      ),
    ),
  );
}

function link(text: string, action: () => void): HTMLAnchorElement {
  return h(
    'a',
    {
      href: '#',
      onclick: (ev: Event) => {
        ev.preventDefault();
        action();
      },
    },
    text,
  );
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

async function fetchAndOpen(names: string[]): Promise<void> {
  delete status.dataset.done;
  status.textContent = `fetching ${names.length} file(s)…`;
  const files: InputFile[] = [];
  for (const name of names) {
    const path = join(cwd, name);
    const res = await fetch(`api/file?path=${encodeURIComponent(path)}`);
    if (!res.ok) {
      note('error', `${path}: ${res.status} ${await res.text()}`);
      continue;
    }
    files.push({ name: path, bytes: await res.arrayBuffer() });
  }
  openLoaded(files);
}

(async () => {
  try {
    const info = await api<{ root: string; kind: string }>('api/info');
    filesTab.hidden = false;
    filesTab.textContent = `Files (${info.kind})`;
    status.textContent = `Serving ${info.root} (${info.kind}, read-only). Open files from the Files tab, or drop your own.`;
    await browse('');
    showTab('files');
  } catch {
    // Static hosting without the API: files come from the picker or drag and drop.
  }
})();
