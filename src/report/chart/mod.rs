//! `weeks.svg`: the whole training history at a glance.
//!
//! One SVG, four lanes sharing one time axis (a column per week, or per calendar month when
//! there are more than [`MAX_WEEKS`] weeks):
//!
//! - flags: a marker per period with flags, shaped and coloured by the highest severity;
//! - running distance as bars, the longest run of the period as a black tick on its bar, and the
//!   acute:chronic ratio (`acwr`) as a line on a second axis with its 0.8–1.3 band shaded;
//! - steep descent as bars;
//! - minutes in heat as bars, with the date axis; only for periods whose heat was judged (a
//!   period with a heat "not judged" note, e.g. a wrist sensor without `--weather`, gets no bar,
//!   as its heat minutes are hidden in `summary.md`), and a note in the strip saying why.
//!
//! Drawn with plotters' SVG backend; text is measured with DejaVu Sans, embedded in the binary
//! and registered with plotters' `ab_glyph` font table, so no system font library is needed and
//! the output is the same on every machine. Colours are from the Okabe–Ito palette. The output
//! is deterministic: no timestamps, no random ids. See `docs/design.md`, section Charts.
//!
//! `plan.rs` decides what is shown (columns in display units, labels), `draw.rs` draws it.

mod draw;
mod plan;
#[cfg(test)]
pub(crate) mod tests;

use crate::flags::{Flag, NotJudged};
use crate::periods::{Month, Week};
use crate::units::Units;

/// The embedded font: DejaVu Sans 2.37 (Bitstream Vera licence, `assets/fonts/`).
pub const FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
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

/// `weeks.svg`: weekly (or, past [`MAX_WEEKS`] weeks, monthly) running distance, longest run,
/// ACWR with its 0.8–1.3 band, flags by severity, steep descent and heat minutes.
///
/// `weeks` and `months` as built by [`crate::periods::build()`]; `flags` are placed in the
/// period holding their date; `not_judged` are the rules' notes, of which the heat ones
/// ([`NotJudged::is_heat`]) remove the heat bars of their weeks (and of the months those weeks
/// touch). Distances in km or mi, descent in m or ft, per `units`.
pub fn weeks_svg(
    weeks: &[Week],
    months: &[Month],
    flags: &[Flag],
    not_judged: &[NotJudged],
    units: Units,
) -> String {
    let plan = plan::plan(weeks, months, flags, not_judged, units);
    draw::draw(&plan).0
}
