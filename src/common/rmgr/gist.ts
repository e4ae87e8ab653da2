/**
 * The Gist resource manager (rmgr id RM_GIST_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_GIST_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const gistRmgr: RmgrDescriptor = {
  id: RM_GIST_ID,
  name: 'Gist',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
