//! Building activities from what was read: one per session, records and laps assigned to the
//! session whose time span holds them, cadence to steps, time-jump checks.

use super::convert::utc_from_fit;
use super::{byte_pos, fit_ts_to_unix_ms, Collected, RawSession, FIT_EPOCH_UNIX_S};
use crate::ingest::{clean_sample, dropped_warning, push_warning, samples_capped_warning};
use crate::ingest::{MAX_ACTIVITIES_PER_FILE, MAX_LAPS};
use crate::model::{
    Activity, AltitudeSource, Break, Capabilities, DistanceSource, Format, ReadError, ReadResult,
    Sample, Sport, TempSensor, TzSource,
};
use chrono::{DateTime, Utc};

/// A forward jump larger than this between consecutive records is reported.
const JUMP_WARN_S: i64 = 86_400;

/// A record's FIT timestamp, back from its time (which was made from it).
fn fit_ts(s: &Sample) -> Option<u32> {
    u32::try_from(s.time_utc_ms? / 1000 - FIT_EPOCH_UNIX_S).ok()
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

pub(super) fn build(source: &str, c: Collected, file_len: usize) -> ReadResult {
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
    // A watch records altitude with a barometer and temperature at the wrist; a bike computer's
    // sensor is in the air.
    let capabilities = Capabilities {
        distance: DistanceSource::Device,
        altitude: AltitudeSource::Barometric,
        temperature: if crate::ingest::is_bike_computer(device.as_deref()) {
            TempSensor::Air
        } else {
            TempSensor::Wrist
        },
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
        a.capabilities = capabilities;
        (a, start_ts)
    };

    if sessions.is_empty() {
        let (sport, sub) = match &sport_msg {
            Some((s, sub)) => (Sport::from_names(s, sub.as_deref()), sub.clone()),
            None => (Sport::Other("unknown".to_string()), None),
        };
        let first_ts = records.iter().find_map(fit_ts);
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
        act.0.samples = records;
        acts.push(act);
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
        if let [(a, _)] = &mut acts[..] {
            a.samples = records; // one session: every record is its
        } else {
            let mut current = 0usize;
            for r in records {
                if let Some(t) = fit_ts(&r) {
                    current = session_index(&sessions, t);
                }
                if let Some((a, _)) = acts.get_mut(current) {
                    a.samples.push(r);
                }
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
        if a.samples.is_empty() {
            a.warnings.push(
                "no records: a session without samples (manual entry or treadmill); totals from the session message"
                    .to_string(),
            );
        }
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
        out.push(a);
    }
    Ok(out)
}

/// Cadence to steps, time-jump warnings, elapsed-time fallback, then the cleaning of
/// [`clean_activity`](crate::ingest::clean_activity) (out-of-range values dropped, after the
/// cadence conversion), in the same pass over the samples; its warning comes last, as there.
pub(super) fn finish(a: &mut Activity) {
    let steps = a.sport.has_steps();
    let mut prev: Option<i64> = None;
    let mut jumped = false;
    let mut more_jumps = 0usize;
    let mut dropped = 0usize;
    for (i, s) in a.samples.iter_mut().enumerate() {
        if let Some(c) = s.cadence_spm {
            s.cadence_spm = Some(if steps { c * 2.0 } else { c });
        }
        dropped += clean_sample(s);
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
    if dropped > 0 {
        a.warnings.push(dropped_warning(dropped));
    }
}
