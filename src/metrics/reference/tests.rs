//! Tests of `reference`.

use super::super::series::Series;
use super::super::{cadence, distance, elevation, heat, hr, intensity, load};
use super::*;
use crate::ingest::read_bytes;
use crate::model::{Activity, Format, Sex};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Every file of `fixtures/real`, `fixtures/sample-athlete` and, when `CALFGUARD_CORPUS` is
/// set, `$CALFGUARD_CORPUS/{fit,gpx,tcx}`.
fn real_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("fixtures/real"),
        root.join("fixtures/sample-athlete"),
    ];
    match std::env::var_os("CALFGUARD_CORPUS") {
        Some(c) => {
            let c = PathBuf::from(c);
            for sub in ["fit", "gpx", "tcx"] {
                assert!(c.join(sub).is_dir(), "CALFGUARD_CORPUS has no {sub}/");
                dirs.push(c.join(sub));
            }
        }
        None => {
            // Straight to stderr, which the test harness does not capture (tests/common).
            let _ = std::io::Write::write_all(
                &mut std::io::stderr().lock(),
                b"SKIPPED: the corpus part of metrics::reference: CALFGUARD_CORPUS not set\n",
            );
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        let mut stack = vec![d];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// Every activity of every real file (files that are not activities are left out).
fn real_activities() -> Vec<Activity> {
    let mut out = Vec::new();
    for p in real_files() {
        let name = p.to_string_lossy().into_owned();
        if let Ok(acts) = read_bytes(&name, &std::fs::read(&p).unwrap()) {
            out.extend(acts);
        }
    }
    out
}

/// The activity's samples, without device speed, and without device speed or distance.
fn variants(samples: &[Sample]) -> [Vec<Sample>; 3] {
    let no_speed: Vec<Sample> = samples
        .iter()
        .map(|s| Sample {
            speed_mps: None,
            ..s.clone()
        })
        .collect();
    let gps_only: Vec<Sample> = no_speed
        .iter()
        .map(|s| Sample {
            distance_m: None,
            ..s.clone()
        })
        .collect();
    [samples.to_vec(), no_speed, gps_only]
}

/// Bit-for-bit equality of two `f64` (NaN never occurs: the metrics return none).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn same_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn same_vec(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_opt(*x, *y))
}

/// Compare the linear metrics with their references on one series (all of them when `full`,
/// else the speed estimates, GPS tracks and moving time); panics naming the first difference.
/// Returns how many speed estimates came from the window (not the device).
fn compare(name: &str, samples: &[Sample], full: bool) -> usize {
    let series = Series::new(samples);
    let speeds = speed_estimates_mps(samples);
    if let Some(i) = (0..samples.len()).find(|&i| !same_opt(series.speeds()[i], speeds[i])) {
        panic!(
            "{name}: speed at sample {i}: {:?} vs reference {:?}",
            series.speeds()[i],
            speeds[i]
        );
    }
    assert_eq!(
        distance::speed_estimates_mps(samples),
        series.speeds(),
        "{name}"
    );
    assert_eq!(series.intervals(), counted_intervals(samples).as_slice());
    for max in [MAX_FOOT_SPEED_MPS, MAX_OTHER_SPEED_MPS] {
        let want = cumulative_track_m(samples, max);
        assert!(
            same_vec(&series.cumulative_track_m(max), &want),
            "{name}: track at {max} m/s"
        );
        assert!(
            same_vec(&distance::cumulative_track_m(samples, max), &want),
            "{name}: track at {max} m/s"
        );
    }
    assert!(same(series.moving_s(), moving_s(samples, 0.5)), "{name}");
    let windowed = (0..samples.len())
        .filter(|&i| speeds[i].is_some() && finite(samples[i].speed_mps).is_none())
        .count();
    if !full {
        return windowed;
    }
    for max in [5.0, f64::NAN] {
        assert!(same_vec(
            &series.cumulative_track_m(max),
            &cumulative_track_m(samples, max)
        ));
    }
    assert!(same_opt(
        series.track_length_m(MAX_FOOT_SPEED_MPS),
        track_length_m(samples, MAX_FOOT_SPEED_MPS)
    ));
    for thr in [0.5, 1.0, f64::NAN] {
        assert!(
            same(distance::moving_s(samples, thr), moving_s(samples, thr)),
            "{name}"
        );
        assert_eq!(series.moving_at(thr).as_ref(), moving_mask(samples, thr));
        assert!(same_opt(
            cadence::mean_cadence_series(&series, thr),
            mean_cadence_spm(samples, thr)
        ));
    }
    assert!(same_opt(
        cadence::mean_cadence_spm(samples, 0.5),
        mean_cadence_spm(samples, 0.5)
    ));
    for off in [0.0, 2.5] {
        assert!(same_opt(
            heat::mean_temp_over(samples, series.intervals(), off),
            mean_temp_c(samples, off)
        ));
        for rh in [None, Some(60.0)] {
            assert!(same_opt(
                heat::heat_minutes_over(samples, series.intervals(), rh, off),
                heat_minutes(samples, rh, off)
            ));
        }
    }
    let (sd_new, sd_ref) = (
        elevation::steep_descent_series(&series, DEFAULT_STEEP_GRADE, 50.0),
        steep_descent(samples, DEFAULT_STEEP_GRADE, 50.0),
    );
    assert!(
        same(sd_new.descent_m, sd_ref.descent_m)
            && same(sd_new.dist_m, sd_ref.dist_m)
            && same_opt(sd_new.duration_s, sd_ref.duration_s)
            && same(sd_new.profile_descent_m, sd_ref.profile_descent_m),
        "{name}: {sd_new:?} vs {sd_ref:?}"
    );
    assert_eq!(elevation::steep_descent(samples, -0.15, 30.0), {
        steep_descent(samples, -0.15, 30.0)
    });
    let (a, b) = (
        elevation::ascent_descent_m(samples, 3.0),
        ascent_descent_m(samples, 3.0),
    );
    assert!(same(a.0, b.0) && same(a.1, b.1), "{name}");
    assert_eq!(intensity::surges_series(&series), surges(samples), "{name}");
    assert_eq!(intensity::surges(samples), surges(samples), "{name}");
    assert_eq!(
        intensity::warmup_data_series(&series, 600.0),
        warmup_data(samples, 600.0)
    );
    assert_eq!(
        intensity::warmup_data(samples, 300.0),
        warmup_data(samples, 300.0)
    );
    assert_eq!(hr::clean_hr_bpm(samples), clean_hr_bpm(samples), "{name}");
    assert_eq!(
        HrProfile::from_series(&series),
        hr_profile(samples),
        "{name}"
    );
    for p in [
        LoadParams::default(),
        LoadParams {
            threshold_speed_mps: Some(4.0),
            ..LoadParams::default()
        },
        LoadParams {
            hr_rest_bpm: Some(50.0),
            hr_max_bpm: Some(190.0),
            sex: Some(Sex::Female),
            threshold_speed_mps: Some(3.5),
            stationary_speed_mps: 1.0,
            max_speed_mps: 8.0,
        },
    ] {
        let (want, src) = load(samples, &p);
        let (got, got_src) = load::load_series(&series, &p);
        assert!(same(got, want) && got_src == src, "{name}: {p:?}");
        let (got, got_src) = load::load(samples, &p);
        assert!(same(got, want) && got_src == src, "{name}: {p:?}");
    }
    windowed
}

/// The linear metrics equal the straightforward ones, bit for bit, on every real activity;
/// the speed estimates, tracks and moving time also with the device speed (and distance)
/// removed, so that every speed comes from the window.
#[test]
fn linear_metrics_equal_the_reference_on_real_files() {
    let acts = real_activities();
    assert!(acts.len() >= 40, "only {} activities", acts.len());
    let mut windowed = 0;
    let mut gpx = 0;
    for a in &acts {
        gpx += usize::from(a.format == Format::Gpx);
        let vs = variants(&a.samples);
        for (k, v) in vs.iter().enumerate() {
            // (a variant equal to the one before adds nothing)
            if k == 0 || *v != vs[k - 1] {
                windowed += compare(&format!("{} (variant {k})", a.source), v, k == 0);
            }
        }
    }
    assert!(gpx >= 4, "{gpx} GPX activities");
    // Most of the ~1 million comparisons went through the window (not the device speed).
    assert!(windowed > 100_000, "{windowed} window speeds");
}

/// The record's metrics (one `Series` shared by all of them) equal the reference functions
/// called one by one, as the reduction called them before.
#[test]
fn summary_metrics_equal_the_reference_on_real_files() {
    use crate::metrics::reduce::{reduce, MetricParams};
    for a in real_activities() {
        let mut s = reduce(&a, &MetricParams::default());
        s.track = crate::dedup::fingerprint(&a.samples);
        let name = &a.source;
        let samples = &a.samples;
        let timed = samples.iter().filter(|s| s.time_utc_ms.is_some()).count() >= 2;
        let mv = moving_s(samples, DEFAULT_STATIONARY_SPEED_MPS);
        assert!(
            same_opt(s.m.moving_s, (timed && mv > 0.0).then_some(mv)),
            "{name}"
        );
        if a.format == Format::Gpx {
            let f = track_length_m(samples, distance::max_speed_mps(&a.sport)).filter(|f| *f > 0.0);
            let stated = a.totals.distance_m;
            let want = match (stated, f) {
                (Some(raw), Some(f)) if f < raw => Some(f),
                _ => stated,
            };
            assert!(same_opt(s.distance_m, want), "{name}");
        }
        if samples.iter().any(|s| s.altitude_m.is_some()) {
            let sd = steep_descent(samples, DEFAULT_STEEP_GRADE, DEFAULT_MIN_HORIZONTAL_M);
            assert!(same_opt(s.m.steep_descent_m, Some(sd.descent_m)), "{name}");
            assert!(
                same_opt(s.m.steep_descent_dist_m, Some(sd.dist_m)),
                "{name}"
            );
            assert!(same_opt(s.m.steep_descent_s, sd.duration_s), "{name}");
        }
        let cad = mean_cadence_spm(samples, DEFAULT_STATIONARY_SPEED_MPS);
        assert!(same_opt(s.m.cadence_spm, cad), "{name}");
        let d = s.deferred.as_ref().unwrap();
        assert_eq!(d.hr, hr_profile(samples), "{name}");
        let (l, src) = load(samples, &LoadParams::default());
        assert!(
            same(d.fallback_load.0, l) && d.fallback_load.1 == src,
            "{name}"
        );
        if a.sport.has_steps() {
            assert_eq!(d.surges, surges(samples), "{name}");
        }
        // the track fingerprint and channel flags, as computed before
        let timed: Vec<(i64, f64, f64)> = samples
            .iter()
            .filter_map(|s| {
                let (lat, lon) = (s.lat_deg?, s.lon_deg?);
                (lat.is_finite() && lon.is_finite()).then_some((s.time_utc_ms?, lat, lon))
            })
            .collect();
        let mut picks: Vec<usize> = (0..5)
            .map(|q| timed.len().saturating_sub(1) * q / 4)
            .collect();
        picks.dedup();
        let want: Vec<(i64, f64, f64)> = picks
            .iter()
            .filter_map(|&i| timed.get(i).copied())
            .collect();
        let got: Vec<(i64, f64, f64)> = s
            .track
            .iter()
            .map(|p| (p.time_utc_ms, p.lat_deg, p.lon_deg))
            .collect();
        assert_eq!(got, want, "{name}");
        let any = |f: fn(&Sample) -> bool| samples.iter().any(f);
        assert_eq!(s.has_hr, any(|s| s.hr_bpm.is_some()), "{name}");
        assert_eq!(
            s.has_position,
            any(|s| s.lat_deg.is_some() && s.lon_deg.is_some())
        );
        assert_eq!(s.has_altitude, any(|s| s.altitude_m.is_some()), "{name}");
        assert_eq!(s.has_temperature, any(|s| s.temp_c.is_some()), "{name}");
        assert_eq!(s.has_power, any(|s| s.power_w.is_some()), "{name}");
        if s.m.temp_source == Some(crate::model::TempSource::Air) {
            assert!(
                same_opt(s.m.temp_avg_c, mean_temp_c(samples, 0.0)),
                "{name}"
            );
            let hm = heat_minutes(samples, None, 0.0);
            assert!(same_opt(s.m.heat_minutes, hm), "{name}");
        }
    }
}

fn wild() -> impl Strategy<Value = Option<f64>> {
    prop::option::of(prop_oneof![
        6 => 0.0f64..50.0,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-3.0),
    ])
}

/// Random series: time steps of 0–59 units of 1 ms (dense sampling: over 64 samples in a
/// window, the window's cap) or of 50 ms (0–3 s), some repeated, some missing, in half the
/// series some backwards; channels sometimes missing or invalid; positions metres apart.
fn arb_series() -> impl Strategy<Value = Vec<Sample>> {
    let points = prop::collection::vec(
        (
            prop_oneof![
                8 => 0i64..60,
                1 => Just(0i64),
                1 => -3000i64..0,
                1 => 10_000i64..30_000,
            ],
            any::<u8>(),
            (wild(), wild(), wild()),
            (-0.0002f64..0.0002, -0.0002f64..0.0002),
        ),
        0..400,
    );
    let unit = prop_oneof![Just(1i64), Just(50i64)];
    (unit, any::<bool>(), points).prop_map(|(unit, backwards, v)| {
        let mut t = 1_700_000_000_000i64;
        let mut d = 0.0;
        let (mut lat, mut lon) = (45.0, 7.0);
        v.into_iter()
            .map(|(dt, flags, (speed, dd, alt), (dlat, dlon))| {
                t += match dt {
                    0..60 => dt * unit,
                    ..0 if !backwards => 0,
                    _ => dt,
                };
                lat += dlat;
                lon += dlon;
                if let Some(x) = dd {
                    d += x / 10.0;
                }
                Sample {
                    time_utc_ms: (flags % 8 != 0).then_some(t),
                    speed_mps: if flags & 2 == 0 { None } else { speed },
                    distance_m: if flags & 4 == 0 { None } else { dd.map(|_| d) },
                    lat_deg: (flags & 8 == 0).then_some(if flags < 240 { lat } else { 91.0 }),
                    lon_deg: (flags & 8 == 0).then_some(lon),
                    altitude_m: alt,
                    hr_bpm: (flags & 16 == 0).then_some(100.0 + f64::from(flags % 90)),
                    cadence_spm: (flags & 32 == 0).then_some(150.0 + f64::from(flags % 30)),
                    temp_c: speed,
                    power_w: None,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    /// The linear metrics equal the reference on random series, bit for bit.
    #[test]
    fn linear_metrics_equal_the_reference_on_random_series(s in arb_series()) {
        compare("random", &s, true);
    }
}
