/** The fuzz targets, by name. */
import type { FuzzTarget } from '../target.js';
import { cliTarget } from './cli.js';
import { controlTarget } from './control.js';
import { fpiTarget } from './fpi.js';
import { pageTarget } from './page.js';
import { recordTarget } from './record.js';
import { walStreamTarget, walTarget } from './wal.js';

export const TARGETS: readonly FuzzTarget[] = [walTarget, walStreamTarget, recordTarget, fpiTarget, pageTarget, controlTarget, cliTarget];

export function targetByName(name: string): FuzzTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined) throw new Error(`unknown fuzz target "${name}" (known: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}
