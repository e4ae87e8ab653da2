//! PostgreSQL data page checksums (`pg_checksum_page`, src/include/storage/checksum_impl.h).
//!
//! The page is read as 2048 little-endian u32 words laid out as 64 rows x 32 columns. Each of
//! the 32 columns feeds its own FNV-1a-like running sum, so a row is 32 independent lanes of
//! the same arithmetic: written as plain loops over `[u32; 32]` arrays, LLVM turns each row into
//! a handful of vector multiplies (SSE2 emulates the 32-bit multiply, SSE4.1/AVX2/AVX-512 and
//! NEON have it natively).
//!
//! One page is a chain of 66 dependent multiply rounds per lane, so a single page is latency
//! bound. Batches (`scan_pages`) therefore interleave several independent pages so the
//! multiplier pipeline stays full. On x86_64 the kernel is compiled several times with
//! `#[target_feature]` and picked at run time, so the released binary still runs on any x86_64.

pub const BLCKSZ: usize = 8192;
const N_SUMS: usize = 32;
const ROW_BYTES: usize = N_SUMS * 4;
const ROWS: usize = BLCKSZ / ROW_BYTES; // 64
const FNV_PRIME: u32 = 16777619;

/// Byte offset of pd_checksum (u16) in PageHeaderData.
pub const PD_CHECKSUM_OFFSET: usize = 8;
/// Byte offset of pd_upper (u16) in PageHeaderData.
pub const PD_UPPER_OFFSET: usize = 14;

pub const CHECKSUM_BASE_OFFSETS: [u32; N_SUMS] = [
    0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
    0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
    0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
    0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756,
];

pub type Page = [u8; BLCKSZ];

/// One page whose stored checksum differs from the computed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch {
    pub block: u32,
    pub stored: u16,
    pub computed: u16,
}

#[inline(always)]
fn mix(s: u32, v: u32) -> u32 {
    let t = s ^ v;
    t.wrapping_mul(FNV_PRIME) ^ (t >> 17)
}

#[inline(always)]
fn load_row(page: &Page, i: usize) -> [u32; N_SUMS] {
    let bytes: &[u8; ROW_BYTES] = page[i * ROW_BYTES..(i + 1) * ROW_BYTES].try_into().unwrap();
    let mut r = [0u32; N_SUMS];
    for j in 0..N_SUMS {
        r[j] = u32::from_le_bytes(bytes[j * 4..j * 4 + 4].try_into().unwrap());
    }
    r
}

/// The un-finalised checksum (XOR of the 32 sums) of `P` pages computed side by side.
#[inline(always)]
fn checksum_block_n<const P: usize>(pages: [&Page; P]) -> [u32; P] {
    let mut sums = [CHECKSUM_BASE_OFFSETS; P];
    // Row 0 holds pd_checksum in the low half of word 2 (bytes 8..10): count it as zero.
    for p in 0..P {
        let mut r = load_row(pages[p], 0);
        r[PD_CHECKSUM_OFFSET / 4] &= 0xFFFF_0000;
        for j in 0..N_SUMS {
            sums[p][j] = mix(sums[p][j], r[j]);
        }
    }
    for i in 1..ROWS {
        for p in 0..P {
            let r = load_row(pages[p], i);
            for j in 0..N_SUMS {
                sums[p][j] = mix(sums[p][j], r[j]);
            }
        }
    }
    for _ in 0..2 {
        for p in 0..P {
            for j in 0..N_SUMS {
                sums[p][j] = mix(sums[p][j], 0);
            }
        }
    }
    let mut out = [0u32; P];
    for p in 0..P {
        let mut x = 0u32;
        for j in 0..N_SUMS {
            x ^= sums[p][j];
        }
        out[p] = x;
    }
    out
}

#[inline(always)]
fn finish(raw: u32, block: u32) -> u16 {
    (((raw ^ block) % 65535) + 1) as u16
}

#[inline(always)]
fn read_u16(page: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([page[off], page[off + 1]])
}

#[inline(always)]
fn as_page(chunk: &[u8]) -> &Page {
    chunk.try_into().unwrap()
}

#[inline(always)]
fn page_checksum_impl(page: &Page, block: u32) -> u16 {
    finish(checksum_block_n::<1>([page])[0], block)
}

/// Checksum every non-new full page of `buf`, `P` pages at a time, appending mismatches.
#[inline(always)]
fn scan_impl<const P: usize>(buf: &[u8], first_block: u32, out: &mut Vec<Mismatch>) {
    let mut pending = [0usize; P];
    let mut n = 0usize;
    let page_at = |idx: usize| as_page(&buf[idx * BLCKSZ..(idx + 1) * BLCKSZ]);
    let check = |idx: usize, raw: u32, out: &mut Vec<Mismatch>| {
        let page = page_at(idx);
        let block = first_block.wrapping_add(idx as u32);
        let computed = finish(raw, block);
        let stored = read_u16(page, PD_CHECKSUM_OFFSET);
        if computed != stored {
            out.push(Mismatch { block, stored, computed });
        }
    };
    for idx in 0..buf.len() / BLCKSZ {
        // PageIsNew(): pd_upper == 0 -> no checksum to verify.
        if read_u16(page_at(idx), PD_UPPER_OFFSET) == 0 {
            continue;
        }
        pending[n] = idx;
        n += 1;
        if n == P {
            let raws = checksum_block_n::<P>(core::array::from_fn(|k| page_at(pending[k])));
            for k in 0..P {
                check(pending[k], raws[k], out);
            }
            n = 0;
        }
    }
    for &idx in &pending[..n] {
        let raw = checksum_block_n::<1>([page_at(idx)])[0];
        check(idx, raw, out);
    }
}

/// Instruction-set levels the kernels are compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Sse41,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Level {
    pub fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Level::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Level::Avx2;
            }
            if std::arch::is_x86_feature_detected!("sse4.1") {
                return Level::Sse41;
            }
        }
        Level::Baseline
    }

    /// Every level the running CPU can execute (for tests).
    pub fn available() -> Vec<Level> {
        #[allow(unused_mut)]
        let mut v = vec![Level::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("sse4.1") {
                v.push(Level::Sse41);
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                v.push(Level::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                v.push(Level::Avx512);
            }
        }
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => "avx512f",
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Level::Sse41 => "sse4.1",
            Level::Baseline => {
                if cfg!(target_arch = "x86_64") {
                    "sse2"
                } else if cfg!(target_arch = "aarch64") {
                    "neon"
                } else {
                    "generic"
                }
            }
        }
    }
}

// Pages interleaved per batch step, chosen by measurement on a 64 MB scan (x86_64).
// aarch64 has 32 vector registers of 128 bits; two pages (16 registers of sums) keep the
// multiplier busy without spilling.
#[cfg(target_arch = "x86_64")]
const BASELINE_P: usize = 4;
#[cfg(not(target_arch = "x86_64"))]
const BASELINE_P: usize = 2;

fn page_checksum_baseline(page: &Page, block: u32) -> u16 {
    page_checksum_impl(page, block)
}
fn scan_baseline(buf: &[u8], first_block: u32, out: &mut Vec<Mismatch>) {
    scan_impl::<BASELINE_P>(buf, first_block, out)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;

    #[target_feature(enable = "sse4.1")]
    pub unsafe fn page_checksum_sse41(page: &Page, block: u32) -> u16 {
        page_checksum_impl(page, block)
    }
    #[target_feature(enable = "sse4.1")]
    pub unsafe fn scan_sse41(buf: &[u8], first_block: u32, out: &mut Vec<Mismatch>) {
        scan_impl::<2>(buf, first_block, out)
    }
    #[target_feature(enable = "avx2")]
    pub unsafe fn page_checksum_avx2(page: &Page, block: u32) -> u16 {
        page_checksum_impl(page, block)
    }
    #[target_feature(enable = "avx2")]
    pub unsafe fn scan_avx2(buf: &[u8], first_block: u32, out: &mut Vec<Mismatch>) {
        scan_impl::<4>(buf, first_block, out)
    }
    #[target_feature(enable = "avx512f")]
    pub unsafe fn page_checksum_avx512(page: &Page, block: u32) -> u16 {
        page_checksum_impl(page, block)
    }
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scan_avx512(buf: &[u8], first_block: u32, out: &mut Vec<Mismatch>) {
        scan_impl::<4>(buf, first_block, out)
    }
}

/// pg_checksum_page() with an explicit kernel (the level must be supported by the CPU; the
/// `Level` values come from `Level::detect`/`Level::available`, which check that).
pub fn page_checksum_with(level: Level, page: &Page, block: u32) -> u16 {
    match level {
        Level::Baseline => page_checksum_baseline(page, block),
        // SAFETY: levels other than Baseline are only produced after run-time detection.
        #[cfg(target_arch = "x86_64")]
        Level::Sse41 => unsafe { x86::page_checksum_sse41(page, block) },
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { x86::page_checksum_avx2(page, block) },
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { x86::page_checksum_avx512(page, block) },
    }
}

pub fn scan_pages_with(level: Level, buf: &[u8], first_block: u32) -> Vec<Mismatch> {
    let mut out = Vec::new();
    match level {
        Level::Baseline => scan_baseline(buf, first_block, &mut out),
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Sse41 => unsafe { x86::scan_sse41(buf, first_block, &mut out) },
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { x86::scan_avx2(buf, first_block, &mut out) },
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { x86::scan_avx512(buf, first_block, &mut out) },
    }
    out
}

fn level() -> Level {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(Level::detect)
}

/// PostgreSQL's pg_checksum_page() for one 8192-byte page.
pub fn page_checksum(page: &Page, block: u32) -> u16 {
    page_checksum_with(level(), page, block)
}

/// Verify every full 8192-byte page of `buf` (block numbers `first_block`, `first_block + 1`, ...),
/// skipping new pages (pd_upper == 0); returns the pages whose stored pd_checksum is wrong.
/// A trailing partial page is ignored.
pub fn scan_pages(buf: &[u8], first_block: u32) -> Vec<Mismatch> {
    scan_pages_with(level(), buf, first_block)
}

/// Name of the page-checksum kernel selected on this CPU.
pub fn kernel_name() -> &'static str {
    level().name()
}
