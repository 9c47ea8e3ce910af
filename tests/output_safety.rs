//! Output safety (issue 13): text from files cannot run as a spreadsheet formula (CSV
//! injection) or add structure to the Markdown summary, and two file names that differ only in
//! bytes that are not UTF-8 stay two different sources.
#![cfg(unix)]

mod common;

use common::{calfguard, fixtures};
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut out = vec![r.headers().unwrap().clone()];
    out.extend(r.records().map(|x| x.unwrap()));
    out
}

fn col(rows: &[csv::StringRecord], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

#[test]
fn csv_cells_from_files_cannot_run_as_formulas() {
    let input = tempfile::tempdir().unwrap();
    // A real Garmin Connect GPX (a run in California: its offset is negative) whose creator is
    // a formula, saved under a name that is one.
    let gpx = fs::read_to_string(fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx"))
        .unwrap()
        .replace(
            "creator=\"Garmin Connect\"",
            "creator=\"=HYPERLINK('http://evil.example','x')\"",
        );
    fs::write(input.path().join("@run.gpx"), gpx).unwrap();
    // A real Endomondo GPX whose type is a formula, under a name that starts with `-`.
    let hike = fs::read_to_string(fixtures().join("phpgpx_endomondo_hike_2seg_hr.gpx"))
        .unwrap()
        .replace("<type>HIKING</type>", "<type>-2+3</type>");
    fs::write(input.path().join("-hike.gpx"), hike).unwrap();
    fs::write(input.path().join("=notes.txt"), "not an activity").unwrap();
    let gear = input.path().join("shoes.csv");
    fs::write(&gear, "shoe,from,to\n\"+SUM(1,2)\",2000-01-01,\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    // Relative names, so that the sources start with the file names.
    calfguard()
        .current_dir(input.path())
        .args(["analyze", "--quiet", "--gear", "shoes.csv", "--out"])
        .arg(&report)
        .args(["--", "@run.gpx", "-hike.gpx", "=notes.txt"])
        .assert()
        .code(0);

    let a = rows(&report.join("activities.csv"));
    let row = |source: &str| {
        a.iter()
            .find(|r| &r[0] == source)
            .unwrap_or_else(|| panic!("no row {source}: {a:?}"))
    };
    let run = row("'@run.gpx");
    assert_eq!(
        &run[col(&a, "device")],
        "'=HYPERLINK('http://evil.example','x')"
    );
    assert_eq!(&run[col(&a, "gear")], "'+SUM(1,2)");
    // Numbers stay numbers, also negative ones.
    assert_eq!(&run[col(&a, "utc_offset_s")], "-25200");
    let hike = row("'-hike.gpx");
    assert_eq!(&hike[col(&a, "sub_sport")], "'-2+3");
    let e = rows(&report.join("errors.csv"));
    assert!(e.iter().any(|r| &r[0] == "'=notes.txt"), "{e:?}");

    // No cell of any CSV of the report starts with a formula character unless it is a number.
    for f in [
        "activities.csv",
        "errors.csv",
        "flags.csv",
        "weeks.csv",
        "months.csv",
        "athlete.csv",
    ] {
        for r in rows(&report.join(f)) {
            for cell in r.iter() {
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(cell.parse::<f64>().is_ok(), "{f}: {cell:?}");
                }
            }
        }
    }
}

/// The summary of the sample athlete's last week with every run in one pair of shoes named
/// `shoe` (FW-SINGLE quotes the name).
fn summary_with_shoe(shoe: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let gear = dir.path().join("shoes.csv");
    let mut f = fs::File::create(&gear).unwrap();
    writeln!(f, "shoe,from,to").unwrap();
    writeln!(f, "\"{}\",2026-01-01,", shoe.replace('"', "\"\"")).unwrap();
    let out = calfguard()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "summary",
            "fixtures/sample-athlete",
            "--config",
            "fixtures/sample-athlete/calfguard.toml",
            "--now",
            "2026-10-26",
            "--quiet",
            "--gear",
        ])
        .arg(&gear)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

/// The Markdown structure: every start and end tag, nothing of the text.
fn structure(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
        .filter_map(|e| match e {
            Event::Start(t) => Some(format!("{t:?}")),
            Event::End(t) => Some(format!("end {t:?}")),
            Event::Html(h) | Event::InlineHtml(h) => Some(format!("html {h}")),
            _ => None,
        })
        .collect()
}

/// The text of the Markdown, as a reader sees it.
fn plain(md: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    Parser::new(md)
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn markdown_from_files_cannot_add_structure() {
    let evil = "# Evil [click](http://evil.example) ![x](http://evil.example/i.png) \
                <script>alert(1)</script> | a | b | *bold* `code` www.evil.example me@evil.example &amp; ~~x~~";
    let benign = "Pegasus 40";
    let bad = summary_with_shoe(evil);
    let good = summary_with_shoe(benign);
    assert!(
        good.contains("were in \"Pegasus 40\", Sun 25 Oct 2026."),
        "{good}"
    );
    // The same headings, lists, links, tables as with an ordinary name; nothing added.
    assert_eq!(structure(&bad), structure(&good), "{bad}");
    // And the name reads as it was written.
    assert!(plain(&bad).contains(evil), "{}", plain(&bad));
    // report.html renders the same summary: no link, image or script from the name.
    let html = calfguard::report::html::markdown_html(&bad);
    assert!(
        !html.contains("<script") && !html.contains("<img") && !html.contains("evil.example\"")
    );
}

/// A real FIT file copied under a name given as bytes.
fn copy_as(dir: &Path, name: &[u8], fixture: &str) {
    fs::copy(fixtures().join(fixture), dir.join(OsStr::from_bytes(name))).unwrap();
}

const RUN: &str = "pyfitparse_fenix5_run_short.fit";
const RIDE: &str = "pyfitparse_edge810_ride_power.fit";

#[test]
fn names_that_differ_only_in_invalid_bytes_stay_apart() {
    // The same file under two names that differ only in one byte that is not UTF-8: shown
    // apart, one analysed and one duplicate (with lossy names both were analysed: counted twice).
    let input = tempfile::tempdir().unwrap();
    copy_as(input.path(), b"run\xfe.fit", RUN);
    copy_as(input.path(), b"run\xff.fit", RUN);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    let assert = calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("2 found, 1 analysed (0 salvaged), 0 skipped, 0 failed, 1 duplicate"),
        "{err}"
    );
    let dir = input.path().display().to_string();
    let a = rows(&report.join("activities.csv"));
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(&a[1][0], format!("{dir}/run\\xfe.fit"));
    let e = rows(&report.join("errors.csv"));
    assert_eq!(&e[1][0], format!("{dir}/run\\xff.fit"));
    assert_eq!(&e[1][1], "duplicate");
    assert_eq!(&e[1][4], format!("{dir}/run\\xfe.fit"));

    // Two different files: two sources, two activities. A name that spells an escape is
    // shown with its backslash doubled, so it cannot pass for an invalid byte.
    let input = tempfile::tempdir().unwrap();
    copy_as(input.path(), b"a\xff.fit", RUN);
    copy_as(input.path(), b"a\\xff.fit", RIDE);
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .arg("--quiet")
        .assert()
        .code(0);
    let dir = input.path().display().to_string();
    let mut sources: Vec<String> = rows(&report.join("activities.csv"))[1..]
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        vec![format!("{dir}/a\\\\xff.fit"), format!("{dir}/a\\xff.fit")]
    );
}

#[test]
fn archive_member_names_that_differ_only_in_invalid_bytes_stay_apart() {
    use zip::write::SimpleFileOptions;
    let fit = fs::read(fixtures().join(RUN)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in ["m1.fit", "m2.fit"] {
        w.start_file(name, opts).unwrap();
        w.write_all(&fit).unwrap();
    }
    let mut zip = w.finish().unwrap().into_inner();
    // Rename the members (local and central headers) to names with one invalid byte each.
    for (from, to) in [(b"m1.fit", b"m\xfe.fit"), (b"m2.fit", b"m\xff.fit")] {
        let mut i = 0;
        while i + from.len() <= zip.len() {
            if &zip[i..i + from.len()] == from {
                zip[i..i + from.len()].copy_from_slice(to);
            }
            i += 1;
        }
    }
    let input = tempfile::tempdir().unwrap();
    fs::write(input.path().join("export.zip"), &zip).unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    let assert = calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("2 found, 1 analysed (0 salvaged), 0 skipped, 0 failed, 1 duplicate"),
        "{err}"
    );
    let zip_source = input.path().join("export.zip").display().to_string();
    let a = rows(&report.join("activities.csv"));
    assert_eq!(&a[1][0], format!("{zip_source}!m\\xfe.fit"));
    let e = rows(&report.join("errors.csv"));
    assert_eq!(&e[1][0], format!("{zip_source}!m\\xff.fit"));
    assert_eq!(&e[1][4], format!("{zip_source}!m\\xfe.fit"));
}
