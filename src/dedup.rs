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
//! 3. their time spans overlap by at least `min_overlap` (90 %) of the shorter one;
//! 4. their elapsed times differ by at most `max_duration_diff` (5 %) of the longer one;
//! 5. where both state a distance, the distances differ by at most `max_distance_diff` (5 %);
//! 6. where both have positions, their track fingerprints (start, 25/50/75 %, end) lie within
//!    `max_track_diff_m` (250 m) of each other, point by point.
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
use crate::model::{Format, Sport};
use crate::summary::ActivitySummary;

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
            max_track_diff_m: 250.0,
            conflict_overlap: 0.5,
        }
    }
}

/// An activity recognised as a copy of another.
#[derive(Clone, Debug, PartialEq)]
pub struct Duplicate {
    /// The copy (dropped).
    pub copy: ActivitySummary,
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
    pub kept: Vec<ActivitySummary>,
    /// Copies dropped, each with the source kept instead.
    pub duplicates: Vec<Duplicate>,
    /// Overlapping recordings of different kinds, both kept.
    pub conflicts: Vec<Conflict>,
}

fn family(s: &Sport) -> String {
    match s {
        Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning => "running".into(),
        Sport::Walking | Sport::Hiking => "walking".into(),
        other => other.as_str().to_string(),
    }
}

fn span_s(a: &ActivitySummary) -> f64 {
    a.elapsed_s.unwrap_or(0.0).max(0.0)
}

fn overlap_fraction(a: &ActivitySummary, b: &ActivitySummary) -> f64 {
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

/// Richness of a recording: larger is richer.
fn richness(a: &ActivitySummary) -> (usize, u8, usize) {
    let baro = a.has_altitude && a.format == Format::Fit;
    let channels = [a.has_hr, a.has_temperature, baro, a.has_power]
        .iter()
        .filter(|c| **c)
        .count();
    let format = match a.format {
        Format::Fit => 2,
        Format::Tcx => 1,
        Format::Gpx => 0,
    };
    (channels, format, a.samples)
}

/// Whether `a` should be kept over `b`.
fn richer(a: &ActivitySummary, b: &ActivitySummary) -> bool {
    match richness(a).cmp(&richness(b)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => a.source < b.source,
    }
}

/// Why `a` and `b` are the same run (`Ok(evidence)`) or not (`Err(what differs)`).
pub fn same_run(
    a: &ActivitySummary,
    b: &ActivitySummary,
    rules: &DedupRules,
) -> Result<String, String> {
    let start_diff_s = (b.start_utc - a.start_utc).num_milliseconds() as f64 / 1000.0;
    if family(&a.sport) != family(&b.sport) {
        return Err(format!("sport {} vs {}", a.sport, b.sport));
    }
    if start_diff_s.abs() > rules.max_start_diff_s {
        return Err(format!("starts {:.0} s apart", start_diff_s.abs()));
    }
    let overlap = overlap_fraction(a, b);
    if overlap < rules.min_overlap {
        return Err(format!("time spans overlap {:.0}%", overlap * 100.0));
    }
    let duration_diff = rel_diff(span_s(a), span_s(b));
    if duration_diff > rules.max_duration_diff {
        return Err(format!("durations differ {:.1}%", duration_diff * 100.0));
    }
    let mut evidence = format!(
        "starts {start_diff_s:+.0} s apart, durations differ {:.1}%",
        duration_diff * 100.0
    );
    if let (Some(da), Some(db)) = (a.distance_m, b.distance_m) {
        let d = rel_diff(da, db);
        if d > rules.max_distance_diff {
            return Err(format!("distances differ {:.1}%", d * 100.0));
        }
        evidence.push_str(&format!(", distance differs {:.1}% ({da:.0} m vs {db:.0} m)", d * 100.0));
    }
    if !a.track.is_empty() && !b.track.is_empty() {
        let n = a.track.len().min(b.track.len());
        let pick = |t: &[crate::summary::TrackPoint], k: usize| {
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
            return Err(format!("tracks differ by up to {worst:.0} m"));
        }
        evidence.push_str(&format!(", tracks within {worst:.0} m"));
    }
    Ok(evidence)
}

/// Find the same run recorded more than once and keep the richest recording of each.
///
/// `activities` must be sorted by start; only `date_ok` activities are compared.
pub fn dedup(activities: Vec<ActivitySummary>, rules: &DedupRules) -> Deduped {
    let n = activities.len();
    // Union-find over same-run pairs.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut evidence: Vec<(usize, usize, String)> = Vec::new();
    let mut conflicts = Vec::new();
    let max_span_s = activities.iter().map(span_s).fold(0.0, f64::max);
    for i in 0..n {
        let a = &activities[i];
        if !a.date_ok {
            continue;
        }
        for j in i + 1..n {
            let b = &activities[j];
            // Sorted by start: nothing later can overlap `a` once b starts after a's span.
            let gap_s = (b.start_utc - a.start_utc).num_milliseconds() as f64 / 1000.0;
            if gap_s > span_s(a).max(rules.max_start_diff_s).min(max_span_s + rules.max_start_diff_s) {
                break;
            }
            if !b.date_ok || a.source == b.source {
                continue;
            }
            match same_run(a, b, rules) {
                Ok(ev) => {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    if ri != rj {
                        parent[rj] = ri;
                    }
                    evidence.push((i, j, ev));
                }
                Err(why) => {
                    if overlap_fraction(a, b) >= rules.conflict_overlap {
                        conflicts.push(Conflict {
                            a: a.source.clone(),
                            b: b.source.clone(),
                            reason: format!(
                                "overlaps {} by {:.0}% of the shorter time but is not the same run ({why}): both kept",
                                b.source,
                                overlap_fraction(a, b) * 100.0
                            ),
                        });
                    }
                }
            }
        }
    }
    // The richest member of each group is kept.
    let mut best: Vec<usize> = (0..n).collect();
    for i in 0..n {
        let r = root(&mut parent, i);
        if richer(&activities[i], &activities[best[r]]) {
            best[r] = i;
        }
    }
    let mut out = Deduped {
        conflicts,
        ..Deduped::default()
    };
    let keeper_of: Vec<usize> = (0..n).map(|i| best[root(&mut parent, i)]).collect();
    for (i, a) in activities.iter().enumerate() {
        let k = keeper_of[i];
        if k == i {
            out.kept.push(a.clone());
        } else {
            // The evidence of the pair that joined them, else of any pair in the group.
            let ev = evidence
                .iter()
                .find(|(x, y, _)| (*x == i && *y == k) || (*x == k && *y == i))
                .or_else(|| evidence.iter().find(|(x, y, _)| *x == i || *y == i))
                .map(|(_, _, e)| e.clone())
                .unwrap_or_default();
            out.duplicates.push(Duplicate {
                copy: a.clone(),
                kept: activities[k].source.clone(),
                evidence: ev,
            });
        }
    }
    out
}
