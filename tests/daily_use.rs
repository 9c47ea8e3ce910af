//! End-to-end tests of what a daily user meets first (issue 18): argument errors in plain
//! words, shell completions, the man page, `--version`, `--help` examples.

mod common;

use common::calfguard;

#[test]
fn threads_zero_says_at_least_one() {
    let out = calfguard()
        .args(["analyze", "anything", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be at least 1"), "{err}");
}

fn stdout_of(args: &[&str]) -> String {
    let out = calfguard().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `program` can be started (checks that need a shell or `man` run where they exist).
fn have(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok()
}

/// Check a script with `shell -n` (parse only).
fn parses(shell: &str, script: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("completion");
    std::fs::write(&path, script).unwrap();
    let out = std::process::Command::new(shell)
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} -n rejects the completion script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for word in ["analyze", "summary", "init", "fail-on", "week"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    // bash is always there (cargo's test machines and CI have it); the others where installed.
    parses("bash", &stdout_of(&["completions", "bash"]));
    for shell in ["zsh", "fish"] {
        if have(shell) {
            parses(shell, &stdout_of(&["completions", shell]));
        } else {
            eprintln!("{shell} not installed: its completion script was not parsed");
        }
    }
    // The bash script really completes: load it and ask for the words after `calfguard su`.
    let script = stdout_of(&["completions", "bash"]);
    let probe = format!(
        "{script}\nCOMP_WORDS=(calfguard su); COMP_CWORD=1; COMP_LINE='calfguard su'; \
         COMP_POINT=${{#COMP_LINE}}; _calfguard calfguard su calfguard; echo \"${{COMPREPLY[@]}}\""
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &probe])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "summary");
    // An unknown shell is a usage error.
    calfguard().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_is_roff_and_renders() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH calfguard 1"), "{page}");
    for section in [
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH \"CALFGUARD ANALYZE\"",
        ".SH \"CALFGUARD SUMMARY\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    if !have("man") {
        eprintln!("man not installed: the page was checked for its sections only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calfguard.1");
    std::fs::write(&path, &page).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(out.status.success(), "man -l: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    // Rendered: the roff requests are gone, options keep their plain hyphens.
    assert!(!text.contains(".SH"), "{text}");
    assert!(text.contains("--fail-on"), "{text}");
    assert!(
        text.contains("calfguard summary ~/exports --week 2026-W47"),
        "{text}"
    );
}

#[test]
fn help_of_each_command_has_examples() {
    for cmd in ["analyze", "summary", "init"] {
        let help = stdout_of(&[cmd, "--help"]);
        assert!(help.contains("Examples:"), "{cmd} --help: {help}");
        assert!(
            help.contains(&format!("calfguard {cmd} ")),
            "{cmd} --help: {help}"
        );
    }
}

#[test]
fn version_names_the_checkout_it_was_built_from() {
    let version = stdout_of(&["--version"]);
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(
        version.starts_with(&format!("calfguard {pkg}")),
        "{version}"
    );
    let root = common::root();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let is_checkout = top
        .is_some_and(|t| std::path::Path::new(&t).canonicalize().ok() == root.canonicalize().ok());
    if is_checkout {
        let describe = git(&["describe", "--tags", "--always"]).unwrap();
        assert_eq!(version.trim(), format!("calfguard {pkg} ({describe})"));
    } else {
        assert_eq!(version.trim(), format!("calfguard {pkg}"));
    }
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("calfguard.toml");
    std::fs::write(&config, "[athlete]\nhr_max_bpm = 18 8\n").unwrap();
    let input = common::input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    let out = calfguard()
        .arg("summary")
        .arg(input.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("calfguard.toml: not valid TOML at line 2, column 14"),
        "{err}"
    );
}

/// One row of `fixtures/real/oracle.csv` (independent decoders' values), by file name.
fn oracle(name: &str) -> std::collections::HashMap<String, String> {
    let mut rdr = csv::Reader::from_path(common::fixtures().join("oracle.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| r.unwrap())
        .find(|r| r.get(0) == Some(name))
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .unwrap_or_else(|| panic!("{name} not in oracle.csv"))
}

/// The rows of a report CSV as maps from column to cell.
fn csv_rows(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: '{s}'"))
}

/// Sessions without a track (`fixtures/derived`, made from real files by `derive.py`): a FIT
/// with its session and no records, a GPX with an empty `<trkseg/>`. Both are analysed, counted
/// in their week with what their files state, and the summary says they had no samples.
#[test]
fn sessions_without_a_track_count_in_their_week() {
    let derived = common::root().join("fixtures/derived");
    let input = tempfile::tempdir().unwrap();
    let fit = "trackless_fenix5_run_no_records.fit";
    let gpx = "trackless_garminconnect_run_empty_trkseg.gpx";
    for f in [fit, gpx] {
        std::fs::copy(derived.join(f), input.path().join(f)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .args(["--out"])
        .arg(&report)
        .args(["--now", "2017-08-10", "--quiet"])
        .assert()
        .code(0);
    let errors = csv_rows(&report.join("errors.csv"));
    assert!(errors.is_empty(), "{errors:?}");
    let acts = csv_rows(&report.join("activities.csv"));
    let row = |name: &str| {
        acts.iter()
            .find(|r| r["source"].ends_with(name))
            .unwrap_or_else(|| panic!("{name} not analysed: {acts:?}"))
            .clone()
    };

    // The FIT session: the session message's totals, as the independent decoders read them
    // from the original file (distance within 0.01 m, timer within 0.01 s).
    let o = oracle("pyfitparse_fenix5_run_short.fit");
    let f = row(fit);
    assert_eq!(f["samples"], "0");
    assert_eq!(f["sport"], "running");
    assert_eq!(f["start_utc"], o["start_time"]);
    assert!((num(&f["distance_m"]) - num(&o["session_total_distance"])).abs() < 0.01);
    assert!((num(&f["timer_s"]) - num(&o["session_total_timer_time"])).abs() < 0.01);
    // Moving time is the stated timer time (written to 0.1 s), the load the duration load.
    assert!((num(&f["moving_s"]) - num(&o["session_total_timer_time"])).abs() < 0.05);
    assert_eq!(f["load_source"], "duration");
    assert_eq!(f["hard"], "", "no samples: hard is unknown, not false");
    assert!(f["warnings"].contains("no records"), "{f:?}");

    // The GPX track without points: started at the file's metadata time (which in the original
    // file is also its first point's time, gpxpy's start), of the track's type, no distance.
    let o = oracle("georust_garminconnect_run_ns3_hr_cad.gpx");
    let g = row(gpx);
    assert_eq!(g["samples"], "0");
    assert_eq!(g["sport"], "running");
    assert_eq!(g["start_utc"], o["gpx_start_time"]);
    assert_eq!(g["distance_m"], "");
    assert!(g["warnings"].contains("no track points"), "{g:?}");

    // Each is a run of its week, with the distance and time its file states.
    let weeks = csv_rows(&report.join("weeks.csv"));
    let week = |label: &str| weeks.iter().find(|w| w["period"] == label).unwrap().clone();
    let w23 = week("2017-W23");
    assert_eq!(w23["runs"], "1");
    assert!((num(&w23["distance_m"]) - num(&f["distance_m"])).abs() < 0.1);
    assert!((num(&w23["moving_s"]) - num(&f["moving_s"])).abs() < 1.0);
    assert!(num(&w23["load"]) > 0.0);
    assert_eq!(week("2017-W30")["runs"], "1");

    // The summary of each week says so; a week with recorded runs does not.
    for w in ["2017-W23", "2017-W30"] {
        let text = stdout_of(&[
            "summary",
            input.path().to_str().unwrap(),
            "--now",
            "2017-08-10",
            "--week",
            w,
            "--quiet",
        ]);
        assert!(text.contains("1 session had no samples"), "{w}: {text}");
    }
    let full = common::input_dir(&["georust_garminconnect_run_ns3_hr_cad.gpx"]);
    let text = stdout_of(&[
        "summary",
        full.path().to_str().unwrap(),
        "--now",
        "2017-08-10",
        "--week",
        "2017-W30",
        "--quiet",
    ]);
    assert!(
        text.contains("1 run,") && !text.contains("no samples"),
        "{text}"
    );
}

/// `fixtures/derived/derive.py` remakes the committed files byte for byte from `fixtures/real`.
#[test]
fn derived_fixtures_are_reproducible() {
    let out = tempfile::tempdir().unwrap();
    let derived = common::root().join("fixtures/derived");
    let status = std::process::Command::new("python3")
        .arg(derived.join("derive.py"))
        .arg(out.path())
        .output();
    let Ok(status) = status else {
        eprintln!("python3 not installed: derive.py was not run");
        return;
    };
    assert!(status.status.success(), "{status:?}");
    for name in [
        "trackless_fenix5_run_no_records.fit",
        "trackless_garminconnect_run_empty_trkseg.gpx",
    ] {
        assert_eq!(
            std::fs::read(out.path().join(name)).unwrap(),
            std::fs::read(derived.join(name)).unwrap(),
            "{name} differs from what derive.py makes"
        );
    }
}

/// Strava's `activities.csv` lists sessions without a file: the strength types count as strength
/// sessions in their week (local date of Strava's UTC time), so ST-LOW is judged; the others
/// are only counted.
#[test]
fn strava_rows_without_a_file_are_strength_sessions_or_counted() {
    let export = tempfile::tempdir().unwrap();
    std::fs::create_dir(export.path().join("activities")).unwrap();
    std::fs::copy(
        common::fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx"),
        export.path().join("activities/1.gpx"),
    )
    .unwrap();
    // The run is on Sat 2017-07-29 (2017-W30). Row 5 is Sunday 23:30 UTC: Monday in Berlin.
    std::fs::write(
        export.path().join("activities.csv"),
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename\n\
         1,\"Jul 29, 2017, 2:46:35 PM\",Run,Run,,activities/1.gpx\n\
         2,\"Jul 25, 2017, 6:00:00 PM\",Gym,Weight Training,,\n\
         3,\"Jul 27, 2017, 6:00:00 PM\",Stretch,Yoga,,\n\
         4,\"Jul 26, 2017, 6:00:00 PM\",Pool,Swim,,\n\
         5,\"Jul 30, 2017, 11:30:00 PM\",Late,Crossfit,,\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    let run = calfguard()
        .arg("analyze")
        .arg(export.path())
        .arg("--out")
        .arg(&report)
        .args(["--now", "2017-08-20", "--tz", "Europe/Berlin"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let line = String::from_utf8_lossy(&run.stderr);
    assert!(
        line.contains("1 activities, 0 conflicts, 4 sessions listed by Strava without a file (3 strength sessions counted),"),
        "{line}"
    );
    // Files: the GPX and the list; the listed sessions are not files.
    assert!(line.contains("2 found, 1 analysed"), "{line}");
    let weeks = csv_rows(&report.join("weeks.csv"));
    let strength = |label: &str| {
        weeks
            .iter()
            .find(|w| w["period"] == label)
            .map_or("none".to_string(), |w| w["strength_sessions"].clone())
    };
    assert_eq!(strength("2017-W30"), "2");
    assert_eq!(
        strength("2017-W31"),
        "1",
        "23:30 UTC on Sunday is Monday in Berlin"
    );
    // activities.csv holds files only.
    assert_eq!(csv_rows(&report.join("activities.csv")).len(), 1);
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(
        summary.contains("Strava's list also names 4 sessions without a file: 3 strength sessions counted in their weeks, the others not analysed."),
        "{summary}"
    );
    assert!(
        !summary.contains("ST-LOW: no strength sessions recorded"),
        "{summary}"
    );

    // Without the list's strength rows, ST-LOW is not judged at all.
    let plain = common::input_dir(&["georust_garminconnect_run_ns3_hr_cad.gpx"]);
    let text = stdout_of(&[
        "summary",
        plain.path().to_str().unwrap(),
        "--now",
        "2017-08-20",
        "--week",
        "2017-W30",
        "--quiet",
    ]);
    assert!(
        text.contains("ST-LOW: no strength sessions recorded"),
        "{text}"
    );
}
