//! Optional native accelerator for postgres-ffi (Node-API addon built with napi-rs).
//!
//! Batch-shaped surface: every call does a meaningful amount of work (a whole buffer of pages,
//! a whole batch of WAL records) so the JS <-> native call overhead stays negligible.

#![deny(clippy::all)]
// Explicit index loops over the 32 checksum lanes are intentional (they vectorise predictably).
#![allow(clippy::needless_range_loop)]

pub mod checksum;
pub mod crc;

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
