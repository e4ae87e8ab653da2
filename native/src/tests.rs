use crate::checksum::{self, Level, Mismatch, BLCKSZ, CHECKSUM_BASE_OFFSETS};
use crate::crc;

/// xorshift64* — deterministic pseudo-random test data without extra dependencies.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = (self.next_u64() >> 56) as u8;
        }
    }
}

/// Scalar reference written directly from the description of checksum_impl.h.
fn reference_page_checksum(page: &[u8], block: u32) -> u16 {
    assert_eq!(page.len(), 8192);
    let mix = |s: u32, v: u32| {
        let t = s ^ v;
        t.wrapping_mul(16777619) ^ (t >> 17)
    };
    let word = |idx: usize| {
        let o = idx * 4;
        let mut w = u32::from_le_bytes([page[o], page[o + 1], page[o + 2], page[o + 3]]);
        if o == 8 {
            w &= 0xFFFF_0000; // pd_checksum (bytes 8..10) counts as zero
        }
        w
    };
    let mut sums = CHECKSUM_BASE_OFFSETS;
    for i in 0..64 {
        for j in 0..32 {
            sums[j] = mix(sums[j], word(i * 32 + j));
        }
    }
    for _ in 0..2 {
        for s in sums.iter_mut() {
            *s = mix(*s, 0);
        }
    }
    let mut result = 0u32;
    for s in sums {
        result ^= s;
    }
    result ^= block;
    ((result % 65535) + 1) as u16
}

fn set_u16(page: &mut [u8], off: usize, v: u16) {
    page[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn crc32c_check_value() {
    assert_eq!(crc::crc32c(b"123456789"), 0xE306_9283);
    assert_eq!(crc::crc32c_append(0, b"123456789"), 0xE306_9283);
    assert_eq!(crc::crc32c(b""), 0);
}

#[test]
fn crc32c_append_chains_like_crc32c_crate() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut data = vec![0u8; 300_000];
    rng.fill(&mut data);
    for &len in &[0usize, 1, 7, 15, 16, 31, 63, 64, 100, 255, 256, 1000, 4096, 65_537, 300_000] {
        let d = &data[..len];
        let whole = crc::crc32c(d);
        assert_eq!(whole, crc32c::crc32c(d), "len {len}");
        for _ in 0..5 {
            let split = if len == 0 { 0 } else { rng.next_u32() as usize % (len + 1) };
            let head = crc::crc32c(&d[..split]);
            assert_eq!(crc::crc32c_append(head, &d[split..]), whole, "len {len} split {split}");
            assert_eq!(crc::crc32c_append(head, &d[split..]), crc32c::crc32c_append(head, &d[split..]));
        }
        let seed = rng.next_u32();
        assert_eq!(crc::crc32c_append(seed, d), crc32c::crc32c_append(seed, d), "seed {seed:#x}");
        assert_eq!(crc::crc32c_append(seed, b""), seed);
    }
}

#[test]
fn page_checksum_matches_reference_on_random_pages_all_kernels() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let levels = Level::available();
    let mut page = [0u8; BLCKSZ];
    for n in 0..300 {
        rng.fill(&mut page);
        let block = match n {
            0 => 0,
            1 => u32::MAX,
            _ => rng.next_u32(),
        };
        let expected = reference_page_checksum(&page, block);
        for &level in &levels {
            assert_eq!(checksum::page_checksum_with(level, &page, block), expected, "{level:?}");
        }
        assert_eq!(checksum::page_checksum(&page, block), expected);
        // The stored pd_checksum must not influence the result.
        set_u16(&mut page, 8, rng.next_u32() as u16);
        assert_eq!(checksum::page_checksum(&page, block), expected);
    }
    // Structured pages: all zeros, all ones.
    for fillv in [0u8, 0xFF] {
        let page = [fillv; BLCKSZ];
        for block in [0, 1, 12345, u32::MAX] {
            let expected = reference_page_checksum(&page, block);
            for &level in &levels {
                assert_eq!(checksum::page_checksum_with(level, &page, block), expected);
            }
        }
    }
}

/// Pages written by a real PostgreSQL 15 server (initdb --data-checksums): the stored
/// pd_checksum must equal our computed checksum. See testdata/README.md.
#[test]
fn page_checksum_matches_real_postgres_pages() {
    let data = include_bytes!("../testdata/pg15_heap_pages.bin");
    assert_eq!(data.len() % BLCKSZ, 0);
    let mut checked = 0;
    for (idx, page) in data.chunks_exact(BLCKSZ).enumerate() {
        let page: &checksum::Page = page.try_into().unwrap();
        let stored = u16::from_le_bytes([page[8], page[9]]);
        assert_ne!(u16::from_le_bytes([page[14], page[15]]), 0, "fixture page {idx} is new");
        assert_eq!(checksum::page_checksum(page, idx as u32), stored, "page {idx}");
        assert_eq!(reference_page_checksum(page, idx as u32), stored, "reference, page {idx}");
        checked += 1;
    }
    assert!(checked >= 2);
    assert!(checksum::scan_pages(data, 0).is_empty());
    // The same pages at other block numbers must all fail.
    assert_eq!(checksum::scan_pages(data, 1000).len(), checked);
}

#[test]
fn scan_pages_reports_mismatches_and_skips_new_pages() {
    let mut rng = Rng(0x0bad_5eed_0000_0001);
    let first_block = 4_000_000_000u32; // exercises wrapping past u32::MAX
    for npages in [0usize, 1, 2, 3, 4, 5, 7, 8, 9, 17, 33] {
        let mut buf = vec![0u8; npages * BLCKSZ + 100]; // trailing partial page is ignored
        rng.fill(&mut buf);
        let mut expected = Vec::new();
        for idx in 0..npages {
            let block = first_block.wrapping_add(idx as u32);
            let page = &mut buf[idx * BLCKSZ..(idx + 1) * BLCKSZ];
            match rng.next_u32() % 4 {
                0 => {
                    // New page: pd_upper == 0, garbage checksum -> skipped.
                    set_u16(page, 14, 0);
                }
                1 => {
                    // Corrupted: wrong stored checksum.
                    set_u16(page, 14, 8000);
                    let good = reference_page_checksum(page, block);
                    let bad = good ^ 0x0101;
                    set_u16(page, 8, bad);
                    expected.push(Mismatch { block, stored: bad, computed: good });
                }
                _ => {
                    set_u16(page, 14, 8000 + idx as u16);
                    let good = reference_page_checksum(page, block);
                    set_u16(page, 8, good);
                }
            }
        }
        for level in Level::available() {
            assert_eq!(checksum::scan_pages_with(level, &buf, first_block), expected, "{level:?} n={npages}");
        }
        assert_eq!(checksum::scan_pages(&buf, first_block), expected);
    }
}

#[test]
fn scan_pages_all_new_pages_is_empty() {
    let buf = vec![0u8; 10 * BLCKSZ];
    assert!(checksum::scan_pages(&buf, 0).is_empty());
}

/// Build a WAL-record-shaped byte string with a correct xl_crc.
fn make_record(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut rec = vec![0u8; len];
    rng.fill(&mut rec);
    rec[0..4].copy_from_slice(&(len as u32).to_le_bytes());
    // Independent reference: the crc32c crate, PostgreSQL's order (payload, then header[0..20]).
    let c = crc32c::crc32c_append(crc32c::crc32c(&rec[24..]), &rec[..20]);
    rec[20..24].copy_from_slice(&c.to_le_bytes());
    rec
}

#[test]
fn verify_record_crcs_finds_bad_records() {
    let mut rng = Rng(42);
    let mut buffer = Vec::new();
    let mut offsets = Vec::new();
    let mut lengths = Vec::new();
    let mut expected = Vec::new();
    for k in 0..200u32 {
        let len = 24 + (rng.next_u32() % 3000) as usize;
        let mut rec = make_record(&mut rng, len);
        if k % 7 == 3 {
            let pos = rng.next_u32() as usize % len;
            rec[pos] ^= 1 << (rng.next_u32() % 8);
            expected.push(k);
        }
        // MAXALIGN-style padding between records.
        while buffer.len() % 8 != 0 {
            buffer.push(0);
        }
        offsets.push(buffer.len() as u32);
        lengths.push(len as u32);
        buffer.extend_from_slice(&rec);
    }
    assert_eq!(crc::verify_record_crcs(&buffer, &offsets, &lengths), expected);

    // Too short and out-of-range records count as mismatches.
    let rec = make_record(&mut rng, 24);
    assert!(crc::verify_record_crcs(&rec, &[0], &[24]).is_empty());
    assert_eq!(crc::verify_record_crcs(&rec, &[0, 0, 1, u32::MAX], &[23, 25, 24, 24]), vec![0, 1, 2, 3]);
}

/// WAL records written by a real PostgreSQL 15 server. See testdata/README.md.
#[test]
fn verify_record_crcs_on_real_postgres_wal() {
    let wal = include_bytes!("../testdata/pg15_wal_64k.bin");
    let list = include_str!("../testdata/pg15_wal_64k.records.txt");
    let (mut offsets, mut lengths) = (Vec::new(), Vec::new());
    for line in list.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut it = line.split_whitespace().map(|x| x.parse::<u32>().unwrap());
        offsets.push(it.next().unwrap());
        lengths.push(it.next().unwrap());
    }
    assert!(offsets.len() >= 5);
    assert!(crc::verify_record_crcs(wal, &offsets, &lengths).is_empty());
    // Flip one payload byte of record 3: only that record fails.
    let mut copy = wal.to_vec();
    copy[(offsets[3] + lengths[3] - 1) as usize] ^= 0x80;
    assert_eq!(crc::verify_record_crcs(&copy, &offsets, &lengths), vec![3]);
    for kernel in crc::Kernel::available() {
        assert!(crc::verify_record_crcs_with(kernel, wal, &offsets, &lengths).is_empty(), "{kernel:?}");
        assert_eq!(crc::verify_record_crcs_with(kernel, &copy, &offsets, &lengths), vec![3], "{kernel:?}");
        for (&off, &len) in offsets.iter().zip(&lengths) {
            let rec = &wal[off as usize..(off + len) as usize];
            let stored = u32::from_le_bytes(rec[20..24].try_into().unwrap());
            let c = crc::crc32c_append_with(kernel, 0, &rec[24..]);
            assert_eq!(crc::crc32c_append_with(kernel, c, &rec[..20]), stored, "{kernel:?} record at {off}");
            assert_eq!(crc::wal_record_crc(rec), stored, "record at {off}");
        }
    }
}

/// Every length 0..=1100 (both sides of SHORT_MAX), several start alignments and random seeds:
/// each engine, the dispatching crc32c_append and the `crc32c` crate must agree.
#[test]
fn crc32c_every_short_length_all_kernels_match_crc32c_crate() {
    let seed = 0x5eed_c0de_1234_0001u64;
    println!("rng seed {seed:#x}; kernels {:?}", crc::Kernel::available());
    let mut rng = Rng(seed);
    let mut data = vec![0u8; 1100 + 16];
    rng.fill(&mut data);
    let kernels = crc::Kernel::available();
    assert_eq!(kernels.len(), 1 + usize::from(crc::Kernel::hardware().is_some()));
    for len in 0..=1100usize {
        for _ in 0..3 {
            let start = rng.next_u32() as usize % 16;
            let d = &data[start..start + len];
            let seed = match rng.next_u32() % 4 {
                0 => 0,
                1 => u32::MAX,
                _ => rng.next_u32(),
            };
            let expected = crc32c::crc32c_append(seed, d);
            assert_eq!(crc::crc32c_append(seed, d), expected, "len {len} start {start} seed {seed:#x}");
            assert_eq!(crc::crc32c_append_fast(seed, d), expected, "crc-fast len {len}");
            for &k in &kernels {
                assert_eq!(crc::crc32c_append_with(k, seed, d), expected, "{k:?} len {len} start {start} seed {seed:#x}");
            }
        }
        assert_eq!(crc::crc32c(&data[..len]), crc32c::crc32c(&data[..len]), "len {len}");
    }
}

/// Records of every length 24..=1100 in one batch, every 5th corrupted, through every engine.
#[test]
fn verify_record_crcs_every_length_all_kernels() {
    let mut rng = Rng(0x00dd_ba11_5eed);
    let (mut buffer, mut offsets, mut lengths, mut expected) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (k, len) in (24..=1100usize).enumerate() {
        let mut rec = make_record(&mut rng, len);
        if k % 5 == 2 {
            let pos = rng.next_u32() as usize % len;
            rec[pos] ^= 1 << (rng.next_u32() % 8);
            expected.push(k as u32);
        }
        buffer.extend(std::iter::repeat_n(0u8, rng.next_u32() as usize % 8));
        offsets.push(buffer.len() as u32);
        lengths.push(len as u32);
        buffer.extend_from_slice(&rec);
    }
    assert_eq!(crc::verify_record_crcs(&buffer, &offsets, &lengths), expected);
    // Out-of-range entries between good and bad records: indices still come back in order.
    let (mut offs2, mut lens2, mut expected2) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..offsets.len() {
        if k % 4 == 1 {
            expected2.push(offs2.len() as u32);
            offs2.push(u32::MAX - 10);
            lens2.push(100);
        }
        if expected.contains(&(k as u32)) {
            expected2.push(offs2.len() as u32);
        }
        offs2.push(offsets[k]);
        lens2.push(lengths[k]);
    }
    for k in crc::Kernel::available() {
        assert_eq!(crc::verify_record_crcs_with(k, &buffer, &offs2, &lens2), expected2, "{k:?}");
        assert_eq!(crc::verify_record_crcs_with(k, &buffer, &offsets, &lengths), expected, "{k:?}");
        assert_eq!(crc::verify_record_crcs_with(k, &buffer, &[0, 0, 1, u32::MAX], &[23, 25, 24, 24]).len(), 4);
    }
}

/// Crossover between the instruction loop and crc-fast:
/// `cargo test --release -- --ignored --nocapture crc32c_crossover_timing`
#[test]
#[ignore]
fn crc32c_crossover_timing() {
    use std::hint::black_box;
    use std::time::Instant;
    let Some(hw) = crc::Kernel::hardware() else { return };
    let mut data = vec![0u8; 8192];
    Rng(1).fill(&mut data);
    // Independent calls (throughput, like a batch of records) and chained calls (latency).
    for len in [16usize, 64, 128, 256, 320, 384, 448, 512, 640, 768, 1024, 2048, 8192] {
        let iters = 20_000_000 / (len + 64);
        let mut row = format!("{len:>5} B:");
        for chained in [false, true] {
            for k in [crc::Kernel::CrcFast, hw] {
                let t = Instant::now();
                let mut acc = 0u32;
                for i in 0..iters {
                    let seed = if chained { acc } else { i as u32 };
                    acc ^= crc::crc32c_append_with(k, seed, black_box(&data[..len]));
                }
                black_box(acc);
                let ns = t.elapsed().as_nanos() as f64 / iters as f64;
                row += &format!("  {}{} {ns:.1} ns", if chained { "chained " } else { "" }, k.name());
            }
        }
        println!("{row}");
    }
}

#[test]
fn report_selected_kernels() {
    // Informational: `cargo test -- --nocapture report_selected_kernels`
    println!(
        "page checksum kernel: {}; available: {:?}; crc32c: {}",
        checksum::kernel_name(),
        Level::available().iter().map(|l| l.name()).collect::<Vec<_>>(),
        crc::crc_kernel_name()
    );
    assert!(!crc::crc_kernel_name().is_empty());
}

/// scanRecordCrcs walks the real PostgreSQL 15 pages of pg15_wal_64k.bin and finds the records
/// pg_waldump reports lying wholly inside one page (testdata/README.md; the list starts at the
/// first record pg_waldump was asked for, 2600), each with a matching CRC.
#[test]
fn scan_record_crcs_finds_the_records_pg_waldump_lists() {
    let wal = include_bytes!("../testdata/pg15_wal_64k.bin");
    let list = include_str!("../testdata/pg15_wal_64k.records.txt");
    let mut expected = Vec::new();
    for line in list.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut it = line.split_whitespace().map(|x| x.parse::<u32>().unwrap());
        expected.push(it.next().unwrap());
        expected.push(it.next().unwrap());
    }
    let from = |v: Vec<u32>, at: u32| -> Vec<u32> { v.chunks(2).filter(|r| r[0] >= at).flatten().copied().collect() };
    let pages = wal.len() / 8192;
    let mut copy = wal.to_vec();
    copy[(expected[6] + expected[7] - 1) as usize] ^= 0x80; // last byte of record 3
    let mut expected_bad = expected.clone();
    expected_bad[7] |= crc::SCAN_BAD_CRC;
    for kernel in crc::Kernel::available() {
        let all = crc::scan_record_crcs_with(kernel, wal, 0, pages);
        assert!(all.chunks(2).all(|r| r[1] & crc::SCAN_BAD_CRC == 0), "{kernel:?}: every real record's CRC matches");
        assert_eq!(from(all, expected[0]), expected, "{kernel:?}");
        assert_eq!(from(crc::scan_record_crcs_with(kernel, &copy, 0, pages), expected[0]), expected_bad, "{kernel:?}");
    }
    // Pages past the end of the buffer are not read; a later first page gives the later records.
    assert_eq!(from(crc::scan_record_crcs(wal, 0, pages + 5), expected[0]), expected);
    assert_eq!(crc::scan_record_crcs(wal, 2 * 8192, pages), from(expected.clone(), 2 * 8192));
    // A buffer that is not page-aligned to the WAL (offset by 8 bytes): every pair it reports is
    // still a true CRC verdict on those bytes, so nothing is taken for a valid record by accident.
    for pair in crc::scan_record_crcs(&wal[8..], 0, pages - 1).chunks(2) {
        let (off, len) = (pair[0] as usize, (pair[1] & !crc::SCAN_BAD_CRC) as usize);
        let rec = &wal[8 + off..8 + off + len];
        let ok = crc::wal_record_crc(rec) == u32::from_le_bytes(rec[20..24].try_into().unwrap());
        assert_eq!(ok, pair[1] & crc::SCAN_BAD_CRC == 0);
    }
}

/// walstats::scan_stats over the real PostgreSQL 15 pages of pg15_wal_64k.bin, written at their
/// offset into a 16 MB segment file: from the first record pg_waldump lists, every record is
/// accepted until the zeros after the fixture; a flipped byte stops the pass right before
/// the damaged record.
#[test]
fn wal_stats_scan_walks_real_pages_and_stops_before_damage() {
    use crate::walstats::{scan_stats, Params, Stop};
    let wal = include_bytes!("../testdata/pg15_wal_64k.bin");
    let list = include_str!("../testdata/pg15_wal_64k.records.txt");
    let listed: Vec<u64> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    let seg_size: u64 = 16 << 20;
    let base = u64::from_le_bytes(wal[8..16].try_into().unwrap());
    assert_eq!(base % seg_size, 0x752000, "fixture offset (testdata/README.md)");
    let params = Params {
        page_magic: u16::from_le_bytes([wal[0], wal[1]]),
        seg_size,
        timeline: u32::from_le_bytes(wal[4..8].try_into().unwrap()),
        max_builtin_rmid: 21,
        allowed_page_flags: 0x7,
        bkp_has_hole: 0x01,
        bkp_compress_mask: 0x04 | 0x08 | 0x10,
        end_lsn: 0,
    };
    let dir = std::env::temp_dir().join(format!("pgffi-walstats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("segment");
    let run = |bytes: &[u8]| {
        let mut segment = vec![0u8; seg_size as usize];
        let at = (base % seg_size) as usize;
        segment[at..at + bytes.len()].copy_from_slice(bytes);
        std::fs::write(&path, &segment).unwrap();
        let first = listed[0] as usize;
        let prev = u64::from_le_bytes(bytes[first + 8..first + 16].try_into().unwrap());
        scan_stats(&params, std::slice::from_ref(&path), base / seg_size, base + listed[0], prev, 1)
    };
    let whole = run(wal);
    assert_eq!(whole.stop, Stop::Invalid, "the zeros after the fixture end the pass");
    assert!(whole.records as usize >= listed.len(), "{} records", whole.records);
    assert!(whole.last_lsn >= base + listed[listed.len() - 1]);
    let counted: f64 = whole.stats.chunks(3).map(|row| row[0]).sum();
    assert_eq!(counted, whole.records as f64);
    let bytes: f64 = whole.stats.chunks(3).map(|row| row[1] + row[2]).sum();
    assert!(bytes > 0.0);
    // Listed records 0..3 are contiguous: damage in record 3 leaves records 0, 1 and 2.
    let mut damaged = wal.to_vec();
    damaged[listed[3] as usize + 30] ^= 0x10;
    let cut = run(&damaged);
    assert_eq!((cut.records, cut.last_lsn, cut.stop), (3, base + listed[2], Stop::Invalid));
    assert_eq!(cut.next_pos, base + listed[3]);
    std::fs::remove_dir_all(&dir).unwrap();
}
