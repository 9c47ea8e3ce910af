//! Tests of `folder`.

use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn write_report(r: &ReportFolder, file: &str, text: &str) {
    fs::write(r.staging().join(file), text).unwrap();
}

#[test]
fn replaces_whole_folder_and_repairs_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report");
    let r = ReportFolder::open(&target, &target).unwrap();
    write_report(&r, "activities.csv", "one");
    r.commit().unwrap();
    assert_eq!(
        fs::read_to_string(target.join("activities.csv")).unwrap(),
        "one"
    );
    assert_eq!(
        read_marker(&target).unwrap().files.len(),
        REPORT_FILES.len()
    );

    let r = ReportFolder::open(&target, &target).unwrap();
    write_report(&r, "errors.csv", "two");
    r.commit().unwrap();
    assert!(
        !target.join("activities.csv").exists(),
        "old files must not survive"
    );
    assert_eq!(
        fs::read_to_string(target.join("errors.csv")).unwrap(),
        "two"
    );

    // A run killed between the fallback's two renames leaves only `.report.old-PID`.
    fs::rename(&target, dir.path().join(".report.old-42")).unwrap();
    fs::create_dir(dir.path().join(".report.staging-999999999")).unwrap();
    let r = ReportFolder::open(&target, &target).unwrap();
    assert_eq!(
        fs::read_to_string(target.join("errors.csv")).unwrap(),
        "two"
    );
    assert!(!dir.path().join(".report.staging-999999999").exists());
    drop(r);
    assert_eq!(names(dir.path()), vec!["report".to_string()]);
}

#[test]
fn refuses_a_file_and_a_foreign_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report");
    fs::write(&target, "x").unwrap();
    assert!(check_out(&target, &[]).is_err());
    fs::remove_file(&target).unwrap();
    fs::create_dir(&target).unwrap();
    fs::write(target.join("thesis.txt"), "mine").unwrap();
    let e = ReportFolder::open(&target, &target)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a calfguard report"), "{e}");
    assert_eq!(names(&target), vec!["thesis.txt".to_string()]);
    assert_eq!(names(dir.path()), vec!["report".to_string()]);
}

#[test]
fn leftovers_that_are_not_ours_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report");
    for n in [
        ".report.staging-backup",
        ".report.staging-7",
        ".report.old-8",
    ] {
        fs::create_dir(dir.path().join(n)).unwrap();
        fs::write(dir.path().join(n).join("keep.txt"), "mine").unwrap();
    }
    // A folder named like our leftovers, with our marker, but also a file of its own.
    let mixed = dir.path().join(".report.staging-9");
    fs::create_dir(&mixed).unwrap();
    fs::write(mixed.join(MARKER), marker_text(REPORT_FILES)).unwrap();
    fs::write(mixed.join("activities.csv"), "ours").unwrap();
    fs::write(mixed.join("notes.txt"), "mine").unwrap();
    let r = ReportFolder::open(&target, &target).unwrap();
    r.commit().unwrap();
    for n in [
        ".report.staging-backup",
        ".report.staging-7",
        ".report.old-8",
    ] {
        assert_eq!(
            fs::read_to_string(dir.path().join(n).join("keep.txt")).unwrap(),
            "mine"
        );
    }
    assert!(mixed.join("notes.txt").exists() && mixed.join("activities.csv").exists());
}

#[test]
fn markers_are_parsed_strictly() {
    let m = parse_marker(&marker_text(&["a.csv", "b.md"])).unwrap();
    assert_eq!(m.files, vec!["a.csv", "b.md"]);
    assert_eq!(m.version, env!("CARGO_PKG_VERSION"));
    assert!(parse_marker("calfguard-report 2\nversion 1\n").is_none());
    assert!(
        parse_marker("calfguard-report 1\nfile a\n").is_none(),
        "no version"
    );
    for bad in ["../x", "sub/x", ".hidden", ""] {
        let text = format!("calfguard-report 1\nversion 1\nfile {bad}\n");
        assert!(parse_marker(&text).is_none(), "{bad}");
    }
}

#[test]
fn lock_is_exclusive_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report");
    let lock = OutLock::acquire(&target).unwrap();
    let e = OutLock::acquire(&target).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    assert!(e.to_string().contains("another calfguard run"), "{e}");
    drop(lock);
    assert!(names(dir.path()).is_empty());
    // A file of the user's with the lock's name is locked but never removed.
    fs::write(dir.path().join(".report.lock"), "mine").unwrap();
    drop(OutLock::acquire(&target).unwrap());
    assert_eq!(
        fs::read_to_string(dir.path().join(".report.lock")).unwrap(),
        "mine"
    );
}
