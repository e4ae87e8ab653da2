/**
 * Reads struct layouts from the C compiler: compiles a small translation unit that includes the
 * manifest's server headers with `gcc -g -gdwarf-5` and parses the DWARF debug info that
 * `readelf --debug-dump=info,line` prints. Offsets, sizes, bitfields and array bounds are the
 * compiler's own; alignment comes from `_Alignof` captured as enumerator values.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export interface Die {
  readonly offset: number;
  readonly tag: string;
  readonly attrs: Map<string, string>;
  readonly children: Die[];
  parent: Die | undefined;
}

export interface CompiledUnit {
  /** All DIEs by section offset. */
  readonly dies: Map<number, Die>;
  /** Top-level DIEs of the compile unit. */
  readonly top: Die[];
  /** decl_file index → path as gcc recorded it. */
  readonly files: Map<number, string>;
  /** Server headers the unit read (paths relative to the include dir), from `gcc -M`. */
  readonly headers: string[];
}

const DIE_RE = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((DW_TAG_\w+)\))?/;
const ATTR_RE = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s?(.*)$/;
const INDIRECT_RE = /^\(indirect (?:line )?string, offset: 0x[0-9a-f]+\): (.*)$/;

function parseInfo(text: string): { dies: Map<number, Die>; top: Die[] } {
  const dies = new Map<number, Die>();
  const top: Die[] = [];
  const stack: Die[] = [];
  let current: Die | undefined;
  for (const line of text.split('\n')) {
    const m = DIE_RE.exec(line);
    if (m) {
      const depth = Number(m[1]);
      const tag = m[4];
      stack.length = Math.max(0, depth);
      if (tag === undefined) {
        current = undefined;
        continue;
      }
      const parent = depth > 0 ? stack[depth - 1] : undefined;
      const die: Die = { offset: Number.parseInt(m[2]!, 16), tag, attrs: new Map(), children: [], parent };
      dies.set(die.offset, die);
      if (parent) parent.children.push(die);
      if (depth === 1) top.push(die);
      stack[depth] = die;
      current = die;
      continue;
    }
    const a = ATTR_RE.exec(line);
    if (a && current) {
      let value = a[2]!.trim();
      const ind = INDIRECT_RE.exec(value);
      if (ind) value = ind[1]!;
      current.attrs.set(a[1]!, value);
    }
  }
  return { dies, top };
}

function parseFileTable(text: string): Map<number, string> {
  const dirs = new Map<number, string>();
  const files = new Map<number, string>();
  let mode: 'none' | 'dirs' | 'files' = 'none';
  for (const line of text.split('\n')) {
    if (line.includes('The Directory Table')) {
      if (files.size > 0) break; // only the first (our) compile unit
      mode = 'dirs';
      continue;
    }
    if (line.includes('The File Name Table')) {
      mode = 'files';
      continue;
    }
    if (mode === 'none') continue;
    if (line.trim() === '' || line.includes('Line Number Statements')) {
      if (mode === 'files' && files.size > 0) break;
      continue;
    }
    const value = (s: string): string => INDIRECT_RE.exec(s)?.[1] ?? s;
    if (mode === 'dirs') {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m) dirs.set(Number(m[1]), value(m[2]!.trim()));
    } else {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      if (m) files.set(Number(m[1]), join(dirs.get(Number(m[2])) ?? '', value(m[3]!.trim())));
    }
  }
  return files;
}

/** Compile `source` against `includeDir` with `cc` (a gcc) and return its DWARF. */
export function compileUnit(source: string, includeDir: string, cc = 'gcc'): CompiledUnit {
  const dir = mkdtempSync(join(tmpdir(), 'pgffi-codegen-'));
  try {
    const c = join(dir, 'layouts.c');
    const o = join(dir, 'layouts.o');
    writeFileSync(c, source);
    const flags = ['-I', includeDir, '-g', '-gdwarf-5', '-O0', '-fno-eliminate-unused-debug-types', '-c', c, '-o', o];
    execFileSync(cc, flags, { stdio: ['ignore', 'pipe', 'pipe'] });
    const deps = execFileSync(cc, ['-I', includeDir, '-M', c], { encoding: 'utf8' });
    const info = execFileSync('readelf', ['--debug-dump=info', o], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const line = execFileSync('readelf', ['--debug-dump=line', o], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const { dies, top } = parseInfo(info);
    return { dies, top, files: parseFileTable(line), headers: headerList(deps, includeDir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Paths (relative to includeDir) of the headers under includeDir that a `gcc -M` rule names. */
function headerList(deps: string, includeDir: string): string[] {
  const root = resolve(includeDir);
  const words = deps.replace(/\\\n/g, ' ').split(/\s+/).slice(1);
  const out = new Set<string>();
  for (const w of words) {
    if (!w.endsWith('.h')) continue;
    const rel = relative(root, resolve(w));
    if (!rel.startsWith('..')) out.add(rel);
  }
  return [...out].sort();
}

/** Path of a DIE's decl_file relative to includeDir ('' when unknown or outside). */
export function declHeader(unit: CompiledUnit, die: Die, includeDir: string): string {
  const idx = die.attrs.get('DW_AT_decl_file');
  if (idx === undefined) return '';
  const path = unit.files.get(Number(idx));
  if (path === undefined) return '';
  const rel = relative(resolve(includeDir), resolve(path));
  return rel.startsWith('..') ? '' : rel;
}

export function readHeaderFile(includeDir: string, rel: string): Buffer {
  return readFileSync(join(includeDir, rel));
}

export function attrNum(die: Die, name: string): number | undefined {
  const v = die.attrs.get(name);
  if (v === undefined) return undefined;
  const m = /^(-?(?:0x[0-9a-f]+|\d+))/i.exec(v);
  if (!m) throw new Error(`DIE <0x${die.offset.toString(16)}> ${name}: cannot read number from "${v}"`);
  return Number(m[1]);
}

export function attrRef(unit: CompiledUnit, die: Die, name = 'DW_AT_type'): Die | undefined {
  const v = die.attrs.get(name);
  if (v === undefined) return undefined;
  const m = /<0x([0-9a-f]+)>/.exec(v);
  if (!m) throw new Error(`DIE <0x${die.offset.toString(16)}> ${name}: not a reference: "${v}"`);
  const target = unit.dies.get(Number.parseInt(m[1]!, 16));
  if (!target) throw new Error(`DIE <0x${die.offset.toString(16)}> ${name}: dangling reference ${v}`);
  return target;
}
