//! Drawing a [`Plan`] with plotters' SVG backend: four lanes over one time axis, text measured
//! with the embedded font.

use super::plan::{Column, Plan};
use super::{colours, FONT_FAMILY, FONT_TTF, HEIGHT, WIDTH};
use crate::flags::Severity;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use std::ops::Range;
use std::sync::Once;

/// Horizontal layout shared by every lane, so the columns line up.
pub(super) const MARGIN: u32 = 12;
pub(super) const LEFT_AREA: u32 = 78;
pub(super) const RIGHT_AREA: u32 = 64;
/// Vertical layout: heading, flag lane, main chart, descent strip, heat strip (with dates).
pub(super) const HEAD_H: u32 = 62;
pub(super) const FLAGS_H: u32 = 30;
pub(super) const MAIN_H: u32 = 380;
pub(super) const DESCENT_H: u32 = 118;
/// Fraction of a column left empty on each side of a bar.
const BAR_GAP: f64 = 0.15;
/// Below this many columns bars get narrower, so one week is not one huge block.
const FEW_COLUMNS: usize = 8;

/// The `[left, right]` of column `i`'s bar, in columns.
pub(super) fn bar_x(i: usize, n: usize) -> (f64, f64) {
    let half = (0.5 - BAR_GAP) * (n.min(FEW_COLUMNS) as f64 / FEW_COLUMNS as f64);
    let centre = i as f64 + 0.5;
    (centre - half, centre + half)
}

/// Register the embedded font with plotters (once per process).
pub(super) fn register_font() {
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

/// A "nice" upper bound for an axis: 10 % headroom, rounded up to a round multiple of 10^k.
pub(super) fn nice_max(max: f64, floor: f64) -> f64 {
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

pub(super) fn marker_style(s: Severity) -> (RGBColor, &'static str) {
    match s {
        Severity::Low => (colours::LOW, "low"),
        Severity::Medium => (colours::MEDIUM, "medium"),
        Severity::High => (colours::HIGH, "high"),
    }
}

/// Draw the plan; returns the SVG and, per column, the pixel span `[x0, x1]` of its bar.
pub(super) fn draw(plan: &Plan) -> (String, Vec<(i32, i32)>) {
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
    if let Some(note) = &plan.heat_note {
        // Inside the strip's plotting area, top left, over the (missing) bars.
        heat.draw_text(
            note,
            &text_style(13.0),
            ((MARGIN + LEFT_AREA + 8) as i32, 16),
        )?;
    }
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
