/**
 * The shape of generated struct layouts (src/vNN/gen/*.gen.ts, written by codegen/). A layout
 * is what the C compiler computed for x86_64 Linux: size, alignment and every field's offset,
 * with padding as named fields. Hand-written decoders turn layouts into domain objects; the
 * layouts themselves never reach the public API as decoded values.
 */

export interface FieldLayout {
  /** C field name; padding is named `pad_<offset>`. */
  readonly name: string;
  /** Byte offset inside the struct. For a bitfield: offset of its storage unit. */
  readonly offset: number;
  /** Total size in bytes (element size × arrayLength for arrays). */
  readonly size: number;
  /** C type as written in the header (`uint32`, `XLogRecPtr`, `RelFileNode`, `char`). */
  readonly ctype: string;
  /** Present for arrays; 0 for a flexible array member. */
  readonly arrayLength?: number;
  /** True for compiler padding between or after fields. */
  readonly padding?: boolean;
  /** For bitfields: first bit (LSB = 0) inside the little-endian storage unit at `offset`. */
  readonly bitOffset?: number;
  /** For bitfields: width in bits. */
  readonly bitWidth?: number;
  /**
   * For a field whose type (or array element type) is another generated struct: that struct's
   * name in the layouts table, when `ctype` is a typedef of it (PageGistNSN → PageXLogRecPtr).
   */
  readonly struct?: string;
  /**
   * For an anonymous struct or union member (ctype `struct` / `union`, e.g. HeapTupleHeaderData's
   * t_choice): its members, with offsets relative to this field.
   */
  readonly members?: readonly FieldLayout[];
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
  /** Server header (relative to include/server) that declares the struct, e.g. `access/xlogrecord.h`. */
  readonly header?: string;
}

/** Offset of `field` in `layout`; throws at load time if a layout lacks a field a decoder needs. */
export function offsetOf(layout: StructLayout, field: string): number {
  for (const f of layout.fields) if (f.name === field) return f.offset;
  throw new Error(`layout ${layout.name} has no field ${field}`);
}
