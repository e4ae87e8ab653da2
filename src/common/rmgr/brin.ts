/**
 * The BRIN resource manager (rmgr id RM_BRIN_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_BRIN_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const brinRmgr: RmgrDescriptor = {
  id: RM_BRIN_ID,
  name: 'BRIN',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
