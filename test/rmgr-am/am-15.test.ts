import { defineAmSuite } from './suite.js';

defineAmSuite(15);
