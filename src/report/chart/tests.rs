//! Golden file: `tests/golden/weeks.svg`. After an intended change to the chart, regenerate
//! it with `UPDATE_GOLDEN=1 cargo test --lib report::chart` and review the diff (open the
//! SVG). `CHART_PNG=1` also writes the rasterised charts to the system temp folder.

use super::draw::{draw, nice_max, register_font, FLAGS_H, HEAD_H, MAIN_H};
use super::plan::{next_month, plan};
use super::*;
use crate::flags::{Code, Severity};
use crate::periods::Totals;
use chrono::Duration;
use chrono::{Datelike, NaiveDate};
use plotters::style::RGBColor;
use quick_xml::events::Event;
use resvg::{tiny_skia, usvg};
use std::ops::Range;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Sixteen hand-made weeks from Monday 2025-06-02: a build-up, a spike, a rest week
/// (no distance), a hot block and some descent.
pub(crate) fn fixture_weeks() -> Vec<Week> {
    let km = [
        20.0, 24.0, 26.5, 0.0, 30.0, 33.0, 48.0, 35.0, 12.0, 0.0, 28.0, 31.0, 34.0, 36.0, 40.0,
        22.0,
    ];
    let longest = [
        8.0, 10.0, 12.0, 0.0, 12.0, 14.0, 24.0, 16.0, 6.0, 0.0, 12.0, 13.0, 15.0, 16.0, 18.0, 10.0,
    ];
    let descent = [
        0.0, 50.0, 80.0, 0.0, 120.0, 0.0, 310.0, 90.0, 0.0, 0.0, 0.0, 60.0, 70.0, 140.0, 200.0,
        40.0,
    ];
    let heat = [
        0.0, 0.0, 30.0, 0.0, 45.0, 90.0, 150.0, 120.0, 20.0, 0.0, 0.0, 0.0, 35.0, 60.0, 75.0, 0.0,
    ];
    let acwr = [
        None,
        None,
        Some(1.05),
        Some(0.55),
        Some(0.95),
        Some(1.12),
        Some(1.62),
        Some(1.2),
        Some(0.7),
        None,
        Some(0.9),
        Some(1.0),
        Some(1.1),
        Some(1.15),
        Some(1.28),
        Some(0.85),
    ];
    (0..16)
        .map(|i| {
            let start = d("2025-06-02") + Duration::days(7 * i as i64);
            Week {
                period: crate::periods::iso_week_label(start),
                start_date: start,
                totals: Totals {
                    runs: u32::from(km[i] > 0.0) * 3,
                    distance_m: km[i] * 1000.0,
                    longest_run_m: longest[i] * 1000.0,
                    steep_descent_m: descent[i],
                    heat_minutes: heat[i],
                    ..Totals::default()
                },
                acwr: acwr[i],
                ..Week::default()
            }
        })
        .collect()
}

pub(crate) fn flag(date: &str, code: Code, severity: Severity, message: &str) -> Flag {
    let date = d(date);
    Flag {
        period: crate::periods::iso_week_label(date),
        date,
        code,
        severity,
        value: Some(42.5),
        threshold: Some(10.0),
        window: "7 days".into(),
        coverage: Some(1.0),
        activity: String::new(),
        message: message.into(),
        activity_start_local: None,
        activity_distance_m: None,
        headline: false,
    }
}

pub(crate) fn fixture_flags() -> Vec<Flag> {
    vec![
        flag("2025-06-18", Code::HeatLong, Severity::Low, "Hot long run."),
        flag("2025-07-13", Code::OtRamp10, Severity::Medium, "Up 45 %."),
        flag(
            "2025-07-16",
            Code::OtSpike,
            Severity::High,
            "24 km after 14 km.",
        ),
        flag(
            "2025-07-19",
            Code::DhSpike,
            Severity::Medium,
            "310 m of descent.",
        ),
        flag("2025-09-14", Code::OtRamp10, Severity::Low, "Up 11 %."),
    ]
}

/// Every start tag closed, in order; returns the number of elements.
pub(crate) fn assert_well_formed(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                elements += 1;
                stack.push(e.name().as_ref().to_vec());
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::End(e)) => {
                let open = stack.pop().expect("end tag without start tag");
                assert_eq!(open, e.name().as_ref(), "mismatched end tag");
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    elements
}

fn rasterise(svg: &str) -> tiny_skia::Pixmap {
    let mut opt = usvg::Options::default();
    // Only the embedded font: no system fonts, so the check is the same everywhere.
    opt.fontdb_mut().load_font_data(FONT_TTF.to_vec());
    opt.fontdb_mut().set_sans_serif_family(FONT_FAMILY);
    opt.font_family = FONT_FAMILY.to_string();
    let tree = usvg::Tree::from_str(svg, &opt).expect("resvg parses the SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
}

fn save_png(pixmap: &tiny_skia::Pixmap, name: &str) {
    if std::env::var_os("CHART_PNG").is_some() {
        let path = std::env::temp_dir().join(name);
        pixmap.save_png(&path).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

fn pixel(p: &tiny_skia::Pixmap, x: u32, y: u32) -> (u8, u8, u8) {
    let c = p.pixel(x, y).unwrap().demultiply();
    (c.red(), c.green(), c.blue())
}

fn is(c: (u8, u8, u8), want: RGBColor) -> bool {
    let close = |a: u8, b: u8| a.abs_diff(b) <= 8;
    close(c.0, want.0) && close(c.1, want.1) && close(c.2, want.2)
}

/// Pixel rows of the main chart.
fn main_rows() -> Range<u32> {
    HEAD_H + FLAGS_H..HEAD_H + FLAGS_H + MAIN_H
}

#[test]
fn golden_weeks_svg() {
    let svg = weeks_svg(&fixture_weeks(), &[], &fixture_flags(), &[], Units::Metric);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/weeks.svg");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &svg).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("tests/golden/weeks.svg missing: run with UPDATE_GOLDEN=1");
    assert!(
        svg == want,
        "weeks.svg differs from {}; if intended, rerun with UPDATE_GOLDEN=1 and review",
        path.display()
    );
}

#[test]
fn svg_is_well_formed_and_deterministic() {
    let weeks = fixture_weeks();
    let a = weeks_svg(&weeks, &[], &fixture_flags(), &[], Units::Metric);
    let b = weeks_svg(&weeks, &[], &fixture_flags(), &[], Units::Metric);
    assert_eq!(a, b);
    assert!(a.starts_with("<svg"));
    assert!(assert_well_formed(&a) > 100);
    assert!(a.contains("running distance (km)"));
    assert!(a.contains("steep descent (m)"));
    assert!(a.contains("heat (min)"));
    assert!(a.contains("acute:chronic ratio"));
    assert!(a.contains("week starting (local date)"));
    assert!(a.contains(&format!("font-family=\"{FONT_FAMILY}\"")));
    assert!(
        !a.contains("sans-serif"),
        "every text uses the embedded font"
    );
}

#[test]
fn resvg_renders_bars_where_weeks_have_distance() {
    let weeks = fixture_weeks();
    let plan = plan(&weeks, &[], &fixture_flags(), &[], Units::Metric);
    let (svg, spans) = draw(&plan);
    let pixmap = rasterise(&svg);
    save_png(&pixmap, "calfguard-weeks.png");
    assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
    assert_eq!(spans.len(), 16);
    for (i, w) in weeks.iter().enumerate() {
        let (x0, x1) = spans[i];
        assert!(x1 - x0 >= 20, "bars are wide enough: {x0}..{x1}");
        let x = ((x0 + x1) / 2) as u32;
        let bar_px = main_rows()
            .filter(|&y| is(pixel(&pixmap, x, y), colours::DISTANCE))
            .count();
        if w.totals.distance_m > 0.0 {
            assert!(bar_px > 5, "week {i} has a bar ({bar_px} px)");
        } else {
            assert_eq!(bar_px, 0, "week {i} has no bar");
        }
    }
    // Taller week, taller bar: week 6 (48 km) vs week 0 (20 km).
    let height = |i: usize| {
        let x = ((spans[i].0 + spans[i].1) / 2) as u32;
        main_rows()
            .filter(|&y| is(pixel(&pixmap, x, y), colours::DISTANCE))
            .count()
    };
    assert!(height(6) > 2 * height(0));
    // Text is rendered from the embedded font: dark pixels in the title line.
    let ink = (0..WIDTH / 3)
        .flat_map(|x| (4..30).map(move |y| (x, y)))
        .filter(|&(x, y)| pixel(&pixmap, x, y).0 < 100)
        .count();
    assert!(ink > 200, "title text drawn ({ink} dark px)");
    // Flag markers, one per flagged week, in its column.
    let lane_y = HEAD_H + FLAGS_H / 2;
    let marker = |i: usize, c: RGBColor| {
        let x = ((spans[i].0 + spans[i].1) / 2) as u32;
        is(pixel(&pixmap, x, lane_y), c)
    };
    assert!(marker(2, colours::LOW));
    assert!(marker(5, colours::MEDIUM));
    assert!(
        marker(6, colours::HIGH),
        "highest severity of the week wins"
    );
    assert!(!marker(0, colours::LOW) && !marker(0, colours::HIGH));
}

fn long_history(n_weeks: usize) -> (Vec<Week>, Vec<Month>) {
    let first = d("2016-01-04");
    let weeks: Vec<Week> = (0..n_weeks)
        .map(|i| {
            let start = first + Duration::days(7 * i as i64);
            let km = if i % 17 == 5 {
                0.0
            } else {
                30.0 + (i % 9) as f64 * 4.0
            };
            Week {
                period: crate::periods::iso_week_label(start),
                start_date: start,
                totals: Totals {
                    distance_m: km * 1000.0,
                    longest_run_m: km * 400.0,
                    steep_descent_m: (i % 5) as f64 * 30.0,
                    heat_minutes: if (20..35).contains(&(i % 52)) {
                        60.0
                    } else {
                        0.0
                    },
                    ..Totals::default()
                },
                acwr: Some(0.8 + (i % 7) as f64 * 0.1),
                ..Week::default()
            }
        })
        .collect();
    let last = weeks.last().unwrap().end_date();
    let mut months = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap();
    while m <= last {
        let end = next_month(m);
        let mut t = Totals::default();
        for w in weeks
            .iter()
            .filter(|w| w.start_date >= m && w.start_date < end)
        {
            t.distance_m += w.totals.distance_m;
            t.longest_run_m = t.longest_run_m.max(w.totals.longest_run_m);
            t.steep_descent_m += w.totals.steep_descent_m;
            t.heat_minutes += w.totals.heat_minutes;
        }
        months.push(Month {
            period: crate::periods::month_label(m),
            start_date: m,
            totals: t,
            ramp_pct: None,
        });
        m = end;
    }
    (weeks, months)
}

/// The x tick labels: `<text>` elements below the heat strip, as (x, text).
fn x_labels(svg: &str) -> Vec<(i32, String)> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    let mut current: Option<(i32, i32)> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == b"text" => {
                let attr = |k: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == k)
                        .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                        .unwrap_or_default()
                };
                current = Some((
                    attr(b"x").parse().unwrap_or(0),
                    attr(b"y").parse().unwrap_or(0),
                ));
            }
            Event::Text(t) => {
                if let Some((x, y)) = current.take() {
                    let text = String::from_utf8(t.to_vec()).unwrap().trim().to_string();
                    let date_like =
                        text.chars().all(|c| c.is_ascii_digit() || c == '-') && text.len() >= 4;
                    if y as u32 > HEIGHT - 46 && date_like {
                        out.push((x, text));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn assert_labels_readable(svg: &str) -> usize {
    let labels = x_labels(svg);
    assert!(!labels.is_empty());
    assert!(labels.len() <= 20, "{} labels", labels.len());
    for pair in labels.windows(2) {
        let ((xa, a), (xb, _)) = (&pair[0], &pair[1]);
        let (w, _) = plotters::style::FontDesc::from(("DejaVu Sans", 13.0))
            .box_size(a)
            .unwrap();
        assert!(
            (xb - xa) as u32 > w + 6,
            "labels overlap: {a} at {xa}, next at {xb} (width {w})"
        );
    }
    labels.len()
}

#[test]
fn ten_years_switch_to_months_and_stay_readable() {
    register_font();
    let (weeks, months) = long_history(520);
    assert!(months.len() >= 119);
    let flags = [
        flag("2016-03-31", Code::OtAcwr, Severity::Medium, "m"),
        flag("2016-03-01", Code::OtSpike, Severity::Low, "l"),
        flag("2016-04-01", Code::FwKm, Severity::Low, "l"),
    ];
    let p = plan(&weeks, &months, &flags, &[], Units::Metric);
    assert!(p.monthly);
    assert_eq!(p.columns.len(), months.len());
    let sev: Vec<_> = p.columns.iter().map(|c| c.severity).collect();
    assert_eq!(
        sev[..4],
        [None, None, Some(Severity::Medium), Some(Severity::Low)]
    );
    // A month's ratio is the highest of its weeks' (2016-01: weeks 0-3, 0.8 + i × 0.1).
    assert!((p.columns[0].acwr.unwrap() - 1.1).abs() < 1e-9);
    let svg = weeks_svg(&weeks, &months, &[], &[], Units::Metric);
    assert_well_formed(&svg);
    assert!(svg.contains("Monthly running distance"));
    assert!(svg.contains("month starting (local date)"));
    let n = assert_labels_readable(&svg);
    assert!((8..=12).contains(&n), "{n} yearly labels");
    let (x, first) = &x_labels(&svg)[0];
    assert_eq!(first, "2016");
    assert!(*x < 200);
    let pixmap = rasterise(&svg);
    save_png(&pixmap, "calfguard-months.png");
    assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
}

#[test]
fn weeks_up_to_the_limit_stay_weekly_and_readable() {
    register_font();
    for n in [1, 2, 7, 13, 14, 27, 53, 100, MAX_WEEKS] {
        let (weeks, months) = long_history(n);
        let p = plan(&weeks, &months, &[], &[], Units::Metric);
        assert!(!p.monthly, "{n} weeks");
        assert_eq!(p.columns.len(), n);
        let svg = weeks_svg(&weeks, &months, &[], &[], Units::Metric);
        assert_well_formed(&svg);
        assert_labels_readable(&svg);
        if n == 1 || n == MAX_WEEKS {
            save_png(&rasterise(&svg), &format!("calfguard-{n}-weeks.png"));
        }
    }
    let (weeks, months) = long_history(MAX_WEEKS + 1);
    assert!(plan(&weeks, &months, &[], &[], Units::Metric).monthly);
}

#[test]
fn imperial_units_in_miles_and_feet() {
    let mut weeks = fixture_weeks();
    weeks[0].totals.distance_m = 1609.344 * 10.0;
    weeks[0].totals.steep_descent_m = 304.8;
    let p = plan(&weeks, &[], &[], &[], Units::Imperial);
    assert!((p.columns[0].distance - 10.0).abs() < 1e-9);
    assert!((p.columns[0].descent - 1000.0).abs() < 1e-9);
    let svg = weeks_svg(&weeks, &[], &[], &[], Units::Imperial);
    assert!(svg.contains("running distance (mi)"));
    assert!(svg.contains("steep descent (ft)"));
    assert!(!svg.contains("(km)"));
}

#[test]
fn flags_go_to_their_period_with_the_highest_severity() {
    let weeks = fixture_weeks();
    let mut flags = fixture_flags();
    // Before and after the history: ignored.
    flags.push(flag("2020-01-01", Code::FwKm, Severity::High, "old"));
    flags.push(flag("2030-01-01", Code::FwKm, Severity::High, "future"));
    let p = plan(&weeks, &[], &flags, &[], Units::Metric);
    let sev: Vec<Option<Severity>> = p.columns.iter().map(|c| c.severity).collect();
    assert_eq!(sev[2], Some(Severity::Low));
    assert_eq!(
        sev[5],
        Some(Severity::Medium),
        "Sunday 2025-07-13 is in week 5"
    );
    assert_eq!(sev[6], Some(Severity::High));
    assert_eq!(
        sev[14],
        Some(Severity::Low),
        "Sunday 2025-09-14 is in week 14"
    );
    assert_eq!(sev.iter().filter(|s| s.is_some()).count(), 4);
}

#[test]
fn empty_and_odd_input_still_draw() {
    let svg = weeks_svg(&[], &[], &[], &[], Units::Metric);
    assert_well_formed(&svg);
    assert!(svg.contains("No runs with a trusted date yet."));
    let mut weeks = fixture_weeks();
    weeks[1].totals.distance_m = f64::NAN;
    weeks[2].acwr = Some(f64::INFINITY);
    weeks[3].acwr = Some(9.0);
    let svg = weeks_svg(&weeks, &[], &[], &[], Units::Metric);
    assert_well_formed(&svg);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
    assert_eq!(rasterise(&svg).width(), WIDTH);
}

#[test]
fn nice_axis_bounds() {
    assert_eq!(nice_max(0.0, 1.0), 1.0);
    assert_eq!(nice_max(48.0, 1.0), 60.0);
    assert_eq!(nice_max(1.62, 2.0), 2.0);
    assert_eq!(nice_max(3.0, 2.0), 4.0);
    assert_eq!(nice_max(210.0, 10.0), 250.0);
}

/// A heat "not judged" note for the week starting on `monday`, as the heat rules write it.
fn heat_note(monday: &str, why: &str) -> crate::flags::NotJudged {
    crate::flags::NotJudged {
        period: crate::periods::iso_week_label(d(monday)),
        what: "HEAT-LONG, HEAT-SWEAT, HEAT-ACCLIM".into(),
        why: why.into(),
    }
}

#[test]
fn heat_bars_only_where_heat_was_judged() {
    // As summary.md hides the heat minutes of a week whose heat was not judged, the chart draws
    // no heat bar for it and says why in the strip.
    const WRIST: &str = "the wrist sensor reads skin heat, not air: give --weather";
    let weeks = fixture_weeks();
    // Weeks 5 and 6 (2025-07-07, 2025-07-14) have 90 and 150 heat minutes, unjudged; week 4
    // (45 min) was judged. An unrelated note (OT-SPIKE) changes nothing.
    let notes = vec![
        heat_note("2025-07-07", WRIST),
        heat_note("2025-07-14", WRIST),
        crate::flags::NotJudged {
            period: crate::periods::iso_week_label(d("2025-06-30")),
            what: "OT-SPIKE".into(),
            why: "no run in the previous 30 days".into(),
        },
    ];
    let p = plan(&weeks, &[], &[], &notes, Units::Metric);
    let heat: Vec<f64> = p.columns.iter().map(|c| c.heat_min).collect();
    assert_eq!(heat[4], 45.0);
    assert_eq!((heat[5], heat[6]), (0.0, 0.0));
    assert_eq!(heat[7], 120.0);
    let note = format!("heat not judged in 2 weeks: {WRIST}");
    assert_eq!(p.heat_note.as_deref(), Some(note.as_str()));
    let (svg, spans) = draw(&p);
    assert!(svg.contains(&note), "the note is drawn");
    // Rasterised: orange in the heat strip under week 4 and 7, none under weeks 5 and 6.
    let pixmap = rasterise(&svg);
    let strip = HEAD_H + FLAGS_H + MAIN_H + super::draw::DESCENT_H..HEIGHT;
    let orange = |i: usize| {
        let x = ((spans[i].0 + spans[i].1) / 2) as u32;
        strip
            .clone()
            .filter(|&y| is(pixel(&pixmap, x, y), colours::HEAT))
            .count()
    };
    assert!(orange(4) > 0 && orange(7) > 0);
    assert_eq!((orange(5), orange(6)), (0, 0));
    // Without heat notes: the bars and no note, as before.
    let p = plan(&weeks, &[], &[], &notes[2..], Units::Metric);
    assert_eq!(p.columns[5].heat_min, 90.0);
    assert_eq!(p.heat_note, None);
    assert!(!draw(&p).0.contains("heat not judged"));
    // Monthly: a month touched by an unjudged week has no heat bar (2016-05 holds weeks 17-21
    // of the long history, heat from week 20 on; week 21 starts 2016-05-30 and runs into June).
    let (weeks, months) = long_history(520);
    let notes = [heat_note("2016-05-30", WRIST)];
    let p = plan(&weeks, &months, &[], &notes, Units::Metric);
    let may = p
        .columns
        .iter()
        .position(|c| c.start == d("2016-05-01"))
        .unwrap();
    assert_eq!(p.columns[may].heat_min, 0.0);
    assert_eq!(p.columns[may + 1].heat_min, 0.0, "June");
    assert!(p.columns[may + 2].heat_min > 0.0, "July");
    assert_eq!(
        p.heat_note.as_deref(),
        Some(format!("heat not judged in 1 week: {WRIST}").as_str())
    );
}
