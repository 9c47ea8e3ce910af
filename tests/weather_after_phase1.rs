//! The weather is joined after phase 1 (so that a cached record serves any `--weather`): the
//! temperature metrics it gives must be bit for bit those of joining it to the full samples,
//! as phase 1 did before, on every real file of `fixtures/real` (and of the shared corpus when
//! `CALFGUARD_CORPUS` is set).

mod common;

use calfguard::enrich::weather::Weather;
use calfguard::metrics::counted_intervals;
use calfguard::metrics::heat::{heat_minutes_over, mean_temp_over};
use calfguard::metrics::reduce::{apply_weather, reduce, MetricParams, HOT_WRIST};
use calfguard::model::{Activity, TempSource};
use chrono::{DateTime, Duration, Utc};

/// Hourly weather from two hours before `a`'s start to a day after, 20-35 °C, 30-80 % RH.
fn weather_around(a: &Activity) -> Weather {
    let mut text = String::from("time,temp_c,rh_pct\n");
    let start: DateTime<Utc> = a.start_utc - Duration::hours(2);
    for h in 0..30 {
        let t = start + Duration::hours(h);
        let temp = 27.5 + 7.5 * ((h as f64) / 3.0).sin();
        let rh = 55.0 + 25.0 * ((h as f64) / 5.0).cos();
        text.push_str(&format!(
            "{},{temp:.2},{rh:.1}\n",
            t.format("%Y-%m-%dT%H:%MZ")
        ));
    }
    Weather::parse(&text).unwrap()
}

#[test]
fn weather_after_phase_one_equals_weather_on_the_samples() {
    let mut dirs = vec![common::fixtures()];
    dirs.extend(common::corpus_dir());
    let mut compared = 0;
    let mut covered = 0;
    let entries = dirs.iter().flat_map(|d| std::fs::read_dir(d).unwrap());
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !path.is_file() {
            continue;
        }
        let Ok(activities) = calfguard::ingest::read_bytes(&name, &std::fs::read(&path).unwrap())
        else {
            continue;
        };
        for a in activities {
            let w = weather_around(&a);
            let mut r = reduce(&a, &MetricParams::default());
            let times = r.deferred.as_ref().unwrap().times.samples();
            let timed: Vec<i64> = a.samples.iter().filter_map(|s| s.time_utc_ms).collect();
            let back: Vec<i64> = times.iter().filter_map(|s| s.time_utc_ms).collect();
            assert_eq!(timed, back, "{name}: the timeline keeps every sample time");
            compared += 1;
            // Joined to the full samples, as phase 1 did before.
            let Some(full) = w.join(&a.samples) else {
                assert!(w.join(&times).is_none(), "{name}");
                continue;
            };
            covered += 1;
            apply_weather(&mut r, &w.join(&times).unwrap());
            let intervals = counted_intervals(&a.samples);
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            let avg = mean_temp_over(&full.samples, &intervals, 0.0);
            assert_eq!(bits(r.m.temp_avg_c), bits(avg), "{name}: mean temperature");
            let max = full
                .samples
                .iter()
                .filter_map(|s| s.temp_c)
                .reduce(f64::max);
            assert_eq!(
                bits(r.m.temp_max_c),
                bits(max),
                "{name}: highest temperature"
            );
            let hot = heat_minutes_over(&full.samples, &intervals, full.rh_pct, 0.0);
            assert_eq!(bits(r.m.heat_minutes), bits(hot), "{name}: heat minutes");
            assert_eq!(r.m.temp_source, Some(TempSource::Weather), "{name}");
            assert!(!r.warnings.metrics.iter().any(|w| w == HOT_WRIST), "{name}");
            let d = r.deferred.as_ref().unwrap();
            if let Some((t, rh, _, _)) = d.sweat_inputs {
                assert_eq!(Some(t.to_bits()), bits(avg), "{name}: sweat temperature");
                assert_eq!(rh.map(f64::to_bits), bits(full.rh_pct), "{name}: humidity");
            }
        }
    }
    assert!(
        compared >= 28 && covered >= 28,
        "{compared} compared, {covered} covered"
    );
}
