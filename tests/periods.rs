//! Periods, the load model and every flag rule, on hand-made activities.
//!
//! Dates: 2026-01-05 is a Monday (ISO 2026-W02). 2026 has 53 ISO weeks: 2026-W53 runs from
//! Monday 2026-12-28 to Sunday 2027-01-03, and 2027-W01 starts on Monday 2027-01-04.

use calfguard::flags::{analyse, Analysis, Code, Severity, Thresholds};
use calfguard::model::{HeatBand, LoadSource, TempSource, WarmupStatus};
use calfguard::periods::{build, ActivityFacts, PeriodParams};
use calfguard::report::csv::{write_flags, write_months, write_weeks};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::sync::atomic::{AtomicUsize, Ordering};

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Monday of the first baseline week.
fn start() -> NaiveDate {
    d("2026-01-05")
}

fn day(n: i64) -> NaiveDate {
    start() + Duration::days(n)
}

/// A run of `km` kilometres and `min` minutes with an HR load of 1 per minute.
fn run(date: NaiveDate, km: f64, min: f64) -> ActivityFacts {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    ActivityFacts::new(&format!("{date}-run{n:05}.fit"), date)
        .run(km * 1000.0, min * 60.0)
        .load(min, LoadSource::Hr)
}

/// `weeks` steady weeks from [`start`]: 8 km (48 min) on Monday, Wednesday and Friday,
/// 12 km (72 min) on Sunday: 36 km and a load of 216 a week.
fn baseline(weeks: i64) -> Vec<ActivityFacts> {
    let mut v = Vec::new();
    for w in 0..weeks {
        for (off, km, min) in [
            (0, 8.0, 48.0),
            (2, 8.0, 48.0),
            (4, 8.0, 48.0),
            (6, 12.0, 72.0),
        ] {
            v.push(run(day(7 * w + off), km, min));
        }
    }
    v
}

fn go(facts: &[ActivityFacts]) -> Analysis {
    analyse(facts, &Thresholds::default())
}

fn has(a: &Analysis, code: Code) -> bool {
    a.flags.iter().any(|f| f.code == code)
}

fn count(a: &Analysis, code: Code) -> usize {
    a.flags.iter().filter(|f| f.code == code).count()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// ---------------------------------------------------------------- load model by hand

#[test]
fn one_load_week_by_hand() {
    // One activity of load 100 on Monday 2026-01-05: daily loads 100, 0, 0, 0, 0, 0, 0.
    let a = ActivityFacts::new("a.fit", start()).load(100.0, LoadSource::Hr);
    let p = build(&[a], &PeriodParams::default());
    assert_eq!(p.weeks.len(), 1);
    let w = &p.weeks[0];
    assert_eq!(w.period, "2026-W02");
    // EWMA acute (λ = 2/8 = 0.25): day 0 = 25, then ×0.75 a day: Sunday = 25·0.75⁶ = 4.4495.
    // EWMA chronic (λ = 2/29): day 0 = 200/29 = 6.8966, Sunday = 6.8966·(27/29)⁶ = 4.4919.
    let acute = 25.0 * 0.75f64.powi(6);
    let chronic = 200.0 / 29.0 * (27.0f64 / 29.0).powi(6);
    assert!(close(w.acwr.unwrap(), acute / chronic)); // 0.9906
                                                      // Highest on Monday: 25 / (200/29) = 3.625.
    assert!(close(w.acwr_max.unwrap(), 3.625));
    // Rolling: last 7 days 100 / (last 28 days 100 / 4) = 4.
    assert!(close(w.acwr_rolling.unwrap(), 4.0));
    // Foster: mean 100/7, SD = sqrt((600/7)² + 6·(100/7)²)/7) = 100·sqrt(6)/7,
    // monotony = 1/sqrt(6) = 0.4082, strain = 100·0.4082 = 40.82.
    assert!(close(w.monotony.unwrap(), 1.0 / 6f64.sqrt()));
    assert!(close(w.strain.unwrap(), 100.0 / 6f64.sqrt()));
    // Banister: CTL_0 = 100·(1 − e^(−1/42)) = 2.3528, Sunday = CTL_0·e^(−6/42) = 2.0396;
    // ATL_0 = 100·(1 − e^(−1/7)) = 13.312, Sunday = ATL_0·e^(−6/7) = 5.6493.
    // TSB on Sunday = CTL − ATL at the end of Saturday = 2.3528·e^(−5/42) − 13.312·e^(−5/7)
    // = 2.0888 − 6.5169 = −4.4281.
    let ctl0 = 100.0 * (1.0 - (-1.0f64 / 42.0).exp());
    let atl0 = 100.0 * (1.0 - (-1.0f64 / 7.0).exp());
    assert!(close(w.ctl, ctl0 * (-6.0f64 / 42.0).exp()));
    assert!(close(w.atl, atl0 * (-6.0f64 / 7.0).exp()));
    assert!(close(
        w.tsb,
        ctl0 * (-5.0f64 / 42.0).exp() - atl0 * (-5.0f64 / 7.0).exp()
    ));
    assert!((w.tsb - -4.4281).abs() < 1e-4, "{}", w.tsb);
    assert_eq!(w.totals.rest_days, 6);
    assert_eq!(w.totals.load_coverage, Some(1.0));
}

#[test]
fn ramps_by_hand() {
    // Weekly running distance 10, 12, 15, 20 km (one run each Monday).
    let facts: Vec<_> = [10.0, 12.0, 15.0, 20.0]
        .iter()
        .enumerate()
        .map(|(i, km)| run(day(7 * i as i64), *km, 60.0))
        .collect();
    let p = build(&facts, &PeriodParams::default());
    let r: Vec<_> = p.weeks.iter().map(|w| w.ramp_pct).collect();
    // 12/10 − 1 = 20 %; 15/12 − 1 = 25 %; 20/15 − 1 = 33.3 %.
    assert_eq!(r[0], None);
    assert!(close(r[1].unwrap(), 20.0));
    assert!(close(r[2].unwrap(), 25.0));
    assert!(close(r[3].unwrap(), 100.0 / 3.0));
    // Two-week ramp of week 4: (20 + 15) / (12 + 10) − 1 = 35/22 − 1 = 59.09 %.
    assert_eq!(p.weeks[2].two_week_ramp_pct, None);
    assert!(close(
        p.weeks[3].two_week_ramp_pct.unwrap(),
        (35.0 / 22.0 - 1.0) * 100.0
    ));
    // Months: all in January 2026: 57 km, 4 runs, 27 of 31 days without activity.
    assert_eq!(p.months.len(), 1);
    assert_eq!(p.months[0].period, "2026-01");
    assert!(close(p.months[0].totals.distance_m, 57_000.0));
    assert_eq!(p.months[0].totals.rest_days, 27);
}

#[test]
fn rolling_ratio_and_monotony_by_hand() {
    // Four weeks; loads 10 on Monday to Friday of each week (runs of 10 min), weekends off.
    let mut facts = Vec::new();
    for w in 0..4 {
        for off in 0..5 {
            facts.push(run(day(7 * w + off), 1.0, 10.0));
        }
    }
    // Week 4 gets an extra 10 on Saturday and Sunday: 10 every day, so SD = 0.
    facts.push(run(day(26), 1.0, 10.0));
    facts.push(run(day(27), 1.0, 10.0));
    let p = build(&facts, &PeriodParams::default());
    // Week 1: 10,10,10,10,10,0,0: monotony sqrt(2.5) = 1.5811 (see series unit test),
    // strain = 50·1.5811 = 79.06.
    assert!(close(p.weeks[0].monotony.unwrap(), 2.5f64.sqrt()));
    assert!(close(p.weeks[0].strain.unwrap(), 50.0 * 2.5f64.sqrt()));
    // Week 4: SD 0 → monotony and strain empty.
    assert_eq!(p.weeks[3].monotony, None);
    assert_eq!(p.weeks[3].strain, None);
    // Sunday of week 4: last 7 days 70; last 28 days 50+50+50+70 = 220 → 70/(220/4) = 1.2727.
    assert!(close(p.weeks[3].acwr_rolling.unwrap(), 70.0 / 55.0));
    // Sunday of week 1: 50 / (50/4) = 4.
    assert!(close(p.weeks[0].acwr_rolling.unwrap(), 4.0));
}

#[test]
fn empty_weeks_have_zeros_and_series_stay_continuous() {
    // Runs in week 1 and week 4 only: weeks 2 and 3 appear with zeros.
    let facts = vec![run(day(0), 5.0, 30.0), run(day(21), 5.0, 30.0)];
    let p = build(&facts, &PeriodParams::default());
    assert_eq!(p.weeks.len(), 4);
    assert_eq!(p.daily.load.len(), 28);
    let w2 = &p.weeks[1];
    assert_eq!(
        (w2.totals.runs, w2.totals.distance_m, w2.totals.load),
        (0, 0.0, 0.0)
    );
    assert_eq!(w2.totals.rest_days, 7);
    assert_eq!(w2.totals.load_coverage, None);
    // Ramp from an empty week is empty, not infinite.
    assert_eq!(p.weeks[3].ramp_pct, None);
    // ATL decays across the gap: Sunday of week 3 is below Sunday of week 1.
    assert!(p.weeks[2].atl < p.weeks[0].atl);
}

#[test]
fn untrusted_dates_are_left_out_and_counted() {
    let facts = vec![
        run(day(0), 5.0, 30.0),
        run(day(200), 50.0, 300.0).bad_date(),
    ];
    let p = build(&facts, &PeriodParams::default());
    assert_eq!(p.left_out, 1);
    assert_eq!(p.weeks.len(), 1);
    assert!(close(p.weeks[0].totals.distance_m, 5000.0));
}

#[test]
fn totals_count_runs_strength_and_every_sports_load() {
    let ride = ActivityFacts::new("ride.fit", day(1)).load(80.0, LoadSource::Pace);
    let gym = ActivityFacts::new("gym.fit", day(2))
        .strength()
        .load(20.0, LoadSource::Duration);
    let p = build(
        &[run(day(0), 10.0, 60.0), ride, gym],
        &PeriodParams::default(),
    );
    let t = &p.weeks[0].totals;
    assert_eq!(t.runs, 1);
    assert!(close(t.distance_m, 10_000.0));
    assert!(close(t.load, 160.0));
    assert_eq!(t.strength_sessions, 1);
    assert!(close(t.load_coverage.unwrap(), 1.0 / 3.0));
    assert_eq!(t.rest_days, 4);
}

// ---------------------------------------------------------------- ISO weeks

#[test]
fn sunday_night_run_belongs_to_its_local_iso_week() {
    // 23:30 on Sunday 2026-02-15 at UTC−5 is 04:30 UTC on Monday 2026-02-16.
    let start_utc = Utc.with_ymd_and_hms(2026, 2, 16, 4, 30, 0).unwrap();
    let late = run(d("2026-02-15"), 10.0, 60.0).starting(start_utc);
    let monday = run(d("2026-02-16"), 5.0, 30.0);
    let p = build(&[late, monday], &PeriodParams::default());
    assert_eq!(p.weeks.len(), 2);
    assert_eq!(p.weeks[0].period, "2026-W07");
    assert_eq!(p.weeks[0].start_date, d("2026-02-09"));
    assert!(close(p.weeks[0].totals.distance_m, 10_000.0));
    assert_eq!(p.weeks[1].period, "2026-W08");
    assert!(close(p.weeks[1].totals.distance_m, 5_000.0));
}

#[test]
fn iso_year_boundary_2026_w53_to_2027_w01() {
    // Thu 2026-12-31 and Sun 2027-01-03 are in 2026-W53; Mon 2027-01-04 is 2027-W01.
    let facts = vec![
        run(d("2026-12-31"), 5.0, 30.0),
        run(d("2027-01-03"), 6.0, 36.0),
        run(d("2027-01-04"), 7.0, 42.0),
    ];
    let p = build(&facts, &PeriodParams::default());
    let labels: Vec<_> = p.weeks.iter().map(|w| w.period.as_str()).collect();
    assert_eq!(labels, ["2026-W53", "2027-W01"]);
    assert_eq!(p.weeks[0].start_date, d("2026-12-28"));
    assert_eq!(p.weeks[0].totals.runs, 2);
    let months: Vec<_> = p.months.iter().map(|m| m.period.as_str()).collect();
    assert_eq!(months, ["2026-12", "2027-01"]);
    assert_eq!(p.months[1].totals.runs, 2);
    assert_eq!(
        calfguard::periods::iso_week_label(d("2021-01-03")),
        "2020-W53"
    );
}

// ---------------------------------------------------------------- baseline

#[test]
fn steady_baseline_raises_no_load_flags() {
    let a = go(&baseline(10));
    let codes: Vec<_> = a.flags.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.is_empty(), "{codes:?}");
    // Without strength sessions or shoes, those rules say they cannot judge.
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.period == "all" && n.what == "ST-LOW"));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.period == "all" && n.what.contains("FW-SINGLE")));
}

// ---------------------------------------------------------------- overtraining

#[test]
fn ot_spike_tiers() {
    // Longest run of the previous 30 days: 12 km (Sundays). Week 6 Tuesday (day 36).
    // Frandsen 2025: over 10 % medium (10-30 % and 30-100 % had the same hazard), over 100 % high.
    for (km, sev, ratio) in [
        (13.5, Severity::Medium, "1.1 x"), // +12.5 %
        (16.0, Severity::Medium, "1.3 x"), // +33.3 %
        (25.0, Severity::High, "2.1 x"),   // +108.3 %
    ] {
        let mut f = baseline(8);
        f.push(run(day(36), km, km * 6.0));
        let a = go(&f);
        let s: Vec<_> = a.flags.iter().filter(|x| x.code == Code::OtSpike).collect();
        assert_eq!(s.len(), 1, "{km}");
        assert_eq!(s[0].severity, sev);
        assert_eq!(s[0].date, day(36));
        assert!(close(s[0].value.unwrap(), (km / 12.0 - 1.0) * 100.0));
        assert!(s[0].activity.ends_with(".fit"));
        let text =
            calfguard::report::format::render(&s[0].message, calfguard::units::Units::Metric);
        assert!(
            text.starts_with(&format!(
                "{ratio} your longest run of the last 30 days ({km:.1} km vs 12.0 km)"
            )),
            "{text}"
        );
        assert!(s[0].headline, "the week's only flag is its headline");
        assert_eq!(s[0].activity_distance_m, Some(km * 1000.0));
    }
}

#[test]
fn ot_spike_leaves_out_runs_at_vehicle_speed() {
    // 25 km in 25 minutes (16.7 m/s): a car, not a run. Neither spiked nor a reference.
    let mut f = baseline(8);
    f.push(run(day(36), 25.0, 25.0));
    f.push(run(day(37), 14.0, 84.0)); // +16.7 % over 12 km, not -44 % under 25 km
    let a = go(&f);
    let s: Vec<_> = a.flags.iter().filter(|x| x.code == Code::OtSpike).collect();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].date, day(37));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.what == "OT-SPIKE" && n.why.contains("vehicle")));
}

#[test]
fn ot_spike_not_raised_within_ten_percent() {
    let mut f = baseline(8);
    f.push(run(day(36), 13.0, 78.0)); // +8.3 %
    assert!(!has(&go(&f), Code::OtSpike));
}

#[test]
fn ot_ramp10_is_context_never_a_flag() {
    // Week 7 (index 6) gets an extra 5 km: 41 / 36 − 1 = 13.9 % > 10 %: shown in weeks.csv
    // (`ramp_pct`) and the summary's context, never raised (Buist 2008 found no effect).
    let mut f = baseline(8);
    f.push(run(day(43), 5.0, 30.0));
    let a = go(&f);
    assert!(!has(&a, Code::OtRamp10));
    let w = a
        .periods
        .weeks
        .iter()
        .find(|w| w.period == "2026-W08")
        .unwrap();
    assert!(close(w.ramp_pct.unwrap(), (41.0 / 36.0 - 1.0) * 100.0));
}

#[test]
fn ot_ramp2w_raised_and_not() {
    // Weeks 7 and 8 (index 6, 7) +12 km each on Tuesdays (no run over the 12 km Sundays, so no
    // spike): (48 + 48) / (36 + 36) − 1 = 33.3 % > 30 %, and 96 km is above every two weeks of
    // the 8 before (72 km).
    let mut f = baseline(9);
    f.push(run(day(43), 6.0, 36.0));
    f.push(run(day(44), 6.0, 36.0));
    f.push(run(day(50), 6.0, 36.0));
    f.push(run(day(51), 6.0, 36.0));
    let a = go(&f);
    let r: Vec<_> = a
        .flags
        .iter()
        .filter(|x| x.code == Code::OtRamp2w)
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].period, "2026-W09");
    assert_eq!(r[0].severity, Severity::Low);
    assert!(close(r[0].value.unwrap(), 100.0 / 3.0));
    // +4 km each: 80 / 72 − 1 = 11 %: no flag.
    let mut f = baseline(9);
    f.push(run(day(43), 4.0, 24.0));
    f.push(run(day(50), 4.0, 24.0));
    assert!(!has(&go(&f), Code::OtRamp2w));
}

#[test]
fn ot_ramp2w_suppressed_by_a_spike_and_by_a_return_to_habit() {
    // The same +33 %, but one extra run is 16 km (a spike over the 12 km Sundays): the spike is
    // the event, the ramp is not raised.
    let mut f = baseline(9);
    f.push(run(day(43), 12.0, 72.0));
    f.push(run(day(51), 16.0, 96.0));
    let a = go(&f);
    assert!(has(&a, Code::OtSpike));
    assert!(!has(&a, Code::OtRamp2w));
    // A two-week dip to 18 km a week (weeks 6-7), then back to 36: +100 % on the dip, but not
    // above the habit of the 8 weeks before (72 km in two weeks): no flag.
    let f: Vec<_> = baseline(10)
        .into_iter()
        .filter(|x| {
            let k = (x.local_date - start()).num_days();
            !((35..49).contains(&k) && k % 7 != 6) || k % 7 == 0
        })
        .collect();
    let a = go(&f);
    let dip = a
        .periods
        .weeks
        .iter()
        .find(|w| w.period == "2026-W10")
        .unwrap();
    assert!(dip.two_week_ramp_pct.unwrap() > 30.0, "{dip:?}");
    assert!(!has(&a, Code::OtRamp2w));
}

#[test]
fn ot_acwr_raised_and_not() {
    // Week 7 (days 42..48): an extra 600-load session every day: the ratio on its Sunday is over
    // 2.0 (Murray 2017), raised once, dated the Sunday, quoting the weeks.csv number.
    let mut f = baseline(8);
    for k in 42..49 {
        f.push(ActivityFacts::new(&format!("ride{k}.fit"), day(k)).load(600.0, LoadSource::Hr));
    }
    let a = go(&f);
    let r: Vec<_> = a.flags.iter().filter(|x| x.code == Code::OtAcwr).collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].period.as_str(), r[0].date), ("2026-W08", day(48)));
    assert_eq!(r[0].severity, Severity::Low);
    let w = a
        .periods
        .weeks
        .iter()
        .find(|w| w.period == "2026-W08")
        .unwrap();
    assert_eq!(r[0].value, w.acwr);
    assert!(w.acwr.unwrap() > 2.0);
    // 120 min a day: the ratio passes 1.5 but not 2.0: context only.
    let mut f = baseline(8);
    for k in 42..49 {
        f.push(ActivityFacts::new(&format!("ride{k}.fit"), day(k)).load(120.0, LoadSource::Hr));
    }
    let a = go(&f);
    let w = a
        .periods
        .weeks
        .iter()
        .find(|w| w.period == "2026-W08")
        .unwrap();
    assert!(w.acwr_max.unwrap() > 1.5 && w.acwr.unwrap() <= 2.0, "{w:?}");
    assert!(!has(&a, Code::OtAcwr));
    assert!(!has(&go(&baseline(8)), Code::OtAcwr));
}

#[test]
fn ot_monotony_is_context_never_raised() {
    // Week 5 (days 28..34): loads 10,10,10,10,10,10,5 instead of the baseline's pattern.
    // mean 65/7 = 9.286; SD = sqrt((6·(5/7)² + (30/7)²)/7) = sqrt(150/343) = 0.6613·... = 1.7496;
    // monotony = 9.286 / 1.7496 = 5.31 > 2: in weeks.csv, never a flag (context since wave 2).
    let mut f: Vec<_> = baseline(8)
        .into_iter()
        .filter(|x| !(28..35).contains(&(x.local_date - start()).num_days()))
        .collect();
    for (k, min) in (28..35).zip([10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 5.0]) {
        f.push(run(day(k), 1.0, min));
    }
    let a = go(&f);
    let w = a
        .periods
        .weeks
        .iter()
        .find(|w| calfguard::periods::iso_week_label(w.start_date) == "2026-W06")
        .unwrap();
    assert!((w.monotony.unwrap() - 5.307).abs() < 1e-3);
    assert!(!has(&a, Code::OtMonotony));
}

#[test]
fn ot_strain_raised_and_not() {
    // Ten steady weeks, then week 11 with the same load every day (monotony high) and twice the
    // weekly load: strain above the 90th percentile with monotony ≥ 1.5 (Foster 1998).
    let mut f = baseline(10);
    for k in 70..77 {
        f.push(run(day(k), 10.0, 60.0).load(60.0 + (k % 2) as f64 * 10.0, LoadSource::Hr));
    }
    let a = go(&f);
    let r: Vec<_> = a
        .flags
        .iter()
        .filter(|x| x.code == Code::OtStrain)
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].period, "2026-W12");
    assert_eq!(r[0].severity, Severity::Low);
    // Week 11 doubled with the baseline's uneven days: strain doubles (above the percentile)
    // but monotony stays 1.19 < 1.5: not raised.
    let mut f = baseline(10);
    for w in baseline(1) {
        let k = (w.local_date - start()).num_days() + 70;
        f.push(run(day(k), 16.0, 96.0).load(w.load.unwrap() * 2.0, LoadSource::Hr));
    }
    let a = go(&f);
    let w = a
        .periods
        .weeks
        .iter()
        .find(|w| w.period == "2026-W12")
        .unwrap();
    assert!(w.monotony.unwrap() < 1.5);
    assert!(!has(&a, Code::OtStrain));
    assert!(!has(&go(&baseline(11)), Code::OtStrain));
}

// ---------------------------------------------------------------- warm-up

fn hard_run(date: NaiveDate, status: WarmupStatus) -> ActivityFacts {
    let mut r = run(date, 10.0, 50.0).hard(status);
    r.warmup_hr_pct = Some(88.0);
    r
}

/// Hard runs on Tuesdays and Thursdays of weeks 0-3 with these statuses, in order.
fn hard_weeks(statuses: &[WarmupStatus]) -> Vec<ActivityFacts> {
    statuses
        .iter()
        .enumerate()
        .map(|(i, st)| hard_run(day(7 * (i as i64 / 2) + 1 + 2 * (i as i64 % 2)), *st))
        .collect()
}

#[test]
fn wu_is_a_pattern_raised_once_per_four_weeks() {
    use WarmupStatus::{Adequate, None as No, Short};
    // 3 of the last 4 hard sessions without a warm-up: one low WU-NONE on the third, then
    // nothing more for 28 days however many follow.
    let a = go(&hard_weeks(&[No, Adequate, No, No, No, No, No, No]));
    let r: Vec<_> = a.flags.iter().filter(|x| x.code == Code::WuNone).collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].severity, Severity::Low);
    assert_eq!(
        r[0].date,
        day(10),
        "the fourth hard run, the third without warm-up"
    );
    assert_eq!(r[0].value, Some(75.0));
    let text = calfguard::report::format::render(&r[0].message, calfguard::units::Units::Metric);
    assert!(
        text.starts_with("3 of your last 4 hard sessions started at full effort"),
        "{text}"
    );
    // Mostly short warm-ups: WU-SHORT, also low.
    let a = go(&hard_weeks(&[Short, Short, Adequate, Short]));
    assert_eq!(count(&a, Code::WuShort), 1);
    assert!(a.flags.iter().all(|f| f.severity == Severity::Low));
    // 2 of 4: no pattern, no flag; a single run without warm-up is not a pattern either.
    let a = go(&hard_weeks(&[No, Adequate, No, Adequate]));
    assert!(!has(&a, Code::WuNone) && !has(&a, Code::WuShort));
    let a = go(&[hard_run(day(0), WarmupStatus::None)]);
    assert!(!has(&a, Code::WuNone) && !has(&a, Code::WuShort));
}

#[test]
fn wu_never_about_a_race_or_a_run_over_two_hours() {
    use WarmupStatus::None as No;
    // Three hard runs over two hours (race-like) without warm-up: never judged.
    let f: Vec<_> = (0..4)
        .map(|i| run(day(7 * i + 1), 25.0, 130.0).hard(No))
        .collect();
    assert!(!has(&go(&f), Code::WuNone));
}

#[test]
fn separately_saved_warmup_counts() {
    use WarmupStatus::None as No;
    let hard = hard_weeks(&[No, No, No]);
    let last = hard[2].clone();
    let hard_start = last.start_utc;
    // A 10-minute jog that ended 5 minutes before the third hard run: adequate, only 2 of 3.
    let jog = run(last.local_date, 1.5, 10.0).starting(hard_start - Duration::minutes(15));
    let mut f = hard.clone();
    f.push(jog);
    let a = go(&f);
    assert!(!has(&a, Code::WuNone) && !has(&a, Code::WuShort));
    // A 3-minute jog just before: too short; 3 of 3 poor, raised.
    let jog = run(last.local_date, 0.5, 3.0).starting(hard_start - Duration::minutes(4));
    let mut f = hard.clone();
    f.push(jog);
    let a = go(&f);
    assert_eq!(count(&a, Code::WuNone) + count(&a, Code::WuShort), 1);
    // A 10-minute jog that ended 20 minutes before: not its warm-up.
    let jog = run(last.local_date, 1.5, 10.0).starting(hard_start - Duration::minutes(30));
    let mut f = hard;
    f.push(jog);
    assert_eq!(count(&go(&f), Code::WuNone), 1);
}

// ---------------------------------------------------------------- heat and electrolytes

#[test]
fn heat_long_raised_and_not() {
    let a = go(&[run(day(0), 13.0, 75.0).hot(26.0, HeatBand::Red)]);
    let r: Vec<_> = a
        .flags
        .iter()
        .filter(|x| x.code == Code::HeatLong)
        .collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].severity, Severity::Medium);
    assert!(close(r[0].value.unwrap(), 75.0));
    let a = go(&[run(day(0), 13.0, 75.0).hot(29.0, HeatBand::Black)]);
    assert_eq!(
        a.flags
            .iter()
            .find(|x| x.code == Code::HeatLong)
            .unwrap()
            .severity,
        Severity::High
    );
    // Hot but short; long but cool.
    assert!(!has(
        &go(&[run(day(0), 8.0, 45.0).hot(26.0, HeatBand::Red)]),
        Code::HeatLong
    ));
    assert!(!has(&go(&[run(day(0), 13.0, 75.0)]), Code::HeatLong));
    // Weekly count of hot long runs.
    let p = build(
        &[run(day(0), 13.0, 75.0).hot(26.0, HeatBand::Red)],
        &PeriodParams::default(),
    );
    assert_eq!(p.weeks[0].totals.hot_long_runs, 1);
    assert!(close(p.weeks[0].totals.heat_minutes, 75.0));
}

#[test]
fn heat_long_by_heat_index_alone() {
    let mut r = run(day(0), 13.0, 75.0).temp_from(TempSource::Weather);
    r.heat_index_c = Some(33.0);
    assert!(has(&go(&[r.clone()]), Code::HeatLong));
    r.heat_index_c = Some(30.0);
    assert!(!has(&go(&[r.clone()]), Code::HeatLong));
    // The metric's own `hot` (heat index 27 °C, or 25 °C air without humidity) is not the
    // documented threshold: not hot.
    r.hot = true;
    assert!(!has(&go(&[r]), Code::HeatLong));
}

#[test]
fn wrist_temperatures_are_not_judged_without_an_offset_or_weather() {
    let hot_wrist = || {
        run(day(0), 13.0, 75.0)
            .hot(29.0, HeatBand::Black)
            .temp_from(TempSource::Wrist)
    };
    let a = go(&[hot_wrist()]);
    assert!(!has(&a, Code::HeatLong) && !has(&a, Code::HeatAcclim));
    assert!(a.not_judged.iter().any(|n| n.what.contains("HEAT-LONG")
        && n.why.contains("wrist sensor")
        && n.why.contains("--weather")));
    // With a configured offset the wrist is judged, but black-flag heat is high only from
    // weather data: medium here.
    let th = Thresholds {
        wrist_offset_set: true,
        ..Thresholds::default()
    };
    let a = analyse(&[hot_wrist()], &th);
    let f = a.flags.iter().find(|f| f.code == Code::HeatLong).unwrap();
    assert_eq!(f.severity, Severity::Medium);
    let text = calfguard::report::format::render(&f.message, calfguard::units::Units::Metric);
    assert!(
        text.contains("from the wrist sensor, offset-corrected"),
        "{text}"
    );
    // The same run measured by weather data: high, and the message says so.
    let a = go(&[run(day(0), 13.0, 75.0).hot(29.0, HeatBand::Black)]);
    let f = a.flags.iter().find(|f| f.code == Code::HeatLong).unwrap();
    assert_eq!(f.severity, Severity::High);
    let text = calfguard::report::format::render(&f.message, calfguard::units::Units::Metric);
    assert!(
        text.contains("WBGT 29.0 °C") && text.contains("from weather data"),
        "{text}"
    );
}

#[test]
fn heat_sweat_raised_and_not() {
    // HEAT-SWEAT is judged only with a stated fluid intake (the estimate subtracts it).
    let th = Thresholds {
        fluid_intake_l_per_h: Some(0.4),
        ..Thresholds::default()
    };
    let hot = |pct| {
        run(day(0), 10.0, 60.0)
            .temp_from(TempSource::Air)
            .sweat(pct)
    };
    let a = analyse(&[hot(2.6)], &th);
    let r: Vec<_> = a
        .flags
        .iter()
        .filter(|f| f.code == Code::HeatSweat)
        .collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].severity, Severity::Low);
    assert!(!has(&analyse(&[hot(1.8)], &th), Code::HeatSweat));
    // Without a stated intake: not raised, and "Not judged" says why.
    let a = go(&[hot(2.6)]);
    assert!(!has(&a, Code::HeatSweat));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.what == "HEAT-SWEAT" && n.why.contains("fluid_intake_l_per_h")));
}

#[test]
fn heat_acclim_first_hot_days_after_two_weeks() {
    // Eight cool weeks, then hot runs every day from day 56: hot days 1..3 are flagged,
    // day 4 and later are not.
    let mut f = baseline(8);
    for k in 56..62 {
        f.push(run(day(k), 5.0, 30.0).hot(25.0, HeatBand::Red));
    }
    let a = go(&f);
    let dates: Vec<_> = a
        .flags
        .iter()
        .filter(|x| x.code == Code::HeatAcclim)
        .map(|x| x.date)
        .collect();
    assert_eq!(dates, [day(56), day(57), day(58)]);
}

#[test]
fn heat_acclim_not_raised_when_heat_is_regular() {
    // Hot runs every 7 days from the data start (no gap of 14 days): once past the first
    // three hot days (not judged: data start too close), nothing is flagged.
    let mut f = baseline(8);
    for w in 0..8 {
        f.push(run(day(7 * w + 1), 5.0, 30.0).hot(25.0, HeatBand::Red));
    }
    let a = go(&f);
    assert!(!has(&a, Code::HeatAcclim));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.what.contains("HEAT-ACCLIM") && n.period == "2026-W02"));
}

#[test]
fn heat_acclim_after_a_gap_between_hot_days() {
    // A hot run on day 20, then hot again on day 40: 19 days without heat ≥ 14, flagged with
    // value 19. Hot again on day 50 after day 40 (9 days): same block, hot day 2, flagged;
    // a hot day 30 instead of 40 (9 days after day 20) would continue the first block.
    let mut f = baseline(8);
    f.push(run(day(20), 5.0, 30.0).hot(25.0, HeatBand::Red));
    f.push(run(day(40), 5.0, 30.0).hot(25.0, HeatBand::Red));
    let a = go(&f);
    let r: Vec<_> = a
        .flags
        .iter()
        .filter(|x| x.code == Code::HeatAcclim)
        .collect();
    // Day 20 is hot day 1 after 20 heat-free days of data; day 40 starts a new block.
    assert_eq!(r.len(), 2);
    assert_eq!((r[1].date, r[1].value), (day(40), Some(19.0)));
    let mut f = baseline(8);
    for k in [20, 24, 28, 32] {
        f.push(run(day(k), 5.0, 30.0).hot(25.0, HeatBand::Red));
    }
    let dates: Vec<_> = go(&f)
        .flags
        .iter()
        .filter(|x| x.code == Code::HeatAcclim)
        .map(|x| x.date)
        .collect();
    // Hot days 1..3 of the block are flagged, the 4th (day 32) is not.
    assert_eq!(dates, [day(20), day(24), day(28)]);
}

#[test]
fn el_long_is_folded_into_heat_long() {
    // A hot run of 95 minutes: one HEAT-LONG whose advice covers electrolytes, no EL-LONG.
    let a = go(&[run(day(0), 16.0, 95.0).hot(24.0, HeatBand::Red)]);
    assert!(!has(&a, Code::ElLong));
    assert_eq!(count(&a, Code::HeatLong), 1);
    assert!(Code::HeatLong.advice().contains("sodium"));
}

// ---------------------------------------------------------------- downhill

/// Every run gets a known descent of 0 m, and the week's Sunday long run gets `m`.
fn with_descent(mut f: Vec<ActivityFacts>, week: i64, m: f64) -> Vec<ActivityFacts> {
    for r in f.iter_mut().filter(|r| r.steep_descent_m.is_none()) {
        r.steep_descent_m = Some(0.0);
    }
    let sunday = day(7 * week + 6);
    let r = f.iter_mut().find(|x| x.local_date == sunday).unwrap();
    r.steep_descent_m = Some(m);
    f
}

#[test]
fn dh_spike_raised_and_not() {
    // 100 m a week for weeks 1..6, then 200 m in week 7: over 1.3 × the largest previous week
    // (Bontemps 2020) and over 150 m.
    let mut f = baseline(8);
    for w in 0..6 {
        f = with_descent(f, w, 100.0);
    }
    let a = go(&with_descent(f.clone(), 6, 200.0));
    let r: Vec<_> = a.flags.iter().filter(|x| x.code == Code::DhSpike).collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].period, "2026-W08");
    assert_eq!(r[0].severity, Severity::Low);
    assert!(close(r[0].threshold.unwrap(), 130.0));
    // 140 m is over 1.3 × 100 but under the 150 m a week needs.
    assert!(!has(&go(&with_descent(f.clone(), 6, 140.0)), Code::DhSpike));
    // One big earlier week (300 m in week 4) protects: 200 m is under 1.3 × 300.
    let g = with_descent(f.clone(), 3, 300.0);
    assert!(!has(&go(&with_descent(g, 6, 200.0)), Code::DhSpike));
    // Per-run descent under 15 m is altitude noise: 14 m on every run of week 7 besides 160 m
    // on an earlier week is not counted (160 + 0 vs 100).
    let mut g = with_descent(f, 6, 120.0);
    for r in g
        .iter_mut()
        .filter(|r| (42..48).contains(&(r.local_date - start()).num_days()))
    {
        r.steep_descent_m = Some(14.0);
    }
    assert!(!has(&go(&g), Code::DhSpike));
}

#[test]
fn dh_new_raised_and_not() {
    // No descent for six weeks, then 160 m.
    let a = go(&with_descent(baseline(8), 6, 160.0));
    assert_eq!(count(&a, Code::DhNew), 1);
    assert!(!has(&a, Code::DhSpike));
    // 80 m is under the 150 m minimum.
    assert!(!has(&go(&with_descent(baseline(8), 6, 80.0)), Code::DhNew));
    // Descent unknown on every earlier run (no altitude): not judged rather than "new".
    let mut f = baseline(8);
    f.iter_mut()
        .find(|r| r.local_date == day(48))
        .unwrap()
        .steep_descent_m = Some(160.0);
    let a = go(&f);
    assert!(!has(&a, Code::DhNew));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.what == "DH-NEW" && n.why.contains("no descent data")));
}

// ---------------------------------------------------------------- strength

#[test]
fn st_low_is_context_never_raised() {
    // One strength session in week 1 only: the last 4 weeks hold fewer than 4 sessions from
    // week 5 on, which the summary states as context; no flag (context since wave 2).
    let mut f = baseline(20);
    f.push(ActivityFacts::new("gym0.fit", day(1)).strength());
    let a = go(&f);
    assert!(!has(&a, Code::StLow));
    assert!(!a.not_judged.iter().any(|n| n.what == "ST-LOW"));
    // Without any strength session the note says it was not judged.
    assert!(go(&baseline(8))
        .not_judged
        .iter()
        .any(|n| n.period == "all" && n.what == "ST-LOW"));
}

// ---------------------------------------------------------------- footwear

#[test]
fn fw_single_raised_and_not() {
    let one: Vec<_> = baseline(4).into_iter().map(|r| r.gear("Shoe A")).collect();
    let a = go(&one);
    assert_eq!(count(&a, Code::FwSingle), 1); // judged from the 4th week on
    let two: Vec<_> = baseline(4)
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.gear(if i % 2 == 0 { "Shoe A" } else { "Shoe B" }))
        .collect();
    assert!(!has(&go(&two), Code::FwSingle));
}

#[test]
fn fw_km_raised_once_and_threshold_is_configurable() {
    // 36 km a week in one shoe; with a 100 km limit the shoe passes it in week 3
    // (72 km after week 2, 80, 88, 96, 108 km on the week-3 Sunday).
    let f: Vec<_> = baseline(5).into_iter().map(|r| r.gear("Shoe A")).collect();
    let th = Thresholds {
        shoe_max_km: 100.0,
        ..Thresholds::default()
    };
    let a = analyse(&f, &th);
    let r: Vec<_> = a.flags.iter().filter(|x| x.code == Code::FwKm).collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].date, day(20));
    assert!(close(r[0].value.unwrap(), 108.0));
    // The default 700 km is not reached.
    assert!(!has(&go(&f), Code::FwKm));
}

#[test]
fn fw_new_raised_when_a_new_pair_takes_most_of_a_week() {
    // Weeks 1-4 in "Old"; from week 5 (days 28..) every run in "New": the new pair carries
    // 100 % of weeks 5 and 6 (its first run is 6 and 13 days before those Sundays, under the
    // 14 days of "new"); by week 7 it is 20 days old. A 50/50 split stays at the 50 % threshold.
    let f: Vec<_> = baseline(7)
        .into_iter()
        .map(|r| {
            let shoe = if r.local_date >= day(28) {
                "New"
            } else {
                "Old"
            };
            r.gear(shoe)
        })
        .collect();
    let a = go(&f);
    let r: Vec<_> = a.flags.iter().filter(|x| x.code == Code::FwNew).collect();
    assert_eq!(r.len(), 2, "the new pair's first two weeks: {r:?}");
    assert_eq!(r[0].period, a.periods.weeks[4].period);
    assert_eq!(r[1].period, a.periods.weeks[5].period);
    assert!(close(r[0].value.unwrap(), 100.0));
    let message = calfguard::report::format::render(&r[0].message, calfguard::units::Units::Metric);
    assert!(message.contains("New shoe \"New\""), "{message}");
    let half: Vec<_> = baseline(6)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let shoe = if r.local_date >= day(28) && i % 2 == 0 {
                "New"
            } else {
                "Old"
            };
            r.gear(shoe)
        })
        .collect();
    assert!(!has(&go(&half), Code::FwNew));
    // A first pair is not "new": nothing to replace.
    let only: Vec<_> = baseline(2).into_iter().map(|r| r.gear("Only")).collect();
    assert!(!has(&go(&only), Code::FwNew));
}

// ---------------------------------------------------------------- not judged

#[test]
fn not_judged_in_first_28_days() {
    // A 25 km run on day 10 (+108 % over 12 km) is not judged: too little history.
    let mut f = baseline(8);
    f.push(run(day(10), 25.0, 150.0));
    let a = go(&f);
    assert!(!has(&a, Code::OtSpike));
    let n = a
        .not_judged
        .iter()
        .find(|n| n.period == "2026-W03" && n.what.contains("OT-SPIKE"))
        .expect("note");
    assert!(n.why.contains("first 28 days"), "{}", n.why);
    // The two-week ramp of week 2 is not judged either.
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.period == "2026-W02" && n.what.contains("OT-ACWR")));
    // The same run on day 36 is judged and flagged.
    let mut f = baseline(8);
    f.push(run(day(36), 25.0, 150.0));
    assert!(has(&go(&f), Code::OtSpike));
}

#[test]
fn not_judged_notes_for_spike_without_reference_and_strain_without_history() {
    // Cycling only for five weeks, then a first run: no run in the previous 30 days.
    let mut f: Vec<_> = (0..35)
        .map(|k| ActivityFacts::new(&format!("ride{k}.fit"), day(k)).load(30.0, LoadSource::Hr))
        .collect();
    f.push(run(day(35), 10.0, 60.0));
    let a = go(&f);
    assert!(!has(&a, Code::OtSpike));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.what == "OT-SPIKE" && n.why.contains("no run in the 30 days")));
    // The same load every day has SD 0, so the earlier weeks have no strain value and the
    // week of the first run (strain defined) has nothing to compare with.
    assert!(a.not_judged.iter().any(|n| n.period == "2026-W07"
        && n.what == "OT-STRAIN"
        && n.why.contains("fewer than 4 of the previous 12 weeks")));
}

#[test]
fn downhill_not_judged_in_first_28_days() {
    let f = with_descent(baseline(8), 1, 200.0);
    let a = go(&f);
    assert!(!has(&a, Code::DhNew) && !has(&a, Code::DhSpike));
    assert!(a
        .not_judged
        .iter()
        .any(|n| n.period == "2026-W03" && n.what == "DH-SPIKE, DH-NEW"));
}

#[test]
fn not_judged_after_a_21_day_break() {
    // Six steady weeks (days 0..41), no activity on days 42..65 (24 days), then steady
    // running again from day 66 (a Monday? 66 = 9·7 + 3: Thursday) with a 20 km run on day 70.
    let mut f = baseline(6);
    f.push(run(day(66), 8.0, 48.0));
    f.push(run(day(68), 12.0, 72.0));
    f.push(run(day(70), 20.0, 120.0));
    let a = go(&f);
    assert!(!has(&a, Code::OtSpike));
    let n = a
        .not_judged
        .iter()
        .find(|n| n.what.contains("OT-SPIKE") && n.why.contains("break"))
        .expect("note");
    assert!(n.why.contains("break of 24 days"), "{}", n.why);
    // 28 days after the break ends, a spike is judged again.
    let mut f = baseline(6);
    for k in (66..94).step_by(2) {
        f.push(run(day(k), 8.0, 48.0));
    }
    f.push(run(day(94), 20.0, 120.0)); // 94 − 66 = 28 days
    assert!(has(&go(&f), Code::OtSpike));
    // A 20-day gap is not a break.
    let mut f = baseline(6);
    f.push(run(day(62), 20.0, 120.0)); // days 42..61 idle: 20 days
    assert!(has(&go(&f), Code::OtSpike));
}

// ---------------------------------------------------------------- output

fn everything() -> Vec<ActivityFacts> {
    let mut f = baseline(12);
    f.push(run(day(36), 25.0, 150.0));
    f.push(
        run(day(43), 16.0, 95.0)
            .hot(29.0, HeatBand::Black)
            .sweat(3.1),
    );
    f.push(hard_run(day(50), WarmupStatus::None));
    f.push(ActivityFacts::new("gym.fit", day(3)).strength());
    f.push(run(day(300), 1.0, 6.0).bad_date());
    with_descent(f, 8, 120.0)
        .into_iter()
        .map(|r| r.gear("Shoe A"))
        .collect()
}

fn csv_bytes(facts: &[ActivityFacts]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let a = go(facts);
    let dir = tempfile::tempdir().unwrap();
    let (w, m, fl) = (
        dir.path().join("weeks.csv"),
        dir.path().join("months.csv"),
        dir.path().join("flags.csv"),
    );
    write_weeks(&w, &a.periods.weeks).unwrap();
    write_months(&m, &a.periods.months).unwrap();
    write_flags(&fl, &a.flags).unwrap();
    (
        std::fs::read(w).unwrap(),
        std::fs::read(m).unwrap(),
        std::fs::read(fl).unwrap(),
    )
}

#[test]
fn shuffled_input_gives_identical_csv_bytes() {
    let f = everything();
    let first = csv_bytes(&f);
    let mut rev = f.clone();
    rev.reverse();
    assert_eq!(first, csv_bytes(&rev));
    // A fixed interleaving: every 7th element first.
    let mut mixed: Vec<_> = f.iter().step_by(7).cloned().collect();
    mixed.extend(
        f.iter()
            .enumerate()
            .filter(|(i, _)| i % 7 != 0)
            .map(|(_, x)| x.clone()),
    );
    assert_eq!(first, csv_bytes(&mixed));
    assert!(!first.2.is_empty());
    assert_eq!(go(&f).not_judged, go(&mixed).not_judged);
    assert_eq!(go(&f).flags, go(&rev).flags);
}

#[test]
fn csv_columns_are_the_contract() {
    let (w, m, f) = csv_bytes(&everything());
    let header = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        header(&w),
        "period,start_date,runs,distance_m,moving_s,load,load_coverage,longest_run_m,hard_runs,\
steep_descent_m,heat_minutes,hot_long_runs,strength_sessions,rest_days,ramp_pct,two_week_ramp_pct,\
acwr,acwr_max,acwr_rolling,monotony,strain,ctl,atl,tsb,flags"
    );
    assert_eq!(
        header(&m),
        "period,start_date,runs,distance_m,moving_s,load,load_coverage,longest_run_m,hard_runs,\
steep_descent_m,heat_minutes,hot_long_runs,strength_sessions,rest_days,ramp_pct"
    );
    assert_eq!(
        header(&f),
        "period,date,code,category,severity,value,threshold,window,coverage,evidence,source,\
activity,message,advice,headline"
    );
    let text = String::from_utf8(w).unwrap();
    assert!(!text.contains("NaN") && !text.contains("inf"));
    // The spike week lists its codes, `;`-joined and sorted.
    let w07 = text.lines().find(|l| l.starts_with("2026-W07")).unwrap();
    assert!(w07.ends_with(",FW-SINGLE;OT-SPIKE"), "{w07}");
}

#[test]
fn every_code_has_text() {
    for c in Code::ALL {
        assert!(!c.evidence().is_empty() && !c.source().is_empty() && !c.advice().is_empty());
        assert!(c.as_str().contains('-'));
    }
}
