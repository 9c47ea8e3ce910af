//! Make a large corpus of distinct, realistic activity files from real ones, for benchmarks.
//!
//! Each copy of a real FIT or GPX file is re-timed by a whole number of days, so every copy has
//! different bytes (byte-identical copies would be analysed once) and a different start, while
//! keeping the real recording's structure, channels and size.
//!
//! - FIT: a minimal record walk rewrites every `date_time` field we know (field 253 `timestamp`
//!   of every message, `file_id.time_created`, `session.start_time`, `lap.start_time`,
//!   `activity.local_timestamp`) and recomputes the file CRC. Shifts are multiples of 86,400 s,
//!   a multiple of 32 s, so compressed-timestamp records stay consistent.
//! - GPX/TCX: every `<time>`/`<Time>`/`StartTime`/`Id` ISO timestamp is shifted in the text.
//!
//! Usage: `cargo run --release --example make_corpus -- OUT_DIR COPIES FILE...`
//! Copy k is shifted by k + 1 days (deterministic; about one activity a day).

use chrono::{DateTime, Duration, Utc};
use std::fs;
use std::path::Path;

const FIT_CRC_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

fn fit_crc(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &byte in data {
        for nibble in [byte & 0xF, byte >> 4] {
            let tmp = FIT_CRC_TABLE[(crc & 0xF) as usize];
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ FIT_CRC_TABLE[nibble as usize];
        }
    }
    crc
}

#[derive(Clone, Default)]
struct Def {
    big_endian: bool,
    global: u16,
    fields: Vec<(u8, u8)>,
    dev_bytes: usize,
}

fn is_date_field(global: u16, field: u8) -> bool {
    field == 253 || matches!((global, field), (0, 4) | (18, 2) | (19, 2) | (34, 5))
}

/// Shift every date_time field of a (possibly chained) FIT file by `shift_s`. Returns `None`
/// when the file cannot be walked (broken files are copied unchanged by the caller).
fn shift_fit(bytes: &[u8], shift_s: u32) -> Option<Vec<u8>> {
    let mut out = bytes.to_vec();
    let mut start = 0usize;
    while start + 12 <= out.len() {
        let header = *out.get(start)? as usize;
        let data_size =
            u32::from_le_bytes(out.get(start + 4..start + 8)?.try_into().ok()?) as usize;
        let end = start + header + data_size;
        if end + 2 > out.len() || out.get(start + 8..start + 12)? != b".FIT" {
            return None;
        }
        let mut defs: Vec<Option<Def>> = vec![None; 16];
        let mut pos = start + header;
        while pos < end {
            let h = *out.get(pos)?;
            pos += 1;
            if h & 0x80 != 0 {
                let def = defs.get(((h >> 5) & 0x3) as usize)?.as_ref()?;
                pos += def.fields.iter().map(|f| f.1 as usize).sum::<usize>() + def.dev_bytes;
            } else if h & 0x40 != 0 {
                let big_endian = *out.get(pos + 1)? == 1;
                let gb = out.get(pos + 2..pos + 4)?;
                let global = if big_endian {
                    u16::from_be_bytes([gb[0], gb[1]])
                } else {
                    u16::from_le_bytes([gb[0], gb[1]])
                };
                let n = *out.get(pos + 4)? as usize;
                pos += 5;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    fields.push((*out.get(pos)?, *out.get(pos + 1)?));
                    pos += 3;
                }
                let mut dev_bytes = 0;
                if h & 0x20 != 0 {
                    let nd = *out.get(pos)? as usize;
                    pos += 1;
                    for _ in 0..nd {
                        dev_bytes += *out.get(pos + 1)? as usize;
                        pos += 3;
                    }
                }
                defs[(h & 0xF) as usize] = Some(Def {
                    big_endian,
                    global,
                    fields,
                    dev_bytes,
                });
            } else {
                let def = defs.get((h & 0xF) as usize)?.clone()?;
                for (num, size) in &def.fields {
                    let size = *size as usize;
                    if size == 4 && is_date_field(def.global, *num) {
                        let raw: [u8; 4] = out.get(pos..pos + 4)?.try_into().ok()?;
                        let v = if def.big_endian {
                            u32::from_be_bytes(raw)
                        } else {
                            u32::from_le_bytes(raw)
                        };
                        if v != u32::MAX {
                            let nv = v.wrapping_add(shift_s);
                            let b = if def.big_endian {
                                nv.to_be_bytes()
                            } else {
                                nv.to_le_bytes()
                            };
                            out.get_mut(pos..pos + 4)?.copy_from_slice(&b);
                        }
                    }
                    pos += size;
                }
                pos += def.dev_bytes;
            }
        }
        if pos != end {
            return None;
        }
        if header == 14 && out.get(start + 12..start + 14)? != [0, 0] {
            let c = fit_crc(out.get(start..start + 12)?);
            out.get_mut(start + 12..start + 14)?
                .copy_from_slice(&c.to_le_bytes());
        }
        let c = fit_crc(out.get(start..end)?);
        out.get_mut(end..end + 2)?.copy_from_slice(&c.to_le_bytes());
        start = end + 2;
    }
    Some(out)
}

/// Shift every ISO 8601 UTC time inside `<time>`, `<Time>`, `<Id>` and `StartTime="..."`.
fn shift_xml(text: &str, days: i64) -> String {
    let mut out = String::with_capacity(text.len());
    let markers = ["<time>", "<Time>", "<Id>", "StartTime=\"", ":time>"];
    // Next occurrence of each marker at or after `pos` (None: no more), found once and advanced
    // only when passed, so the scan stays linear.
    let mut next: Vec<Option<usize>> = markers.iter().map(|m| text.find(m)).collect();
    let mut pos = 0;
    loop {
        let Some((k, i)) = next
            .iter()
            .enumerate()
            .filter_map(|(k, n)| n.map(|i| (k, i)))
            .min_by_key(|&(_, i)| i)
        else {
            out.push_str(&text[pos..]);
            return out;
        };
        let start = i + markers[k].len();
        out.push_str(&text[pos..start]);
        let stop = text[start..]
            .find(['<', '"'])
            .map_or(text.len(), |j| start + j);
        let value = &text[start..stop];
        match DateTime::parse_from_rfc3339(value.trim()) {
            Ok(t) => {
                let shifted = t.with_timezone(&Utc) + Duration::days(days);
                out.push_str(&shifted.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            }
            Err(_) => out.push_str(value),
        }
        pos = stop;
        for (m, n) in markers.iter().zip(next.iter_mut()) {
            if n.is_some_and(|i| i < pos) {
                *n = text[pos..].find(m).map(|j| pos + j);
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: make_corpus OUT_DIR COPIES FILE...");
        std::process::exit(2);
    }
    let out = Path::new(&args[0]);
    let copies: usize = args[1].parse().expect("COPIES must be a number");
    let files = &args[2..];
    fs::create_dir_all(out).expect("cannot create OUT_DIR");
    let mut written = 0usize;
    let mut bytes_total = 0usize;
    for k in 0..copies {
        let src = &files[k % files.len()];
        let data = fs::read(src).expect("cannot read input");
        // Copy k is shifted by k + 1 days: about one activity a day, 1,000 copies ~ 2.7 years.
        let days = (k as i64) + 1;
        let name = Path::new(src)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let shifted = if name.ends_with(".fit") {
            shift_fit(&data, (days as u32) * 86_400).unwrap_or(data)
        } else {
            shift_xml(&String::from_utf8_lossy(&data), days).into_bytes()
        };
        let dir = out.join(format!("{:03}", k / 100));
        fs::create_dir_all(&dir).unwrap();
        bytes_total += shifted.len();
        fs::write(dir.join(format!("{k:05}_{name}")), shifted).unwrap();
        written += 1;
    }
    eprintln!(
        "wrote {written} files, {:.1} MB, into {}",
        bytes_total as f64 / 1e6,
        out.display()
    );
}
