/**
 * The SPGist resource manager (rmgr id RM_SPGIST_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_SPGIST_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const spgistRmgr: RmgrDescriptor = {
  id: RM_SPGIST_ID,
  name: 'SPGist',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
