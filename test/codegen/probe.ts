/**
 * C probes for test/codegen: programs compiled with gcc against a version's server headers that
 * print what the compiler computes — sizeof/_Alignof of each struct, offsetof/sizeof/__alignof__
 * of every field the committed layouts list (bitfields found by setting all their bits in a
 * zeroed struct), and each field's value read by C from a known byte pattern — independently
 * of the DWARF path the generator uses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldLayout, StructLayout } from '../../src/common/layout.js';

export const HEADERS_ROOT = process.env.PGFFI_HEADERS ?? '/opt/pgffi-headers';

export function includeDir(major: number): string {
  return join(HEADERS_ROOT, String(major), 'include', 'server');
}

export function headersPresent(major: number): boolean {
  return existsSync(join(includeDir(major), 'pg_config.h'));
}

/** Compile `source` against the version's headers, run it, return stdout. */
export function runProbe(major: number, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgffi-probe-'));
  try {
    const c = join(dir, 'probe.c');
    const exe = join(dir, 'probe');
    writeFileSync(c, source);
    execFileSync('gcc', ['-std=gnu11', '-O0', '-w', '-I', includeDir(major), c, '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
    return execFileSync(exe, { encoding: 'utf8', maxBuffer: 1 << 28 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Byte `i` of the value pattern for the struct with index `k` (the C probe uses the same formula). */
export function patternByte(i: number, k: number): number {
  return (i * 151 + 17 * k + 7) & 255;
}

const PRELUDE = `
#include <stdio.h>
#undef printf
#include <stddef.h>
#include <string.h>

static unsigned char buf[65536] __attribute__((aligned(16)));
static void fill(size_t n, int k) { for (size_t i = 0; i < n; i++) buf[i] = (unsigned char) ((i * 151 + 17 * (size_t) k + 7) & 255); }
static void bits(const char *label, const unsigned char *p, size_t n) {
  int first = -1, count = 0;
  for (size_t i = 0; i < n * 8; i++)
    if (p[i / 8] & (1u << (i % 8))) { if (first < 0) first = (int) i; count++; }
  printf("B %s %d %d\\n", label, first, count);
}
#define PV(label, x) _Generic(+(x), \\
  unsigned long: printf("V %s u %llu\\n", label, (unsigned long long) (x)), \\
  unsigned long long: printf("V %s u %llu\\n", label, (unsigned long long) (x)), \\
  float: printf("V %s f %.17g\\n", label, (double) (x)), \\
  double: printf("V %s f %.17g\\n", label, (double) (x)), \\
  default: printf("V %s i %lld\\n", label, (long long) (x)))
#define PB(label, x) printf("V %s b %d\\n", label, *(const unsigned char *) &(x) != 0)
`;

/**
 * The layout probe: for every struct in `layouts`, lines
 *   S <struct> <sizeof> <alignof>
 *   F <struct>.<path> <offsetof> <sizeof> <alignof>     (non-bitfield fields, nested paths included)
 *   A <struct>.<path> <offsetof>                        (flexible array members)
 *   B <struct>.<path> <first set bit> <bit count>       (bitfields, bits from the struct start)
 *   V <label> <kind> <value>                            (values read by C from the byte pattern)
 */
export function layoutProbeSource(headers: readonly string[], layouts: Readonly<Record<string, StructLayout>>): string {
  const out: string[] = [];
  for (const h of headers) out.push(`#include "${h}"`);
  out.push(PRELUDE);
  out.push('int main(void) {');
  Object.values(layouts).forEach((l, k) => {
    const T = l.name;
    out.push(`  { /* ${T} */`);
    out.push(`    printf("S ${T} %zu %zu\\n", sizeof(${T}), _Alignof(${T}));`);
    fieldLines(layouts, T, l.fields, '', out);
    out.push(`    fill(sizeof(${T}), ${k});`);
    out.push(`    const ${T} *s = (const ${T} *) buf;`);
    valueLines(layouts, l.fields, 's->', `${T}.`, out);
    out.push('  }');
  });
  out.push('  return 0;');
  out.push('}');
  return `${out.join('\n')}\n`;
}

function fieldLines(
  layouts: Readonly<Record<string, StructLayout>>,
  T: string,
  fields: readonly FieldLayout[],
  prefix: string,
  out: string[],
): void {
  for (const f of fields) {
    if (f.padding) continue;
    const path = `${prefix}${f.name}`;
    const label = `${T}.${path}`;
    if (f.bitWidth !== undefined) {
      out.push(`    { ${T} z; memset(&z, 0, sizeof z); z.${path} = -1; bits("${label}", (const unsigned char *) &z, sizeof z); }`);
      continue;
    }
    if (f.arrayLength === 0) {
      out.push(`    printf("A ${label} %zu\\n", offsetof(${T}, ${path}));`);
      continue;
    }
    const m = `((${T} *) 0)->${path}`;
    out.push(`    printf("F ${label} %zu %zu %zu\\n", offsetof(${T}, ${path}), sizeof(${m}), (size_t) __alignof__(${m}));`);
    if (f.members) fieldLines(layouts, T, f.members, `${path}.`, out);
  }
}

function valueLines(
  layouts: Readonly<Record<string, StructLayout>>,
  fields: readonly FieldLayout[],
  expr: string,
  label: string,
  out: string[],
): void {
  for (const f of fields) {
    if (f.padding || f.arrayLength === 0) continue;
    const e = `${expr}${f.name}`;
    const lab = `${label}${f.name}`;
    if (f.members) {
      valueLines(layouts, f.members, `${e}.`, `${lab}.`, out);
      continue;
    }
    if (f.arrayLength !== undefined) {
      const nested = layouts[f.struct ?? f.ctype];
      for (let i = 0; i < f.arrayLength; i++) {
        if (nested) valueLines(layouts, nested.fields, `${e}[${i}].`, `${lab}[${i}].`, out);
        else out.push(scalarLine(f.ctype, `${e}[${i}]`, `${lab}[${i}]`));
      }
      continue;
    }
    const nested = layouts[f.struct ?? f.ctype];
    if (nested) valueLines(layouts, nested.fields, `${e}.`, `${lab}.`, out);
    else out.push(scalarLine(f.ctype, e, lab));
  }
}

function scalarLine(ctype: string, e: string, label: string): string {
  return ctype === 'bool' ? `    PB("${label}", ${e});` : `    PV("${label}", ${e});`;
}

export interface ProbeResult {
  structs: Map<string, { size: number; align: number }>;
  fields: Map<string, { offset: number; size: number; align: number }>;
  flexible: Map<string, number>;
  bitfields: Map<string, { first: number; count: number }>;
  values: Map<string, { kind: 'u' | 'i' | 'f' | 'b'; value: string }>;
}

export function parseProbe(text: string): ProbeResult {
  const r: ProbeResult = { structs: new Map(), fields: new Map(), flexible: new Map(), bitfields: new Map(), values: new Map() };
  for (const line of text.split('\n')) {
    const p = line.split(' ');
    switch (p[0]) {
      case 'S':
        r.structs.set(p[1]!, { size: Number(p[2]), align: Number(p[3]) });
        break;
      case 'F':
        r.fields.set(p[1]!, { offset: Number(p[2]), size: Number(p[3]), align: Number(p[4]) });
        break;
      case 'A':
        r.flexible.set(p[1]!, Number(p[2]));
        break;
      case 'B':
        r.bitfields.set(p[1]!, { first: Number(p[2]), count: Number(p[3]) });
        break;
      case 'V':
        r.values.set(p[1]!, { kind: p[2] as 'u' | 'i' | 'f' | 'b', value: p[3]! });
        break;
    }
  }
  return r;
}
