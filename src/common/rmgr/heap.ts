/**
 * The Heap resource manager (rmgr id RM_HEAP_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_HEAP_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const heapRmgr: RmgrDescriptor = {
  id: RM_HEAP_ID,
  name: 'Heap',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
