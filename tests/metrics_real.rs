//! Per-activity metrics on real recordings, against what the devices themselves state.

mod common;

use calfguard::ingest::read_bytes;
use calfguard::metrics::elevation::{ascent_descent_m, DEFAULT_HYSTERESIS_M};

fn activities(name: &str) -> Vec<calfguard::model::Activity> {
    read_bytes(name, &common::fixture(name)).unwrap()
}

/// Ascent from the altitude samples with the 3 m hysteresis (GoldenCheetah's default), against
/// the barometric total the device wrote in the FIT session, on the rides with at least 150 m
/// of climbing. Tolerance 13 %: the Edge MTB differs by 12.3 %. On smaller climbs the devices'
/// own smoothing differs more (fenix 2 +112 %, Forerunner 965 -37 %; see docs/metrics.md), which
/// is why `activities.csv` prefers the session totals (`elevation_source = device`).
#[test]
fn hysteresis_ascent_matches_barometric_session_totals_on_big_climbs() {
    let files = [
        ("pyfitparse_wahoo_elemnt_ride.fit", 185.0),
        ("pyfitparse_coros_pace2_ride_misaligned_fields.fit", 938.0),
        ("jkfit_edge_mtb_ride_jumps.fit", 337.0),
        ("pyfitparse_edge810_ride_power.fit", 514.0),
    ];
    for (name, session_ascent_m) in files {
        let a = activities(name).remove(0);
        assert_eq!(a.totals.ascent_m, Some(session_ascent_m), "{name}");
        let (ours, _) = ascent_descent_m(&a.samples, DEFAULT_HYSTERESIS_M);
        let diff = (ours - session_ascent_m) / session_ascent_m;
        assert!(
            diff.abs() <= 0.13,
            "{name}: {ours:.1} m vs {session_ascent_m} m ({:+.1} %)",
            diff * 100.0
        );
    }
}

/// GPX and TCX temperatures from a watch are its wrist sensor (issue 16 item 6): the sample
/// athlete's GPX runs (TrackPointExtension `atemp`, no device named) are labelled `wrist`; a
/// Garmin Connect GPX ride (Edge 1000, shared corpus) stays `air`, and the same file typed as a
/// run becomes `wrist` (Garmin Connect names no device, and on a run its `atemp` is the watch's).
#[test]
fn gpx_watch_temperature_is_the_wrist_sensor() {
    use calfguard::metrics::reduce::{reduce, MetricParams};
    use calfguard::model::{TempSensor, TempSource};
    let p = common::root().join("fixtures/sample-athlete/activities/2026-07-12_long.gpx");
    let a = read_bytes("long.gpx", &std::fs::read(p).unwrap())
        .unwrap()
        .remove(0);
    assert!(a.samples.iter().any(|s| s.temp_c.is_some()));
    assert_eq!(a.capabilities.temperature, TempSensor::Wrist);
    let r = reduce(&a, &MetricParams::default());
    assert_eq!(r.m.temp_source, Some(TempSource::Wrist));

    let Some(corpus) = common::corpus("Garmin Connect GPX ride temperature") else {
        return;
    };
    let bytes = std::fs::read(corpus.join("gpx/sportslib_edge1000_ride_3939576645.gpx")).unwrap();
    let ride = read_bytes("ride.gpx", &bytes).unwrap().remove(0);
    assert_eq!(ride.capabilities.temperature, TempSensor::Air);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<type>road_biking</type>"));
    let run = text.replace("<type>road_biking</type>", "<type>running</type>");
    let run = read_bytes("run.gpx", run.as_bytes()).unwrap().remove(0);
    assert_eq!(run.capabilities.temperature, TempSensor::Wrist);
    assert_eq!(
        reduce(&run, &MetricParams::default()).m.temp_source,
        Some(TempSource::Wrist)
    );
}

/// Height and weight come from the FIT `user_profile` (issue 16 item 8): the Forerunner 965 run
/// states 1.75 m and 69.0 kg, so the profile says 175 cm and 69 kg from the file instead of the
/// 170 cm default; a configured value still wins.
#[test]
fn height_and_weight_from_the_fit_user_profile() {
    use calfguard::athlete::{resolve, AthleteConfig, Origin};
    let dir = common::input_dir(&["jkfit_fr965_run_power_stamina.fit"]);
    let a = common::run(&[dir.path().to_path_buf()], false);
    assert_eq!(a.activities.len(), 1);
    let p = resolve(&AthleteConfig::default(), &a.activities);
    assert_eq!(p.height_cm.origin, Origin::File);
    assert!((p.height_cm.value.unwrap() - 175.0).abs() < 1e-9);
    assert_eq!(p.weight_kg.origin, Origin::File);
    assert!((p.weight_kg.value.unwrap() - 69.0).abs() < 1e-9);
    assert!(p
        .height_cm
        .note
        .contains("jkfit_fr965_run_power_stamina.fit"));
    let configured = AthleteConfig {
        height_cm: Some(180.0),
        ..AthleteConfig::default()
    };
    let p = resolve(&configured, &a.activities);
    assert_eq!(
        (p.height_cm.value, p.height_cm.origin),
        (Some(180.0), Origin::Config)
    );
    assert!((p.finish_params(Default::default()).height_m - 1.80).abs() < 1e-9);
}

/// Climbing is moving (issue 16 item 7): on the Endomondo hike (GPX, 2 segments, slow steep
/// stretches) the samples climbing or descending at ≥ 300 m/h below 0.5 m/s horizontal now count
/// as moving. Reference: the moving time of the same samples without altitude (the rule before).
#[test]
fn climbing_slowly_is_moving_on_a_real_hike() {
    use calfguard::metrics::distance::{
        climbing_mask, moving_s, speed_estimates_mps, DEFAULT_STATIONARY_SPEED_MPS,
    };
    use calfguard::metrics::elapsed_s;
    let a = activities("phpgpx_endomondo_hike_2seg_hr.gpx").remove(0);
    let with = moving_s(&a.samples, DEFAULT_STATIONARY_SPEED_MPS);
    let mut flat = a.samples.clone();
    for s in &mut flat {
        s.altitude_m = None;
    }
    let without = moving_s(&flat, DEFAULT_STATIONARY_SPEED_MPS);
    let slow_climbs = climbing_mask(&a.samples)
        .iter()
        .zip(speed_estimates_mps(&a.samples))
        .filter(|(c, v)| **c && v.is_some_and(|v| v < DEFAULT_STATIONARY_SPEED_MPS))
        .count();
    eprintln!("hike: moving {without} s without altitude, {with} s with; {slow_climbs} slow climbing samples");
    assert!(slow_climbs > 1000, "{slow_climbs}");
    // measured: 5008 s without altitude, 8236 s with
    assert!(with > without + 2500.0, "{with} vs {without}");
    assert!(with <= elapsed_s(&a.samples));
}

/// HRmax estimated from per-activity peaks (issue 16 item 1) on the real fixtures: the value is
/// the second highest 15-s peak, above the pooled 99.5th percentile it replaces, and the
/// recordings spend less time above it (the fixtures come from many people, so the one with the
/// highest peak still spends a few minutes above it; on single athletes' histories the
/// percentile had them spend 27-83 minutes above it).
#[test]
fn hr_max_is_estimated_from_per_activity_peaks() {
    use calfguard::metrics::hr::sustained_peak_bpm;
    use calfguard::metrics::profile::hr_max_estimate_from;
    let a = common::run(&[common::fixtures()], false);
    let est = hr_max_estimate_from(
        a.activities
            .iter()
            .filter(|r| r.date_ok)
            .filter_map(|r| r.deferred.as_ref().map(|d| &d.hr)),
    )
    .unwrap();
    let mut peaks = Vec::new();
    let mut above: Vec<(f64, f64)> = Vec::new(); // (hr, seconds)
    let mut old_pool = Vec::new();
    for f in std::fs::read_dir(common::fixtures()).unwrap() {
        let path = f.unwrap().path();
        let Ok(acts) = read_bytes(path.to_str().unwrap(), &std::fs::read(&path).unwrap()) else {
            continue;
        };
        for act in acts {
            let plausible = act.start_utc.format("%Y").to_string().as_str() >= "2000";
            if !plausible {
                continue;
            }
            if let Some(pk) = sustained_peak_bpm(&act.samples) {
                peaks.push(pk);
            }
            old_pool.extend(calfguard::metrics::hr::clean_hr_bpm(&act.samples));
            for w in act.samples.windows(2) {
                if let (Some(t0), Some(t1), Some(hr)) =
                    (w[0].time_utc_ms, w[1].time_utc_ms, w[1].hr_bpm)
                {
                    let dt = (t1 - t0) as f64 / 1000.0;
                    if dt > 0.0 && dt <= 10.0 {
                        above.push((hr, dt));
                    }
                }
            }
        }
    }
    peaks.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(est, peaks[1], "{peaks:?}");
    old_pool.sort_by(f64::total_cmp);
    let old = old_pool[(0.995 * (old_pool.len() - 1) as f64) as usize];
    let above_s = |m: f64| above.iter().filter(|x| x.0 > m).map(|x| x.1).sum::<f64>();
    let (new_s, old_s) = (above_s(est), above_s(old));
    eprintln!("HRmax estimate {est} ({new_s} s above), 99.5th percentile {old} ({old_s} s above)");
    // measured: 186 bpm (206 s above) against 183 bpm (417 s above)
    assert!(est > old, "{est} vs {old}");
    assert!(new_s < old_s / 1.5, "{new_s} s vs {old_s} s");
}

/// What a record sheds after the weather join (`ActivityRecord::shed_join_data`: the sample
/// times, the `cleaned` histogram) changes nothing that phase 2 computes from it: the finished
/// records are identical, on a real run with heart rate, with HRmax known and unknown.
#[test]
fn shedding_the_join_data_leaves_phase_2_unchanged() {
    use calfguard::metrics::finish::{finish, FinishParams};
    let params = calfguard::metrics::reduce::MetricParams::default();
    for name in [
        "pyfitparse_fenix2_run_hr_temp.fit",
        "georust_garminconnect_run_ns3_hr_cad.gpx",
    ] {
        for a in activities(name) {
            let kept = calfguard::metrics::reduce::reduce(&a, &params);
            let d = kept.deferred.as_deref().unwrap();
            assert!(!d.times.0.is_empty() && !d.hr.cleaned.is_empty(), "{name}");
            let mut shed = kept.clone();
            shed.shed_join_data();
            let s = shed.deferred.as_deref().unwrap();
            assert!(s.times.0.is_empty() && s.hr.cleaned.is_empty(), "{name}");
            for hr_max_bpm in [None, Some(190.0)] {
                let f = FinishParams {
                    hr_max_bpm,
                    ..FinishParams::default()
                };
                let (mut x, mut y) = (kept.clone(), shed.clone());
                finish(&mut x, &f);
                finish(&mut y, &f);
                assert_eq!(format!("{:?}", x), format!("{:?}", y), "{name}");
            }
        }
    }
}
