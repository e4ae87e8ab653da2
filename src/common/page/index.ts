/**
 * Relation data pages (storage/bufpage.h and the access methods' page headers): page header
 * and line pointers, heap tuples, index AM pages, FSM/VM, and the data page checksum.
 */
export * from './btree.js';
export * from './checksum.js';
export * from './fsm-vm.js';
export * from './heap.js';
export * from './index-am.js';
export * from './inspect.js';
export * from './page.js';
export * from './tuple-data.js';
