import { defineAmSuite, MINIMAL_SETUP } from './suite.js';

defineAmSuite(15);
defineAmSuite(15, MINIMAL_SETUP);
