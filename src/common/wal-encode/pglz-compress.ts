/**
 * pglz_compress (common/pg_lzcompress.c, include/common/pg_lzcompress.h): PostgreSQL's LZ
 * compressor as wal_compression=pglz (14: on) uses it for full-page images, with the same
 * strategy and search: a history of the last PGLZ_HISTORY_SIZE input positions in hash chains
 * keyed by the next four bytes, newest first; a match must be at least 3 bytes and at most
 * PGLZ_MAX_MATCH long with an offset below 0x0fff; the search stops at a "good" match whose
 * size drops by match_size_drop percent per chain entry visited. Output is a headerless stream
 * of control bytes (8 flags, least significant first) followed by literals and 2–3 byte tags.
 *
 * The output is byte-identical to PostgreSQL's on x86-64 (test/encoder/pglz-server.test.ts
 * re-compresses a server's full-page images), where `char` is signed and enters the history
 * hash as such; on platforms with unsigned `char` (aarch64) PostgreSQL's own output differs
 * from this, though both decompress the same.
 */

/** PGLZ_Strategy. */
export interface PglzStrategy {
  /** Inputs shorter than this are not compressed. */
  readonly min_input_size: number;
  /** Inputs longer than this are not compressed. */
  readonly max_input_size: number;
  /** Minimum saving in percent, else the result is rejected. */
  readonly min_comp_rate: number;
  /** Give up when no match was found within this many output bytes. */
  readonly first_success_by: number;
  /** Stop searching the history at a match of this size. */
  readonly match_size_good: number;
  /** Lower the good match size by this percentage per history entry visited. */
  readonly match_size_drop: number;
}

/** PGLZ_strategy_default. */
export const PGLZ_strategy_default: PglzStrategy = Object.freeze({
  min_input_size: 32,
  max_input_size: 0x7fffffff,
  min_comp_rate: 25,
  first_success_by: 1024,
  match_size_good: 128,
  match_size_drop: 10,
});

/** PGLZ_strategy_always. */
export const PGLZ_strategy_always: PglzStrategy = Object.freeze({
  min_input_size: 0,
  max_input_size: 0x7fffffff,
  min_comp_rate: 0,
  first_success_by: 0x7fffffff,
  match_size_good: 128,
  match_size_drop: 6,
});

export const PGLZ_MAX_HISTORY_LISTS = 8192;
export const PGLZ_HISTORY_SIZE = 4096;
export const PGLZ_MAX_MATCH = 273;

/** PGLZ_MAX_OUTPUT(slen): the output buffer size pglz_compress may use. */
export function PGLZ_MAX_OUTPUT(slen: number): number {
  return slen + 4;
}

// History, shared between calls like the C file's statics (entries are initialised as used).
const histStart = new Int16Array(PGLZ_MAX_HISTORY_LISTS);
const histNext = new Int16Array(PGLZ_HISTORY_SIZE + 1);
const histPrev = new Int16Array(PGLZ_HISTORY_SIZE + 1);
const histIndex = new Int32Array(PGLZ_HISTORY_SIZE + 1);
const histPos = new Int32Array(PGLZ_HISTORY_SIZE + 1);

/** A byte read as a signed `char`. */
function sc(v: number): number {
  return (v << 24) >> 24;
}

/**
 * pglz_hist_idx. The C macro reads the input through `const char *`, which is signed on
 * x86-64, so bytes ≥ 0x80 enter the hash as negative numbers; doing the same keeps our hash
 * chains, and so our output, identical to PostgreSQL's on x86-64.
 */
function histIdx(s: Uint8Array, p: number, end: number, mask: number): number {
  if (end - p < 4) return sc(s[p] as number) & mask;
  return ((sc(s[p] as number) << 6) ^ (sc(s[p + 1] as number) << 4) ^ (sc(s[p + 2] as number) << 2) ^ sc(s[p + 3] as number)) & mask;
}

/**
 * pglz_compress: the compressed form of `source`, or null when the strategy rejects it (too
 * short or long, no match within first_success_by, or savings below min_comp_rate).
 */
export function pglzCompress(source: Uint8Array, strategy: PglzStrategy = PGLZ_strategy_default): Uint8Array | null {
  const slen = source.length;
  if (strategy.match_size_good <= 0 || slen < strategy.min_input_size || slen > strategy.max_input_size) return null;
  let goodMatchInit = strategy.match_size_good;
  if (goodMatchInit > PGLZ_MAX_MATCH) goodMatchInit = PGLZ_MAX_MATCH;
  else if (goodMatchInit < 17) goodMatchInit = 17;
  const goodDrop = Math.min(100, Math.max(0, strategy.match_size_drop));
  const needRate = Math.min(99, Math.max(0, strategy.min_comp_rate));
  const resultMax =
    slen > Math.floor(0x7fffffff / 100) ? Math.floor(slen / 100) * (100 - needRate) : Math.floor((slen * (100 - needRate)) / 100);
  const hashsz = slen < 128 ? 512 : slen < 256 ? 1024 : slen < 512 ? 2048 : slen < 1024 ? 4096 : 8192;
  const mask = hashsz - 1;
  histStart.fill(0, 0, hashsz);

  const dest = new Uint8Array(PGLZ_MAX_OUTPUT(slen));
  const hs = histStart;
  const hNext = histNext;
  const hPrev = histPrev;
  const hIndex = histIndex;
  const hPos = histPos;
  const firstSuccessBy = strategy.first_success_by;
  let bp = 0;
  let ctrlp = -1; // -1: the C code's ctrl_dummy
  let ctrlb = 0;
  let ctrl = 0;
  let hn = 1;
  let recycle = false;
  let foundMatch = false;
  let dp = 0;
  const dend = slen;

  while (dp < dend) {
    if (bp >= resultMax) return null;
    if (!foundMatch && bp >= firstSuccessBy) return null;

    // pglz_find_match
    let goodMatch = goodMatchInit;
    let matchLen = 0;
    let matchOff = 0;
    let hent = hs[histIdx(source, dp, dend, mask)] as number;
    while (hent !== 0) {
      const hp0 = hPos[hent] as number;
      const thisoff = dp - hp0;
      if (thisoff >= 0x0fff) break;
      let thislen = 0;
      if (matchLen >= 16) {
        let k = 0;
        while (k < matchLen && source[dp + k] === source[hp0 + k]) k++;
        if (k === matchLen) {
          thislen = matchLen;
          while (dp + thislen < dend && source[dp + thislen] === source[hp0 + thislen] && thislen < PGLZ_MAX_MATCH) thislen++;
        }
      } else {
        while (dp + thislen < dend && source[dp + thislen] === source[hp0 + thislen] && thislen < PGLZ_MAX_MATCH) thislen++;
      }
      if (thislen > matchLen) {
        matchLen = thislen;
        matchOff = thisoff;
      }
      hent = hNext[hent] as number;
      if (hent !== 0) {
        if (matchLen >= goodMatch) break;
        goodMatch -= Math.trunc((goodMatch * goodDrop) / 100);
      }
    }

    // pglz_out_ctrl
    if ((ctrl & 0xff) === 0) {
      if (ctrlp >= 0) dest[ctrlp] = ctrlb;
      ctrlp = bp++;
      ctrlb = 0;
      ctrl = 1;
    }
    let n: number;
    if (matchLen > 2) {
      // pglz_out_tag
      ctrlb |= ctrl;
      if (matchLen > 17) {
        dest[bp] = ((matchOff & 0xf00) >> 4) | 0x0f;
        dest[bp + 1] = matchOff & 0xff;
        dest[bp + 2] = matchLen - 18;
        bp += 3;
      } else {
        dest[bp] = ((matchOff & 0xf00) >> 4) | (matchLen - 3);
        dest[bp + 1] = matchOff & 0xff;
        bp += 2;
      }
      n = matchLen;
      foundMatch = true;
    } else {
      // pglz_out_literal
      dest[bp++] = source[dp] as number;
      n = 1;
    }
    ctrl = (ctrl << 1) & 0xff;
    // pglz_hist_add for every byte consumed
    for (const stop = dp + n; dp < stop; dp++) {
      const hindex = histIdx(source, dp, dend, mask);
      if (recycle) {
        const prev = hPrev[hn] as number;
        const next = hNext[hn] as number;
        if (prev === 0) hs[hIndex[hn] as number] = next;
        else hNext[prev] = next;
        if (next !== 0) hPrev[next] = prev;
      }
      const head = hs[hindex] as number;
      hNext[hn] = head;
      hPrev[hn] = 0;
      hIndex[hn] = hindex;
      hPos[hn] = dp;
      hPrev[head] = hn; // entry 0 is unused; scribbling on it is harmless (as in C)
      hs[hindex] = hn;
      if (++hn >= PGLZ_HISTORY_SIZE + 1) {
        hn = 1;
        recycle = true;
      }
    }
  }
  if (ctrlp >= 0) dest[ctrlp] = ctrlb;
  if (bp >= resultMax) return null;
  return dest.slice(0, bp);
}
