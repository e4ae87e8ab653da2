/**
 * Free space map and visibility map pages (storage/fsm_internals.h, access/visibilitymapdefs.h).
 * Both are standard pages with no special space; their contents start at
 * MAXALIGN(SizeOfPageHeaderData) = 24.
 *
 *   FSMPageData { int fp_next_slot; uint8 fp_nodes[NodesPerPage] }   (a binary max-tree)
 *   VM: 2 bits per heap block (VISIBILITYMAP_ALL_VISIBLE 1, VISIBILITYMAP_ALL_FROZEN 2),
 *       MAPSIZE = BLCKSZ - 24 bytes, HEAPBLOCKS_PER_PAGE = MAPSIZE * 4.
 */
import { readU32 } from './page.js';

const CONTENTS = 24;
export const VISIBILITYMAP_ALL_VISIBLE = 0x01;
export const VISIBILITYMAP_ALL_FROZEN = 0x02;

/** NodesPerPage for a page of `pageSize` bytes. */
export function fsmNodesPerPage(pageSize = 8192): number {
  return pageSize - CONTENTS - 4;
}

export interface FsmPage {
  fpNextSlot: number;
  /** Nonzero nodes: [index, value]. */
  nodes: [number, number][];
}

export function decodeFsmPage(page: Uint8Array): FsmPage {
  const n = fsmNodesPerPage(page.byteLength);
  const nodes: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const v = page[CONTENTS + 4 + i]!;
    if (v !== 0) nodes.push([i, v]);
  }
  return { fpNextSlot: readU32(page, CONTENTS) | 0, nodes };
}

/** fsm_page_contents(): "i: v" for each nonzero node, then "fp_next_slot: n", one per line. */
export function fsmPageContents(page: Uint8Array): string {
  const fsm = decodeFsmPage(page);
  let s = '';
  for (const [i, v] of fsm.nodes) s += `${i}: ${v}\n`;
  return `${s}fp_next_slot: ${fsm.fpNextSlot}\n`;
}

/** Heap blocks covered by one VM page. */
export function vmHeapBlocksPerPage(pageSize = 8192): number {
  return (pageSize - CONTENTS) * 4;
}

export interface VmBits {
  /** Heap block number. */
  blkno: number;
  allVisible: boolean;
  allFrozen: boolean;
}

/** Visibility map bits of VM page `vmBlock`: one entry per heap block with any bit set. */
export function decodeVmPage(page: Uint8Array, vmBlock: number): VmBits[] {
  const perPage = vmHeapBlocksPerPage(page.byteLength);
  const out: VmBits[] = [];
  for (let i = CONTENTS; i < page.byteLength; i++) {
    const byte = page[i]!;
    if (byte === 0) continue;
    for (let k = 0; k < 4; k++) {
      const bits = (byte >>> (k * 2)) & 3;
      if (bits !== 0) {
        out.push({
          blkno: vmBlock * perPage + (i - CONTENTS) * 4 + k,
          allVisible: (bits & VISIBILITYMAP_ALL_VISIBLE) !== 0,
          allFrozen: (bits & VISIBILITYMAP_ALL_FROZEN) !== 0,
        });
      }
    }
  }
  return out;
}
