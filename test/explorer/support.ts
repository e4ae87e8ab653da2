/**
 * Helpers for the explorer's browser tests and bench: build the page, launch the system's
 * Chromium through playwright-core (no browser download), and count a segment's records with
 * the library itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const DIST = join(ROOT, 'explorer', 'dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'explorer');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `vite build explorer` into explorer/dist (what `pgffi explore` serves), or into `outDir`
 * (test files running at the same time must not empty each other's build).
 */
export function buildExplorer(outDir?: string): void {
  const args = ['build', 'explorer', '--logLevel', 'warn'];
  if (outDir !== undefined) args.push('--outDir', outDir, '--emptyOutDir');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), args, { cwd: ROOT, stdio: 'inherit' });
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile directory (removed on close). */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pgffi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** LSN text ("0/3000028") as a number. */
export function lsnNumber(text: string): number {
  const [hi, lo] = text.split('/');
  return Number.parseInt(hi!, 16) * 0x1_0000_0000 + Number.parseInt(lo!, 16);
}

/** Start LSN of a WAL segment file name (16 MB segments). */
export function segmentStart(name: string, segSize = 16 * 1024 * 1024): number {
  const log = Number.parseInt(name.slice(8, 16), 16);
  const seg = Number.parseInt(name.slice(16, 24), 16);
  return log * 0x1_0000_0000 + seg * segSize;
}

export function lsnString(n: number): string {
  return `${Math.floor(n / 0x1_0000_0000)
    .toString(16)
    .toUpperCase()}/${(n % 0x1_0000_0000).toString(16).toUpperCase()}`;
}
