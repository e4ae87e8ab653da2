/**
 * The Gin resource manager (rmgr id RM_GIN_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_GIN_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const ginRmgr: RmgrDescriptor = {
  id: RM_GIN_ID,
  name: 'Gin',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
