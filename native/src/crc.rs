//! CRC-32C (Castagnoli, as PostgreSQL's pg_crc32c.h: init 0xFFFFFFFF, reflected, final XOR
//! 0xFFFFFFFF) plus batch verification of WAL record CRCs (XLogRecord.xl_crc, access/xlogrecord.h).
//!
//! Two engines: the `crc-fast` crate (PCLMULQDQ/PMULL folding, very fast on long inputs but with
//! a fixed per-call cost of tens of ns), and a plain loop over the CPU's CRC-32C instruction
//! (SSE4.2 `crc32` on x86_64, the CRC extension's `crc32c*` on aarch64) for short inputs, where
//! that setup cost would dominate. Both are selected at run time.

use crc_fast::{CrcAlgorithm, Digest};

/// Inputs up to this many bytes go through the hardware instruction loop when the CPU has one.
/// Measured crossover with crc-fast on an AVX-512 Xeon: ~1.2 KB (see README.md); kept lower so
/// long inputs get crc-fast's folding on CPUs where the instruction loop is relatively slower.
pub const SHORT_MAX: usize = 512;

/// Whether crc-fast has only its lookup tables here (no PCLMULQDQ/PMULL, e.g. Nehalem). The
/// instruction loop is then faster at every length, so `hw_limit()` lifts the SHORT_MAX limit.
fn crc_fast_is_table_only() -> bool {
    static TABLE_ONLY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TABLE_ONLY.get_or_init(|| crc_fast::get_calculator_target(CrcAlgorithm::Crc32Iscsi).contains("software"))
}

/// Longest input given to the instruction loop (when the CPU has one).
#[inline]
pub fn hw_limit() -> usize {
    if crc_fast_is_table_only() { usize::MAX } else { SHORT_MAX }
}

/// A CRC-32C engine. `Kernel::available()` lists the ones this CPU can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// crc-fast for every length.
    CrcFast,
    /// SSE4.2 `crc32` loop (x86_64).
    Sse42,
    /// ARMv8 CRC extension `crc32c*` loop (aarch64).
    ArmCrc,
}

impl Kernel {
    /// The hardware instruction loop this CPU supports, if any.
    #[inline]
    pub fn hardware() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("sse4.2") {
                return Some(Kernel::Sse42);
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            if std::arch::is_aarch64_feature_detected!("crc") {
                return Some(Kernel::ArmCrc);
            }
        }
        None
    }

    /// Whether this CPU can run `self`.
    #[inline]
    pub fn supported(self) -> bool {
        self == Kernel::CrcFast || Kernel::hardware() == Some(self)
    }

    pub fn available() -> Vec<Kernel> {
        let mut v = vec![Kernel::CrcFast];
        v.extend(Kernel::hardware());
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::CrcFast => "crc-fast",
            Kernel::Sse42 => "sse4.2",
            Kernel::ArmCrc => "armv8-crc",
        }
    }
}

/// Record-batch verification on top of a module's `update` (raw register, no initial/final
/// XOR), compiled with the target feature `$feature`.
macro_rules! hw_verify {
    ($feature:literal) => {
        #[target_feature(enable = $feature)]
        pub fn verify(buffer: &[u8], offsets: &[u32], lengths: &[u32]) -> Vec<u32> {
            let limit = super::hw_limit();
            super::verify_with(buffer, offsets, lengths, |rec| record_crc(rec, limit))
        }

        #[target_feature(enable = $feature)]
        pub fn scan(buffer: &[u8], first_page: usize, page_count: usize) -> Vec<u32> {
            let limit = super::hw_limit();
            super::scan_with(buffer, first_page, page_count, |rec| record_crc(rec, limit))
        }

        /// `super::wal_record_crc` on this engine (`rec` at least a whole XLogRecord header).
        #[target_feature(enable = $feature)]
        pub fn wal_record_crc(rec: &[u8]) -> u32 {
            record_crc(rec, super::hw_limit())
        }

        #[inline]
        #[target_feature(enable = $feature)]
        fn record_crc(rec: &[u8], limit: usize) -> u32 {
            let payload = &rec[super::SIZE_OF_XLOG_RECORD..];
            let reg = if payload.len() <= limit { update(!0, payload) } else { !crc_fast::crc32_iscsi(payload) };
            !update(reg, &rec[..super::XL_CRC_OFFSET])
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{_mm_crc32_u16, _mm_crc32_u32, _mm_crc32_u64, _mm_crc32_u8};

    /// Advances the raw CRC register (no initial/final XOR) over `data`.
    #[inline]
    #[target_feature(enable = "sse4.2")]
    pub fn update(crc: u32, data: &[u8]) -> u32 {
        let mut words = data.chunks_exact(8);
        let mut c = u64::from(crc);
        for w in &mut words {
            c = _mm_crc32_u64(c, u64::from_le_bytes(w.try_into().unwrap()));
        }
        let mut c = c as u32;
        let mut tail = words.remainder();
        if tail.len() >= 4 {
            c = _mm_crc32_u32(c, u32::from_le_bytes(tail[..4].try_into().unwrap()));
            tail = &tail[4..];
        }
        if tail.len() >= 2 {
            c = _mm_crc32_u16(c, u16::from_le_bytes(tail[..2].try_into().unwrap()));
            tail = &tail[2..];
        }
        if let Some(&b) = tail.first() {
            c = _mm_crc32_u8(c, b);
        }
        c
    }

    hw_verify!("sse4.2");
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use core::arch::aarch64::{__crc32cb, __crc32cd, __crc32ch, __crc32cw};

    /// Advances the raw CRC register (no initial/final XOR) over `data`.
    #[inline]
    #[target_feature(enable = "crc")]
    pub fn update(crc: u32, data: &[u8]) -> u32 {
        let mut words = data.chunks_exact(8);
        let mut c = crc;
        for w in &mut words {
            c = __crc32cd(c, u64::from_le_bytes(w.try_into().unwrap()));
        }
        let mut tail = words.remainder();
        if tail.len() >= 4 {
            c = __crc32cw(c, u32::from_le_bytes(tail[..4].try_into().unwrap()));
            tail = &tail[4..];
        }
        if tail.len() >= 2 {
            c = __crc32ch(c, u16::from_le_bytes(tail[..2].try_into().unwrap()));
            tail = &tail[2..];
        }
        if let Some(&b) = tail.first() {
            c = __crc32cb(c, b);
        }
        c
    }

    hw_verify!("crc");
}

/// `crc32c_append` with crc-fast only.
#[inline]
pub fn crc32c_append_fast(crc: u32, data: &[u8]) -> u32 {
    if crc == 0 {
        // Same as starting from the standard initial register value 0xFFFFFFFF.
        crc_fast::crc32_iscsi(data)
    } else {
        // The register holds the un-finalised value: undo the final XOR with 0xFFFFFFFF.
        let mut d = Digest::new_with_init_state(CrcAlgorithm::Crc32Iscsi, u64::from(!crc));
        d.update(data);
        d.finalize() as u32
    }
}

/// `crc32c_append` with the given engine for every length. Panics if the CPU lacks `kernel`.
pub fn crc32c_append_with(kernel: Kernel, crc: u32, data: &[u8]) -> u32 {
    assert!(kernel.supported(), "{kernel:?} not supported on this CPU");
    match kernel {
        Kernel::CrcFast => crc32c_append_fast(crc, data),
        // SAFETY: the CPU feature was checked above.
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse42 => !unsafe { x86::update(!crc, data) },
        #[cfg(target_arch = "aarch64")]
        Kernel::ArmCrc => !unsafe { arm::update(!crc, data) },
        #[allow(unreachable_patterns)]
        _ => unreachable!(),
    }
}

/// CRC-32C of `data`, continuing from a previous *finalised* CRC value `crc`
/// (`crc32c_append(0, d) == crc32c(d)`, `crc32c_append(crc32c(a), b) == crc32c(a ++ b)`).
#[inline]
pub fn crc32c_append(crc: u32, data: &[u8]) -> u32 {
    if data.len() <= hw_limit() {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("sse4.2") {
                // SAFETY: SSE4.2 is present.
                return !unsafe { x86::update(!crc, data) };
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            if std::arch::is_aarch64_feature_detected!("crc") {
                // SAFETY: the CRC extension is present.
                return !unsafe { arm::update(!crc, data) };
            }
        }
    }
    crc32c_append_fast(crc, data)
}

#[inline]
pub fn crc32c(data: &[u8]) -> u32 {
    crc32c_append(0, data)
}

/// The CRC-32C engines in use on this CPU, e.g. "sse4.2 (<= 512 B) + x86_64-avx512-vpclmulqdq".
pub fn crc_kernel_name() -> String {
    let fast = crc_fast::get_calculator_target(CrcAlgorithm::Crc32Iscsi);
    match Kernel::hardware() {
        Some(k) if crc_fast_is_table_only() => format!("{} (all lengths; crc-fast: {fast})", k.name()),
        Some(k) => format!("{} (<= {SHORT_MAX} B) + {fast}", k.name()),
        None => fast,
    }
}

/// Size of XLogRecord; xl_crc is its last field, at offset 20.
pub const SIZE_OF_XLOG_RECORD: usize = 24;
const XL_CRC_OFFSET: usize = 20;

/// WAL record CRC as PostgreSQL computes it: INIT_CRC32C, COMP_CRC32C over the bytes after the
/// header, then over the header up to (not including) xl_crc, FIN_CRC32C.
#[inline]
pub fn wal_record_crc(record: &[u8]) -> u32 {
    let c = crc32c(&record[SIZE_OF_XLOG_RECORD..]);
    crc32c_append(c, &record[..XL_CRC_OFFSET])
}

/// `buffer[off .. off + len]` if it is at least a whole XLogRecord header and inside `buffer`.
#[inline(always)]
fn record_slice(buffer: &[u8], off: u32, len: u32) -> Option<&[u8]> {
    let (off, len) = (off as usize, len as usize);
    if len < SIZE_OF_XLOG_RECORD {
        return None;
    }
    buffer.get(off..off.checked_add(len)?)
}

#[inline(always)]
fn stored_crc(rec: &[u8]) -> u32 {
    u32::from_le_bytes(rec[XL_CRC_OFFSET..XL_CRC_OFFSET + 4].try_into().unwrap())
}

#[inline(always)]
fn verify_with(buffer: &[u8], offsets: &[u32], lengths: &[u32], record_crc: impl Fn(&[u8]) -> u32) -> Vec<u32> {
    let mut bad = Vec::new();
    for (k, (&off, &len)) in offsets.iter().zip(lengths).enumerate() {
        if record_slice(buffer, off, len).is_none_or(|rec| record_crc(rec) != stored_crc(rec)) {
            bad.push(k as u32);
        }
    }
    bad
}

/// `wal_record_crc` through crc-fast alone (the engine for CPUs without a CRC instruction).
fn wal_record_crc_fast(rec: &[u8]) -> u32 {
    let c = crc32c_append_fast(0, &rec[SIZE_OF_XLOG_RECORD..]);
    crc32c_append_fast(c, &rec[..XL_CRC_OFFSET])
}

/// The fastest `wal_record_crc` this CPU runs, as a plain function: for walks that check one
/// record at a time.
pub fn wal_record_crc_fn() -> fn(&[u8]) -> u32 {
    match Kernel::hardware() {
        // SAFETY: Kernel::hardware() returns only engines whose CPU feature is present.
        #[cfg(target_arch = "x86_64")]
        Some(Kernel::Sse42) => |rec| unsafe { x86::wal_record_crc(rec) },
        #[cfg(target_arch = "aarch64")]
        Some(Kernel::ArmCrc) => |rec| unsafe { arm::wal_record_crc(rec) },
        _ => wal_record_crc_fast,
    }
}

/// `verify_record_crcs` with the given engine (crc-fast for payloads over `hw_limit()` either way).
/// Panics if the CPU lacks `kernel`.
pub fn verify_record_crcs_with(kernel: Kernel, buffer: &[u8], offsets: &[u32], lengths: &[u32]) -> Vec<u32> {
    assert!(kernel.supported(), "{kernel:?} not supported on this CPU");
    match kernel {
        Kernel::CrcFast => verify_with(buffer, offsets, lengths, wal_record_crc_fast),
        // SAFETY: the CPU feature was checked above.
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse42 => unsafe { x86::verify(buffer, offsets, lengths) },
        #[cfg(target_arch = "aarch64")]
        Kernel::ArmCrc => unsafe { arm::verify(buffer, offsets, lengths) },
        #[allow(unreachable_patterns)]
        _ => unreachable!(),
    }
}

/// Indices `k` for which the record `buffer[offsets[k] .. offsets[k] + lengths[k]]` has a wrong
/// xl_crc. A record shorter than the 24-byte header or running past the end of `buffer` counts
/// as a mismatch. `offsets` and `lengths` must have the same length (checked by the caller).
pub fn verify_record_crcs(buffer: &[u8], offsets: &[u32], lengths: &[u32]) -> Vec<u32> {
    verify_record_crcs_with(Kernel::hardware().unwrap_or(Kernel::CrcFast), buffer, offsets, lengths)
}

/// XLOG_BLCKSZ, and the page header facts the scan needs (access/xlog_internal.h).
const XLOG_BLCKSZ: usize = 8192;
const XLP_FIRST_IS_CONTRECORD: u16 = 0x0001;
const XLP_LONG_HEADER: u16 = 0x0002;
const SIZE_OF_XLOG_SHORT_PHD: usize = 24;
const SIZE_OF_XLOG_LONG_PHD: usize = 40;
/// xl_info's rmgr-independent bits, RM_XLOG_ID and XLOG_SWITCH (access/xlogrecord.h, catalog/pg_control.h).
const XLR_INFO_MASK: u8 = 0x0F;
const RM_XLOG_ID: u8 = 0;
const XLOG_SWITCH: u8 = 0x40;
/// The flag `scan_record_crcs` sets on the length of a record whose CRC does not match.
pub const SCAN_BAD_CRC: u32 = 0x8000_0000;

#[inline(always)]
fn maxalign(n: usize) -> usize {
    (n + 7) & !7
}

#[inline(always)]
fn scan_with(buffer: &[u8], first_page: usize, page_count: usize, record_crc: impl Fn(&[u8]) -> u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(page_count * 64);
    for k in 0..page_count {
        let Some(page) = first_page.checked_add(k * XLOG_BLCKSZ).and_then(|p| buffer.get(p..p + XLOG_BLCKSZ)) else {
            break;
        };
        let page_at = first_page + k * XLOG_BLCKSZ;
        let info = u16::from_le_bytes([page[2], page[3]]);
        let mut q = if info & XLP_LONG_HEADER != 0 { SIZE_OF_XLOG_LONG_PHD } else { SIZE_OF_XLOG_SHORT_PHD };
        if info & XLP_FIRST_IS_CONTRECORD != 0 {
            q += maxalign(u32::from_le_bytes(page[16..20].try_into().unwrap()) as usize);
        }
        while q + SIZE_OF_XLOG_RECORD <= XLOG_BLCKSZ {
            let len = u32::from_le_bytes(page[q..q + 4].try_into().unwrap()) as usize;
            if len < SIZE_OF_XLOG_RECORD || len > XLOG_BLCKSZ - q {
                break;
            }
            let rec = &page[q..q + len];
            let bad = if record_crc(rec) == stored_crc(rec) { 0 } else { SCAN_BAD_CRC };
            out.push((page_at + q) as u32);
            out.push(len as u32 | bad);
            if rec[17] == RM_XLOG_ID && rec[16] & !XLR_INFO_MASK == XLOG_SWITCH {
                break;
            }
            q += maxalign(len);
        }
    }
    out
}

/// `scan_record_crcs` with the given engine. Panics if the CPU lacks `kernel`.
pub fn scan_record_crcs_with(kernel: Kernel, buffer: &[u8], first_page: usize, page_count: usize) -> Vec<u32> {
    assert!(kernel.supported(), "{kernel:?} not supported on this CPU");
    match kernel {
        Kernel::CrcFast => scan_with(buffer, first_page, page_count, wal_record_crc_fast),
        // SAFETY: the CPU feature was checked above.
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse42 => unsafe { x86::scan(buffer, first_page, page_count) },
        #[cfg(target_arch = "aarch64")]
        Kernel::ArmCrc => unsafe { arm::scan(buffer, first_page, page_count) },
        #[allow(unreachable_patterns)]
        _ => unreachable!(),
    }
}

/// Walks the WAL pages `buffer[first_page + k * 8192 ..][..8192]` (k < page_count, whole pages
/// only) the way a reader would find records in them — after the page header and any
/// continuation (XLP_FIRST_IS_CONTRECORD, xlp_rem_len), then record by record by xl_tot_len
/// (MAXALIGNed) while a record lies wholly in the page, stopping after XLOG_SWITCH — and checks
/// each record's xl_crc. Returns pairs (offset in `buffer`, xl_tot_len | SCAN_BAD_CRC if the CRC
/// does not match). Nothing is validated beyond that: the caller takes a result only for a
/// record it found itself at the same offset with the same length (hence the same bytes).
pub fn scan_record_crcs(buffer: &[u8], first_page: usize, page_count: usize) -> Vec<u32> {
    scan_record_crcs_with(Kernel::hardware().unwrap_or(Kernel::CrcFast), buffer, first_page, page_count)
}
