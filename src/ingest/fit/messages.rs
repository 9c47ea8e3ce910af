//! The messages decoded by fitparser with its FIT profile (file_id, session, lap, sport,
//! user_profile, zones_target, field_description; `record` too on the reference path): a few
//! per file. Their fields are read by name; enum values come as the profile's names.

use super::convert::{self, Raw, MESG_ACTIVITY, MESG_RECORD};
use super::{byte_pos, Collected, RawLap, RawSession, FIT_EPOCH_UNIX_S};
use crate::ingest::{MAX_ACTIVITIES_PER_FILE, MAX_LAPS};
use crate::model::{Lap, Sex, Totals};
use chrono::{DateTime, Utc};
use fitparser::de::{FitDataMessage, FitStreamProcessor};
use fitparser::{FitDataRecord, Value};
use std::collections::HashMap;

// Global message numbers decoded with the profile.
const MESG_FILE_ID: u16 = 0;
const MESG_USER_PROFILE: u16 = 3;
const MESG_ZONES_TARGET: u16 = 7;
const MESG_SPORT: u16 = 12;
const MESG_SESSION: u16 = 18;
const MESG_LAP: u16 = 19;
const MESG_FIELD_DESCRIPTION: u16 = 206;

/// Per chained part: what the field descriptions said.
#[derive(Default)]
pub(super) struct PartState {
    /// Developer fields fitparser knows (it decoded their field_description), by (data index,
    /// field number).
    pub dev_fields: HashMap<(u8, u8), DevField>,
    /// Developer fields that look like running power, best first.
    pub power_keys: Vec<(u8, u8)>,
    /// Base type size of each described developer field, from the raw field_description.
    pub dev_base_size: HashMap<(u8, u8), u8>,
    /// Bumped whenever the two maps change: plans then resolve their developer fields again.
    pub dev_gen: u64,
}

impl PartState {
    pub(super) fn update_power_keys(&mut self) {
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

/// Whether messages of `global` are handed to fitparser (the others are read by field number
/// or only framed).
pub(super) fn needs_profile(global: u16) -> bool {
    matches!(
        global,
        MESG_FILE_ID
            | MESG_USER_PROFILE
            | MESG_ZONES_TARGET
            | MESG_SPORT
            | MESG_SESSION
            | MESG_LAP
            | MESG_FIELD_DESCRIPTION
    )
}

/// A developer field as its `field_description` message describes it.
#[derive(Clone, Debug)]
pub(super) struct DevField {
    pub name: String,
    pub units: String,
    pub scale: f64,
    pub offset: f64,
    /// FIT base type byte of its values (`fit_base_type_id`).
    pub base: u8,
}

/// `activity`: the UTC offset is `local_timestamp - timestamp`.
pub(super) fn activity(local: Option<Raw>, ts: Option<u32>, c: &mut Collected) {
    if let (Some(local), Some(utc)) = (local.and_then(Raw::uint), ts) {
        let off = local as i64 - i64::from(utc);
        if off.abs() <= 16 * 3600 {
            c.utc_offset_s = i32::try_from(off).ok();
        }
    }
}

/// One data message as fitparser's deserializer gave it.
pub(super) fn handle_data(
    proc: &mut FitStreamProcessor,
    msg: FitDataMessage,
    pos: usize,
    part: &mut PartState,
    c: &mut Collected,
) {
    // Base timestamp for compressed-timestamp headers: every message with field 253 sets it.
    let ts = match msg.time_offset() {
        Some(offset) => c
            .base_ts
            .map(|base| convert::resolve_compressed_timestamp(base, offset)),
        None => convert::ts_from(msg.fields().get(&253).map(Raw::from_value)),
    };
    if ts.is_some() {
        c.base_ts = ts;
    }
    match msg.global_message_number() {
        MESG_RECORD => {
            let f = convert::fields_from_values(msg.fields(), MESG_RECORD);
            let mut sample = convert::sample(&f, ts, &mut c.distance_acc);
            if sample.power_w.is_none() && !part.power_keys.is_empty() {
                sample.power_w = dev_power(&msg, part);
            }
            c.push_record(ts, sample, 0, 1);
        }
        MESG_ACTIVITY => activity(msg.fields().get(&5).map(Raw::from_value), ts, c),
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
                // metres (FIT profile: scale 100); a plausible adult or child height only
                a.height_m = field(&rec, "height")
                    .and_then(num)
                    .filter(|h| (0.5..=2.5).contains(h));
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
        MESG_FIELD_DESCRIPTION => field_description(proc, msg, pos, part, c),
        _ => {}
    }
}

/// A `field_description`: it must go through `decode_message`, which is how fitparser learns
/// the developer field (and how we know fitparser can read it).
fn field_description(
    proc: &mut FitStreamProcessor,
    msg: FitDataMessage,
    pos: usize,
    part: &mut PartState,
    c: &mut Collected,
) {
    let raw_u8 = |n: u8| {
        msg.fields()
            .get(&n)
            .and_then(uint)
            .and_then(|v| u8::try_from(v).ok())
    };
    let base = raw_u8(2);
    if let (Some(idx), Some(num), Some(base)) = (raw_u8(0), raw_u8(1), base) {
        if let Some(b) = convert::base_type_size(base) {
            part.dev_base_size.insert((idx, num), b);
            part.dev_gen += 1;
        }
    }
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
                    base: base.unwrap_or(0x0D),
                },
            );
            part.dev_gen += 1;
            part.update_power_keys();
        }
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
    convert::ts_from(msg.fields().get(&n).map(Raw::from_value))
}

/// Running power from a developer field (e.g. Stryd "Power", units watts).
fn dev_power(msg: &FitDataMessage, part: &PartState) -> Option<f64> {
    let dev = msg.developer_fields();
    part.power_keys.iter().find_map(|k| {
        let f = part.dev_fields.get(k)?;
        let v = Raw::from_value(dev.get(k)?).num()?;
        Some(v / f.scale - f.offset)
    })
}

fn field<'a>(rec: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    rec.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

/// An unsigned integer value (invalid values are already absent).
fn uint(v: &Value) -> Option<u64> {
    Raw::from_value(v).uint()
}

/// Any numeric value as `f64` (not timestamps, strings, arrays or byte fields).
fn num(v: &Value) -> Option<f64> {
    Raw::from_value(v).num()
}

/// An enum name (fitparser gives known enum values as strings) or the number for unknown ones.
fn name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        other => uint(other).map(|n| n.to_string()),
    }
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
