//! FIT reader: Garmin FIT bytes in, one [`Activity`](crate::model::Activity) per `session`
//! message out.
//!
//! The file is walked here, not by fitparser (see `docs/design.md`, "FIT reader"):
//!
//! - `framing` reads each chained part's header, every definition and data message and the
//!   CRC. A definition message is compiled into a plan for its local type: where each field we
//!   use sits, its base type, the byte order. `record` messages (global 20, nearly all of a
//!   file's bytes) are decoded straight from the bytes with that plan (`convert`): no
//!   allocation per message.
//! - The few other messages we need (file_id, session, lap, sport, user_profile, zones_target,
//!   field_description) are handed, with their definition, to fitparser's
//!   [`FitStreamProcessor`](fitparser::de::FitStreamProcessor) and decoded with its FIT profile
//!   (`messages`); their fields are read by name. Every other message (device_info, event,
//!   hrv, ...) is only framed.
//! - Timestamps are always taken from the raw `u32` fields (seconds since 1989-12-31T00:00:00Z),
//!   never from fitparser's `Value::Timestamp` (a `DateTime<Local>` that depends on the machine's
//!   zone). Compressed-timestamp headers are resolved against a base timestamp tracked here.
//! - Recovery: a data message whose developer field has no description yet, or whose developer
//!   field size is not a multiple of its described base type, is skipped (its size is known from
//!   its definition) with a warning, and reading goes on. A file that ends or breaks mid-way keeps
//!   everything read before the break (`Activity::salvaged`, with the byte position).
//! - Chained FIT files (several header + data + CRC parts in one file) are read part by part,
//!   each with fresh definitions.
//! - CRCs are checked here, so that a bad CRC is a warning and not a loss.
//! - A definition whose field size is not a multiple of its base type (COROS PACE 2: a 1-byte
//!   `uint32` in `event`) is read as bytes, as fitparser and the official SDK do; such a field is
//!   never taken as a number. The copy of a definition handed to fitparser declares such fields
//!   as `byte`, so that fitparser does not print its `ERROR: field size ...` line to stderr.
//! - [`read_fit_reference`] runs the same walk but hands `record` messages to fitparser too (the
//!   reader before the fast path): tests compare both record by record.
//!
//! `build` turns what was read into activities: records and laps to sessions, cadence to
//! steps, time-jump warnings.
//!
//! Cadence convention: FIT `record.cadence` (+ `fractional_cadence`) holds strides (one foot)
//! per minute for foot sports and revolutions per minute for cycling. `Sample::cadence_spm` is
//! in steps per minute, so the value is doubled when the activity's sport
//! [has steps](crate::model::Sport::has_steps) (running, walking, hiking) and kept as is
//! otherwise.

mod build;
mod convert;
mod framing;
mod messages;

use crate::ingest::{push_warning, ReadLimits};
use crate::model::{AthleteValues, Break, Lap, ReadResult, Sample, Totals};

pub use convert::{cadence_to_spm, resolve_compressed_timestamp, semicircles_to_deg};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Most records reserved at once (1 hour at 1 Hz is 3,600).
const MAX_RESERVE: usize = 1 << 16;

/// More skipped messages than this and the file is treated as broken at that point.
const MAX_SKIPS: usize = 1_000;

/// Read a FIT file into activities (one per session).
pub fn read_fit(source: &str, bytes: &[u8]) -> ReadResult {
    read_fit_with(source, bytes, &ReadLimits::default())
}

/// [`read_fit`] with explicit limits.
pub fn read_fit_with(source: &str, bytes: &[u8], limits: &ReadLimits) -> ReadResult {
    read(source, bytes, limits, RecordPath::Fast)
}

/// [`read_fit`] with every `record` message decoded by fitparser (its stream deserializer's raw
/// field values) instead of the fast path: the reader as it was before the fast path, kept for
/// the equivalence tests (`tests/fit_fast_path.rs`) and the benchmarks. Not for production use:
/// it is several times slower and gives the same activities.
#[doc(hidden)]
pub fn read_fit_reference(source: &str, bytes: &[u8], limits: &ReadLimits) -> ReadResult {
    read(source, bytes, limits, RecordPath::Fitparser)
}

/// How `record` messages are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordPath {
    /// Straight from the bytes with the compiled plan of their definition.
    Fast,
    /// By fitparser's stream deserializer (a `HashMap` of `Value`s per message).
    Fitparser,
}

fn read(source: &str, bytes: &[u8], limits: &ReadLimits, path: RecordPath) -> ReadResult {
    let mut c = Collected {
        max_records: limits.max_samples,
        ..Collected::default()
    };
    let mut start = 0usize;
    let mut first = true;
    while let Some(next) = framing::read_part(bytes, start, first, path, &mut c) {
        start = next;
        first = false;
    }
    build::build(source, c, bytes.len())
}

/// Format a byte offset the way `Break::position` and `ReadError::Failed` want it.
fn byte_pos(pos: usize) -> String {
    format!("byte 0x{pos:x}")
}

/// FIT timestamp (seconds since 1989-12-31T00:00:00Z) to milliseconds since the Unix epoch.
pub fn fit_ts_to_unix_ms(ts: u32) -> i64 {
    (i64::from(ts) + FIT_EPOCH_UNIX_S) * 1000
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

/// Everything read from the file, before activities are built.
#[derive(Debug, Default)]
struct Collected {
    file_type: Option<String>,
    device: Option<String>,
    sessions: Vec<RawSession>,
    laps: Vec<RawLap>,
    /// The records in file order; `cadence_spm` still holds the file's cadence (strides or
    /// rpm), doubled in `build`.
    records: Vec<Sample>,
    sport_msg: Option<(String, Option<String>)>,
    athlete: AthleteValues,
    utc_offset_s: Option<i32>,
    warnings: Vec<String>,
    /// Where and why the file broke (the rest is lost).
    brk: Option<Break>,
    /// Not a FIT file at all (bad first header).
    fatal: Option<(String, usize)>,
    base_ts: Option<u32>,
    distance_acc: convert::DistanceAccumulator,
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
    /// Sessions and laps not kept (over [`crate::ingest::MAX_ACTIVITIES_PER_FILE`],
    /// [`crate::ingest::MAX_LAPS`]).
    dropped_sessions: usize,
    dropped_laps: usize,
}

impl Collected {
    fn warn(&mut self, w: String) {
        push_warning(&mut self.warnings, &mut self.more_warnings, w);
    }

    /// Keep one decoded record (or count it when over the cap). `left` is how many bytes of
    /// data follow and `size` the message's size: the first record reserves room for the
    /// records that can follow, so that a long file's records are not moved again and again.
    fn push_record(&mut self, ts: Option<u32>, sample: Sample, left: usize, size: usize) {
        if ts.is_some() {
            self.last_record_ts = ts;
        }
        if sample.distance_m.is_some() {
            self.last_record_distance_m = sample.distance_m;
        }
        if self.records.len() < self.max_records {
            if self.records.capacity() == self.records.len() {
                let room = self.max_records - self.records.len();
                self.records
                    .reserve((left / size.max(1)).clamp(16, MAX_RESERVE).min(room));
            }
            self.records.push(sample);
        } else {
            self.dropped_records += 1;
        }
    }
}

#[cfg(test)]
mod tests;
