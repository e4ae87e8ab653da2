import { defineAmSuite, MINIMAL_SETUP } from './suite.js';

defineAmSuite(16);
defineAmSuite(16, MINIMAL_SETUP);
