/**
 * Vitest global setup: prepare the embedded PostgreSQL packages once (symlinks, server user)
 * and stop any server a crashed earlier run left behind — before and after the suite.
 */
import { hydrateEmbedded, serverIds, stopAllRegisteredServers } from './pg-server.js';

export default function setup(): () => void {
  serverIds();
  for (const major of [14, 15, 16] as const) hydrateEmbedded(major);
  stopAllRegisteredServers();
  return () => stopAllRegisteredServers();
}
