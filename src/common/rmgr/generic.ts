/**
 * The Generic resource manager (rmgr id RM_GENERIC_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_GENERIC_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const genericRmgr: RmgrDescriptor = {
  id: RM_GENERIC_ID,
  name: 'Generic',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
