/**
 * The Sequence resource manager (rmgr id RM_SEQ_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_SEQ_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const sequenceRmgr: RmgrDescriptor = {
  id: RM_SEQ_ID,
  name: 'Sequence',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
