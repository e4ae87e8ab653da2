import { defineAmSuite, MINIMAL_SETUP } from './suite.js';

defineAmSuite(14);
defineAmSuite(14, MINIMAL_SETUP);
