//! pg_waldump --stats in one native pass: reads WAL segment files (access/xlog_internal.h page
//! headers, access/xlogrecord.h records) and walks their records as xlogreader.c does, adding
//! each record to XLogRecStoreStats' counters (access/xlogstats.h).
//!
//! The pass is an accelerator, not a second reader: it accepts only what the TypeScript decoder
//! (src/common/wal/stream-decoder.ts) accepts, often less, and stops at the first thing it does
//! not accept in full — a bad or unusual page header, record header, CRC or block header, a
//! missing or short file, the end LSN. It reports the last record it accepted; the TypeScript
//! decoder resumes at that record and says, in PostgreSQL's words, what comes next.
//!
//! Several threads may each take a run of segments. A part after the first finds its first
//! record the way XLogFindNextRecord does, and it is kept only if that record is exactly where
//! the previous part's reader went next, with xl_prev naming the previous part's last record.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

pub const XLOG_BLCKSZ: u64 = 8192;
const PAGE: usize = XLOG_BLCKSZ as usize;
const SIZE_OF_XLOG_RECORD: usize = 24;
const SIZE_OF_XLOG_SHORT_PHD: usize = 24;
const SIZE_OF_XLOG_LONG_PHD: usize = 40;
const XLP_FIRST_IS_CONTRECORD: u16 = 0x0001;
const XLP_LONG_HEADER: u16 = 0x0002;
const XLR_INFO_MASK: u8 = 0x0F;
const RM_XLOG_ID: u8 = 0;
const RM_XACT_ID: u8 = 1;
const XLOG_SWITCH: u8 = 0x40;
const XLR_MAX_BLOCK_ID: u8 = 32;
const XLR_BLOCK_ID_DATA_SHORT: u8 = 255;
const XLR_BLOCK_ID_DATA_LONG: u8 = 254;
const XLR_BLOCK_ID_ORIGIN: u8 = 253;
const XLR_BLOCK_ID_TOPLEVEL_XID: u8 = 252;
const BKPBLOCK_HAS_IMAGE: u8 = 0x10;
const BKPBLOCK_HAS_DATA: u8 = 0x20;
const BKPBLOCK_SAME_REL: u8 = 0x80;
/// Records longer than this stop the pass (xlogrecord.h's XLogRecordMaxSize is 1020 MB).
const MAX_RECORD: usize = 1020 * 1024 * 1024;
/// Bytes read from a file per pread (whole pages; divides every valid segment size).
const CHUNK: usize = 1024 * 1024;

/// Counters: for record type (rmid, recid) at `((rmid * 16 + recid) * 3)`: count, rec_len, fpi_len.
pub const STATS_LEN: usize = 256 * 16 * 3;

/// What the pass may accept: the facts of one major version and one WAL.
#[derive(Clone, Debug)]
pub struct Params {
    /// XLOG_PAGE_MAGIC of the version.
    pub page_magic: u16,
    /// wal_segment_size (a power of two from 1 MB to 1 GB).
    pub seg_size: u64,
    /// xlp_tli every page must carry (the timeline of the page the caller's reader read last).
    pub timeline: u32,
    /// RM_MAX_BUILTIN_ID; custom resource managers stop the pass.
    pub max_builtin_rmid: u8,
    /// xlp_info bits accepted (without XLP_FIRST_IS_OVERWRITE_CONTRECORD, which stops the pass).
    pub allowed_page_flags: u16,
    /// BKPIMAGE_HAS_HOLE and the BKPIMAGE_COMPRESS_* bits of the version.
    pub bkp_has_hole: u8,
    pub bkp_compress_mask: u8,
    /// No byte at or after this LSN is read (0: no limit).
    pub end_lsn: u64,
}

/// Why a part stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Reached the LSN where the next part begins.
    Seam,
    /// The next record needs bytes at or after the end LSN.
    EndLsn,
    /// Something the pass does not accept (the caller's reader decides what it is).
    Invalid,
    /// A file could not be opened or read in full.
    Io,
    /// The next record needs a segment after the last one given.
    Files,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Seam => "seam",
            Stop::EndLsn => "end-lsn",
            Stop::Invalid => "invalid",
            Stop::Io => "io",
            Stop::Files => "files",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub records: u64,
    /// The last record accepted (the `prev` given when none was).
    pub last_lsn: u64,
    /// Where the reader goes next (xlogreader's NextRecPtr after `last_lsn`).
    pub next_pos: u64,
    pub stop: Stop,
    pub stats: Vec<f64>,
    /// The first record accepted: its LSN, its xl_prev, and whether its page's header has
    /// XLP_FIRST_IS_CONTRECORD (for joining parts).
    first: Option<(u64, u64, bool)>,
}

struct PageHeader {
    info: u16,
    len: usize,
    rem_len: u32,
}

/// Sequential page access over consecutive segment files, one pread of CHUNK bytes at a time.
struct Pages<'a> {
    p: &'a Params,
    paths: &'a [PathBuf],
    first_segno: u64,
    file: Option<(u64, File)>,
    buf: Vec<u8>,
    buf_lsn: u64,
    buf_len: usize,
}

impl<'a> Pages<'a> {
    fn new(p: &'a Params, paths: &'a [PathBuf], first_segno: u64) -> Self {
        Pages { p, paths, first_segno, file: None, buf: vec![0; CHUNK.min(p.seg_size as usize)], buf_lsn: 0, buf_len: 0 }
    }

    /// The whole page at `page_lsn`, or why it is not available.
    fn page(&mut self, page_lsn: u64) -> Result<&[u8], Stop> {
        if self.p.end_lsn != 0 && page_lsn + XLOG_BLCKSZ > self.p.end_lsn {
            return Err(Stop::EndLsn);
        }
        if page_lsn < self.buf_lsn || page_lsn + XLOG_BLCKSZ > self.buf_lsn + self.buf_len as u64 {
            self.load(page_lsn)?;
        }
        let off = (page_lsn - self.buf_lsn) as usize;
        Ok(&self.buf[off..off + PAGE])
    }

    fn load(&mut self, page_lsn: u64) -> Result<(), Stop> {
        let seg = self.p.seg_size;
        let segno = page_lsn / seg;
        let index = segno.checked_sub(self.first_segno).ok_or(Stop::Files)?;
        let path = self.paths.get(index as usize).ok_or(Stop::Files)?;
        if self.file.as_ref().is_none_or(|(n, _)| *n != segno) {
            let file = File::open(path).map_err(|_| Stop::Io)?;
            // A file shorter than a segment ends the TypeScript reader's input there (even
            // where the pages it lacks would be skipped, after XLOG_SWITCH): stop at it too.
            if file.metadata().map_err(|_| Stop::Io)?.len() < seg {
                return Err(Stop::Io);
            }
            self.file = Some((segno, file));
        }
        let file = &self.file.as_ref().expect("opened above").1;
        let chunk = self.buf.len() as u64;
        let seg_off = (page_lsn % seg) / chunk * chunk;
        let got = read_up_to(file, &mut self.buf, seg_off).map_err(|_| Stop::Io)?;
        self.buf_lsn = segno * seg + seg_off;
        self.buf_len = got - got % PAGE;
        if page_lsn + XLOG_BLCKSZ > self.buf_lsn + self.buf_len as u64 {
            return Err(Stop::Io);
        }
        Ok(())
    }

    /// XLogReaderValidatePageHeader, stricter: the long header exactly on a segment's first
    /// page, one timeline, only the allowed flags.
    fn header(&mut self, page_lsn: u64) -> Result<PageHeader, Stop> {
        let p = self.p;
        let page = self.page(page_lsn)?;
        let info = u16le(page, 2);
        let long = info & XLP_LONG_HEADER != 0;
        if u16le(page, 0) != p.page_magic
            || info & !p.allowed_page_flags != 0
            || long != page_lsn.is_multiple_of(p.seg_size)
            || u64le(page, 8) != page_lsn
            || u32le(page, 4) != p.timeline
            || (long && (u64::from(u32le(page, 32)) != p.seg_size || u64::from(u32le(page, 36)) != XLOG_BLCKSZ))
        {
            return Err(Stop::Invalid);
        }
        let len = if long { SIZE_OF_XLOG_LONG_PHD } else { SIZE_OF_XLOG_SHORT_PHD };
        Ok(PageHeader { info, len, rem_len: u32le(page, 16) })
    }
}

/// Reads `buf.len()` bytes at `offset` of `file`, fewer only at the end of the file (pread
/// until full, EINTR retried). Returns how many it read.
pub fn read_up_to(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[inline(always)]
fn u16le(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}

#[inline(always)]
fn u32le(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}

#[inline(always)]
fn u64le(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

#[inline(always)]
fn maxalign(n: u64) -> u64 {
    (n + 7) & !7
}

/// DecodeXLogRecord's walk of the headers after XLogRecord, with every check it makes:
/// returns the sum of the block images' lengths (XLogRecGetLen's fpi_len), or None where
/// xlogreader.c would report an error.
fn fpi_length(p: &Params, rec: &[u8]) -> Option<u64> {
    let end = rec.len();
    let mut ptr = SIZE_OF_XLOG_RECORD;
    let mut datatotal: usize = 0;
    let mut fpi: u64 = 0;
    let mut max_block_id: i32 = -1;
    let mut have_rel = false;
    while end - ptr > datatotal {
        let block_id = rec[ptr];
        ptr += 1;
        match block_id {
            XLR_BLOCK_ID_DATA_SHORT => {
                datatotal += usize::from(*rec.get(ptr)?);
                ptr += 1;
                break;
            }
            XLR_BLOCK_ID_DATA_LONG => {
                if end - ptr < 4 {
                    return None;
                }
                datatotal = datatotal.checked_add(u32le(rec, ptr) as usize)?;
                ptr += 4;
                break;
            }
            XLR_BLOCK_ID_ORIGIN => {
                if end - ptr < 2 {
                    return None;
                }
                ptr += 2;
                continue;
            }
            XLR_BLOCK_ID_TOPLEVEL_XID => {
                if end - ptr < 4 {
                    return None;
                }
                ptr += 4;
                continue;
            }
            _ => {}
        }
        if block_id > XLR_MAX_BLOCK_ID || i32::from(block_id) <= max_block_id {
            return None;
        }
        max_block_id = i32::from(block_id);
        if end - ptr < 3 {
            return None;
        }
        let fork_flags = rec[ptr];
        let data_len = u16le(rec, ptr + 1);
        ptr += 3;
        let has_data = fork_flags & BKPBLOCK_HAS_DATA != 0;
        if has_data != (data_len != 0) {
            return None;
        }
        datatotal += usize::from(data_len);
        if fork_flags & BKPBLOCK_HAS_IMAGE != 0 {
            if end - ptr < 5 {
                return None;
            }
            let bimg_len = u16le(rec, ptr);
            let hole_offset = u16le(rec, ptr + 2);
            let bimg_info = rec[ptr + 4];
            ptr += 5;
            let compressed = bimg_info & p.bkp_compress_mask != 0;
            let has_hole = bimg_info & p.bkp_has_hole != 0;
            let mut hole_length: u32 = 0;
            if compressed {
                if has_hole {
                    if end - ptr < 2 {
                        return None;
                    }
                    hole_length = u32::from(u16le(rec, ptr));
                    ptr += 2;
                }
            } else {
                hole_length = (PAGE as u32).wrapping_sub(u32::from(bimg_len));
            }
            datatotal += usize::from(bimg_len);
            fpi += u64::from(bimg_len);
            let full = usize::from(bimg_len) == PAGE;
            if has_hole && (hole_offset == 0 || hole_length == 0 || full) {
                return None;
            }
            if !has_hole && (hole_offset != 0 || hole_length != 0) {
                return None;
            }
            if compressed && full {
                return None;
            }
            if !has_hole && !compressed && !full {
                return None;
            }
        }
        if fork_flags & BKPBLOCK_SAME_REL == 0 {
            if end - ptr < 12 {
                return None;
            }
            have_rel = true;
            ptr += 12;
        } else if !have_rel {
            return None;
        }
        if end - ptr < 4 {
            return None;
        }
        ptr += 4;
    }
    (end - ptr == datatotal).then_some(fpi)
}

/// Appends to `scratch` the rest of a record of `tot_len` bytes from the pages from `next_page`
/// on, each of which must continue it (XLP_FIRST_IS_CONTRECORD, xlp_rem_len = what is left).
/// Returns the LSN just past the record's last byte.
fn gather_continuation(pages: &mut Pages, scratch: &mut Vec<u8>, mut next_page: u64, tot_len: usize) -> Result<u64, Stop> {
    loop {
        let h = pages.header(next_page)?;
        let remaining = tot_len - scratch.len();
        if h.info & XLP_FIRST_IS_CONTRECORD == 0 || h.rem_len == 0 || h.rem_len as usize != remaining {
            return Err(Stop::Invalid);
        }
        let n = remaining.min(PAGE - h.len);
        let page = pages.page(next_page)?;
        scratch.extend_from_slice(&page[h.len..h.len + n]);
        if n == remaining {
            return Ok(next_page + (h.len + n) as u64);
        }
        next_page += XLOG_BLCKSZ;
    }
}

/// Where a part begins.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// Right after the record at `prev`, the reader's next position being `next_pos`.
    After { next_pos: u64, prev: u64 },
    /// At the first record that begins on or after the page `page_lsn` (XLogFindNextRecord).
    Find { page_lsn: u64 },
}

/// Scans from `start` until something stops it, or (with `seam`) before a record that would
/// begin at or after `seam`. `paths[k]` is the file of segment `first_segno + k`.
pub fn scan_part(
    p: &Params,
    paths: &[PathBuf],
    first_segno: u64,
    start: Start,
    seam: Option<u64>,
    record_crc: fn(&[u8]) -> u32,
) -> Outcome {
    let mut pages = Pages::new(p, paths, first_segno);
    let mut out =
        Outcome { records: 0, last_lsn: 0, next_pos: 0, stop: Stop::Invalid, stats: vec![0.0; STATS_LEN], first: None };
    let mut scratch: Vec<u8> = Vec::new();
    // The expected xl_prev of the next record (None: the first record after a Find).
    let mut prev: Option<u64>;
    let mut pos: u64;
    // Whether the page the next record starts on has XLP_FIRST_IS_CONTRECORD (Find only).
    let mut first_page_contrecord = false;
    match start {
        Start::After { next_pos, prev: at } => {
            pos = next_pos;
            prev = Some(at);
            out.last_lsn = at;
        }
        Start::Find { page_lsn } => {
            let mut page_lsn = page_lsn;
            loop {
                let h = match pages.header(page_lsn) {
                    Ok(h) => h,
                    Err(stop) => {
                        out.stop = stop;
                        out.next_pos = page_lsn;
                        return out;
                    }
                };
                if h.info & XLP_FIRST_IS_CONTRECORD != 0 {
                    let skip = maxalign(u64::from(h.rem_len));
                    if skip >= (PAGE - h.len) as u64 {
                        page_lsn += XLOG_BLCKSZ;
                        continue;
                    }
                    pos = page_lsn + h.len as u64 + skip;
                    first_page_contrecord = true;
                } else {
                    pos = page_lsn + h.len as u64;
                }
                break;
            }
            prev = None;
        }
    }
    out.next_pos = pos;
    let stop = loop {
        if seam.is_some_and(|s| pos >= s) {
            break Stop::Seam;
        }
        let mut rec_lsn = pos;
        if pos.is_multiple_of(XLOG_BLCKSZ) {
            match pages.header(pos) {
                Ok(h) if h.info & XLP_FIRST_IS_CONTRECORD == 0 => rec_lsn += h.len as u64,
                Ok(_) => break Stop::Invalid,
                Err(stop) => break stop,
            }
        }
        let off = (rec_lsn % XLOG_BLCKSZ) as usize;
        let page_lsn = rec_lsn - off as u64;
        let page = match pages.page(page_lsn) {
            Ok(page) => page,
            Err(stop) => break stop,
        };
        let tot_len = u32le(page, off) as usize;
        if !(SIZE_OF_XLOG_RECORD..=MAX_RECORD).contains(&tot_len) {
            break Stop::Invalid;
        }
        let header_on_page = off + SIZE_OF_XLOG_RECORD <= PAGE;
        let good_header = |h: &[u8], prev: Option<u64>| h[17] <= p.max_builtin_rmid && prev.is_none_or(|x| u64le(h, 8) == x);
        if header_on_page && !good_header(&page[off..], prev) {
            break Stop::Invalid;
        }
        let end_raw: u64;
        let rec: &[u8] = if off + tot_len <= PAGE {
            end_raw = rec_lsn + tot_len as u64;
            &page[off..off + tot_len]
        } else {
            // Crosses pages: gather the pieces; each next page must continue this record.
            scratch.clear();
            scratch.extend_from_slice(&page[off..]);
            end_raw = match gather_continuation(&mut pages, &mut scratch, page_lsn + XLOG_BLCKSZ, tot_len) {
                Ok(end) => end,
                Err(stop) => break stop,
            };
            if !header_on_page && !good_header(&scratch, prev) {
                break Stop::Invalid;
            }
            &scratch
        };
        if record_crc(rec) != u32le(rec, 20) {
            break Stop::Invalid;
        }
        let Some(fpi) = fpi_length(p, rec) else {
            break Stop::Invalid;
        };
        let (info, rmid) = (rec[16], rec[17]);
        let mut recid = usize::from(info >> 4);
        if rmid == RM_XACT_ID {
            recid &= 0x07;
        }
        let t = (usize::from(rmid) * 16 + recid) * 3;
        out.stats[t] += 1.0;
        out.stats[t + 1] += (tot_len as u64 - fpi) as f64;
        out.stats[t + 2] += fpi as f64;
        if out.first.is_none() {
            out.first = Some((rec_lsn, u64le(rec, 8), first_page_contrecord));
        }
        out.records += 1;
        out.last_lsn = rec_lsn;
        prev = Some(rec_lsn);
        pos = maxalign(end_raw);
        if rmid == RM_XLOG_ID && info & !XLR_INFO_MASK == XLOG_SWITCH {
            pos = pos.div_ceil(p.seg_size) * p.seg_size;
        }
        out.next_pos = pos;
    };
    out.stop = stop;
    out
}

/// Whether part `b` continues part `a` exactly: `a` stopped at the seam, and `b`'s first record
/// is where `a`'s reader went next (after the page header, on a page without a continuation,
/// when that was a page boundary), with xl_prev naming `a`'s last record.
fn continues(p: &Params, a: &Outcome, b: &Outcome) -> bool {
    let Some((lsn, xl_prev, contrecord_page)) = b.first else {
        return false;
    };
    if a.stop != Stop::Seam || xl_prev != a.last_lsn {
        return false;
    }
    if !a.next_pos.is_multiple_of(XLOG_BLCKSZ) {
        return lsn == a.next_pos;
    }
    let header = if a.next_pos.is_multiple_of(p.seg_size) { SIZE_OF_XLOG_LONG_PHD } else { SIZE_OF_XLOG_SHORT_PHD };
    !contrecord_page && lsn == a.next_pos + header as u64
}

/// Scans the records after the one at `prev` (the reader's next position being `next_pos`)
/// through the segment files `paths` (`paths[k]` is segment `first_segno + k`), on up to
/// `threads` threads, each taking a run of at least two whole segments. Returns the counters
/// of the records accepted in order, up to the first stop.
pub fn scan_stats(p: &Params, paths: &[PathBuf], first_segno: u64, next_pos: u64, prev: u64, threads: usize) -> Outcome {
    let record_crc = crate::crc::wal_record_crc_fn();
    let parts = threads.min(paths.len() / 2).max(1);
    let part_first = |i: usize| first_segno + (i * paths.len() / parts) as u64;
    let seam = |i: usize| (i + 1 < parts).then(|| part_first(i + 1) * p.seg_size);
    let first = Start::After { next_pos, prev };
    let mut outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let later: Vec<_> = (1..parts)
            .map(|i| {
                let start = Start::Find { page_lsn: part_first(i) * p.seg_size };
                s.spawn(move || scan_part(p, paths, first_segno, start, seam(i), record_crc))
            })
            .collect();
        let mut all = vec![scan_part(p, paths, first_segno, first, seam(0), record_crc)];
        all.extend(later.into_iter().map(|h| h.join().expect("scan thread panicked")));
        all
    });
    let mut rest = outcomes.split_off(1);
    let mut total = outcomes.pop().expect("one part at least");
    for part in rest.drain(..) {
        if !continues(p, &total, &part) {
            break;
        }
        for (t, x) in total.stats.iter_mut().zip(&part.stats) {
            *t += x;
        }
        total.records += part.records;
        total.last_lsn = part.last_lsn;
        total.next_pos = part.next_pos;
        total.stop = part.stop;
    }
    if total.stop == Stop::Seam {
        // A later part that does not join is not an error: the caller's reader goes on there.
        total.stop = Stop::Invalid;
    }
    total
}
