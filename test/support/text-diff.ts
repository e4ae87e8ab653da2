/**
 * Comparing a tool's text output with ours: on a difference, the first line that differs is
 * what the assertion shows (a whole dump would be unreadable), then the whole texts must match.
 */
import { expect } from 'vitest';

export function expectSameText(ours: string, theirs: string): void {
  if (ours !== theirs) {
    const a = theirs.split('\n');
    const o = ours.split('\n');
    const i = a.findIndex((line, j) => line !== o[j]);
    expect(`line ${i + 1}: ${o[i]}`).toBe(`line ${i + 1}: ${a[i]}`);
  }
  expect(ours).toBe(theirs);
}
