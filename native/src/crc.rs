//! CRC-32C (Castagnoli) via the `crc-fast` crate, plus batch verification of WAL record CRCs.

use crc_fast::{CrcAlgorithm, Digest};

/// CRC-32C of `data`, continuing from a previous *finalised* CRC value `crc`
/// (`crc32c_append(0, d) == crc32c(d)`, `crc32c_append(crc32c(a), b) == crc32c(a ++ b)`).
#[inline]
pub fn crc32c_append(crc: u32, data: &[u8]) -> u32 {
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

#[inline]
pub fn crc32c(data: &[u8]) -> u32 {
    crc_fast::crc32_iscsi(data)
}

/// Which acceleration path crc-fast picked for CRC-32C on this CPU.
pub fn crc_kernel_name() -> String {
    crc_fast::get_calculator_target(CrcAlgorithm::Crc32Iscsi)
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

/// Indices `k` for which the record `buffer[offsets[k] .. offsets[k] + lengths[k]]` has a wrong
/// xl_crc. A record shorter than the 24-byte header or running past the end of `buffer` counts
/// as a mismatch. `offsets` and `lengths` must have the same length (checked by the caller).
pub fn verify_record_crcs(buffer: &[u8], offsets: &[u32], lengths: &[u32]) -> Vec<u32> {
    let mut bad = Vec::new();
    for (k, (&off, &len)) in offsets.iter().zip(lengths).enumerate() {
        let (off, len) = (off as usize, len as usize);
        let ok = len >= SIZE_OF_XLOG_RECORD
            && off
                .checked_add(len)
                .is_some_and(|end| end <= buffer.len())
            && {
                let rec = &buffer[off..off + len];
                let stored = u32::from_le_bytes(rec[XL_CRC_OFFSET..XL_CRC_OFFSET + 4].try_into().unwrap());
                wal_record_crc(rec) == stored
            };
        if !ok {
            bad.push(k as u32);
        }
    }
    bad
}
