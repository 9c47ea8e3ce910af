//! What `--out` may replace, and what it never touches (issue 13): the report marker, folders
//! that are refused before any work, leftovers of earlier runs that are not ours, runs that
//! find nothing to report, interrupts (SIGINT, SIGTERM, SIGHUP, a second Ctrl-C), two runs on
//! one report folder, and a report folder found inside the inputs.
#![cfg(unix)]

mod common;

use assert_cmd::Command;
use common::{calfguard, fixtures, input_dir, Home};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const RUN: &str = "pyfitparse_fenix5_run_short.fit";
const RIDE: &str = "pyfitparse_edge810_ride_power.fit";

/// Every file and folder under `dir` with its content (folders: empty), hidden ones included.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                out.insert(p, Vec::new());
            } else if meta.is_file() {
                out.insert(p.clone(), fs::read(&p).unwrap());
            } else {
                out.insert(p, b"(link)".to_vec());
            }
        }
    }
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Run and return (exit code, stderr).
fn run(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn analyze(input: &Path, out: &Path) -> common::Cli {
    let mut cmd = calfguard();
    cmd.arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    cmd
}

#[test]
fn a_folder_that_is_not_a_report_is_refused_and_untouched() {
    // The issue's first case: `--out d` with d/docs/thesis.txt deleted the thesis.
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    fs::create_dir_all(d.join("docs")).unwrap();
    fs::write(d.join("docs/thesis.txt"), "four years of work").unwrap();
    let before = snapshot(tmp.path());
    let started = Instant::now();
    let (code, err) = run(&mut analyze(input.path(), &d));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("'{}'", d.display()))
            && err.contains("is not empty and is not a calfguard report"),
        "{err}"
    );
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "nothing beside or in it changed"
    );
    println!("refused in {:?}", started.elapsed());

    // The same with a marker that is not valid (it names a file outside the folder).
    fs::write(
        d.join(".calfguard-report"),
        "calfguard-report 1\nversion 0.1.0\nfile ../thesis.txt\n",
    )
    .unwrap();
    let before = snapshot(tmp.path());
    let (code, err) = run(&mut analyze(input.path(), &d));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a calfguard report"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);

    // An empty folder is fine: there is nothing to lose.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (code, err) = run(&mut analyze(input.path(), &empty));
    assert_eq!(code, Some(0), "{err}");
    assert!(empty.join("activities.csv").is_file());
    assert!(empty.join(".calfguard-report").is_file());
}

#[test]
fn out_overlapping_the_inputs_or_special_folders_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("exp");
    fs::create_dir(&exp).unwrap();
    fs::copy(fixtures().join(RUN), exp.join(RUN)).unwrap();
    let home = tmp.path().join("home");
    fs::create_dir(&home).unwrap();
    fs::write(home.join(".profile"), "mine").unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    fs::write(work.join("notes.txt"), "mine").unwrap();
    std::os::unix::fs::symlink(&exp, tmp.path().join("link")).unwrap();
    let before = snapshot(tmp.path());

    let file = exp.join(RUN);
    let cases: Vec<(&Path, PathBuf, &str)> = vec![
        // --out equal to the input folder: the issue's `--out exp`.
        (&exp, exp.clone(), "is the input"),
        // Inside it, even when it does not exist yet (nearest existing ancestor resolved).
        (&exp, exp.join("a/b/report"), "is inside the input folder"),
        // Inside it through a symbolic link, and with `..` in the way.
        (
            &exp,
            tmp.path().join("link/report"),
            "is inside the input folder",
        ),
        (
            &exp,
            tmp.path().join("nothing/../exp/r"),
            "is inside the input folder",
        ),
        // Above it.
        (&exp, tmp.path().to_path_buf(), "holds the input"),
        // An input file.
        (&file, file.clone(), "is the input"),
        // The current folder, by `.` and by its full path; the home folder; the root.
        (&exp, PathBuf::from("."), "is the current folder"),
        (&exp, work.clone(), "is the current folder"),
        (&exp, home.clone(), "is your home folder"),
        (&exp, PathBuf::from("/"), "is the root folder"),
    ];
    for (input, out, why) in cases {
        let mut cmd = calfguard();
        cmd.current_dir(&work)
            .env("HOME", &home)
            .arg("analyze")
            .arg(input)
            .arg("--out")
            .arg(&out)
            .arg("--quiet");
        let (code, err) = run(&mut cmd);
        assert_eq!(code, Some(2), "{out:?}: {err}");
        assert!(err.contains(why), "{out:?}: want '{why}' in: {err}");
        assert!(err.contains(&format!("'{}'", out.display())), "{err}");
        assert_eq!(snapshot(tmp.path()), before, "{out:?} touched something");
    }
}

#[test]
fn replacing_a_report_removes_only_what_its_marker_lists() {
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    let marker = fs::read_to_string(r.join(".calfguard-report")).unwrap();
    assert!(marker.starts_with("calfguard-report 1\n"), "{marker}");
    assert!(marker.contains(&format!("version {}\n", env!("CARGO_PKG_VERSION"))));
    for f in names(&r).iter().filter(|n| *n != ".calfguard-report") {
        assert!(marker.contains(&format!("file {f}\n")), "{f} not listed");
    }

    // Siblings named like calfguard's leftovers, but not ours: never removed.
    for n in [
        ".r.staging-backup",
        ".r.old",
        ".r.staging-123",
        ".r.old-77",
        ".r.staging-",
    ] {
        fs::create_dir(tmp.path().join(n)).unwrap();
        fs::write(tmp.path().join(n).join("keep.txt"), n).unwrap();
    }
    fs::write(tmp.path().join(".r.lock"), "my own file").unwrap();
    fs::copy(fixtures().join(RIDE), input.path().join(RIDE)).unwrap();
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    assert!(fs::read_to_string(r.join("activities.csv"))
        .unwrap()
        .contains(RIDE));
    for n in [
        ".r.staging-backup",
        ".r.old",
        ".r.staging-123",
        ".r.old-77",
        ".r.staging-",
    ] {
        assert_eq!(
            fs::read_to_string(tmp.path().join(n).join("keep.txt")).unwrap(),
            n
        );
    }
    assert_eq!(
        fs::read_to_string(tmp.path().join(".r.lock")).unwrap(),
        "my own file"
    );

    // A file or folder a person dropped into the report: refused, named, nothing touched.
    fs::write(r.join("notes.txt"), "mine").unwrap();
    fs::create_dir(r.join("photos")).unwrap();
    let before = snapshot(tmp.path());
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("'notes.txt'") && err.contains("'photos/'") && err.contains("2 entries"),
        "{err}"
    );
    assert_eq!(snapshot(tmp.path()), before);
    // A listed name that is now a folder is not ours either.
    fs::remove_file(r.join("notes.txt")).unwrap();
    fs::remove_dir(r.join("photos")).unwrap();
    fs::remove_file(r.join("summary.md")).unwrap();
    fs::create_dir(r.join("summary.md")).unwrap();
    fs::write(r.join("summary.md/draft.txt"), "mine").unwrap();
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("'summary.md/'"), "{err}");
    assert_eq!(
        fs::read_to_string(r.join("summary.md/draft.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn fallback_swap_killed_between_renames_is_repaired() {
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(analyze(input.path(), &r).env("CALFGUARD_NO_EXCHANGE", "1"));
    assert_eq!(code, Some(0), "{err}");
    let good = fs::read_to_string(r.join("activities.csv")).unwrap();
    // The fallback of two renames leaves nothing beside the report either.
    let (code, err) = run(analyze(input.path(), &r).env("CALFGUARD_NO_EXCHANGE", "1"));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(names(tmp.path()), vec!["r"]);

    fs::copy(fixtures().join(RIDE), input.path().join(RIDE)).unwrap();
    let (code, _) = run(analyze(input.path(), &r)
        .env("CALFGUARD_NO_EXCHANGE", "1")
        .env("CALFGUARD_FAULT", "between-renames"));
    assert_ne!(code, Some(0), "the fault point did not fire");
    // Killed between the renames: no `r`, the previous report under `.r.old-PID`.
    let left = names(tmp.path());
    assert!(!r.exists(), "{left:?}");
    let old: Vec<&String> = left.iter().filter(|n| n.starts_with(".r.old-")).collect();
    assert_eq!(old.len(), 1, "{left:?}");
    assert_eq!(
        fs::read_to_string(tmp.path().join(old[0]).join("activities.csv")).unwrap(),
        good
    );
    // The next run puts the previous report back, then replaces it; nothing is left beside it.
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    assert!(fs::read_to_string(r.join("activities.csv"))
        .unwrap()
        .contains(RIDE));
    assert_eq!(names(tmp.path()), vec!["r"]);
}

#[test]
fn nothing_to_report_is_exit_2_and_keeps_the_previous_report() {
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(tmp.path());

    let empty = tempfile::tempdir().unwrap();
    let notes = tempfile::tempdir().unwrap();
    fs::write(notes.path().join("notes.txt"), "hello").unwrap();
    fs::write(notes.path().join("photo.jpg"), b"\xff\xd8\xff\xe0").unwrap();
    let cases: Vec<(PathBuf, Vec<&str>, Vec<String>)> = vec![
        (
            empty.path().to_path_buf(),
            vec![],
            vec![format!("no file found in '{}'", empty.path().display())],
        ),
        (
            notes.path().to_path_buf(),
            vec![],
            vec![
                format!("no activity file found in '{}'", notes.path().display()),
                "2 files found, none holds an activity (2 skipped)".to_string(),
                "not an activity file".to_string(),
            ],
        ),
        (
            input.path().to_path_buf(),
            vec!["--since", "2030-01-01"],
            vec![
                "no activity on or after 2030-01-01".to_string(),
                "the 1 activity found in".to_string(),
            ],
        ),
        (
            input.path().to_path_buf(),
            vec!["--since", "2020-02-01", "--until", "2020-01-01"],
            vec!["--since 2020-02-01 is after --until 2020-01-01".to_string()],
        ),
    ];
    for (path, extra, wants) in cases {
        let (code, err) = run(analyze(&path, &r).args(&extra));
        assert_eq!(code, Some(2), "{path:?} {extra:?}: {err}");
        for want in &wants {
            assert!(err.contains(want.as_str()), "want '{want}' in: {err}");
        }
        assert_eq!(snapshot(tmp.path()), before, "{path:?} {extra:?}");
        // `summary` likewise.
        let (code, err) = run(calfguard()
            .arg("summary")
            .arg(&path)
            .arg("--quiet")
            .args(&extra));
        assert_eq!(code, Some(2), "summary {path:?} {extra:?}: {err}");
        assert!(err.contains(wants[0].as_str()), "{err}");
    }
    let (_, err) = run(&mut analyze(empty.path(), &r));
    assert!(
        err.contains(&format!(
            "the report in '{}' was left as it was",
            r.display()
        )),
        "{err}"
    );

    // Files found but every one failed: exit 1 with a report, as before (the failures are
    // the news).
    let broken = tempfile::tempdir().unwrap();
    fs::write(broken.path().join("empty.fit"), b"").unwrap();
    let (code, err) = run(&mut analyze(broken.path(), &r));
    assert_eq!(code, Some(1), "{err}");
    let errors = fs::read_to_string(r.join("errors.csv")).unwrap();
    assert!(errors.contains("empty.fit,failed"), "{errors}");
}

#[test]
fn a_report_inside_the_inputs_is_not_read() {
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    // Move the report into the input tree, with an activity file in it that would be read if
    // the folder were walked.
    let inside = input.path().join("old-report");
    fs::rename(&r, &inside).unwrap();
    fs::copy(fixtures().join(RIDE), inside.join(RIDE)).unwrap();
    let out = tmp.path().join("r2");
    let mut cmd = calfguard();
    cmd.arg("analyze").arg(input.path()).arg("--out").arg(&out);
    let (code, err) = run(&mut cmd);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("2 found, 1 analysed (0 salvaged), 1 skipped"),
        "{err}"
    );
    let activities = fs::read_to_string(out.join("activities.csv")).unwrap();
    assert!(!activities.contains(RIDE), "{activities}");
    let errors = fs::read_to_string(out.join("errors.csv")).unwrap();
    let rows: Vec<&str> = errors.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{errors}");
    assert!(
        rows[0].starts_with(&format!("{},skipped,", inside.display()))
            && rows[0].contains("a calfguard report folder"),
        "{errors}"
    );
}

// ---------------------------------------------------------------------------------------------
// Signals and the lock: processes driven with the `pause-analysis` / `hang-analysis` seams,
// which hold a run in its analysis stage (the lock taken, the staging folder made).
// ---------------------------------------------------------------------------------------------

/// A run spawned in `home` (which must outlive it).
fn spawn(home: &Home, input: &Path, out: &Path, fault: &str) -> Child {
    home.command()
        .env("CALFGUARD_FAULT", fault)
        .arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until the run has made its staging folder beside `out`.
fn wait_for_staging(child: &mut Child, out: &Path) {
    let parent = out.parent().unwrap();
    let prefix = format!(".{}.staging-", out.file_name().unwrap().to_string_lossy());
    let started = Instant::now();
    loop {
        if names(parent).iter().any(|n| n.starts_with(&prefix)) {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before it staged: {status:?}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no staging folder"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

fn finish(child: Child) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn sigint_sigterm_and_sighup_keep_the_previous_report() {
    let home = Home::new();
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    fs::copy(fixtures().join(RIDE), input.path().join(RIDE)).unwrap();
    let before = snapshot(tmp.path());
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let mut child = spawn(&home, input.path(), &r, "pause-analysis");
        wait_for_staging(&mut child, &r);
        signal(&child, sig);
        let (code, err, _) = finish(child);
        assert_eq!(code, Some(130), "signal {sig}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        // The previous report as it was; no staging folder, no lock file left.
        assert_eq!(snapshot(tmp.path()), before, "signal {sig}");
    }
    // `summary` too.
    let mut child = home
        .command()
        .env("CALFGUARD_FAULT", "pause-analysis")
        .arg("summary")
        .arg(input.path())
        .arg("--quiet")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "summary did not wait");
    signal(&child, libc::SIGTERM);
    let (code, err, _) = finish(child);
    assert_eq!(code, Some(130), "{err}");
}

#[test]
fn a_second_ctrl_c_stops_at_once() {
    let home = Home::new();
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(tmp.path());
    // `hang-analysis` sleeps two minutes without polling the flag, as a step that cannot
    // stop: the first Ctrl-C only asks, the second ends the process.
    let mut child = spawn(&home, input.path(), &r, "hang-analysis");
    wait_for_staging(&mut child, &r);
    signal(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first Ctrl-C must not stop a step that does not poll"
    );
    signal(&child, libc::SIGINT);
    let (code, err, waited) = finish(child);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted again"), "{err}");
    assert!(waited < Duration::from_secs(60), "took {waited:?}");
    // Staging and lock removed; the report as it was.
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn two_runs_on_one_report_folder_never_mix() {
    let home = Home::new();
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("r");
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    let good = fs::read_to_string(r.join("activities.csv")).unwrap();
    let mut first = spawn(&home, input.path(), &r, "pause-analysis");
    wait_for_staging(&mut first, &r);
    let lock = tmp.path().join(".r.lock");
    assert!(lock.is_file(), "{:?}", names(tmp.path()));
    // The second run is refused at once and says why; it touches nothing.
    fs::copy(fixtures().join(RIDE), input.path().join(RIDE)).unwrap();
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "another calfguard run (pid {}) is writing the report folder",
            first.id()
        )),
        "{err}"
    );
    assert_eq!(fs::read_to_string(r.join("activities.csv")).unwrap(), good);
    signal(&first, libc::SIGINT);
    let (code, err, _) = finish(first);
    assert_eq!(code, Some(130), "{err}");
    assert!(!lock.exists(), "the lock file is removed");
    // Free again.
    let (code, err) = run(&mut analyze(input.path(), &r));
    assert_eq!(code, Some(0), "{err}");
    assert!(fs::read_to_string(r.join("activities.csv"))
        .unwrap()
        .contains(RIDE));
    assert_eq!(names(tmp.path()), vec!["r"]);
}

#[test]
fn out_in_a_missing_folder_is_refused_before_any_work() {
    let input = input_dir(&[RUN]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("missing/r");
    let (code, err) = run(&mut analyze(input.path(), &out));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "the folder '{}' it would go in does not exist",
            tmp.path().join("missing").display()
        )),
        "{err}"
    );
    assert!(names(tmp.path()).is_empty());
}
