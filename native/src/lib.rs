//! Optional native accelerator for postgres-ffi (Node-API addon built with napi-rs).
//!
//! Batch-shaped surface: every call does a meaningful amount of work (a whole buffer of pages,
//! a whole batch of WAL records) so the JS <-> native call overhead stays negligible.

#![deny(clippy::all)]
// Explicit index loops over the 32 checksum lanes are intentional (they vectorise predictably).
#![allow(clippy::needless_range_loop)]

pub mod checksum;
pub mod crc;
pub mod walstats;

#[cfg(test)]
mod tests;

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A page whose stored pd_checksum differs from the computed checksum.
#[napi(object)]
pub struct PageMismatch {
    /// Block number (firstBlockNumber + page index in the buffer).
    pub block: u32,
    /// pd_checksum as stored in the page header (u16).
    pub stored: u32,
    /// Checksum computed with PostgreSQL's algorithm (u16, never 0).
    pub computed: u32,
}

impl From<checksum::Mismatch> for PageMismatch {
    fn from(m: checksum::Mismatch) -> Self {
        PageMismatch { block: m.block, stored: m.stored.into(), computed: m.computed.into() }
    }
}

/// Which SIMD kernels were selected on this CPU.
#[napi(object)]
pub struct NativeInfo {
    /// Page-checksum kernel: "avx512f" | "avx2" | "sse4.1" | "sse2" | "neon" | "generic".
    pub page_checksum_kernel: String,
    /// CRC-32C path reported by crc-fast, e.g. "x86_64-avx512-vpclmulqdq".
    #[napi(js_name = "crc32cKernel")]
    pub crc32c_kernel: String,
}

#[napi]
pub fn native_info() -> NativeInfo {
    NativeInfo {
        page_checksum_kernel: checksum::kernel_name().to_string(),
        crc32c_kernel: crc::crc_kernel_name(),
    }
}

/// CRC-32C (Castagnoli) of `bytes`. `seed` is a previous finalised CRC to continue from
/// (default 0): `crc32c(b, crc32c(a)) === crc32c(a ++ b)`.
#[napi(js_name = "crc32c")]
pub fn crc32c(bytes: &[u8], seed: Option<u32>) -> u32 {
    crc::crc32c_append(seed.unwrap_or(0), bytes)
}

pub struct Crc32cTask {
    bytes: Uint8Array,
    seed: u32,
}

impl Task for Crc32cTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> Result<u32> {
        Ok(crc::crc32c_append(self.seed, &self.bytes))
    }

    fn resolve(&mut self, _env: Env, output: u32) -> Result<u32> {
        Ok(output)
    }
}

/// `crc32c` on the libuv thread pool (worth it for buffers of a few hundred KB and up).
/// The buffer must not be modified until the promise settles.
#[napi(js_name = "crc32cAsync", ts_return_type = "Promise<number>")]
pub fn crc32c_async(bytes: Uint8Array, seed: Option<u32>) -> AsyncTask<Crc32cTask> {
    AsyncTask::new(Crc32cTask { bytes, seed: seed.unwrap_or(0) })
}

/// PostgreSQL's pg_checksum_page() for one 8192-byte page (pd_checksum is treated as zero).
#[napi]
pub fn page_checksum(page: &[u8], block_number: u32) -> Result<u32> {
    let page: &checksum::Page = page.try_into().map_err(|_| {
        Error::new(
            Status::InvalidArg,
            format!("pageChecksum: page must be exactly {} bytes, got {}", checksum::BLCKSZ, page.len()),
        )
    })?;
    Ok(checksum::page_checksum(page, block_number).into())
}

fn mismatches(buffer: &[u8], first_block_number: u32) -> Vec<PageMismatch> {
    checksum::scan_pages(buffer, first_block_number).into_iter().map(Into::into).collect()
}

/// Checks every full 8192-byte page of `buffer` (block numbers firstBlockNumber + index),
/// skipping new pages (pd_upper == 0), and returns the pages whose checksum does not match.
/// A trailing partial page is ignored.
#[napi]
pub fn scan_pages(buffer: &[u8], first_block_number: u32) -> Vec<PageMismatch> {
    mismatches(buffer, first_block_number)
}

pub struct ScanPagesTask {
    buffer: Uint8Array,
    first_block_number: u32,
}

impl Task for ScanPagesTask {
    type Output = Vec<PageMismatch>;
    type JsValue = Vec<PageMismatch>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(mismatches(&self.buffer, self.first_block_number))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// `scanPages` on the libuv thread pool. The buffer must not be modified until the promise settles.
#[napi(ts_return_type = "Promise<Array<PageMismatch>>")]
pub fn scan_pages_async(buffer: Uint8Array, first_block_number: u32) -> AsyncTask<ScanPagesTask> {
    AsyncTask::new(ScanPagesTask { buffer, first_block_number })
}

/// Verifies a batch of WAL records: record k is `buffer[offsets[k] .. offsets[k] + lengths[k]]`
/// (lengths[k] = xl_tot_len). Its CRC-32C over bytes [24, len) then [0, 20) is compared with the
/// u32 LE xl_crc at offset 20. Returns the indices k that mismatch; a record shorter than 24 bytes
/// or extending past the end of `buffer` is reported as a mismatch too.
#[napi]
pub fn verify_record_crcs(buffer: &[u8], offsets: &[u32], lengths: &[u32]) -> Result<Uint32Array> {
    if offsets.len() != lengths.len() {
        return Err(Error::new(
            Status::InvalidArg,
            format!(
                "verifyRecordCrcs: offsets ({}) and lengths ({}) differ in length",
                offsets.len(),
                lengths.len()
            ),
        ));
    }
    Ok(Uint32Array::new(crc::verify_record_crcs(buffer, offsets, lengths)))
}

/// Walks whole WAL pages of `buffer` from byte `firstPage` (at most `pageCount` of them) record by
/// record, as a reader finds records that lie wholly inside a page, and checks each one's
/// xl_crc. Returns pairs: the record's offset in `buffer`, then its xl_tot_len with bit 31 set
/// when the CRC does not match. Only records the caller finds at the same offset with the same
/// length may be taken as checked (the walk itself validates nothing else). Offsets must fit in
/// 32 bits: `buffer` at most 4 GiB.
#[napi]
pub fn scan_record_crcs(buffer: &[u8], first_page: u32, page_count: u32) -> Result<Uint32Array> {
    if buffer.len() > u32::MAX as usize {
        return Err(Error::new(Status::InvalidArg, "scanRecordCrcs: buffer larger than 4 GiB".to_string()));
    }
    Ok(Uint32Array::new(crc::scan_record_crcs(buffer, first_page as usize, page_count as usize)))
}

pub struct ReadWalFileTask {
    path: String,
    buffer: Uint8Array,
    offset: u32,
    length: u32,
}

/// What `readWalFileAsync` read: the bytes, and the record CRC scan of their whole pages.
#[napi(object)]
pub struct WalFileRead {
    pub bytes_read: u32,
    /// `scanRecordCrcs(buffer, 0, pages)` of the bytes read; empty when fewer than `length` came.
    pub crc_scan: Uint32Array,
}

impl Task for ReadWalFileTask {
    type Output = (u32, Vec<u32>);
    type JsValue = WalFileRead;

    fn compute(&mut self) -> Result<Self::Output> {
        let length = self.length as usize;
        if length > self.buffer.len() {
            return Err(Error::new(Status::InvalidArg, format!("readWalFileAsync: length {length} exceeds the buffer")));
        }
        let file = std::fs::File::open(&self.path).map_err(|e| Error::new(Status::GenericFailure, format!("{}: {e}", self.path)))?;
        // SAFETY: the caller leaves the buffer alone until the promise settles (documented).
        let buf = unsafe { &mut self.buffer.as_mut()[..length] };
        let got = walstats::read_up_to(&file, buf, u64::from(self.offset))
            .map_err(|e| Error::new(Status::GenericFailure, format!("{}: {e}", self.path)))?;
        let scan = if got == length { crc::scan_record_crcs(&buf[..got], 0, got / walstats::XLOG_BLCKSZ as usize) } else { Vec::new() };
        Ok((got as u32, scan))
    }

    fn resolve(&mut self, _env: Env, (bytes_read, scan): Self::Output) -> Result<Self::JsValue> {
        Ok(WalFileRead { bytes_read, crc_scan: Uint32Array::new(scan) })
    }
}

/// Reads `length` bytes at `offset` of the file at `path` into `buffer` on the libuv thread pool
/// and, when all of them came, checks the record CRCs of their whole pages (scanRecordCrcs): a
/// reader reads and checks the next WAL segment while it decodes the current one. `buffer` must
/// not be touched until the promise settles; the promise rejects when the file cannot be read.
#[napi(ts_return_type = "Promise<WalFileRead>")]
pub fn read_wal_file_async(path: String, buffer: Uint8Array, offset: u32, length: u32) -> AsyncTask<ReadWalFileTask> {
    AsyncTask::new(ReadWalFileTask { path, buffer, offset, length })
}

/// What `scanWalStats` may accept and where it starts (see native/src/walstats.rs).
#[napi(object)]
pub struct WalStatsScanOptions {
    /// Segment files in order: `paths[k]` holds segment `firstSegno + k`.
    pub paths: Vec<String>,
    pub first_segno: f64,
    pub segment_size: u32,
    /// The last record the caller read, and where its reader goes next (NextRecPtr).
    pub prev_lsn: f64,
    pub next_lsn: f64,
    /// No byte at or after this LSN is read (0: no limit).
    pub end_lsn: f64,
    pub page_magic: u32,
    /// xlp_tli every page must carry.
    pub timeline: u32,
    pub max_builtin_rmid: u32,
    pub allowed_page_flags: u32,
    pub bkp_has_hole: u32,
    pub bkp_compress_mask: u32,
    pub threads: u32,
}

#[napi(object)]
pub struct WalStatsScanResult {
    /// Records accepted after `prevLsn`.
    pub records: f64,
    /// The last record accepted (`prevLsn` when none was), and where a reader goes next.
    pub last_lsn: f64,
    pub next_lsn: f64,
    /// Why the scan stopped: "end-lsn", "invalid", "io" or "files".
    pub stop: String,
    /// XLogRecStoreStats counters: record type (rmid, recid) at ((rmid * 16 + recid) * 3):
    /// count, rec_len sum, fpi_len sum.
    pub counts: Float64Array,
}

/// An LSN given as a JS number: a non-negative integer below 2^53.
fn lsn_arg(name: &str, v: f64) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(Error::new(Status::InvalidArg, format!("scanWalStats: {name} must be an integer LSN below 2^53, got {v}")))
    }
}

/// pg_waldump --stats counters of the records after `prevLsn`, read from segment files, on up
/// to `threads` threads. Stops before anything it does not accept in full (see walstats.rs):
/// the caller's own reader resumes at `lastLsn`.
#[napi]
pub fn scan_wal_stats(options: WalStatsScanOptions) -> Result<WalStatsScanResult> {
    let seg_size = u64::from(options.segment_size);
    if !seg_size.is_power_of_two() || !(1 << 20..=1 << 30).contains(&seg_size) {
        return Err(Error::new(Status::InvalidArg, format!("scanWalStats: invalid segment size {seg_size}")));
    }
    let first_segno = lsn_arg("firstSegno", options.first_segno)?;
    let next_pos = lsn_arg("nextLsn", options.next_lsn)?;
    if next_pos / seg_size != first_segno {
        return Err(Error::new(Status::InvalidArg, "scanWalStats: nextLsn is not in segment firstSegno".to_string()));
    }
    let narrow = |name: &str, v: u32, max: u32| -> Result<u32> {
        if v <= max { Ok(v) } else { Err(Error::new(Status::InvalidArg, format!("scanWalStats: {name} out of range: {v}"))) }
    };
    let params = walstats::Params {
        page_magic: narrow("pageMagic", options.page_magic, 0xFFFF)? as u16,
        seg_size,
        timeline: options.timeline,
        max_builtin_rmid: narrow("maxBuiltinRmid", options.max_builtin_rmid, 0xFF)? as u8,
        allowed_page_flags: narrow("allowedPageFlags", options.allowed_page_flags, 0xFFFF)? as u16,
        bkp_has_hole: narrow("bkpHasHole", options.bkp_has_hole, 0xFF)? as u8,
        bkp_compress_mask: narrow("bkpCompressMask", options.bkp_compress_mask, 0xFF)? as u8,
        end_lsn: lsn_arg("endLsn", options.end_lsn)?,
    };
    let paths: Vec<std::path::PathBuf> = options.paths.into_iter().map(Into::into).collect();
    let prev = lsn_arg("prevLsn", options.prev_lsn)?;
    let out = walstats::scan_stats(&params, &paths, first_segno, next_pos, prev, options.threads.clamp(1, 64) as usize);
    Ok(WalStatsScanResult {
        records: out.records as f64,
        last_lsn: out.last_lsn as f64,
        next_lsn: out.next_pos as f64,
        stop: out.stop.name().to_string(),
        counts: Float64Array::new(out.stats),
    })
}
