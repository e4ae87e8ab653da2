/** Core rmgr descriptions and pgffi waldump against PostgreSQL 16's own tools (see suite.ts, cases.txt). */
import { realServerSuite } from './suite.js';

realServerSuite(16);
