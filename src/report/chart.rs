//! `weeks.svg`: the whole training history at a glance.
//!
//! One SVG, four lanes sharing one time axis (a column per week, or per calendar month when
//! there are more than [`MAX_WEEKS`] weeks):
//!
//! - flags: a marker per period with flags, shaped and coloured by the highest severity;
//! - running distance as bars, the longest run of the period as a black tick on its bar, and the
//!   acute:chronic ratio (`acwr`) as a line on a second axis with its 0.8–1.3 band shaded;
//! - steep descent as bars;
//! - minutes in heat as bars, with the date axis.
//!
//! Drawn with plotters' SVG backend; text is measured with DejaVu Sans, embedded in the binary
//! and registered with plotters' `ab_glyph` font table, so no system font library is needed and
//! the output is the same on every machine. Colours are from the Okabe–Ito palette. The output
//! is deterministic: no timestamps, no random ids. See `docs/design.md`, section Charts.

use crate::flags::{Flag, Severity};
use crate::periods::{Month, Week};
use crate::units::Units;
use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use std::ops::Range;
use std::sync::Once;

/// The embedded font: DejaVu Sans 2.37 (Bitstream Vera licence, `assets/fonts/`).
pub const FONT_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name the SVG asks for; also the font's own family name, so renderers that load
/// [`FONT_TTF`] (resvg in the tests) find it.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// Width of the SVG, pixels.
pub const WIDTH: u32 = 1200;
/// Height of the SVG, pixels.
pub const HEIGHT: u32 = 760;
/// More weeks than this are drawn as calendar months.
pub const MAX_WEEKS: usize = 160;
/// At most this many date labels on the time axis.
pub const MAX_X_LABELS: usize = 12;

/// Okabe–Ito colours, safe for the common colour-vision deficiencies.
pub mod colours {
    use plotters::style::RGBColor;
    /// Running distance bars: blue.
    pub const DISTANCE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Longest run tick: black.
    pub const LONGEST: RGBColor = RGBColor(0x00, 0x00, 0x00);
    /// ACWR line: reddish purple.
    pub const ACWR: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// The 0.8–1.3 ACWR band: bluish green, at 20 % opacity.
    pub const BAND: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Steep descent bars: bluish green.
    pub const DESCENT: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Heat bars: orange.
    pub const HEAT: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Low-severity flag (circle): yellow.
    pub const LOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Medium-severity flag (triangle): sky blue.
    pub const MEDIUM: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// High-severity flag (square): vermillion.
    pub const HIGH: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Text, axes.
    pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
}

/// Horizontal layout shared by every lane, so the columns line up.
const MARGIN: u32 = 12;
const LEFT_AREA: u32 = 78;
const RIGHT_AREA: u32 = 64;
/// Vertical layout: heading, flag lane, main chart, descent strip, heat strip (with dates).
const HEAD_H: u32 = 62;
const FLAGS_H: u32 = 30;
const MAIN_H: u32 = 380;
const DESCENT_H: u32 = 118;
/// Fraction of a column left empty on each side of a bar.
const BAR_GAP: f64 = 0.15;
/// Below this many columns bars get narrower, so one week is not one huge block.
const FEW_COLUMNS: usize = 8;

/// The `[left, right]` of column `i`'s bar, in columns.
fn bar_x(i: usize, n: usize) -> (f64, f64) {
    let half = (0.5 - BAR_GAP) * (n.min(FEW_COLUMNS) as f64 / FEW_COLUMNS as f64);
    let centre = i as f64 + 0.5;
    (centre - half, centre + half)
}

/// Register the embedded font with plotters (once per process).
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for name in [FONT_FAMILY, "sans-serif"] {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                if plotters::style::register_font(name, style, FONT_TTF).is_err() {
                    panic!("the embedded font is not a valid TrueType font");
                }
            }
        }
    });
}

/// One column of the chart, in display units.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    start: NaiveDate,
    distance: f64,
    longest: f64,
    descent: f64,
    heat_min: f64,
    acwr: Option<f64>,
    severity: Option<Severity>,
}

/// What will be drawn: the columns and how the time axis is labelled.
#[derive(Clone, Debug, PartialEq)]
struct Plan {
    monthly: bool,
    columns: Vec<Column>,
    /// Column indices that get a date label.
    labelled: Vec<usize>,
    /// Label format (`chrono` strftime).
    label_format: &'static str,
    distance_unit: &'static str,
    descent_unit: &'static str,
}

fn km_or_mi(m: f64, units: Units) -> f64 {
    match units {
        Units::Metric => m / 1000.0,
        Units::Imperial => m / 1609.344,
    }
}

fn m_or_ft(m: f64, units: Units) -> f64 {
    match units {
        Units::Metric => m,
        Units::Imperial => m / 0.3048,
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
}

/// Index of the column holding `date`, if any; `starts` sorted, `end(i)` exclusive.
fn column_of(
    starts: &[NaiveDate],
    date: NaiveDate,
    end: impl Fn(NaiveDate) -> NaiveDate,
) -> Option<usize> {
    let i = starts.partition_point(|s| *s <= date).checked_sub(1)?;
    (date < end(starts[i])).then_some(i)
}

fn plan(weeks: &[Week], months: &[Month], flags: &[Flag], units: Units) -> Plan {
    let monthly = weeks.len() > MAX_WEEKS && !months.is_empty();
    let mut columns: Vec<Column> = if monthly {
        let mut ms: Vec<&Month> = months.iter().collect();
        ms.sort_by_key(|m| m.start_date);
        ms.iter()
            .map(|m| {
                let end = next_month(m.start_date);
                // A month's ratio: the highest Sunday ratio of the weeks starting in it.
                let acwr = weeks
                    .iter()
                    .filter(|w| w.start_date >= m.start_date && w.start_date < end)
                    .filter_map(|w| w.acwr.filter(|a| a.is_finite()))
                    .fold(None, |acc: Option<f64>, a| {
                        Some(acc.map_or(a, |b| b.max(a)))
                    });
                column(m.start_date, &m.totals, acwr, units)
            })
            .collect()
    } else {
        let mut ws: Vec<&Week> = weeks.iter().collect();
        ws.sort_by_key(|w| w.start_date);
        ws.iter()
            .map(|w| column(w.start_date, &w.totals, w.acwr, units))
            .collect()
    };
    let starts: Vec<NaiveDate> = columns.iter().map(|c| c.start).collect();
    for f in flags {
        let i = if monthly {
            column_of(&starts, f.date, next_month)
        } else {
            column_of(&starts, f.date, |s| s + chrono::Duration::days(7))
        };
        if let Some(i) = i {
            let c = &mut columns[i];
            c.severity = Some(c.severity.map_or(f.severity, |s| s.max(f.severity)));
        }
    }
    let (labelled, label_format) = labels(&starts, monthly);
    Plan {
        monthly,
        columns,
        labelled,
        label_format,
        distance_unit: match units {
            Units::Metric => "km",
            Units::Imperial => "mi",
        },
        descent_unit: match units {
            Units::Metric => "m",
            Units::Imperial => "ft",
        },
    }
}

fn column(start: NaiveDate, t: &crate::periods::Totals, acwr: Option<f64>, units: Units) -> Column {
    Column {
        start,
        distance: km_or_mi(finite(t.distance_m), units),
        longest: km_or_mi(finite(t.longest_run_m), units),
        descent: m_or_ft(finite(t.steep_descent_m), units),
        heat_min: finite(t.heat_minutes),
        acwr: acwr.filter(|a| a.is_finite()),
        severity: None,
    }
}

/// Which columns get a date label: every `step`-th, with `step` the smallest of a few calendar
/// strides that keeps at most [`MAX_X_LABELS`] labels; months are aligned to the calendar
/// (quarters, half-years, years).
fn labels(starts: &[NaiveDate], monthly: bool) -> (Vec<usize>, &'static str) {
    let strides: &[usize] = if monthly {
        &[1, 2, 3, 6, 12, 24, 60, 120, 240]
    } else {
        &[1, 2, 4, 8, 13, 26, 52]
    };
    let pick = |step: usize| -> Vec<usize> {
        (0..starts.len())
            .filter(|&i| {
                if monthly {
                    let m = starts[i].year() as i64 * 12 + starts[i].month0() as i64;
                    m.rem_euclid(step as i64) == 0
                } else {
                    i % step == 0
                }
            })
            .collect()
    };
    for &step in strides {
        let l = pick(step);
        if l.len() <= MAX_X_LABELS {
            let format = if monthly && step % 12 == 0 {
                "%Y"
            } else if monthly {
                "%Y-%m"
            } else {
                "%Y-%m-%d"
            };
            return (l, format);
        }
    }
    // More than MAX_X_LABELS × 240 months: label evenly.
    let step = starts.len().div_ceil(MAX_X_LABELS);
    ((0..starts.len()).step_by(step).collect(), "%Y")
}

/// A "nice" upper bound for an axis: 10 % headroom, rounded up to a round multiple of 10^k.
fn nice_max(max: f64, floor: f64) -> f64 {
    let v = (max * 1.1).max(floor);
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if v <= m * mag + 1e-9 {
            return m * mag;
        }
    }
    10.0 * mag
}

fn fmt_tick(v: f64, max: f64) -> String {
    if max < 5.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// The time axis: column `i` spans `i..i + 1`; grid lines and labels only at the labelled
/// columns' starts. (plotters' `WithKeyPoints` over `f64` cannot take a label formatter.)
#[derive(Clone)]
struct TimeAxis {
    inner: RangedCoordf64,
    keys: Vec<f64>,
}

impl Ranged for TimeAxis {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }
}

fn x_spec(plan: &Plan) -> TimeAxis {
    let n = plan.columns.len().max(1) as f64;
    TimeAxis {
        inner: (0f64..n).into(),
        keys: plan.labelled.iter().map(|&i| i as f64).collect(),
    }
}

fn text_style(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&colours::INK)
}

fn marker_style(s: Severity) -> (RGBColor, &'static str) {
    match s {
        Severity::Low => (colours::LOW, "low"),
        Severity::Medium => (colours::MEDIUM, "medium"),
        Severity::High => (colours::HIGH, "high"),
    }
}

/// `weeks.svg`: weekly (or, past [`MAX_WEEKS`] weeks, monthly) running distance, longest run,
/// ACWR with its 0.8–1.3 band, flags by severity, steep descent and heat minutes.
///
/// `weeks` and `months` as built by [`crate::periods::build()`]; `flags` are placed in the
/// period holding their date. Distances in km or mi, descent in m or ft, per `units`.
pub fn weeks_svg(weeks: &[Week], months: &[Month], flags: &[Flag], units: Units) -> String {
    let plan = plan(weeks, months, flags, units);
    draw(&plan).0
}

/// Draw the plan; returns the SVG and, per column, the pixel span `[x0, x1]` of its bar.
fn draw(plan: &Plan) -> (String, Vec<(i32, i32)>) {
    register_font();
    let mut svg = String::new();
    let spans = draw_into(plan, &mut svg).expect("drawing into a String cannot fail");
    (svg, spans)
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

fn draw_into(plan: &Plan, svg: &mut String) -> DrawResult<Vec<(i32, i32)>> {
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (head, rest) = root.split_vertically(HEAD_H);
    let (flag_lane, rest) = rest.split_vertically(FLAGS_H);
    let (main, rest) = rest.split_vertically(MAIN_H);
    let (descent, heat) = rest.split_vertically(DESCENT_H);

    draw_heading(plan, &head)?;
    if plan.columns.is_empty() {
        main.draw_text(
            "No runs with a trusted date yet.",
            &text_style(20.0),
            (MARGIN as i32 + LEFT_AREA as i32, MAIN_H as i32 / 2),
        )?;
        root.present()?;
        return Ok(Vec::new());
    }
    let ncol = plan.columns.len();
    let n = ncol as f64;
    let period = if plan.monthly { "month" } else { "week" };

    // Flag lane.
    let mut lane = ChartBuilder::on(&flag_lane)
        .margin_left(MARGIN)
        .margin_right(MARGIN + RIGHT_AREA)
        .set_label_area_size(LabelAreaPosition::Left, LEFT_AREA)
        .build_cartesian_2d(x_spec(plan), 0f64..1f64)?;
    lane.plotting_area().fill(&RGBColor(0xF6, 0xF6, 0xF6))?;
    flag_lane.draw_text(
        "flags",
        &text_style(14.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ((MARGIN + LEFT_AREA) as i32 - 8, FLAGS_H as i32 / 2),
    )?;
    // Shapes as well as colours: circle low, triangle medium, square high; black-outlined.
    let at = |s: Severity| {
        plan.columns
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.severity == Some(s))
            .map(|(i, _)| (i as f64 + 0.5, 0.5))
    };
    let edge = BLACK.stroke_width(1);
    lane.draw_series(at(Severity::Low).map(|p| {
        EmptyElement::at(p)
            + Circle::new((0, 0), 5, colours::LOW.filled())
            + Circle::new((0, 0), 5, edge)
    }))?;
    let tri = vec![(0, -7), (7, 5), (-7, 5)];
    let tri_edge = vec![(0, -7), (7, 5), (-7, 5), (0, -7)];
    lane.draw_series(at(Severity::Medium).map(|p| {
        EmptyElement::at(p)
            + Polygon::new(tri.clone(), colours::MEDIUM.filled())
            + PathElement::new(tri_edge.clone(), edge)
    }))?;
    lane.draw_series(at(Severity::High).map(|p| {
        EmptyElement::at(p)
            + Rectangle::new([(-6, -6), (6, 6)], colours::HIGH.filled())
            + Rectangle::new([(-6, -6), (6, 6)], edge)
    }))?;

    // Main chart: distance bars, longest-run ticks, ACWR on a second axis.
    let dmax = plan.columns.iter().map(|c| c.distance).fold(0.0, f64::max);
    let ymax = nice_max(dmax, 1.0);
    let amax = plan
        .columns
        .iter()
        .filter_map(|c| c.acwr)
        .fold(0.0, f64::max);
    let amax = nice_max(amax, 2.0);
    let mut chart = ChartBuilder::on(&main)
        .margin_left(MARGIN)
        .margin_right(MARGIN)
        .margin_top(6)
        .set_label_area_size(LabelAreaPosition::Left, LEFT_AREA)
        .set_label_area_size(LabelAreaPosition::Right, RIGHT_AREA)
        .build_cartesian_2d(x_spec(plan), 0f64..ymax)?
        .set_secondary_coord(x_spec(plan), 0f64..amax);
    let dist_fmt = |v: &f64| fmt_tick(*v, ymax);
    chart
        .configure_mesh()
        .bold_line_style(colours::GRID)
        .max_light_lines(0)
        .axis_style(colours::INK)
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .y_labels(6)
        .y_label_formatter(&dist_fmt)
        .y_desc(format!("running distance ({})", plan.distance_unit))
        .draw()?;
    let acwr_fmt = |v: &f64| format!("{v:.1}");
    chart
        .configure_secondary_axes()
        .axis_style(colours::INK)
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .y_labels(6)
        .y_label_formatter(&acwr_fmt)
        .y_desc("acute:chronic ratio")
        .draw()?;
    chart.draw_secondary_series(std::iter::once(Rectangle::new(
        [(0.0, 0.8), (n, 1.3)],
        colours::BAND.mix(0.2).filled(),
    )))?;
    // Bars at least 2 px tall, so a short week still shows.
    let min_bar = ymax / 150.0;
    let bar = |i: usize, top: f64, colour: RGBColor| {
        Rectangle::new(
            [(bar_x(i, ncol).0, 0.0), (bar_x(i, ncol).1, top)],
            colour.filled(),
        )
    };
    chart.draw_series(
        plan.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.distance > 0.0)
            .map(|(i, c)| bar(i, c.distance.max(min_bar), colours::DISTANCE)),
    )?;
    chart.draw_series(
        plan.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.longest > 0.0)
            .map(|(i, c)| {
                let y = c.longest.max(min_bar);
                PathElement::new(
                    vec![(bar_x(i, ncol).0, y), (bar_x(i, ncol).1, y)],
                    colours::LONGEST.stroke_width(2),
                )
            }),
    )?;
    // The ratio: one line per run of weeks with a value, a dot on each value.
    let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, c) in plan.columns.iter().enumerate() {
        match c.acwr {
            Some(a) => current.push((i as f64 + 0.5, a.min(amax))),
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    chart.draw_secondary_series(
        segments
            .iter()
            .map(|s| PathElement::new(s.clone(), colours::ACWR.stroke_width(2))),
    )?;
    let dot = if plan.columns.len() > 60 { 2 } else { 3 };
    chart.draw_secondary_series(
        segments
            .iter()
            .flatten()
            .map(|&p| Circle::new(p, dot, colours::ACWR.filled())),
    )?;
    let spans = (0..plan.columns.len())
        .map(|i| {
            let (l, r) = bar_x(i, ncol);
            let x0 = chart.backend_coord(&(l, 0.0)).0;
            let x1 = chart.backend_coord(&(r, 0.0)).0;
            (x0, x1)
        })
        .collect();

    // Strips.
    let dmax = plan.columns.iter().map(|c| c.descent).fold(0.0, f64::max);
    strip(
        plan,
        &descent,
        &format!("steep descent ({})", plan.descent_unit),
        nice_max(dmax, 10.0),
        |c| c.descent,
        colours::DESCENT,
        None,
    )?;
    let hmax = plan.columns.iter().map(|c| c.heat_min).fold(0.0, f64::max);
    let x_desc = format!("{period} starting (local date)");
    strip(
        plan,
        &heat,
        "heat (min)",
        nice_max(hmax, 10.0),
        |c| c.heat_min,
        colours::HEAT,
        Some(&x_desc),
    )?;
    root.present()?;
    Ok(spans)
}

/// A bar strip; with `x_desc`, also the date axis under it.
fn strip(
    plan: &Plan,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    y_desc: &str,
    ymax: f64,
    value: impl Fn(&Column) -> f64,
    colour: RGBColor,
    x_desc: Option<&str>,
) -> DrawResult<()> {
    let mut b = ChartBuilder::on(area);
    // No right axis: the right label area becomes margin, so the columns still line up.
    b.margin_left(MARGIN)
        .margin_right(MARGIN + RIGHT_AREA)
        .margin_top(8)
        .set_label_area_size(LabelAreaPosition::Left, LEFT_AREA);
    if x_desc.is_some() {
        b.set_label_area_size(LabelAreaPosition::Bottom, 46);
    }
    let mut chart = b.build_cartesian_2d(x_spec(plan), 0f64..ymax)?;
    let y_fmt = |v: &f64| fmt_tick(*v, ymax);
    let x_fmt = |v: &f64| {
        let i = v.round().max(0.0) as usize;
        plan.columns
            .get(i)
            .map(|c| c.start.format(plan.label_format).to_string())
            .unwrap_or_default()
    };
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(colours::GRID)
        .max_light_lines(0)
        .axis_style(colours::INK)
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .y_labels(3)
        .y_label_formatter(&y_fmt)
        .x_label_formatter(&x_fmt)
        .y_desc(y_desc);
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    mesh.draw()?;
    let min_bar = ymax / 40.0;
    chart.draw_series(
        plan.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| value(c) > 0.0)
            .map(|(i, c)| {
                Rectangle::new(
                    [
                        (bar_x(i, plan.columns.len()).0, 0.0),
                        (bar_x(i, plan.columns.len()).1, value(c).max(min_bar)),
                    ],
                    colour.filled(),
                )
            }),
    )?;
    Ok(())
}

/// Title, date span and legend.
fn draw_heading(
    plan: &Plan,
    head: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> DrawResult<()> {
    let x0 = MARGIN as i32;
    let title = if plan.monthly {
        "Monthly running distance, acute:chronic ratio and flags"
    } else {
        "Weekly running distance, acute:chronic ratio and flags"
    };
    let span = match (plan.columns.first(), plan.columns.last()) {
        (Some(a), Some(b)) if plan.monthly => format!(
            "{} to {} (local dates)",
            a.start.format("%Y-%m"),
            b.start.format("%Y-%m")
        ),
        (Some(a), _) if plan.columns.len() == 1 => {
            format!("week of {} (local date)", a.start.format("%Y-%m-%d"))
        }
        (Some(a), Some(b)) => format!(
            "weeks of {} to {} (local dates)",
            a.start.format("%Y-%m-%d"),
            b.start.format("%Y-%m-%d")
        ),
        _ => String::new(),
    };
    let title_style = text_style(19.0);
    head.draw_text(title, &title_style, (x0, 8))?;
    let (tw, _) = head.estimate_text_size(title, &title_style)?;
    head.draw_text(&span, &text_style(14.0), (x0 + tw as i32 + 16, 11))?;

    // Legend: swatch + text, left to right.
    let style = text_style(13.0);
    let y = 42;
    let mut x = x0;
    let mut item = |draw: &dyn Fn(i32) -> DrawResult<()>, label: &str| -> DrawResult<()> {
        draw(x)?;
        head.draw_text(
            label,
            &style.pos(Pos::new(HPos::Left, VPos::Center)),
            (x + 20, y),
        )?;
        let (w, _) = head.estimate_text_size(label, &style)?;
        x += 20 + w as i32 + 18;
        Ok(())
    };
    let dist_label = format!("distance ({})", plan.distance_unit);
    item(
        &|x| {
            head.draw(&Rectangle::new(
                [(x, y - 6), (x + 14, y + 6)],
                colours::DISTANCE.filled(),
            ))?;
            Ok(())
        },
        &dist_label,
    )?;
    item(
        &|x| {
            head.draw(&PathElement::new(
                vec![(x, y), (x + 14, y)],
                colours::LONGEST.stroke_width(2),
            ))?;
            Ok(())
        },
        "longest run",
    )?;
    item(
        &|x| {
            head.draw(&PathElement::new(
                vec![(x, y), (x + 14, y)],
                colours::ACWR.stroke_width(2),
            ))?;
            head.draw(&Circle::new((x + 7, y), 3, colours::ACWR.filled()))?;
            Ok(())
        },
        "acute:chronic ratio",
    )?;
    item(
        &|x| {
            head.draw(&Rectangle::new(
                [(x, y - 6), (x + 14, y + 6)],
                colours::BAND.mix(0.2).filled(),
            ))?;
            Ok(())
        },
        "ratio 0.8\u{2013}1.3",
    )?;
    for s in [Severity::Low, Severity::Medium, Severity::High] {
        let label = format!("flag: {}", marker_style(s).1);
        item(
            &|x| {
                // Same shapes as the flag lane, in pixel coordinates.
                let (colour, _) = marker_style(s);
                match s {
                    Severity::Low => {
                        head.draw(&Circle::new((x + 7, y), 5, colour.filled()))?;
                        head.draw(&Circle::new((x + 7, y), 5, BLACK.stroke_width(1)))?;
                    }
                    Severity::Medium => {
                        let p = vec![(x + 7, y - 7), (x + 14, y + 5), (x, y + 5)];
                        let mut c = p.clone();
                        c.push((x + 7, y - 7));
                        head.draw(&Polygon::new(p, colour.filled()))?;
                        head.draw(&PathElement::new(c, BLACK.stroke_width(1)))?;
                    }
                    Severity::High => {
                        let r = [(x + 1, y - 6), (x + 13, y + 6)];
                        head.draw(&Rectangle::new(r, colour.filled()))?;
                        head.draw(&Rectangle::new(r, BLACK.stroke_width(1)))?;
                    }
                }
                Ok(())
            },
            &label,
        )?;
    }
    let descent_label = format!("steep descent ({})", plan.descent_unit);
    item(
        &|x| {
            head.draw(&Rectangle::new(
                [(x, y - 6), (x + 14, y + 6)],
                colours::DESCENT.filled(),
            ))?;
            Ok(())
        },
        &descent_label,
    )?;
    item(
        &|x| {
            head.draw(&Rectangle::new(
                [(x, y - 6), (x + 14, y + 6)],
                colours::HEAT.filled(),
            ))?;
            Ok(())
        },
        "heat (min)",
    )?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    //! Golden file: `tests/golden/weeks.svg`. After an intended change to the chart, regenerate
    //! it with `UPDATE_GOLDEN=1 cargo test --lib report::chart` and review the diff (open the
    //! SVG). `CHART_PNG=1` also writes the rasterised charts to the system temp folder.

    use super::*;
    use crate::flags::Code;
    use crate::periods::Totals;
    use chrono::Duration;
    use quick_xml::events::Event;
    use resvg::{tiny_skia, usvg};

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
            8.0, 10.0, 12.0, 0.0, 12.0, 14.0, 24.0, 16.0, 6.0, 0.0, 12.0, 13.0, 15.0, 16.0, 18.0,
            10.0,
        ];
        let descent = [
            0.0, 50.0, 80.0, 0.0, 120.0, 0.0, 310.0, 90.0, 0.0, 0.0, 0.0, 60.0, 70.0, 140.0, 200.0,
            40.0,
        ];
        let heat = [
            0.0, 0.0, 30.0, 0.0, 45.0, 90.0, 150.0, 120.0, 20.0, 0.0, 0.0, 0.0, 35.0, 60.0, 75.0,
            0.0,
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
        let svg = weeks_svg(&fixture_weeks(), &[], &fixture_flags(), Units::Metric);
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
        let a = weeks_svg(&weeks, &[], &fixture_flags(), Units::Metric);
        let b = weeks_svg(&weeks, &[], &fixture_flags(), Units::Metric);
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
        let plan = plan(&weeks, &[], &fixture_flags(), Units::Metric);
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
        let p = plan(&weeks, &months, &flags, Units::Metric);
        assert!(p.monthly);
        assert_eq!(p.columns.len(), months.len());
        let sev: Vec<_> = p.columns.iter().map(|c| c.severity).collect();
        assert_eq!(
            sev[..4],
            [None, None, Some(Severity::Medium), Some(Severity::Low)]
        );
        // A month's ratio is the highest of its weeks' (2016-01: weeks 0-3, 0.8 + i × 0.1).
        assert!((p.columns[0].acwr.unwrap() - 1.1).abs() < 1e-9);
        let svg = weeks_svg(&weeks, &months, &[], Units::Metric);
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
            let p = plan(&weeks, &months, &[], Units::Metric);
            assert!(!p.monthly, "{n} weeks");
            assert_eq!(p.columns.len(), n);
            let svg = weeks_svg(&weeks, &months, &[], Units::Metric);
            assert_well_formed(&svg);
            assert_labels_readable(&svg);
            if n == 1 || n == MAX_WEEKS {
                save_png(&rasterise(&svg), &format!("calfguard-{n}-weeks.png"));
            }
        }
        let (weeks, months) = long_history(MAX_WEEKS + 1);
        assert!(plan(&weeks, &months, &[], Units::Metric).monthly);
    }

    #[test]
    fn imperial_units_in_miles_and_feet() {
        let mut weeks = fixture_weeks();
        weeks[0].totals.distance_m = 1609.344 * 10.0;
        weeks[0].totals.steep_descent_m = 304.8;
        let p = plan(&weeks, &[], &[], Units::Imperial);
        assert!((p.columns[0].distance - 10.0).abs() < 1e-9);
        assert!((p.columns[0].descent - 1000.0).abs() < 1e-9);
        let svg = weeks_svg(&weeks, &[], &[], Units::Imperial);
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
        let p = plan(&weeks, &[], &flags, Units::Metric);
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
        let svg = weeks_svg(&[], &[], &[], Units::Metric);
        assert_well_formed(&svg);
        assert!(svg.contains("No runs with a trusted date yet."));
        let mut weeks = fixture_weeks();
        weeks[1].totals.distance_m = f64::NAN;
        weeks[2].acwr = Some(f64::INFINITY);
        weeks[3].acwr = Some(9.0);
        let svg = weeks_svg(&weeks, &[], &[], Units::Metric);
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
}
