//! FIT reader: Garmin FIT bytes in, one [`Activity`] per `session` message out.
//!
//! Built on fitparser's streaming [`FitStreamProcessor`] (see `docs/design.md`, "FIT reader"):
//!
//! - The processor frames the file (header, definition and data messages, CRC). `record`
//!   messages are **not** passed to `decode_message` (the profile decode allocates a named
//!   field per value and is the bulk of the cost); their raw fields are read by field number
//!   and scaled here with the FIT profile's scale and offset. Only the few messages that need
//!   the profile (file_id, session, lap, sport, user_profile, zones_target, field_description)
//!   are decoded, and their fields are read by name.
//! - Timestamps are always taken from the raw `u32` fields (seconds since 1989-12-31T00:00:00Z),
//!   never from fitparser's `Value::Timestamp` (a `DateTime<Local>` that depends on the machine's
//!   zone). Compressed-timestamp headers are resolved against a base timestamp tracked here.
//! - Recovery: fitparser fails a data message whose developer field has no description yet
//!   (and with it the rest of the file). Every definition message and every field_description
//!   message is kept as raw bytes; when a data message whose size is known from its definition
//!   fails, it is skipped and decoding resumes with a fresh processor fed a synthetic header, the
//!   kept field descriptions and the current definitions. A file that ends or breaks mid-way keeps
//!   everything decoded before the break (`Activity::salvaged`).
//! - Chained FIT files (several header + data + CRC parts in one file) are read part by part,
//!   each with fresh definitions.
//! - CRCs are checked here, not by fitparser, so that a bad CRC is a warning and not a loss.
//! - A definition whose field size is not a multiple of its base type (COROS PACE 2: a 1-byte
//!   `uint32` in `event`) is accepted by fitparser, which reads the field as bytes but also prints
//!   an `ERROR: field size ...` line to stderr (`eprintln!`). To keep stderr clean, a quick walk
//!   over the definitions first declares such fields as `byte` in a copy of the file (what
//!   fitparser would read them as anyway); CRCs are checked on the original bytes. Byte values
//!   are never read as numbers here, so such a field is ignored and the rest of the message and
//!   file decode normally, as in the official SDK.
//!
//! Cadence convention: FIT `record.cadence` (+ `fractional_cadence`) holds strides (one foot)
//! per minute for foot sports and revolutions per minute for cycling. `Sample::cadence_spm` is
//! in steps per minute, so the value is doubled when the activity's sport
//! [has steps](crate::model::Sport::has_steps) (running, walking, hiking) and kept as is
//! otherwise.

use crate::ingest::{
    clean_activity, push_warning, samples_capped_warning, ReadLimits, MAX_ACTIVITIES_PER_FILE,
    MAX_LAPS,
};
use crate::model::{
    Activity, AthleteValues, Break, Format, Lap, ReadError, ReadResult, Sample, Sex, Sport, Totals,
    TzSource,
};
use chrono::{DateTime, Utc};
use fitparser::de::{
    DecodeOption, FitDataMessage, FitDefinitionMessage, FitObject, FitStreamProcessor,
};
use fitparser::{ErrorKind, FitDataRecord, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// More skipped messages than this and the file is treated as broken at that point.
const MAX_SKIPS: usize = 1_000;
/// Raw field_description bytes kept for replay are capped (each resume copies them).
const MAX_FD_RAW: usize = 256 * 1024;
/// A forward jump larger than this between consecutive records is reported.
const JUMP_WARN_S: i64 = 86_400;

// Global message numbers used here.
const MESG_FILE_ID: u16 = 0;
const MESG_USER_PROFILE: u16 = 3;
const MESG_ZONES_TARGET: u16 = 7;
const MESG_SPORT: u16 = 12;
const MESG_SESSION: u16 = 18;
const MESG_LAP: u16 = 19;
const MESG_RECORD: u16 = 20;
const MESG_ACTIVITY: u16 = 34;
const MESG_FIELD_DESCRIPTION: u16 = 206;

/// Read a FIT file into activities (one per session).
pub fn read_fit(source: &str, bytes: &[u8]) -> ReadResult {
    read_fit_with(source, bytes, &ReadLimits::default())
}

/// [`read_fit`] with explicit limits.
pub fn read_fit_with(source: &str, bytes: &[u8], limits: &ReadLimits) -> ReadResult {
    let mut c = Collected {
        max_records: limits.max_samples,
        ..Collected::default()
    };
    let mut start = 0usize;
    let mut first = true;
    // fitparser prints a line to stderr for every definition whose field size is not a multiple
    // of its base type; hand it a copy where such fields are declared as bytes, which is what it
    // would read them as anyway. CRCs are checked on the original bytes.
    let quiet = quiet_misaligned_definitions(bytes);
    let parse_bytes = quiet.as_deref().unwrap_or(bytes);
    while let Some(next) = read_part(parse_bytes, bytes, start, first, &mut c) {
        start = next;
        first = false;
    }
    build(source, c, bytes.len())
}

/// Format a byte offset the way `Break::position` and `ReadError::Failed` want it.
fn byte_pos(pos: usize) -> String {
    format!("byte 0x{pos:x}")
}

/// Semicircles (FIT `position_lat` / `position_long`) to degrees: `deg = sc * 180 / 2^31`.
pub fn semicircles_to_deg(sc: i32) -> f64 {
    f64::from(sc) * (180.0 / 2_147_483_648.0)
}

/// FIT timestamp (seconds since 1989-12-31T00:00:00Z) to milliseconds since the Unix epoch.
pub fn fit_ts_to_unix_ms(ts: u32) -> i64 {
    (i64::from(ts) + FIT_EPOCH_UNIX_S) * 1000
}

/// Resolve a compressed-timestamp header's 5-bit offset against the last full timestamp, as the
/// FIT protocol defines it: the low 5 bits are replaced, with a rollover (+32 s) when the
/// offset is smaller than the base's low bits.
pub fn resolve_compressed_timestamp(base: u32, offset: u8) -> u32 {
    let offset = u32::from(offset & 0x1F);
    let mut value = (base & !0x1F).wrapping_add(offset);
    if offset < (base & 0x1F) {
        value = value.wrapping_add(32);
    }
    value
}

/// Cadence in steps per minute from FIT cadence (+ fractional cadence): FIT stores strides per
/// minute for foot sports, so those are doubled; cycling (rpm) and everything else is kept.
pub fn cadence_to_spm(fit_cadence: f64, sport: &Sport) -> f64 {
    if sport.has_steps() {
        fit_cadence * 2.0
    } else {
        fit_cadence
    }
}

/// The FIT CRC-16 (as in the FIT SDK: CRC-16/ARC, reflected polynomial 0xA001, initial 0),
/// one table lookup per byte. The SDK's nibble table gives the same value in twice the steps;
/// `crc_matches_known_value` checks it against a value from the SDK's algorithm.
fn fit_crc(mut crc: u16, data: &[u8]) -> u16 {
    const TABLE: [u16; 256] = {
        let mut t = [0u16; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u16;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xA001
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    for &b in data {
        crc = (crc >> 8) ^ TABLE[usize::from((crc as u8) ^ b)];
    }
    crc
}

// ---------------------------------------------------------------------------------------------
// Collected state
// ---------------------------------------------------------------------------------------------

/// One `session` message, raw enough to assign records later.
#[derive(Debug, Default)]
struct RawSession {
    start_ts: Option<u32>,
    end_ts: Option<u32>,
    sport: Option<String>,
    sub_sport: Option<String>,
    totals: Totals,
}

#[derive(Debug)]
struct RawLap {
    start_ts: Option<u32>,
    lap: Lap,
}

#[derive(Debug)]
struct RawRecord {
    ts: Option<u32>,
    /// `cadence_spm` still holds the file's cadence (strides or rpm); doubled in `build`.
    sample: Sample,
}

/// A developer field as its `field_description` message describes it.
#[derive(Clone, Debug)]
struct DevField {
    name: String,
    units: String,
    scale: f64,
    offset: f64,
}

/// Accumulator of `compressed_speed_distance`'s 12-bit distance (1/16 m, rolls over at 256 m).
#[derive(Debug, Default)]
struct DistanceAccumulator {
    last_raw: Option<u16>,
    total_16ths: u64,
}

impl DistanceAccumulator {
    fn add(&mut self, raw: u16) -> f64 {
        let raw = raw & 0x0FFF;
        match self.last_raw {
            None => self.total_16ths = u64::from(raw),
            Some(last) => self.total_16ths += u64::from(raw.wrapping_sub(last) & 0x0FFF),
        }
        self.last_raw = Some(raw);
        self.total_16ths as f64 / 16.0
    }
}

/// Everything read from the file, before activities are built.
#[derive(Debug, Default)]
struct Collected {
    file_type: Option<String>,
    device: Option<String>,
    sessions: Vec<RawSession>,
    laps: Vec<RawLap>,
    records: Vec<RawRecord>,
    sport_msg: Option<(String, Option<String>)>,
    athlete: AthleteValues,
    utc_offset_s: Option<i32>,
    warnings: Vec<String>,
    /// Where and why the file broke (the rest is lost).
    brk: Option<Break>,
    /// Not a FIT file at all (bad first header).
    fatal: Option<(String, usize)>,
    base_ts: Option<u32>,
    distance_acc: DistanceAccumulator,
    skipped: usize,
    first_skip: Option<(usize, String)>,
    /// Most records kept ([`ReadLimits::max_samples`]); later ones are counted, not kept.
    max_records: usize,
    dropped_records: usize,
    /// Timestamp and distance of the last record read (kept or not).
    last_record_ts: Option<u32>,
    last_record_distance_m: Option<f64>,
    /// Warnings not kept (over [`crate::ingest::MAX_WARNINGS`]).
    more_warnings: usize,
    /// Sessions and laps not kept (over [`MAX_ACTIVITIES_PER_FILE`], [`MAX_LAPS`]).
    dropped_sessions: usize,
    dropped_laps: usize,
}

impl Collected {
    fn warn(&mut self, w: String) {
        push_warning(&mut self.warnings, &mut self.more_warnings, w);
    }
}

/// Per chained part: definitions and field descriptions seen, as parsed and as raw bytes.
#[derive(Default)]
struct PartState {
    /// local message number -> (definition, its raw bytes)
    defs: HashMap<u8, (Arc<FitDefinitionMessage>, Vec<u8>)>,
    /// raw definition + raw field_description message, in file order
    fd_raw: Vec<u8>,
    dev_fields: HashMap<(u8, u8), DevField>,
    /// developer fields that look like running power, best first
    power_keys: Vec<(u8, u8)>,
    /// Base type size of each described developer field, from the raw field_description.
    dev_base_size: HashMap<(u8, u8), u8>,
    /// Developer fields (data index, field number, size) of each local definition.
    dev_defs: HashMap<u8, Vec<(u8, u8, u8)>>,
    proto: u8,
    profile: [u8; 2],
}

impl PartState {
    /// True when a data message of this local type has a developer field whose size is not a
    /// multiple of its described base type. fitparser 0.11 (`data_field_value`) then reads past
    /// the field (and, for sizes near 255, overflows its `u8` byte counter: a panic with
    /// overflow checks), so such a message is skipped without handing it to fitparser.
    fn bad_dev_field(&self, local: u8) -> bool {
        self.dev_defs.get(&local).is_some_and(|fields| {
            fields.iter().any(|(idx, num, size)| {
                self.dev_base_size
                    .get(&(*idx, *num))
                    .is_some_and(|b| *b > 1 && size % b != 0)
            })
        })
    }

    /// Note the developer fields of a raw definition message.
    fn note_definition(&mut self, raw: &[u8]) {
        let (Some(&h), Some(&n)) = (raw.first(), raw.get(5)) else {
            return;
        };
        let local = h & 0x0F;
        self.dev_defs.remove(&local);
        if h & 0x20 == 0 {
            return;
        }
        let at = 6 + 3 * usize::from(n);
        let Some(&nd) = raw.get(at) else { return };
        let fields: Vec<(u8, u8, u8)> = (0..usize::from(nd))
            .filter_map(|i| {
                let f = raw.get(at + 1 + 3 * i..at + 4 + 3 * i)?;
                Some((f[2], f[0], f[1]))
            })
            .collect();
        self.dev_defs.insert(local, fields);
    }
    fn update_power_keys(&mut self) {
        let mut keys: Vec<((u8, u8), usize, usize)> = self
            .dev_fields
            .iter()
            .filter(|(_, f)| {
                let units = f.units.trim().to_ascii_lowercase();
                f.name.to_ascii_lowercase().contains("power")
                    && matches!(units.as_str(), "w" | "watts" | "watt")
            })
            .map(|(k, f)| {
                let exact = usize::from(!f.name.trim().eq_ignore_ascii_case("power"));
                (*k, exact, f.name.len())
            })
            .collect();
        keys.sort_by_key(|(k, exact, len)| (*exact, *len, *k));
        self.power_keys = keys.into_iter().map(|(k, _, _)| k).collect();
    }
}

// ---------------------------------------------------------------------------------------------
// Framing: parts, resumption after a bad message
// ---------------------------------------------------------------------------------------------

struct Header {
    size: usize,
    data_size: usize,
    crc: Option<u16>,
    proto: u8,
    profile: [u8; 2],
}

fn parse_header(b: &[u8]) -> Result<Header, String> {
    let Some(head) = b.get(..12) else {
        return Err(format!("too short for a FIT header ({} bytes)", b.len()));
    };
    let size = usize::from(head[0]);
    if &head[8..12] != b".FIT" {
        return Err("no FIT header (\".FIT\" signature missing)".to_string());
    }
    if size != 12 && size != 14 {
        return Err(format!("unsupported FIT header size {size}"));
    }
    let crc = if size == 14 {
        let c = b.get(12..14).ok_or("truncated FIT header")?;
        Some(u16::from_le_bytes([c[0], c[1]]))
    } else {
        None
    };
    Ok(Header {
        size,
        data_size: u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize,
        crc,
        proto: head[1],
        profile: [head[2], head[3]],
    })
}

enum RunEnd {
    /// The part's data (and CRC if present) were read.
    Done,
    /// The message at `pos` of `size` bytes could not be decoded; resume after it.
    Skip {
        pos: usize,
        size: usize,
        why: String,
    },
    /// Decoding cannot go on.
    Break { reason: String, pos: usize },
}

/// Read one FIT part (header, data, CRC) starting at `start`. Returns where the next chained part
/// would start, if there are bytes left and the file did not break.
/// The size in bytes of a FIT base type (by its number, the low 5 bits), if known.
fn base_type_size(base_type: u8) -> Option<u8> {
    match base_type & 0x1F {
        0 | 1 | 2 | 7 | 10 | 13 => Some(1),
        3 | 4 | 11 => Some(2),
        5 | 6 | 8 | 12 => Some(4),
        9 | 14..=16 => Some(8),
        _ => None,
    }
}

/// A copy of `bytes` in which every definition field whose size is not a multiple of its base
/// type is declared as `byte` (0x0D), or `None` when there is none (or the file cannot be
/// walked, in which case fitparser reads it as it is).
fn quiet_misaligned_definitions(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut patches = Vec::new();
    let mut start = 0usize;
    while start + 12 <= bytes.len() {
        let header = *bytes.get(start)? as usize;
        let size_bytes: [u8; 4] = bytes.get(start + 4..start + 8)?.try_into().ok()?;
        let data_size = u32::from_le_bytes(size_bytes) as usize;
        if bytes.get(start + 8..start + 12)? != b".FIT" || !(header == 12 || header == 14) {
            break;
        }
        let end = (start + header + data_size).min(bytes.len());
        // Message sizes by local type: fixed fields + developer fields.
        let mut sizes: [Option<usize>; 16] = [None; 16];
        let mut pos = start + header;
        while pos < end {
            let h = *bytes.get(pos)?;
            pos += 1;
            if h & 0x80 != 0 {
                pos += sizes[((h >> 5) & 0x3) as usize]?;
            } else if h & 0x40 != 0 {
                let n = *bytes.get(pos + 4)? as usize;
                pos += 5;
                let mut total = 0usize;
                for _ in 0..n {
                    let size = *bytes.get(pos + 1)?;
                    let base = *bytes.get(pos + 2)?;
                    if let Some(b) = base_type_size(base) {
                        if size % b != 0 {
                            patches.push(pos + 2);
                        }
                    }
                    total += size as usize;
                    pos += 3;
                }
                if h & 0x20 != 0 {
                    let nd = *bytes.get(pos)? as usize;
                    pos += 1;
                    for _ in 0..nd {
                        total += *bytes.get(pos + 1)? as usize;
                        pos += 3;
                    }
                }
                sizes[(h & 0xF) as usize] = Some(total);
            } else {
                pos += sizes[(h & 0xF) as usize]?;
            }
        }
        start = end + 2;
    }
    if patches.is_empty() {
        return None;
    }
    let mut out = bytes.to_vec();
    for p in patches {
        if let Some(b) = out.get_mut(p) {
            *b = 0x0D;
        }
    }
    Some(out)
}

fn read_part(
    bytes: &[u8],
    crc_bytes: &[u8],
    start: usize,
    first: bool,
    c: &mut Collected,
) -> Option<usize> {
    let rest = bytes.get(start..).unwrap_or(&[]);
    let hdr = match parse_header(rest) {
        Ok(h) => h,
        Err(reason) => {
            if first {
                c.fatal = Some((reason, start));
            } else {
                c.warn(format!(
                    "{} trailing bytes after the FIT data ignored (at {})",
                    rest.len(),
                    byte_pos(start)
                ));
            }
            return None;
        }
    };
    let data_start = start + hdr.size;
    let mut data_end = data_start + hdr.data_size;
    let mut has_crc = true;
    if hdr.data_size == 0 && bytes.len() > data_start + 2 {
        c.warn(format!(
            "FIT header at {} declares no data (file never finalised); reading to the end",
            byte_pos(start)
        ));
        data_end = bytes.len();
        has_crc = false;
    }
    if let (Some(crc), Some(h)) = (hdr.crc, rest.get(..12)) {
        if crc != 0 && fit_crc(0, h) != crc {
            c.warn(format!("bad header CRC at {}", byte_pos(start)));
        }
    }
    if has_crc {
        match (
            crc_bytes.get(start..data_end),
            crc_bytes.get(data_end..data_end + 2),
        ) {
            (Some(all), Some(stored)) => {
                let stored = u16::from_le_bytes([stored[0], stored[1]]);
                let data_only = all.get(hdr.size..).unwrap_or(&[]);
                if fit_crc(0, all) != stored && fit_crc(0, data_only) != stored {
                    c.warn(format!("bad file CRC (stored at {})", byte_pos(data_end)));
                }
            }
            (Some(_), None) => {
                c.warn("file ends without its CRC".to_string());
            }
            _ => {} // truncated: reported as a break while reading
        }
    }
    let part_end = if has_crc {
        (data_end + 2).min(bytes.len())
    } else {
        bytes.len()
    };

    let mut part = PartState {
        proto: hdr.proto,
        profile: hdr.profile,
        ..PartState::default()
    };
    let mut resume = data_start;
    loop {
        match run(bytes, resume, data_end, part_end, &mut part, c) {
            RunEnd::Done => break,
            RunEnd::Skip { pos, size, why } => {
                c.skipped += 1;
                if c.first_skip.is_none() {
                    c.first_skip = Some((pos, why));
                }
                if c.skipped > MAX_SKIPS {
                    c.brk = Some(Break {
                        reason: format!("more than {MAX_SKIPS} undecodable messages"),
                        position: byte_pos(pos),
                    });
                    return None;
                }
                resume = pos + size;
            }
            RunEnd::Break { reason, pos } => {
                c.brk = Some(Break {
                    reason,
                    position: byte_pos(pos),
                });
                return None;
            }
        }
    }
    (part_end < bytes.len()).then_some(part_end)
}

/// A synthetic prefix for a fresh processor resuming at `resume`: a 14-byte header whose data size
/// covers the prefix and the rest of the part, the raw field descriptions, the current definitions.
fn prefix(part: &PartState, resume: usize, data_end: usize) -> Option<Vec<u8>> {
    let mut body = part.fd_raw.clone();
    let mut locals: Vec<&u8> = part.defs.keys().collect();
    locals.sort();
    for local in locals {
        if let Some((_, raw)) = part.defs.get(local) {
            body.extend_from_slice(raw);
        }
    }
    let size = u32::try_from(body.len() + data_end.checked_sub(resume)?).ok()?;
    let mut out = Vec::with_capacity(14 + body.len());
    out.push(14);
    out.push(part.proto);
    out.extend_from_slice(&part.profile);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(b".FIT");
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&body);
    Some(out)
}

/// `deserialize_next`, with any panic inside fitparser turned into `None`.
fn next_object<'a>(
    proc: &mut FitStreamProcessor,
    input: &'a [u8],
) -> Option<fitparser::Result<(&'a [u8], FitObject)>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        proc.deserialize_next(input)
    }))
    .ok()
}

/// The local message number of a data message header byte, or `None` for a definition.
fn data_local(header: u8) -> Option<u8> {
    if header & 0x80 != 0 {
        Some((header >> 5) & 0x03)
    } else if header & 0x40 != 0 {
        None
    } else {
        Some(header & 0x0F)
    }
}

/// Decode the part from `resume` with a fresh processor.
fn run(
    bytes: &[u8],
    resume: usize,
    data_end: usize,
    part_end: usize,
    part: &mut PartState,
    c: &mut Collected,
) -> RunEnd {
    let mut proc = FitStreamProcessor::new();
    proc.add_option(DecodeOption::SkipHeaderCrcValidation);
    proc.add_option(DecodeOption::SkipDataCrcValidation);
    let Some(pre) = prefix(part, resume, data_end) else {
        return RunEnd::Break {
            reason: "FIT part too large".to_string(),
            pos: resume,
        };
    };
    // Replay: teaches the processor the definitions and developer field descriptions.
    let mut input: &[u8] = &pre;
    while !input.is_empty() {
        match next_object(&mut proc, input) {
            Some(Ok((rest, obj))) => {
                if let FitObject::DataMessage(m) = obj {
                    if m.global_message_number() == MESG_FIELD_DESCRIPTION {
                        let _ = proc.decode_message(m);
                    }
                }
                input = rest;
            }
            _ => {
                return RunEnd::Break {
                    reason: "could not resume decoding after an undecodable message".to_string(),
                    pos: resume,
                }
            }
        }
    }

    let mut input = bytes.get(resume..part_end).unwrap_or(&[]);
    let mut pos = resume;
    while !input.is_empty() {
        if crate::interrupt::requested() {
            // The run is interrupted: stop reading (its result is dropped).
            return RunEnd::Break {
                reason: "interrupted".to_string(),
                pos,
            };
        }
        if pos > data_end {
            // The last message ran past the declared end of the data. fitparser would now parse
            // the next bytes as a chained file header, and its header parser panics or indexes
            // out of bounds on some of them (fitparser 0.11 `fit_file_header`: `size - len`
            // underflows; `deserialize_header`: `header_size - 2`). Stop here instead.
            return RunEnd::Break {
                reason: "last message runs past the declared end of the data".to_string(),
                pos,
            };
        }
        if let Some(local) = input.first().and_then(|h| data_local(*h)) {
            if part.bad_dev_field(local) {
                if let Some((def, _)) = part.defs.get(&local) {
                    let size = def.data_message_size();
                    if pos + size <= data_end.min(bytes.len()) {
                        return RunEnd::Skip {
                            pos,
                            size,
                            why: "developer field size not a multiple of its base type".to_string(),
                        };
                    }
                }
                return RunEnd::Break {
                    reason: "developer field size not a multiple of its base type".to_string(),
                    pos,
                };
            }
        }
        let result = match next_object(&mut proc, input) {
            Some(r) => r,
            None => {
                return RunEnd::Break {
                    reason: "FIT decoder panicked on this message".to_string(),
                    pos,
                }
            }
        };
        match result {
            Ok((rest, obj)) => {
                let used = input.len() - rest.len();
                let raw = input.get(..used).unwrap_or(&[]);
                match obj {
                    FitObject::DefinitionMessage(def) => {
                        part.note_definition(raw);
                        part.defs
                            .insert(def.local_message_number(), (def, raw.to_vec()));
                    }
                    FitObject::DataMessage(msg) => {
                        handle_data(&mut proc, msg, raw, pos, part, c);
                    }
                    FitObject::Header(_) | FitObject::Crc(_) => {}
                }
                pos += used;
                input = rest;
            }
            // Only (part of) the CRC is missing: the data is complete (warned in `read_part`).
            Err(e) if pos >= data_end && matches!(*e, ErrorKind::UnexpectedEof(_)) => break,
            Err(e) => return classify_error(&e, bytes, pos, data_end, part),
        }
    }
    if pos < data_end {
        return RunEnd::Break {
            reason: format!(
                "file truncated: data ends {} bytes before the declared end",
                data_end - pos
            ),
            pos,
        };
    }
    RunEnd::Done
}

fn classify_error(
    e: &ErrorKind,
    bytes: &[u8],
    pos: usize,
    data_end: usize,
    part: &PartState,
) -> RunEnd {
    let limit = data_end.min(bytes.len());
    match e {
        ErrorKind::UnexpectedEof(_) => RunEnd::Break {
            reason: "file truncated in the middle of a message".to_string(),
            pos,
        },
        ErrorKind::MissingDefinitionMessage(local, _) => RunEnd::Break {
            reason: format!("data message of undefined local type {local}"),
            pos,
        },
        other => {
            let why = match other {
                // fitparser (via nom) reports a developer field without a description as `Fail`.
                ErrorKind::ParseError(_, kind) if format!("{kind:?}") == "Fail" => {
                    "developer field used before its description".to_string()
                }
                ErrorKind::ParseError(_, kind) => format!("parse error ({kind:?})"),
                o => o.to_string(),
            };
            let size = bytes
                .get(pos)
                .and_then(|h| data_local(*h))
                .and_then(|local| part.defs.get(&local))
                .map(|(def, _)| def.data_message_size());
            match size {
                Some(size) if pos < data_end && pos + size <= limit => {
                    RunEnd::Skip { pos, size, why }
                }
                _ => RunEnd::Break {
                    reason: format!("undecodable message: {why}"),
                    pos,
                },
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

fn handle_data(
    proc: &mut FitStreamProcessor,
    msg: FitDataMessage,
    raw: &[u8],
    pos: usize,
    part: &mut PartState,
    c: &mut Collected,
) {
    // Base timestamp for compressed-timestamp headers: every message with field 253 sets it.
    let ts = match msg.time_offset() {
        Some(offset) => c
            .base_ts
            .map(|base| resolve_compressed_timestamp(base, offset)),
        None => msg
            .fields()
            .get(&253)
            .and_then(uint)
            .and_then(|v| u32::try_from(v).ok()),
    };
    if ts.is_some() {
        c.base_ts = ts;
    }
    match msg.global_message_number() {
        MESG_RECORD => {
            let mut sample = record_sample(msg.fields(), ts, &mut c.distance_acc);
            if sample.power_w.is_none() && !part.power_keys.is_empty() {
                sample.power_w = dev_power(&msg, part);
            }
            if ts.is_some() {
                c.last_record_ts = ts;
            }
            if sample.distance_m.is_some() {
                c.last_record_distance_m = sample.distance_m;
            }
            if c.records.len() < c.max_records {
                c.records.push(RawRecord { ts, sample });
            } else {
                c.dropped_records += 1;
            }
        }
        MESG_ACTIVITY => {
            let local = msg.fields().get(&5).and_then(uint);
            if let (Some(local), Some(utc)) = (local, ts) {
                let off = local as i64 - i64::from(utc);
                if off.abs() <= 16 * 3600 {
                    c.utc_offset_s = i32::try_from(off).ok();
                }
            }
        }
        MESG_SESSION => {
            let start_ts = raw_ts(&msg, 2);
            if c.sessions.len() >= MAX_ACTIVITIES_PER_FILE {
                c.dropped_sessions += 1;
            } else if let Some(rec) = decode(proc, msg, pos, c) {
                c.sessions.push(session_from(&rec, start_ts, ts));
            }
        }
        MESG_LAP => {
            let start_ts = raw_ts(&msg, 2);
            if c.laps.len() >= MAX_LAPS {
                c.dropped_laps += 1;
            } else if let Some(rec) = decode(proc, msg, pos, c) {
                c.laps.push(RawLap {
                    start_ts,
                    lap: lap_from(&rec, start_ts),
                });
            }
        }
        MESG_FILE_ID => {
            if let Some(rec) = decode(proc, msg, pos, c) {
                file_id_from(&rec, c);
            }
        }
        MESG_SPORT => {
            if let Some(rec) = decode(proc, msg, pos, c) {
                if let Some(sport) = field(&rec, "sport").and_then(name) {
                    let sub = field(&rec, "sub_sport").and_then(name);
                    c.sport_msg = Some((sport, sub));
                }
            }
        }
        MESG_USER_PROFILE => {
            if let Some(rec) = decode(proc, msg, pos, c) {
                let a = &mut c.athlete;
                a.weight_kg = field(&rec, "weight").and_then(num).filter(|w| *w > 0.0);
                a.hr_rest_bpm = field(&rec, "resting_heart_rate")
                    .and_then(num)
                    .filter(|v| *v > 0.0);
                a.sex = match field(&rec, "gender").and_then(name).as_deref() {
                    Some("female") => Some(Sex::Female),
                    Some("male") => Some(Sex::Male),
                    _ => None,
                };
            }
        }
        MESG_ZONES_TARGET => {
            if let Some(rec) = decode(proc, msg, pos, c) {
                if let Some(max) = field(&rec, "max_heart_rate")
                    .and_then(num)
                    .filter(|v| *v > 0.0)
                {
                    c.athlete.hr_max_bpm = Some(max);
                }
            }
        }
        MESG_FIELD_DESCRIPTION => {
            let raw_u8 = |n: u8| {
                msg.fields()
                    .get(&n)
                    .and_then(uint)
                    .and_then(|v| u8::try_from(v).ok())
            };
            if let (Some(idx), Some(num), Some(base)) = (raw_u8(0), raw_u8(1), raw_u8(2)) {
                if let Some(b) = base_type_size(base) {
                    part.dev_base_size.insert((idx, num), b);
                }
            }
            // Keep the raw bytes (with their definition) to teach a resumed processor.
            if let Some((_, def_raw)) = raw
                .first()
                .and_then(|h| data_local(*h))
                .and_then(|l| part.defs.get(&l))
                .filter(|(_, d)| part.fd_raw.len() + d.len() + raw.len() <= MAX_FD_RAW)
            {
                part.fd_raw.extend_from_slice(def_raw);
                part.fd_raw.extend_from_slice(raw);
            }
            // Must go through decode_message: that is how the processor learns the field.
            if let Some(rec) = decode(proc, msg, pos, c) {
                let idx = field(&rec, "developer_data_index").and_then(uint);
                let num_ = field(&rec, "field_definition_number").and_then(uint);
                if let (Some(idx), Some(n)) = (idx, num_) {
                    let scale = field(&rec, "scale").and_then(num).filter(|s| *s != 0.0);
                    part.dev_fields.insert(
                        (idx as u8, n as u8),
                        DevField {
                            name: field(&rec, "field_name").and_then(name).unwrap_or_default(),
                            units: field(&rec, "units").and_then(name).unwrap_or_default(),
                            scale: scale.unwrap_or(1.0),
                            offset: field(&rec, "offset").and_then(num).unwrap_or(0.0),
                        },
                    );
                    part.update_power_keys();
                }
            }
        }
        _ => {}
    }
}

fn decode(
    proc: &mut FitStreamProcessor,
    msg: FitDataMessage,
    pos: usize,
    c: &mut Collected,
) -> Option<FitDataRecord> {
    let mesg = msg.global_message_number();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| proc.decode_message(msg))) {
        Ok(Ok(rec)) => Some(rec),
        Ok(Err(e)) => {
            c.warn(format!(
                "could not decode message {mesg} at {}: {e}",
                byte_pos(pos)
            ));
            None
        }
        Err(_) => {
            c.warn(format!(
                "FIT decoder panicked on message {mesg} at {}",
                byte_pos(pos)
            ));
            None
        }
    }
}

/// The raw `u32` timestamp in field `n`, if valid.
fn raw_ts(msg: &FitDataMessage, n: u8) -> Option<u32> {
    msg.fields()
        .get(&n)
        .and_then(uint)
        .and_then(|v| u32::try_from(v).ok())
}

fn field<'a>(rec: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    rec.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

/// An unsigned integer value (invalid values are already absent).
fn uint(v: &Value) -> Option<u64> {
    match *v {
        Value::UInt8(x) | Value::UInt8z(x) | Value::Enum(x) => Some(u64::from(x)),
        Value::UInt16(x) | Value::UInt16z(x) => Some(u64::from(x)),
        Value::UInt32(x) | Value::UInt32z(x) => Some(u64::from(x)),
        Value::UInt64(x) | Value::UInt64z(x) => Some(x),
        Value::SInt8(x) => u64::try_from(x).ok(),
        Value::SInt16(x) => u64::try_from(x).ok(),
        Value::SInt32(x) => u64::try_from(x).ok(),
        Value::SInt64(x) => u64::try_from(x).ok(),
        _ => None,
    }
}

/// Any numeric value as `f64` (not timestamps, strings, arrays or byte fields).
fn num(v: &Value) -> Option<f64> {
    let x = match *v {
        Value::SInt8(x) => f64::from(x),
        Value::SInt16(x) => f64::from(x),
        Value::SInt32(x) => f64::from(x),
        Value::SInt64(x) => x as f64,
        Value::Float32(x) => f64::from(x),
        Value::Float64(x) => x,
        _ => uint(v)? as f64,
    };
    x.is_finite().then_some(x)
}

/// An enum name (fitparser gives known enum values as strings) or the number for unknown ones.
fn name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        other => uint(other).map(|n| n.to_string()),
    }
}

/// Decode a `record` from its raw fields, applying the FIT profile's scale and offset here.
/// `cadence_spm` holds the file's cadence (strides or rpm) until the sport is known.
fn record_sample(
    fields: &HashMap<u8, Value>,
    ts: Option<u32>,
    acc: &mut DistanceAccumulator,
) -> Sample {
    let get = |n: u8| fields.get(&n);
    let pos = |n: u8| match get(n) {
        Some(Value::SInt32(x)) => Some(*x),
        _ => None,
    };
    let lat = pos(0).map(semicircles_to_deg).filter(|d| d.abs() <= 90.0);
    let lon = pos(1).map(semicircles_to_deg).filter(|d| d.abs() <= 180.0);
    let (lat, lon) = match (lat, lon) {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (None, None),
    };
    let alt = get(78)
        .and_then(uint)
        .or_else(|| get(2).and_then(uint))
        .map(|v| v as f64 / 5.0 - 500.0);
    let mut speed = get(73)
        .and_then(uint)
        .or_else(|| get(6).and_then(uint))
        .map(|v| v as f64 / 1000.0);
    let mut distance = get(5).and_then(uint).map(|v| v as f64 / 100.0);
    if let Some(Value::Array(parts)) = get(8) {
        // compressed_speed_distance: 3 bytes, speed 12 bits (1/100 m/s), distance 12 bits
        // (1/16 m, accumulated across records).
        let b: Vec<u8> = parts
            .iter()
            .filter_map(|p| match p {
                Value::Byte(x) | Value::UInt8(x) => Some(*x),
                _ => None,
            })
            .collect();
        if let [b0, b1, b2] = b[..] {
            let sp = u16::from(b0) | (u16::from(b1 & 0x0F) << 8);
            let di = u16::from(b1 >> 4) | (u16::from(b2) << 4);
            if speed.is_none() {
                speed = Some(f64::from(sp) / 100.0);
            }
            let d = acc.add(di);
            if distance.is_none() {
                distance = Some(d);
            }
        }
    }
    let cadence = get(4).and_then(uint).map(|c| {
        let frac = get(53).and_then(uint).map_or(0.0, |f| f as f64 / 128.0);
        c as f64 + frac
    });
    Sample {
        time_utc_ms: ts.map(fit_ts_to_unix_ms),
        lat_deg: lat,
        lon_deg: lon,
        altitude_m: alt,
        distance_m: distance,
        speed_mps: speed,
        hr_bpm: get(3).and_then(uint).map(|v| v as f64),
        cadence_spm: cadence,
        temp_c: get(13).and_then(num),
        power_w: get(7).and_then(uint).map(|v| v as f64),
    }
}

/// Running power from a developer field (e.g. Stryd "Power", units watts).
fn dev_power(msg: &FitDataMessage, part: &PartState) -> Option<f64> {
    let dev = msg.developer_fields();
    part.power_keys.iter().find_map(|k| {
        let f = part.dev_fields.get(k)?;
        let v = num(dev.get(k)?)?;
        Some(v / f.scale - f.offset)
    })
}

fn positive(rec: &FitDataRecord, name: &str) -> Option<f64> {
    field(rec, name).and_then(num).filter(|v| *v > 0.0)
}

fn session_from(rec: &FitDataRecord, start_ts: Option<u32>, ts: Option<u32>) -> RawSession {
    let elapsed = field(rec, "total_elapsed_time").and_then(num);
    let totals = Totals {
        distance_m: field(rec, "total_distance").and_then(num),
        elapsed_s: elapsed,
        timer_s: field(rec, "total_timer_time").and_then(num),
        ascent_m: field(rec, "total_ascent").and_then(num),
        descent_m: field(rec, "total_descent").and_then(num),
        hr_avg_bpm: positive(rec, "avg_heart_rate"),
        hr_max_bpm: positive(rec, "max_heart_rate"),
    };
    let start_ts = start_ts.or_else(|| {
        let e = elapsed?;
        let t = ts?;
        Some(t.saturating_sub(e.max(0.0).min(f64::from(u32::MAX)) as u32))
    });
    let end_ts = match (start_ts, elapsed) {
        (Some(s), Some(e)) if e >= 0.0 => {
            Some(s.saturating_add(e.ceil().min(f64::from(u32::MAX)) as u32))
        }
        _ => ts,
    };
    RawSession {
        start_ts,
        end_ts,
        sport: field(rec, "sport").and_then(name),
        sub_sport: field(rec, "sub_sport").and_then(name),
        totals,
    }
}

fn lap_from(rec: &FitDataRecord, start_ts: Option<u32>) -> Lap {
    Lap {
        start_utc: start_ts
            .and_then(|t| DateTime::<Utc>::from_timestamp(i64::from(t) + FIT_EPOCH_UNIX_S, 0)),
        elapsed_s: field(rec, "total_elapsed_time").and_then(num),
        timer_s: field(rec, "total_timer_time").and_then(num),
        distance_m: field(rec, "total_distance").and_then(num),
        hr_avg_bpm: positive(rec, "avg_heart_rate"),
        hr_max_bpm: positive(rec, "max_heart_rate"),
    }
}

fn file_id_from(rec: &FitDataRecord, c: &mut Collected) {
    if c.file_type.is_none() {
        c.file_type = field(rec, "type").and_then(name);
    }
    if c.device.is_some() {
        return;
    }
    let manufacturer = field(rec, "manufacturer").and_then(name);
    let product = [
        "garmin_product",
        "favero_product",
        "product_name",
        "product",
    ]
    .iter()
    .find_map(|n| field(rec, n).and_then(name));
    c.device = match (manufacturer, product) {
        (Some(m), Some(p)) => Some(format!("{m} {p}")),
        (Some(m), None) => Some(m),
        (None, Some(p)) => Some(p),
        (None, None) => None,
    };
}

// ---------------------------------------------------------------------------------------------
// Building activities
// ---------------------------------------------------------------------------------------------

fn utc_from_fit(ts: u32) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(i64::from(ts) + FIT_EPOCH_UNIX_S, 0)
}

/// Which session a record (or lap) at `t` belongs to: the latest-starting session whose
/// [start, start + elapsed] contains it, else the latest session started before it, else the first.
fn session_index(sessions: &[RawSession], t: u32) -> usize {
    let mut containing: Option<(usize, u32)> = None;
    let mut before: Option<(usize, u32)> = None;
    for (i, s) in sessions.iter().enumerate() {
        let Some(start) = s.start_ts else { continue };
        if start <= t {
            if before.is_none_or(|(_, b)| start >= b) {
                before = Some((i, start));
            }
            if s.end_ts.is_some_and(|e| t <= e) && containing.is_none_or(|(_, b)| start >= b) {
                containing = Some((i, start));
            }
        }
    }
    containing.or(before).map_or(0, |(i, _)| i)
}

fn build(source: &str, c: Collected, file_len: usize) -> ReadResult {
    if let Some((reason, pos)) = &c.fatal {
        return Err(ReadError::failed(
            format!("not a FIT file: {reason}"),
            Some(byte_pos(*pos)),
        ));
    }
    let Collected {
        file_type,
        device,
        sessions,
        laps,
        records,
        sport_msg,
        athlete,
        utc_offset_s,
        mut warnings,
        brk,
        skipped,
        first_skip,
        max_records,
        dropped_records,
        last_record_ts,
        last_record_distance_m,
        more_warnings,
        dropped_sessions: c_dropped_sessions,
        dropped_laps,
        ..
    } = c;
    if dropped_records > 0 {
        warnings.push(samples_capped_warning(max_records, dropped_records));
    }
    if c_dropped_sessions > 0 {
        warnings.push(format!(
            "more than {MAX_ACTIVITIES_PER_FILE} sessions: {c_dropped_sessions} later session(s) not kept"
        ));
    }
    if dropped_laps > 0 {
        warnings.push(format!(
            "more than {MAX_LAPS} laps: {dropped_laps} later lap(s) not kept"
        ));
    }
    if more_warnings > 0 {
        warnings.push(format!("... and {more_warnings} more warning(s)"));
    }
    if let Some((pos, why)) = first_skip {
        warnings.push(if skipped == 1 {
            format!("skipped 1 undecodable message at {} ({why})", byte_pos(pos))
        } else {
            format!(
                "skipped {skipped} undecodable messages, the first at {} ({why})",
                byte_pos(pos)
            )
        });
    }
    if sessions.is_empty() && records.is_empty() {
        if let Some(t) = file_type.as_deref().filter(|t| *t != "activity") {
            return Err(ReadError::skipped(format!(
                "not an activity: FIT file type {t}"
            )));
        }
        return Err(match brk {
            Some(b) => ReadError::failed(
                format!(
                    "no session or record decoded before the file broke: {}",
                    b.reason
                ),
                Some(b.position),
            ),
            None => ReadError::failed(
                "FIT activity without any session or record",
                Some(byte_pos(file_len)),
            ),
        });
    }

    let (tz_source, utc_offset_s) = match utc_offset_s {
        Some(o) => (TzSource::File, Some(o)),
        None => (TzSource::Utc, None),
    };
    let mut acts: Vec<(Activity, Option<u32>)> = Vec::new();
    let new_act = |sport: Sport, sub: Option<String>, start_ts: Option<u32>| {
        let mut a = Activity::new(
            source,
            Format::Fit,
            start_ts
                .and_then(utc_from_fit)
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        );
        a.sport = sport;
        a.sub_sport = sub;
        a.utc_offset_s = utc_offset_s;
        a.tz_source = tz_source;
        a.device = device.clone();
        a.athlete = athlete.clone();
        a.warnings = warnings.clone();
        a.salvaged = brk.clone();
        (a, start_ts)
    };

    if sessions.is_empty() {
        let (sport, sub) = match &sport_msg {
            Some((s, sub)) => (Sport::from_names(s, sub.as_deref()), sub.clone()),
            None => (Sport::Other("unknown".to_string()), None),
        };
        let first_ts = records.iter().find_map(|r| r.ts);
        let mut act = new_act(sport, sub, first_ts);
        if act.0.salvaged.is_none() {
            act.0.salvaged = Some(Break {
                reason: "no session message (recording not finished)".to_string(),
                position: byte_pos(file_len),
            });
        }
        act.0
            .warnings
            .push("no session message: totals derived from the records".to_string());
        acts.push(act);
        for r in records {
            acts[0].0.samples.push(r.sample);
        }
        let a = &mut acts[0].0;
        let first = a.samples.iter().find_map(|s| s.time_utc_ms);
        if let (Some(f), Some(l)) = (first, last_record_ts.map(fit_ts_to_unix_ms)) {
            a.totals.elapsed_s = Some((l - f) as f64 / 1000.0);
        }
        a.totals.distance_m = last_record_distance_m;
        for l in laps {
            a.laps.push(l.lap);
        }
    } else {
        for s in &sessions {
            let sport = match &s.sport {
                Some(sp) => Sport::from_names(sp, s.sub_sport.as_deref()),
                None => match &sport_msg {
                    Some((sp, sub)) => Sport::from_names(sp, sub.as_deref()),
                    None => Sport::Other("unknown".to_string()),
                },
            };
            let mut act = new_act(sport, s.sub_sport.clone(), s.start_ts);
            act.0.totals = s.totals.clone();
            acts.push(act);
        }
        let mut current = 0usize;
        for r in records {
            if let Some(t) = r.ts {
                current = session_index(&sessions, t);
            }
            if let Some((a, _)) = acts.get_mut(current) {
                a.samples.push(r.sample);
            }
        }
        let mut current = 0usize;
        for l in laps {
            if let Some(t) = l.start_ts {
                current = session_index(&sessions, t);
            }
            if let Some((a, _)) = acts.get_mut(current) {
                a.laps.push(l.lap);
            }
        }
    }

    let mut out = Vec::with_capacity(acts.len());
    for (mut a, start_ts) in acts {
        if start_ts.is_none() {
            match a
                .samples
                .iter()
                .find_map(|s| s.time_utc_ms)
                .and_then(crate::model::utc_from_ms)
            {
                Some(t) => a.start_utc = t,
                None => a.warnings.push("no start time in the file".to_string()),
            }
        }
        finish(&mut a);
        clean_activity(&mut a);
        out.push(a);
    }
    Ok(out)
}

/// Cadence to steps, time-jump warnings, elapsed-time fallback.
fn finish(a: &mut Activity) {
    let steps = a.sport.has_steps();
    let mut prev: Option<i64> = None;
    let mut jumped = false;
    let mut more_jumps = 0usize;
    for (i, s) in a.samples.iter_mut().enumerate() {
        if let Some(c) = s.cadence_spm {
            s.cadence_spm = Some(if steps { c * 2.0 } else { c });
        }
        let Some(t) = s.time_utc_ms else { continue };
        if let Some(p) = prev {
            let d = t - p;
            if !(0..=JUMP_WARN_S * 1000).contains(&d) {
                jumped = true;
                push_warning(
                    &mut a.warnings,
                    &mut more_jumps,
                    format!(
                        "time jump of {:+.1} days after record {}",
                        d as f64 / 86_400_000.0,
                        i.saturating_sub(1)
                    ),
                );
            }
        }
        prev = Some(t);
    }
    if more_jumps > 0 {
        a.warnings
            .push(format!("... and {more_jumps} more time jump(s)"));
    }
    if jumped {
        if let Some(timer) = a.totals.timer_s {
            let implausible = a
                .totals
                .elapsed_s
                .is_none_or(|e| e > timer + JUMP_WARN_S as f64);
            if implausible {
                a.warnings.push(format!(
                    "elapsed time {} s implausible after a time jump; using timer time {timer:.0} s",
                    a.totals.elapsed_s.map_or("missing".to_string(), |e| format!("{e:.0}"))
                ));
                a.totals.elapsed_s = Some(timer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicircles() {
        assert_eq!(semicircles_to_deg(0), 0.0);
        assert_eq!(semicircles_to_deg(1 << 30), 90.0);
        assert_eq!(semicircles_to_deg(i32::MIN), -180.0);
        assert!((semicircles_to_deg(495_280_430) - 41.513926).abs() < 1e-6);
    }

    #[test]
    fn compressed_timestamp_rollover() {
        // Same 32 s window: low 5 bits replaced.
        assert_eq!(resolve_compressed_timestamp(0x40 + 2, 30), 0x40 + 30);
        assert_eq!(resolve_compressed_timestamp(0x40 + 5, 5), 0x40 + 5);
        // Offset below the base's low bits: the 5-bit counter rolled over (+32 s).
        assert_eq!(resolve_compressed_timestamp(0x40 + 30, 2), 0x60 + 2);
        assert_eq!(
            resolve_compressed_timestamp(1_000_000_031, 0),
            1_000_000_032
        );
    }

    #[test]
    fn cadence_doubles_for_foot_sports_only() {
        assert_eq!(cadence_to_spm(85.5, &Sport::Running), 171.0);
        assert_eq!(cadence_to_spm(60.0, &Sport::Hiking), 120.0);
        assert_eq!(cadence_to_spm(90.0, &Sport::Cycling), 90.0);
        let mut a = Activity::new("x", Format::Fit, DateTime::<Utc>::UNIX_EPOCH);
        a.sport = Sport::TrailRunning;
        a.samples.push(Sample {
            cadence_spm: Some(80.0 + 64.0 / 128.0),
            ..Sample::default()
        });
        finish(&mut a);
        assert_eq!(a.samples[0].cadence_spm, Some(161.0));
    }

    #[test]
    fn record_scaling() {
        let mut f = HashMap::new();
        f.insert(0u8, Value::SInt32(1 << 29));
        f.insert(1u8, Value::SInt32(-(1 << 29)));
        f.insert(2u8, Value::UInt16(2600)); // 20 m
        f.insert(78u8, Value::UInt32(2750)); // 50 m, preferred
        f.insert(5u8, Value::UInt32(123_456));
        f.insert(6u8, Value::UInt16(3000));
        f.insert(73u8, Value::UInt32(3100));
        f.insert(3u8, Value::UInt8(150));
        f.insert(4u8, Value::UInt8(85));
        f.insert(53u8, Value::UInt8(64));
        f.insert(13u8, Value::SInt8(-3));
        f.insert(7u8, Value::UInt16(250));
        let s = record_sample(&f, Some(0), &mut DistanceAccumulator::default());
        assert_eq!(s.time_utc_ms, Some(FIT_EPOCH_UNIX_S * 1000));
        assert_eq!(s.lat_deg, Some(45.0));
        assert_eq!(s.lon_deg, Some(-45.0));
        assert_eq!(s.altitude_m, Some(50.0));
        assert_eq!(s.distance_m, Some(1234.56));
        assert_eq!(s.speed_mps, Some(3.1));
        assert_eq!(s.hr_bpm, Some(150.0));
        assert_eq!(s.cadence_spm, Some(85.5));
        assert_eq!(s.temp_c, Some(-3.0));
        assert_eq!(s.power_w, Some(250.0));
    }

    #[test]
    fn compressed_speed_distance_accumulates_with_rollover() {
        let mut acc = DistanceAccumulator::default();
        let rec = |speed: u16, dist: u16, acc: &mut DistanceAccumulator| {
            let b0 = (speed & 0xFF) as u8;
            let b1 = ((speed >> 8) as u8 & 0x0F) | (((dist & 0x0F) as u8) << 4);
            let b2 = (dist >> 4) as u8;
            let mut f = HashMap::new();
            f.insert(
                8u8,
                Value::Array(vec![Value::Byte(b0), Value::Byte(b1), Value::Byte(b2)]),
            );
            record_sample(&f, None, acc)
        };
        let s = rec(250, 4000, &mut acc);
        assert_eq!(s.speed_mps, Some(2.5));
        assert_eq!(s.distance_m, Some(250.0));
        // 4000 -> 100 (16ths) wraps at 4096: +196/16 m
        let s = rec(250, 100, &mut acc);
        assert_eq!(s.distance_m, Some(250.0 + 196.0 / 16.0));
    }

    #[test]
    fn crc_matches_known_value() {
        // The CRC of a buffer followed by its own CRC (little endian) is 0.
        let data = b"calfguard FIT";
        let crc = fit_crc(0, data);
        let mut with = data.to_vec();
        with.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(fit_crc(0, &with), 0);
        // The CRC-16/ARC check value, as the FIT SDK's nibble-table algorithm computes it.
        assert_eq!(fit_crc(0, b"123456789"), 0xBB3D);
        // A real file's stored CRC: the last two bytes of a finished FIT file.
        let real = include_bytes!("../../fixtures/real/pyfitparse_fenix5_run_short.fit");
        let (body, stored) = real.split_at(real.len() - 2);
        assert_eq!(fit_crc(0, body), u16::from_le_bytes([stored[0], stored[1]]));
    }
}
