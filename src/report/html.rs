//! `report.html`: the summary, the chart and the flags in one self-contained file.
//!
//! No scripts, no network: the CSS is inline, the fonts are the reader's own sans-serif, the
//! chart is the SVG text of [`super::chart::weeks_svg`] embedded as is. The summary Markdown is
//! rendered with pulldown-cmark (headings, paragraphs, lists, emphasis, tables, code); raw HTML in
//! it is shown as text, images become their alt text and only `http(s)`, `mailto` and `#` links
//! stay links. Every other text is escaped. The output is XHTML-style (void elements closed), so
//! an XML parser reads it, and deterministic.

use super::format::flag_number;
use crate::flags::{headline_order, Code, Flag, Severity};
use crate::units::Units;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::fmt::Write;

/// Escape text for HTML element content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn safe_link(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("https://")
        || u.starts_with("http://")
        || u.starts_with("mailto:")
        || u.starts_with('#')
}

/// Render the summary Markdown to HTML; raw HTML is escaped (see the module documentation).
pub fn markdown_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut in_image = false;
    let mut dropped_link = false;
    let events = Parser::new_ext(markdown, options).filter_map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::Image { .. }) => {
            in_image = true;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = false;
            None
        }
        Event::Start(Tag::Link { ref dest_url, .. }) if !safe_link(dest_url) => {
            dropped_link = true;
            None
        }
        Event::End(TagEnd::Link) if dropped_link => {
            dropped_link = false;
            None
        }
        Event::Text(t) if in_image => Some(Event::Text(t)),
        e if in_image => match e {
            Event::Code(c) => Some(Event::Text(c)),
            _ => None,
        },
        Event::InlineMath(s) | Event::DisplayMath(s) => Some(Event::Text(s)),
        Event::FootnoteReference(s) => Some(Event::Text(CowStr::from(format!("[{s}]")))),
        e => Some(e),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Low => "sev-low",
        Severity::Medium => "sev-medium",
        Severity::High => "sev-high",
    }
}

/// Only a chart as [`super::chart::weeks_svg`] makes it is embedded; anything else (or anything
/// that could run or fetch) is left out.
fn embeddable_svg(svg: &str) -> Option<&str> {
    let t = svg.trim();
    let lower = t.to_ascii_lowercase();
    let risky = [
        "<script",
        "<foreignobject",
        "href=",
        "url(",
        "<!entity",
        "<?",
    ];
    // Event-handler attributes: ` on` + letters + `=`.
    let handler = lower.match_indices(" on").any(|(i, _)| {
        let rest = &lower[i + 3..];
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        letters > 0 && rest[letters..].trim_start().starts_with('=')
    });
    (t.starts_with("<svg")
        && t.ends_with("</svg>")
        && !handler
        && !risky.iter().any(|r| lower.contains(r)))
    .then_some(t)
}

const CSS: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #222; margin: 1.5rem auto;
  max-width: 1240px; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.5rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.75rem 0; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
table.flags { min-width: 56rem; }
tr.week th { background: #e4e4e4; text-align: left; }
@media (max-width: 600px) { body { margin: 0.5rem auto; padding: 0 0.5rem; }
  th, td { padding: 0.2rem 0.35rem; font-size: 0.9rem; } }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.55rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
td.date, td.code { white-space: nowrap; }
figure { margin: 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
.sev { font-weight: bold; padding: 0.05rem 0.4rem; border-radius: 0.25rem; border: 1px solid #000; }
.sev-low { background: #F0E442; }
.sev-medium { background: #56B4E9; }
.sev-high { background: #D55E00; color: #fff; }
code { background: #f3f3f3; padding: 0 0.2rem; }
";

/// `report.html`: `title`, the rendered `summary_markdown` (it leads with the verdict), the chart
/// (`svg`, from [`super::chart::weeks_svg`]) inline, and a table of `flags`, newest week first,
/// grouped by week with the headline first (date, the activity's start and distance, code,
/// severity, message, value, threshold, advice once per code and week), numbers in `units`
/// where the rule's unit is a distance. Tables scroll inside their box and the chart scales,
/// so the page reads on a phone.
pub fn report_html(
    title: &str,
    summary_markdown: &str,
    svg: &str,
    flags: &[Flag],
    units: Units,
) -> String {
    let title = escape(title);
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    let _ = writeln!(h, "<title>{title}</title>");
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(h, "<header><h1>{title}</h1></header>\n<main>");

    h.push_str("<section id=\"summary\">\n");
    // Wide tables scroll inside their box on a phone instead of widening the page.
    h.push_str(
        &markdown_html(summary_markdown)
            .replace("<table>", "<div class=\"scroll\"><table>")
            .replace("</table>", "</table></div>"),
    );
    h.push_str("</section>\n");

    h.push_str("<section id=\"chart\">\n<h2>Charts</h2>\n<figure>\n");
    match embeddable_svg(svg) {
        Some(svg) => {
            h.push_str(svg);
            h.push('\n');
        }
        None => h.push_str("<p>The chart could not be embedded.</p>\n"),
    }
    h.push_str("</figure>\n</section>\n");

    h.push_str("<section id=\"flags\">\n<h2>Flags</h2>\n");
    if flags.is_empty() {
        h.push_str("<p>No flags.</p>\n");
    } else {
        h.push_str(
            "<p>Newest week first; the week's headline flag is marked &#9733;.</p>\n\
             <div class=\"scroll\"><table class=\"flags\">\n<thead><tr><th>date</th><th>activity</th><th>code</th>\
             <th>severity</th><th>message</th><th>value</th><th>threshold</th><th>advice</th>\
             </tr></thead>\n<tbody>\n",
        );
        // Newest week first; within a week the headline first, then by date.
        let mut order: Vec<&Flag> = flags.iter().collect();
        order.sort_by(|a, b| {
            b.period
                .cmp(&a.period)
                .then(b.headline.cmp(&a.headline))
                .then(headline_order(a, b))
        });
        let mut week: Option<&str> = None;
        let mut advised: Vec<Code> = Vec::new();
        for f in order {
            if week != Some(f.period.as_str()) {
                week = Some(f.period.as_str());
                advised.clear();
                let _ = writeln!(
                    h,
                    "<tr class=\"week\"><th colspan=\"8\">Week {}</th></tr>",
                    escape(&f.period)
                );
            }
            let sev = f.severity.as_str();
            let advice = if advised.contains(&f.code) {
                "As above.".to_string()
            } else {
                advised.push(f.code);
                escape(f.code.advice())
            };
            let activity = match (f.activity_start_local, f.activity_distance_m) {
                (Some(t), Some(d)) => format!(
                    "{}, {}",
                    t.format("%a %H:%M"),
                    escape(&super::format::distance(d, units))
                ),
                (Some(t), None) => t.format("%a %H:%M").to_string(),
                _ => "the week".to_string(),
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"date\">{date}</td><td class=\"date\">{activity}</td>\
                 <td class=\"code\">{star}{code}</td>\
                 <td><span class=\"sev {class}\">{sev}</span></td><td>{message}</td>\
                 <td class=\"num\">{value}</td><td class=\"num\">{threshold}</td>\
                 <td>{advice}</td></tr>",
                date = f.date.format("%Y-%m-%d"),
                star = if f.headline { "&#9733; " } else { "" },
                code = escape(f.code.as_str()),
                class = severity_class(f.severity),
                message = escape(&super::format::render(&f.message, units)),
                value = escape(&flag_number(f.value, f.code, units)),
                threshold = escape(&flag_number(f.threshold, f.code, units)),
            );
        }
        h.push_str("</tbody>\n</table></div>\n");
    }
    h.push_str("</section>\n</main>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::Code;
    use crate::report::chart::tests::{assert_well_formed, fixture_flags, fixture_weeks};
    use crate::report::chart::weeks_svg;

    const SUMMARY: &str = "# Last 4 weeks\n\nYou ran **120 km** in *4 weeks*.\n\n\
        - ramp: up 45 %\n- descent: 310 m\n\n\
        | week | km |\n|---|---:|\n| 2025-W28 | 48 |\n| 2025-W29 | 35 |\n\n\
        Raw <b onclick=\"x()\">html</b> & <script>alert(1)</script>\n\n\
        <div>block</div>\n\n![tracker](http://example.com/pixel.png)\n\n\
        [bad](javascript:alert(1)) and [good](https://example.org/a?b=1&c=2)\n";

    fn report() -> String {
        let svg = weeks_svg(&fixture_weeks(), &[], &fixture_flags(), &[], Units::Metric);
        report_html(
            "Calf <risk> & \"you\"",
            SUMMARY,
            &svg,
            &fixture_flags(),
            Units::Metric,
        )
    }

    #[test]
    fn report_is_well_formed_and_self_contained() {
        let h = report();
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(assert_well_formed(&h) > 100);
        let lower = h.to_ascii_lowercase();
        for bad in [
            "<script",
            "<link",
            "<img",
            "<iframe",
            "@import",
            "url(",
            "src=",
            "javascript:",
        ] {
            assert!(!lower.contains(bad), "{bad} in report.html");
        }
        // Only link: the safe one from the summary.
        assert_eq!(lower.matches("href=").count(), 1);
        assert!(h.contains("<a href=\"https://example.org/a?b=1&amp;c=2\">good</a>"));
        assert_eq!(report(), h, "deterministic");
    }

    #[test]
    fn markdown_subset_rendered_and_raw_html_escaped() {
        let h = report();
        assert!(h.contains("<h1>Last 4 weeks</h1>"));
        assert!(h.contains("<strong>120 km</strong>"));
        assert!(h.contains("<em>4 weeks</em>"));
        assert!(h.contains("<li>ramp: up 45 %</li>"));
        assert!(h.contains("<th>week</th>"));
        assert!(h.contains("<td>2025-W28</td>"));
        assert!(h.contains("Raw &lt;b onclick=\"x()\"&gt;html&lt;/b&gt; &amp; &lt;script"));
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains("&lt;div&gt;block&lt;/div&gt;"));
        assert!(h.contains("tracker"), "image replaced by its alt text");
        assert!(h.contains("<title>Calf &lt;risk&gt; &amp; &quot;you&quot;</title>"));
    }

    #[test]
    fn chart_is_inline_and_flags_table_complete() {
        let h = report();
        let svg = weeks_svg(&fixture_weeks(), &[], &fixture_flags(), &[], Units::Metric);
        assert!(h.contains(svg.trim()), "the SVG text embedded as is");
        assert_eq!(
            h.matches("<tr><td class=\"date\">").count(),
            fixture_flags().len()
        );
        assert!(h.contains(
            "<td class=\"date\">2025-07-16</td><td class=\"date\">the week</td><td class=\"code\">OT-SPIKE</td>"
        ));
        // Newest week first, each week under its own row.
        let weeks: Vec<usize> = ["2025-W37", "2025-W29", "2025-W25"]
            .iter()
            .map(|w| {
                h.find(&format!("<th colspan=\"8\">Week {w}</th>"))
                    .expect(w)
            })
            .collect();
        assert!(weeks.windows(2).all(|p| p[0] < p[1]), "{weeks:?}");
        assert!(h.contains("<div class=\"scroll\"><table>"), "tables scroll");
        assert!(
            h.contains("<div class=\"scroll\"><table class=\"flags\">"),
            "the flags table scrolls, wide enough for its rows to stay short on a phone"
        );
        assert!(h.contains("<span class=\"sev sev-high\">high</span>"));
        assert!(h.contains("<td>24 km after 14 km.</td>"));
        assert!(h.contains("<td class=\"num\">42.5 %</td><td class=\"num\">10 %</td>"));
        assert!(
            h.contains("<td class=\"num\">42.5 m</td>"),
            "DH-SPIKE in metres"
        );
        assert!(h.contains(&escape(Code::OtSpike.advice())));
    }

    #[test]
    fn imperial_flag_values_and_escaped_messages() {
        let mut flags = fixture_flags();
        flags[0].code = Code::FwKm;
        flags[0].value = Some(804.672);
        flags[0].threshold = Some(700.0);
        flags[0].message = "Shoe <\"Pegasus\"> & co".into();
        let h = report_html("t", "", "<svg></svg>", &flags, Units::Imperial);
        assert_well_formed(&h);
        assert!(h.contains("<td class=\"num\">500 mi</td><td class=\"num\">434.96 mi</td>"));
        assert!(
            h.contains("<td class=\"num\">139.44 ft</td>"),
            "DH-SPIKE 42.5 m in feet"
        );
        assert!(h.contains("Shoe &lt;&quot;Pegasus&quot;&gt; &amp; co"));
    }

    #[test]
    fn no_flags_and_unsafe_svg() {
        let onload = report_html("t", "", "<svg onload = \"x()\"></svg>", &[], Units::Metric);
        assert!(onload.contains("The chart could not be embedded."));
        let h = report_html(
            "t",
            "",
            "<svg><script>alert(1)</script></svg>",
            &[],
            Units::Metric,
        );
        assert_well_formed(&h);
        assert!(h.contains("<p>No flags.</p>"));
        assert!(h.contains("The chart could not be embedded."));
        assert!(!h.contains("alert"));
    }
}
