//! FIT reader behaviour on built and cut files: developer field before its description, time
//! jumps, chained files, truncation at any offset, failures, time-zone independence.

mod common;

use calfguard::ingest::fit::read_fit;
use calfguard::ingest::read_bytes;
use calfguard::model::{ReadError, Sport, TzSource};
use common::{crc16, fixture};

/// A minimal FIT writer (little endian) for building test files.
#[derive(Default)]
struct FitWriter {
    data: Vec<u8>,
}

/// FIT base types used here.
const ENUM: u8 = 0x00;
const UINT8: u8 = 0x02;
const UINT16: u8 = 0x84;
const UINT32: u8 = 0x86;
const STRING: u8 = 0x07;

impl FitWriter {
    fn def(&mut self, local: u8, global: u16, fields: &[(u8, u8, u8)], dev: &[(u8, u8, u8)]) {
        let dev_flag = if dev.is_empty() { 0 } else { 0x20 };
        self.data.push(0x40 | dev_flag | local);
        self.data.extend_from_slice(&[0, 0]);
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data.push(fields.len() as u8);
        for f in fields {
            self.data.extend_from_slice(&[f.0, f.1, f.2]);
        }
        if !dev.is_empty() {
            self.data.push(dev.len() as u8);
            for f in dev {
                self.data.extend_from_slice(&[f.0, f.1, f.2]);
            }
        }
    }

    fn msg(&mut self, local: u8, bytes: &[u8]) {
        self.data.push(local);
        self.data.extend_from_slice(bytes);
    }

    fn finish(&self) -> Vec<u8> {
        let mut out = vec![14u8, 0x20, 0x08, 0x08];
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        let hcrc = crc16(&out);
        out.extend_from_slice(&hcrc.to_le_bytes());
        out.extend_from_slice(&self.data);
        let crc = crc16(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

const T0: u32 = 1_000_000_000; // 2021-09-09T01:46:40Z in FIT time

fn str8(s: &str) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..s.len()].copy_from_slice(s.as_bytes());
    b
}

/// A running file: file_id, a record definition with a developer field (Stryd-like "Power"),
/// records at `times`, field_description after `fd_after` records, session and activity.
fn running_file(times: &[u32], fd_after: usize, elapsed_s: u32, timer_s: u32) -> Vec<u8> {
    let mut w = FitWriter::default();
    w.def(0, 0, &[(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16)], &[]);
    w.msg(
        0,
        &cat(&[&[4], &1u16.to_le_bytes(), &1623u16.to_le_bytes()]),
    ); // activity, garmin, product 1623 (fr620)
    w.def(1, 207, &[(3, 1, UINT8)], &[]);
    w.msg(1, &[0]);
    w.def(
        2,
        20,
        &[(253, 4, UINT32), (3, 1, UINT8), (4, 1, UINT8)],
        &[(0, 2, 0)],
    );
    w.def(
        3,
        206,
        &[
            (0, 1, UINT8),
            (1, 1, UINT8),
            (2, 1, UINT8),
            (3, 8, STRING),
            (8, 8, STRING),
        ],
        &[],
    );
    for (i, t) in times.iter().enumerate() {
        if i == fd_after {
            w.msg(3, &cat(&[&[0, 0, UINT16], &str8("Power"), &str8("Watts")]));
        }
        let power = 200 + i as u16;
        w.msg(
            2,
            &cat(&[&t.to_le_bytes(), &[120, 80], &power.to_le_bytes()]),
        );
    }
    let end = times.last().copied().unwrap_or(T0);
    w.def(
        4,
        18,
        &[
            (253, 4, UINT32),
            (2, 4, UINT32),
            (5, 1, ENUM),
            (7, 4, UINT32),
            (8, 4, UINT32),
            (9, 4, UINT32),
        ],
        &[],
    );
    w.msg(
        4,
        &cat(&[
            &end.to_le_bytes(),
            &T0.to_le_bytes(),
            &[1], // running
            &(elapsed_s * 1000).to_le_bytes(),
            &(timer_s * 1000).to_le_bytes(),
            &1234u32.to_le_bytes(),
        ]),
    );
    w.def(5, 34, &[(253, 4, UINT32), (5, 4, UINT32)], &[]);
    w.msg(5, &cat(&[&end.to_le_bytes(), &(end + 3600).to_le_bytes()]));
    w.finish()
}

#[test]
fn developer_field_before_description_loses_only_that_message() {
    let times = [T0, T0 + 1, T0 + 2, T0 + 3];
    let bytes = running_file(&times, 1, 3, 3);
    // Upstream fitparser fails the whole file here (fitparse-rs issue #58).
    assert!(fitparser::from_bytes(&bytes).is_err());

    let acts = read_fit("dev.fit", &bytes).expect("decodes");
    assert_eq!(acts.len(), 1);
    let a = &acts[0];
    assert_eq!(
        a.samples.len(),
        3,
        "only the record before the description is lost"
    );
    assert!(a.salvaged.is_none());
    assert!(
        a.warnings
            .iter()
            .any(|w| w.starts_with("skipped 1 undecodable message at byte 0x")),
        "{:?}",
        a.warnings
    );
    let powers: Vec<_> = a.samples.iter().map(|s| s.power_w).collect();
    assert_eq!(powers, vec![Some(201.0), Some(202.0), Some(203.0)]);
    // Running: 80 strides/min are 160 steps/min.
    assert!(a.samples.iter().all(|s| s.cadence_spm == Some(160.0)));
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.utc_offset_s, Some(3600));
    assert_eq!(a.tz_source, TzSource::File);
    assert_eq!(a.device.as_deref(), Some("garmin fr620"));
    assert_eq!(a.totals.distance_m, Some(12.34));

    // With the description first, every record decodes and fitparser agrees.
    let ok = running_file(&times, 0, 3, 3);
    assert!(fitparser::from_bytes(&ok).is_ok());
    let acts = read_fit("ok.fit", &ok).expect("decodes");
    assert_eq!(acts[0].samples.len(), 4);
    assert!(acts[0].warnings.is_empty(), "{:?}", acts[0].warnings);
}

#[test]
fn time_jump_warns_and_elapsed_falls_back_to_timer() {
    let jump = 20 * 86_400;
    let times = [T0, T0 + 1, T0 + 1 + jump, T0 + 2 + jump];
    let bytes = running_file(&times, 0, jump + 2, 3);
    let a = &read_fit("jump.fit", &bytes).expect("decodes")[0];
    assert_eq!(a.samples.len(), 4, "samples stay in file order");
    assert!(
        a.warnings
            .iter()
            .any(|w| w == "time jump of +20.0 days after record 1"),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.totals.elapsed_s, Some(3.0));

    let back = [T0 + 10, T0 + 11, T0 + 5, T0 + 6];
    let a = &read_fit("back.fit", &running_file(&back, 0, 11, 4)).expect("decodes")[0];
    assert!(a
        .warnings
        .iter()
        .any(|w| w.starts_with("time jump of -0.0 days after record 1")));
    assert_eq!(
        a.totals.elapsed_s,
        Some(11.0),
        "no implausible elapsed time"
    );
}

#[test]
fn chained_files_give_one_activity_per_session() {
    let a = fixture("pyfitparse_fenix5_run_short.fit");
    let b = fixture("pyfitparse_zwift_virtual_ride.fit");
    let both = cat(&[&a, &b]);
    let acts = read_fit("chain.fit", &both).expect("decodes");
    assert_eq!(acts.len(), 2);
    assert_eq!(acts[0].samples.len(), 21);
    assert_eq!(acts[1].samples.len(), 1808);
    assert_eq!(acts[0].sport, Sport::Running);
    assert_eq!(acts[1].sport, Sport::Cycling);
    assert!(acts
        .iter()
        .all(|x| x.salvaged.is_none() && x.warnings.is_empty()));

    // Trailing bytes after the last part: a warning, the data is kept.
    let trailing = cat(&[&a, b"\0\0\0\0garbage"]);
    let acts = read_fit("trail.fit", &trailing).expect("decodes");
    assert_eq!(acts[0].samples.len(), 21);
    assert!(acts[0]
        .warnings
        .iter()
        .any(|w| w.contains("trailing bytes")));
}

#[test]
fn real_triathlon_has_four_parts_and_five_sessions() {
    let acts = read_fit(
        "tri.fit",
        &fixture("pyfitparse_fr920xt_triathlon_multiple_headers.fit"),
    )
    .expect("decodes");
    let sports: Vec<_> = acts.iter().map(|a| a.sport.as_str().to_string()).collect();
    assert_eq!(
        sports,
        ["swimming", "transition", "cycling", "transition", "running"]
    );
}

/// Cutting a file anywhere never panics, and what is read is a prefix of the full file's records,
/// growing with the cut length.
#[test]
fn truncation_keeps_a_growing_prefix() {
    for (name, step) in [
        ("pyfitparse_fenix5_run_short.fit", 1usize),
        ("pyfitparse_stryd_run_devfields.fit", 997),
        ("pyfitparse_fr70_run_compressed_timestamps.fit", 7),
    ] {
        let bytes = fixture(name);
        let full = read_fit(name, &bytes).expect("full file decodes");
        let key = |acts: &[calfguard::model::Activity]| -> Vec<(Option<i64>, Option<f64>)> {
            acts.iter()
                .flat_map(|a| a.samples.iter().map(|s| (s.time_utc_ms, s.lat_deg)))
                .collect()
        };
        let full_key = key(&full);
        let mut prev = 0usize;
        let mut cut = 0usize;
        while cut <= bytes.len() {
            let part = &bytes[..cut];
            match read_fit(name, part) {
                Ok(acts) => {
                    let k = key(&acts);
                    assert!(k.len() >= prev, "{name} cut {cut}: {} < {prev}", k.len());
                    assert_eq!(k[..], full_key[..k.len()], "{name} cut {cut}: not a prefix");
                    if cut < bytes.len() - 2 {
                        assert!(
                            acts.iter().all(|a| a.salvaged.is_some()),
                            "{name} cut {cut}"
                        );
                    }
                    prev = k.len();
                }
                Err(ReadError::Failed { position, .. }) => {
                    assert!(position.is_some(), "{name} cut {cut}: no position");
                    assert_eq!(prev, 0, "{name} cut {cut}: records lost");
                }
                Err(e) => panic!("{name} cut {cut}: {e}"),
            }
            cut += step;
        }
        assert!(prev <= full_key.len());
    }
}

#[test]
fn non_fit_and_empty_inputs_fail_with_reason() {
    assert!(matches!(
        read_bytes("empty.fit", b""),
        Err(ReadError::Failed { .. })
    ));
    match read_fit("zero.fit", b"") {
        Err(ReadError::Failed { position, reason }) => {
            assert_eq!(position.as_deref(), Some("byte 0x0"));
            assert!(reason.contains("not a FIT file"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let mut bad = fixture("pyfitparse_fenix5_run_short.fit");
    bad[9] = b'X'; // ".FIT" -> ".XIT"
    assert!(matches!(
        read_fit("bad.fit", &bad),
        Err(ReadError::Failed {
            position: Some(_),
            ..
        })
    ));
    // Header only, no messages.
    let hdr = FitWriter::default().finish();
    assert!(matches!(
        read_fit("hdr.fit", &hdr),
        Err(ReadError::Failed {
            position: Some(_),
            ..
        })
    ));
}

#[test]
fn settings_file_is_skipped() {
    let mut w = FitWriter::default();
    w.def(0, 0, &[(0, 1, ENUM), (1, 2, UINT16)], &[]);
    w.msg(0, &cat(&[&[2], &1u16.to_le_bytes()])); // type settings
    match read_fit("settings.fit", &w.finish()) {
        Err(ReadError::Skipped { reason }) => {
            assert_eq!(reason, "not an activity: FIT file type settings")
        }
        other => panic!("{other:?}"),
    }
}

/// Results do not depend on the machine's time zone: the test re-runs itself under three `TZ`
/// values and compares a digest of everything read from the fixtures.
#[test]
fn results_do_not_depend_on_tz() {
    if std::env::var_os("CALFGUARD_TZ_CHILD").is_some() {
        let dir = common::fixtures();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
            .filter(|n| n.ends_with(".fit"))
            .collect();
        names.sort();
        for n in names {
            let r = read_fit(&n, &std::fs::read(dir.join(&n)).expect("read"));
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            format!("{r:?}").hash(&mut h);
            println!("DIGEST {n} {:x}", h.finish());
        }
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let run = |tz: &str| -> String {
        let out = std::process::Command::new(&exe)
            .args([
                "--exact",
                "results_do_not_depend_on_tz",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CALFGUARD_TZ_CHILD", "1")
            .env("TZ", tz)
            .output()
            .expect("re-run test binary");
        let s = String::from_utf8_lossy(&out.stdout);
        let digest: Vec<&str> = s
            .lines()
            .filter_map(|l| l.find("DIGEST ").map(|i| &l[i..]))
            .collect();
        assert!(digest.len() >= 17, "child under TZ={tz} printed {s}");
        digest.join("\n")
    };
    let utc = run("UTC");
    assert_eq!(utc, run("America/New_York"));
    assert_eq!(utc, run("Asia/Tokyo"));
}

/// Corrupting bytes anywhere never panics (the reader is called directly, without the
/// `catch_unwind` of `read_bytes`) and never returns an activity without a reason to trust it.
#[test]
fn corrupted_bytes_never_panic() {
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    for name in [
        "pyfitparse_fenix5_run_short.fit",
        "pyfitparse_fr70_run_compressed_timestamps.fit",
        "pyfitparse_wahoo_bolt_devdata_no_appid.fit",
    ] {
        let orig = fixture(name);
        for _ in 0..300 {
            let mut b = orig.clone();
            for _ in 0..(1 + next() % 4) {
                let i = next() % b.len();
                b[i] = (next() % 256) as u8;
            }
            let cut = b.len() - next() % 64;
            b.truncate(cut);
            match read_fit(name, &b) {
                Ok(acts) => assert!(!acts.is_empty()),
                Err(ReadError::Failed { position, .. }) => assert!(position.is_some()),
                Err(ReadError::Skipped { .. }) => {}
            }
        }
    }
}

/// The finished (not truncated, good CRC) real FIT files, for the truncation property.
/// Where each chained part of a FIT file ends (after its CRC), from the headers' data sizes.
fn part_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0usize;
    while let Some(h) = bytes.get(at..at + 8) {
        let end =
            at + usize::from(h[0]) + u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize + 2;
        ends.push(end);
        at = end;
    }
    ends
}

const WHOLE_FITS: &[&str] = &[
    "pyfitparse_fenix2_run_hr_temp.fit",
    "pyfitparse_fenix5_run_short.fit",
    "pyfitparse_edge810_ride_power.fit",
    "pyfitparse_fr70_run_compressed_timestamps.fit",
    "pyfitparse_fr920xt_triathlon_multiple_headers.fit",
    "pyfitparse_stryd_run_devfields.fit",
    "pyfitparse_wahoo_bolt_devdata_no_appid.fit",
    "pyfitparse_zwift_virtual_ride.fit",
    "pyfitparse_coros_pace2_ride_misaligned_fields.fit",
    "jkfit_suunto_xcski.fit",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any cut of any finished real file keeps exactly the records before the cut: a prefix
    /// of the whole file's records, never a panic, and a salvage note when data was lost.
    #[test]
    fn any_truncation_keeps_the_records_before_the_cut(
        which in 0..WHOLE_FITS.len(),
        frac in 0.0f64..1.0,
    ) {
        let name = WHOLE_FITS[which];
        let bytes = fixture(name);
        let full = read_fit(name, &bytes).expect("full file decodes");
        let key = |acts: &[calfguard::model::Activity]| -> Vec<(Option<i64>, Option<f64>, Option<f64>)> {
            acts.iter()
                .flat_map(|a| a.samples.iter().map(|s| (s.time_utc_ms, s.lat_deg, s.hr_bpm)))
                .collect()
        };
        let full_key = key(&full);
        let cut = ((bytes.len() as f64) * frac) as usize;
        match read_fit(name, &bytes[..cut]) {
            Ok(acts) => {
                let k = key(&acts);
                proptest::prop_assert!(k.len() <= full_key.len());
                proptest::prop_assert_eq!(&k[..], &full_key[..k.len()], "{} cut {}", name, cut);
                // A cut at the end of a chained part (or inside its CRC) leaves a whole file.
                if cut + 2 < bytes.len() && !part_ends(&bytes).iter().any(|&e| cut + 2 >= e && cut <= e) {
                    proptest::prop_assert!(acts.iter().all(|a| a.salvaged.is_some()), "{} cut {}", name, cut);
                }
            }
            Err(ReadError::Failed { position, .. }) => proptest::prop_assert!(position.is_some()),
            Err(e) => proptest::prop_assert!(false, "{} cut {}: {}", name, cut, e),
        }
    }
}

/// A chained FIT file cut inside the header of a later part keeps every record before it and
/// says it broke there (it used to be read as whole, with "trailing bytes ignored").
#[test]
fn cut_inside_a_chained_header_is_salvaged() {
    let name = "pyfitparse_fr920xt_triathlon_multiple_headers.fit";
    let bytes = fixture(name);
    let ends = part_ends(&bytes);
    assert_eq!(ends.len(), 4, "the fixture has four chained parts");
    let whole = read_fit(name, &bytes[..ends[0]]).expect("the first part alone is a whole file");
    assert!(whole.iter().all(|a| a.salvaged.is_none()));
    for cut in ends[0] + 1..ends[0] + 14 {
        let acts = read_fit(name, &bytes[..cut]).expect("salvaged");
        let n: usize = acts.iter().map(|a| a.samples.len()).sum();
        let n_whole: usize = whole.iter().map(|a| a.samples.len()).sum();
        assert_eq!(n, n_whole, "cut {cut}");
        let brk = acts[0].salvaged.as_ref().expect("cut {cut}: salvaged");
        assert_eq!(brk.position, format!("byte 0x{:x}", ends[0]), "cut {cut}");
    }
}
