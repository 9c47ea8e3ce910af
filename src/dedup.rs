//! The same run from two sources counts once.
//!
//! Users combine the Garmin and the Strava export of the same years, or a watch folder and a
//! phone app's GPX: each run then appears two or three times with other names, start times
//! seconds apart and distances a little different. Two activities are the **same run** when all
//! of these hold (defaults in [`DedupRules`], documented in `docs/design.md`):
//!
//! 1. the same sport family (running of any kind; cycling; walking and hiking; swimming;
//!    anything else by its name);
//! 2. their starts are at most `max_start_diff_s` apart (60 s);
//! 3. their time spans overlap by at least `min_overlap` (90 %) of the shorter one, or all but
//!    at most `max_start_diff_s` of it (short activities);
//! 4. their elapsed times differ by at most `max_duration_diff` (5 %) of the longer one, or by
//!    at most `duration_slack_s` (60 s) (short activities: a transition, a warm-up);
//! 5. where both state a distance, the distances differ by at most `max_distance_diff` (5 %)
//!    of the longer one, or by at most `distance_slack_m` (100 m);
//! 6. where both have positions, their track fingerprints (start, 25/50/75 %, end) lie within
//!    `max_track_diff_m` (250 m) of each other, point by point.
//!
//! A session without samples whose file states no duration (a treadmill GPX with an empty
//! `<trkseg/>`, often the GPX copy of a watch's FIT) has no time span: rules 3 and 4 are not
//! applied to a pair with one (rules 1, 2 and 5 are).
//!
//! Of a group of same runs the **richest** recording is kept: the most channels (heart rate,
//! temperature, barometric altitude, which we take to be altitude in a FIT file, power), then
//! FIT over TCX over GPX, then more samples, then the first source in sorted order. The choice
//! depends only on the activities, never on the order they arrive in.
//!
//! Two activities whose time spans overlap by at least `conflict_overlap` (50 %) of the
//! shorter one but that are not the same run (a treadmill run and an outdoor run recorded by two
//! devices, say) are a **conflict**: both are kept and the report says so.

use crate::geo::haversine_m;
use crate::metrics::record::ActivityRecord;
use crate::model::{AltitudeSource, Sample, Sport, TrackPoint};

/// Tolerances of the same-run rule.
#[derive(Clone, Debug, PartialEq)]
pub struct DedupRules {
    /// Largest difference of start times, seconds.
    pub max_start_diff_s: f64,
    /// Smallest overlap of the time spans, as a fraction of the shorter span.
    pub min_overlap: f64,
    /// Largest difference of elapsed times, as a fraction of the longer one.
    pub max_duration_diff: f64,
    /// Largest difference of distances, as a fraction of the longer one.
    pub max_distance_diff: f64,
    /// Elapsed times this close (seconds) always agree, whatever the fraction.
    pub duration_slack_s: f64,
    /// Distances this close (metres) always agree, whatever the fraction.
    pub distance_slack_m: f64,
    /// Largest distance between corresponding track fingerprint points, metres.
    pub max_track_diff_m: f64,
    /// Overlap (fraction of the shorter span) from which two different activities conflict.
    pub conflict_overlap: f64,
}

impl Default for DedupRules {
    fn default() -> DedupRules {
        DedupRules {
            max_start_diff_s: 60.0,
            min_overlap: 0.9,
            max_duration_diff: 0.05,
            max_distance_diff: 0.05,
            duration_slack_s: 60.0,
            distance_slack_m: 100.0,
            max_track_diff_m: 250.0,
            conflict_overlap: 0.5,
        }
    }
}

/// An activity recognised as a copy of another.
#[derive(Clone, Debug, PartialEq)]
pub struct Duplicate {
    /// The copy (dropped).
    pub copy: ActivityRecord,
    /// The source of the recording kept instead.
    pub kept: String,
    /// The evidence: start offset, duration and distance differences.
    pub evidence: String,
}

/// Two overlapping recordings that are not the same run; both are kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// One source.
    pub a: String,
    /// The other source.
    pub b: String,
    /// Why they conflict.
    pub reason: String,
}

/// The outcome of de-duplication.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deduped {
    /// Activities kept, in the order given.
    pub kept: Vec<ActivityRecord>,
    /// Copies dropped, each with the source kept instead.
    pub duplicates: Vec<Duplicate>,
    /// Overlapping recordings of different kinds, both kept.
    pub conflicts: Vec<Conflict>,
}

/// Most later activities each activity is compared with, in either pass (same run; conflict).
///
/// Real exports have a handful of recordings per run and a few activities inside the span of a
/// long one, far below this; an export of thousands of recordings that all start at the same
/// second (a hostile or broken one) is then compared in `n × MAX_CANDIDATES` steps instead of
/// `n²`. Recordings of one run still end up in one group: each is linked to the next ones of
/// its sport family in start order, so a chain covers them all.
pub const MAX_CANDIDATES: usize = 64;

/// The track fingerprint of an activity's samples: the timed positions at 0, 25, 50, 75 and
/// 100 % of their count. Taken while the samples are read; kept in the record.
pub fn fingerprint(samples: &[Sample]) -> Vec<TrackPoint> {
    let point = |s: &Sample| {
        let (lat_deg, lon_deg) = (s.lat_deg?, s.lon_deg?);
        (lat_deg.is_finite() && lon_deg.is_finite()).then_some(TrackPoint {
            time_utc_ms: s.time_utc_ms?,
            lat_deg,
            lon_deg,
        })
    };
    let count = samples.iter().filter(|s| point(s).is_some()).count();
    if count == 0 {
        return Vec::new();
    }
    let last = count - 1;
    let mut picks: Vec<usize> = [0, 1, 2, 3, 4].iter().map(|q| last * q / 4).collect();
    picks.dedup();
    // The picks are increasing: walk the timed positions once, keeping those at the picks.
    let mut out = Vec::with_capacity(picks.len());
    let mut next = picks.iter().copied().peekable();
    for (k, p) in samples.iter().filter_map(point).enumerate() {
        if next.peek() == Some(&k) {
            out.push(p);
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    out
}

fn family(s: &Sport) -> &str {
    match s {
        Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning => "running",
        Sport::Walking | Sport::Hiking => "walking",
        other => other.as_str(),
    }
}

fn span_s(a: &ActivityRecord) -> f64 {
    a.elapsed_s.unwrap_or(0.0).max(0.0)
}

fn overlap_fraction(a: &ActivityRecord, b: &ActivityRecord) -> f64 {
    let (a0, a1) = (a.start_utc, a.end_utc());
    let (b0, b1) = (b.start_utc, b.end_utc());
    let start = a0.max(b0);
    let end = a1.min(b1);
    let overlap = (end - start).num_milliseconds() as f64 / 1000.0;
    let shorter = span_s(a).min(span_s(b));
    if shorter <= 0.0 {
        return if a0 == b0 { 1.0 } else { 0.0 };
    }
    (overlap / shorter).max(0.0)
}

fn rel_diff(x: f64, y: f64) -> f64 {
    let big = x.abs().max(y.abs());
    if big == 0.0 {
        0.0
    } else {
        (x - y).abs() / big
    }
}

/// Richness of a recording: larger is richer. The channels, then how richly they were measured
/// ([`crate::model::Capabilities::rank`]: device distance, barometric altimeter), then the
/// number of samples.
fn richness(a: &ActivityRecord) -> (usize, u8, usize) {
    let caps = a.capabilities;
    let baro = a.has_altitude && caps.altitude == AltitudeSource::Barometric;
    let channels = [a.has_hr, a.has_temperature, baro, a.has_power]
        .iter()
        .filter(|c| **c)
        .count();
    (channels, caps.rank(), a.samples)
}

/// Whether `a` should be kept over `b`.
fn richer(a: &ActivityRecord, b: &ActivityRecord) -> bool {
    match richness(a).cmp(&richness(b)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => a.source < b.source,
    }
}

/// Why two recordings are the same run: the numbers of the evidence.
#[derive(Clone, Copy, Debug)]
struct Evidence {
    start_diff_s: f64,
    /// Relative difference of the durations; NaN when one is unknown (no samples, none stated).
    duration_diff: f64,
    /// Relative difference, and the two distances.
    distance: Option<(f64, f64, f64)>,
    /// Largest distance between the track fingerprints, metres.
    track_m: Option<f64>,
}

impl Evidence {
    fn text(&self) -> String {
        let mut s = if self.duration_diff.is_nan() {
            format!(
                "starts {:+.0} s apart, one has no samples and no stated duration",
                self.start_diff_s
            )
        } else {
            format!(
                "starts {:+.0} s apart, durations differ {:.1}%",
                self.start_diff_s,
                self.duration_diff * 100.0
            )
        };
        if let Some((d, da, db)) = self.distance {
            s.push_str(&format!(
                ", distance differs {:.1}% ({da:.0} m vs {db:.0} m)",
                d * 100.0
            ));
        }
        if let Some(worst) = self.track_m {
            s.push_str(&format!(", tracks within {worst:.0} m"));
        }
        s
    }
}

/// What differs between two recordings that are not the same run.
#[derive(Clone, Copy, Debug)]
enum Differs {
    Sport,
    Starts(f64),
    Overlap(f64),
    Durations(f64),
    Distances(f64),
    Tracks(f64),
}

impl Differs {
    fn text(&self, a: &ActivityRecord, b: &ActivityRecord) -> String {
        match *self {
            Differs::Sport => format!("sport {} vs {}", a.sport, b.sport),
            Differs::Starts(d) => format!("starts {d:.0} s apart"),
            Differs::Overlap(o) => format!("time spans overlap {:.0}%", o * 100.0),
            Differs::Durations(d) => format!("durations differ {:.1}%", d * 100.0),
            Differs::Distances(d) => format!("distances differ {:.1}%", d * 100.0),
            Differs::Tracks(w) => format!("tracks differ by up to {w:.0} m"),
        }
    }
}

/// The same-run rule on one pair, without building any text.
fn judge(a: &ActivityRecord, b: &ActivityRecord, rules: &DedupRules) -> Result<Evidence, Differs> {
    let start_diff_s = (b.start_utc - a.start_utc).num_milliseconds() as f64 / 1000.0;
    if family(&a.sport) != family(&b.sport) {
        return Err(Differs::Sport);
    }
    if start_diff_s.abs() > rules.max_start_diff_s {
        return Err(Differs::Starts(start_diff_s.abs()));
    }
    let no_span = |r: &ActivityRecord| r.samples == 0 && r.elapsed_s.is_none();
    let spans_known = !no_span(a) && !no_span(b);
    let overlap = overlap_fraction(a, b);
    let uncovered_s = (1.0 - overlap) * span_s(a).min(span_s(b));
    if spans_known && overlap < rules.min_overlap && uncovered_s > rules.max_start_diff_s {
        return Err(Differs::Overlap(overlap));
    }
    let duration_diff = if spans_known {
        rel_diff(span_s(a), span_s(b))
    } else {
        f64::NAN
    };
    if spans_known
        && duration_diff > rules.max_duration_diff
        && (span_s(a) - span_s(b)).abs() > rules.duration_slack_s
    {
        return Err(Differs::Durations(duration_diff));
    }
    let mut evidence = Evidence {
        start_diff_s,
        duration_diff,
        distance: None,
        track_m: None,
    };
    if let (Some(da), Some(db)) = (a.distance_m, b.distance_m) {
        let d = rel_diff(da, db);
        if d > rules.max_distance_diff && (da - db).abs() > rules.distance_slack_m {
            return Err(Differs::Distances(d));
        }
        evidence.distance = Some((d, da, db));
    }
    if !a.track.is_empty() && !b.track.is_empty() {
        let n = a.track.len().min(b.track.len());
        let pick = |t: &[TrackPoint], k: usize| {
            let last = t.len() - 1;
            t.get(if n > 1 { last * k / (n - 1) } else { 0 }).copied()
        };
        let mut worst: f64 = 0.0;
        for k in 0..n {
            if let (Some(p), Some(q)) = (pick(&a.track, k), pick(&b.track, k)) {
                worst = worst.max(haversine_m(p.lat_deg, p.lon_deg, q.lat_deg, q.lon_deg));
            }
        }
        if worst > rules.max_track_diff_m {
            return Err(Differs::Tracks(worst));
        }
        evidence.track_m = Some(worst);
    }
    Ok(evidence)
}

/// Why `a` and `b` are the same run (`Ok(evidence)`) or not (`Err(what differs)`).
pub fn same_run(
    a: &ActivityRecord,
    b: &ActivityRecord,
    rules: &DedupRules,
) -> Result<String, String> {
    judge(a, b, rules)
        .map(|e| e.text())
        .map_err(|w| w.text(a, b))
}

/// Seconds from `a`'s start to `b`'s.
fn gap_s(a: &ActivityRecord, b: &ActivityRecord) -> f64 {
    (b.start_utc - a.start_utc).num_milliseconds() as f64 / 1000.0
}

/// Whether two activities may be compared at all: both with a plausible date, from two files.
fn comparable(a: &ActivityRecord, b: &ActivityRecord) -> bool {
    a.date_ok && b.date_ok && a.source != b.source
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Find the same run recorded more than once and keep the richest recording of each.
///
/// Any input order gives the same result (activities are sorted by start, source and sport
/// first, and the output keeps that order); only `date_ok` activities are compared. The work is
/// bounded by `n × MAX_CANDIDATES` comparisons, and each activity gives at most one conflict.
pub fn dedup(mut activities: Vec<ActivityRecord>, rules: &DedupRules) -> Deduped {
    activities.sort_by(|a, b| {
        (a.start_utc, &a.source, a.sport.as_str()).cmp(&(b.start_utc, &b.source, b.sport.as_str()))
    });
    let n = activities.len();
    let acts = &activities;

    // 1. Same runs. Only two activities of one sport family whose starts are at most
    //    `max_start_diff_s` apart can be the same run: per family, in start order, each is
    //    compared with the next ones inside that window. Union-find over the pairs that match.
    let mut families: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, a) in acts.iter().enumerate() {
        families.entry(family(&a.sport)).or_default().push(i);
    }
    let mut parent: Vec<usize> = (0..n).collect();
    // The first same-run partner of each activity, in (earlier, later) pair order: its
    // evidence is reported when the keeper is not a direct partner.
    let mut first_partner: Vec<Option<usize>> = vec![None; n];
    for members in families.values() {
        for (p, &i) in members.iter().enumerate() {
            let a = &acts[i];
            if !a.date_ok {
                continue;
            }
            for &j in members.iter().skip(p + 1).take(MAX_CANDIDATES) {
                let b = &acts[j];
                if gap_s(a, b) > rules.max_start_diff_s {
                    break;
                }
                if comparable(a, b) && judge(a, b, rules).is_ok() {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    if ri != rj {
                        parent[rj] = ri;
                    }
                    first_partner[i].get_or_insert(j);
                    first_partner[j].get_or_insert(i);
                }
            }
        }
    }
    // `first_partner` must follow the order of the pairs over all families: (i, j) with i
    // ascending, then j. Within a family it does; pairs never cross families.

    // 2. Conflicts: activities whose spans overlap by at least `conflict_overlap` of the
    //    shorter one but that are not the same run. One row per activity (the first such later
    //    activity, and how many more).
    let max_span_s = acts.iter().map(span_s).fold(0.0, f64::max);
    let mut conflicts = Vec::new();
    for (i, a) in acts.iter().enumerate() {
        if !a.date_ok {
            continue;
        }
        let window_s = span_s(a)
            .max(rules.max_start_diff_s)
            .min(max_span_s + rules.max_start_diff_s);
        let mut first: Option<(usize, f64, Differs)> = None;
        let mut more = 0usize;
        let mut capped = false;
        for (seen, (j, b)) in acts.iter().enumerate().skip(i + 1).enumerate() {
            // Sorted by start: nothing later can overlap `a` once b starts after a's span.
            if gap_s(a, b) > window_s {
                break;
            }
            if seen == MAX_CANDIDATES {
                capped = true;
                break;
            }
            if !comparable(a, b) {
                continue;
            }
            let overlap = overlap_fraction(a, b);
            if overlap < rules.conflict_overlap {
                continue;
            }
            if let Err(why) = judge(a, b, rules) {
                if first.is_none() {
                    first = Some((j, overlap, why));
                } else {
                    more += 1;
                }
            }
        }
        if let Some((j, overlap, why)) = first {
            let b = &acts[j];
            let mut reason = format!(
                "overlaps {} by {:.0}% of the shorter time but is not the same run ({}): both kept",
                b.source,
                overlap * 100.0,
                why.text(a, b)
            );
            if more > 0 || capped {
                let at_least = if capped { "at least " } else { "" };
                let s = if more == 1 && !capped { "" } else { "s" };
                reason.push_str(&format!(
                    "; and {at_least}{more} more overlapping recording{s} that are not the same run \
                     (at most one row per activity)"
                ));
            }
            conflicts.push(Conflict {
                a: a.source.clone(),
                b: b.source.clone(),
                reason,
            });
        }
    }

    // The richest member of each group is kept.
    let mut best: Vec<usize> = (0..n).collect();
    for i in 0..n {
        let r = root(&mut parent, i);
        if richer(&acts[i], &acts[best[r]]) {
            best[r] = i;
        }
    }
    let keeper_of: Vec<usize> = (0..n).map(|i| best[root(&mut parent, i)]).collect();
    // The evidence of each copy: of the pair that joins it to its keeper, else of its first
    // pair in the group.
    let evidence: Vec<Option<(String, String)>> = (0..n)
        .map(|i| {
            let k = keeper_of[i];
            if k == i {
                return None;
            }
            let pair = |x: usize, y: usize| {
                let (x, y) = (x.min(y), x.max(y));
                let (a, b) = (&acts[x], &acts[y]);
                if comparable(a, b) && gap_s(a, b) <= rules.max_start_diff_s {
                    judge(a, b, rules).ok().map(|e| e.text())
                } else {
                    None
                }
            };
            let ev = pair(i, k)
                .or_else(|| first_partner[i].and_then(|p| pair(i, p)))
                .unwrap_or_default();
            Some((acts[k].source.clone(), ev))
        })
        .collect();
    // The copies are taken out of `activities` and the kept stay where they are, in order: a
    // second vector of every record would double the largest allocation of a run
    // (`docs/performance.md`, "Memory").
    let mut evidence = evidence.into_iter();
    let mut taken: Vec<(String, String)> = Vec::new();
    let copies: Vec<ActivityRecord> = activities
        .extract_if(.., |_| match evidence.next().flatten() {
            Some(ev) => {
                taken.push(ev);
                true
            }
            None => false,
        })
        .collect();
    let duplicates = copies
        .into_iter()
        .zip(taken)
        .map(|(copy, (kept, evidence))| Duplicate {
            copy,
            kept,
            evidence,
        })
        .collect();
    Deduped {
        kept: activities,
        duplicates,
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::record::FileTime;
    use crate::model::{Capabilities, DistanceSource, Format, TzSource};
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn run(
        source: &str,
        format: Format,
        start: &str,
        elapsed_s: f64,
        distance_m: f64,
    ) -> ActivityRecord {
        let start_utc = at(start);
        let t0 = start_utc.timestamp_millis();
        let track = (0..5)
            .map(|k| TrackPoint {
                time_utc_ms: t0 + (elapsed_s * 1000.0) as i64 * k / 4,
                lat_deg: 52.0 + 0.01 * k as f64,
                lon_deg: 13.0,
            })
            .collect();
        // What each format's reader states.
        let capabilities = match format {
            Format::Fit => Capabilities {
                altitude: AltitudeSource::Barometric,
                ..Capabilities::default()
            },
            Format::Tcx => Capabilities::default(),
            Format::Gpx => Capabilities {
                distance: DistanceSource::Track,
                ..Capabilities::default()
            },
        };
        ActivityRecord {
            source: source.into(),
            format,
            sport: Sport::Running,
            sport_inferred: false,
            sub_sport: None,
            start_utc,
            file_time: FileTime::default(),
            utc_offset_s: Some(0),
            tz_source: TzSource::Utc,
            gear: None,
            date_ok: true,
            device: None,
            capabilities,
            elapsed_s: Some(elapsed_s),
            timer_s: None,
            distance_m: Some(distance_m),
            samples: 3600,
            has_hr: false,
            has_position: true,
            has_altitude: false,
            has_temperature: false,
            has_power: false,
            track,
            salvaged: false,
            warnings: Default::default(),
            file_athlete: Default::default(),
            m: Default::default(),
            deferred: None,
        }
    }

    #[test]
    fn a_track_without_points_is_the_same_run_as_the_recording() {
        // A watch's FIT and the GPX copy of it without points (treadmill): one run, the FIT.
        let fit = run(
            "b/1.fit",
            Format::Fit,
            "2026-03-01T08:00:00Z",
            2178.0,
            4_500.0,
        );
        let mut gpx = run("a/1.gpx", Format::Gpx, "2026-03-01T08:00:00Z", 0.0, 0.0);
        (gpx.samples, gpx.elapsed_s, gpx.distance_m) = (0, None, None);
        gpx.track.clear();
        let out = dedup(vec![gpx.clone(), fit.clone()], &DedupRules::default());
        assert_eq!(out.kept.len(), 1);
        assert_eq!(out.kept[0].source, "b/1.fit");
        assert_eq!(
            same_run(&gpx, &fit, &DedupRules::default()).unwrap(),
            "starts +0 s apart, one has no samples and no stated duration"
        );
        // Starts further apart than the rule allows: two sessions.
        let mut later = gpx.clone();
        later.start_utc = at("2026-03-01T08:05:00Z");
        assert_eq!(
            dedup(vec![later, fit.clone()], &DedupRules::default())
                .kept
                .len(),
            2
        );
        // A session without samples that states its duration is judged on it.
        let mut manual = gpx.clone();
        manual.elapsed_s = Some(600.0);
        assert!(same_run(&manual, &fit, &DedupRules::default()).is_err());
    }

    #[test]
    fn same_run_in_two_formats_keeps_the_richest() {
        let mut fit = run(
            "b/watch.fit",
            Format::Fit,
            "2026-03-01T08:00:00Z",
            3600.0,
            10_000.0,
        );
        fit.has_hr = true;
        let gpx = run(
            "a/strava.gpx",
            Format::Gpx,
            "2026-03-01T08:00:03Z",
            3590.0,
            9_900.0,
        );
        let out = dedup(vec![gpx.clone(), fit.clone()], &DedupRules::default());
        assert_eq!(out.kept.len(), 1);
        assert_eq!(
            out.kept[0].source, "b/watch.fit",
            "more channels wins over source order"
        );
        assert_eq!(out.duplicates.len(), 1);
        let d = &out.duplicates[0];
        assert_eq!(
            (d.copy.source.as_str(), d.kept.as_str()),
            ("a/strava.gpx", "b/watch.fit")
        );
        assert!(d.evidence.contains("starts +3 s apart"), "{}", d.evidence);
        assert!(
            d.evidence.contains("distance differs 1.0%"),
            "{}",
            d.evidence
        );
        // Equal channels: FIT over GPX.
        let plain_fit = run(
            "z.fit",
            Format::Fit,
            "2026-03-01T08:00:00Z",
            3600.0,
            10_000.0,
        );
        let out = dedup(vec![gpx, plain_fit], &DedupRules::default());
        assert_eq!(out.kept[0].source, "z.fit");
    }

    #[test]
    fn two_runs_hours_apart_are_both_kept() {
        let a = run(
            "a.fit",
            Format::Fit,
            "2026-03-01T07:00:00Z",
            3600.0,
            10_000.0,
        );
        let b = run(
            "b.fit",
            Format::Fit,
            "2026-03-01T18:00:00Z",
            3600.0,
            10_000.0,
        );
        let out = dedup(vec![a, b], &DedupRules::default());
        assert_eq!(out.kept.len(), 2);
        assert!(out.duplicates.is_empty() && out.conflicts.is_empty());
    }

    #[test]
    fn treadmill_and_outdoor_at_the_same_time_conflict() {
        let outdoor = run(
            "outdoor.fit",
            Format::Fit,
            "2026-03-01T07:00:00Z",
            3600.0,
            10_000.0,
        );
        let mut treadmill = run(
            "treadmill.fit",
            Format::Fit,
            "2026-03-01T07:00:20Z",
            3500.0,
            9_000.0,
        );
        treadmill.sport = Sport::TreadmillRunning;
        treadmill.track.clear();
        let out = dedup(vec![outdoor, treadmill], &DedupRules::default());
        assert_eq!(out.kept.len(), 2);
        assert_eq!(out.conflicts.len(), 1);
        assert!(
            out.conflicts[0].reason.contains("distances differ 10.0%"),
            "{}",
            out.conflicts[0].reason
        );
        // A different track at the same time is not the same run either.
        let a = run(
            "a.fit",
            Format::Fit,
            "2026-03-01T07:00:00Z",
            3600.0,
            10_000.0,
        );
        let mut b = run(
            "b.gpx",
            Format::Gpx,
            "2026-03-01T07:00:05Z",
            3600.0,
            10_000.0,
        );
        for p in &mut b.track {
            p.lon_deg += 0.05;
        }
        let out = dedup(vec![a, b], &DedupRules::default());
        assert_eq!(out.kept.len(), 2);
        assert!(out.conflicts[0].reason.contains("tracks differ"));
    }

    #[test]
    fn tolerances_are_configurable_and_dates_must_be_ok() {
        let a = run(
            "a.fit",
            Format::Fit,
            "2026-03-01T07:00:00Z",
            3600.0,
            10_000.0,
        );
        let b = run(
            "b.gpx",
            Format::Gpx,
            "2026-03-01T07:01:30Z",
            3600.0,
            10_000.0,
        );
        assert_eq!(
            dedup(vec![a.clone(), b.clone()], &DedupRules::default())
                .kept
                .len(),
            2
        );
        let loose = DedupRules {
            max_start_diff_s: 120.0,
            ..DedupRules::default()
        };
        assert_eq!(dedup(vec![a.clone(), b.clone()], &loose).kept.len(), 1);
        let mut old = b;
        old.date_ok = false;
        assert_eq!(dedup(vec![a, old], &loose).kept.len(), 2);
    }
}
