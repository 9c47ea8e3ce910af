//! The store (`docs/store.md`): a report made with it is byte-identical to one made without
//! it, after every kind of change; a store that is corrupt, locked, read-only or from an older
//! schema never stops the run; `store info` and `store prune`.

mod common;

use common::Home;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample athlete's files and a few real recordings (FIT, GPX, TCX, gzipped), in a fresh
/// folder.
fn export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = common::root().join("fixtures/sample-athlete/activities");
    for e in std::fs::read_dir(sample).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    for name in [
        "pyfitparse_fenix2_run_hr_temp.fit",
        "phpgpx_endomondo_hike_2seg_hr.gpx",
        "gpxpy_gpsbabel_v10_multiseg_cerknicko.gpx",
    ] {
        std::fs::write(dir.path().join(name), common::fixture(name)).unwrap();
    }
    dir
}

fn config() -> PathBuf {
    common::root().join("fixtures/sample-athlete/calfguard.toml")
}

/// Every file of a report folder, by name.
fn report(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

struct Run {
    report: BTreeMap<String, Vec<u8>>,
    stderr: String,
    code: i32,
}

/// `calfguard analyze INPUT --config CONFIG --now 2026-10-26 --quiet EXTRA` in `home`.
fn analyze(home: &Home, input: &Path, config: &Path, extra: &[&str]) -> Run {
    analyze_with(home, input, config, extra, |_| {})
}

/// [`analyze`] with `setup` applied to the command first.
fn analyze_with(
    home: &Home,
    input: &Path,
    config: &Path,
    extra: &[&str],
    setup: impl FnOnce(&mut std::process::Command),
) -> Run {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("r");
    let mut cmd = home.command();
    cmd.arg("analyze")
        .arg(input)
        .arg("--config")
        .arg(config)
        .args(["--now", "2026-10-26", "--quiet", "--out"])
        .arg(&target)
        .args(extra);
    setup(&mut cmd);
    let o = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    Run {
        report: report(&target),
        stderr,
        code,
    }
}

fn store_of(home: &Home) -> PathBuf {
    home.path().join(".local/share/calfguard/calfguard.db")
}

fn assert_same(a: &Run, b: &Run, what: &str) {
    assert_eq!(
        a.report.keys().collect::<Vec<_>>(),
        b.report.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (name, bytes) in &a.report {
        assert!(bytes == &b.report[name], "{what}: {name} differs");
    }
    assert_eq!(a.code, b.code, "{what}");
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn reports_with_the_store_equal_reports_without_it_after_every_change() {
    let home = Home::new();
    let input = export();
    let cfg = config();
    let plain = |cfg: &Path, extra: &[&str]| {
        let mut args = vec!["--no-store"];
        args.extend(extra);
        analyze(&home, input.path(), cfg, &args)
    };

    // Cold, then warm: the default store is created in XDG_DATA_HOME and used.
    let base = plain(&cfg, &[]);
    let cold = analyze(&home, input.path(), &cfg, &[]);
    assert!(store_of(&home).is_file(), "{}", cold.stderr);
    assert_same(&base, &cold, "cold");
    let files = std::fs::read_dir(input.path()).unwrap().count() as i64;
    assert_eq!(count(&store_of(&home), "SELECT count(*) FROM files"), files);
    let cached = count(&store_of(&home), "SELECT count(*) FROM cache");
    assert!(cached >= files - 5, "{cached} cached of {files}");
    let warm = analyze(&home, input.path(), &cfg, &[]);
    assert_same(&base, &warm, "warm, no change");
    assert_eq!(
        count(&store_of(&home), "SELECT count(*) FROM cache"),
        cached
    );
    // The activities table holds the CSV's rows: distances as numbers.
    let csv_km: f64 = {
        let mut r = csv::Reader::from_reader(&base.report["activities.csv"][..]);
        let col = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "distance_m")
            .unwrap();
        r.records()
            .map(|x| x.unwrap()[col].parse::<f64>().unwrap_or(0.0))
            .sum::<f64>()
    };
    let db_km: f64 = Connection::open(store_of(&home))
        .unwrap()
        .query_row("SELECT sum(distance_m) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert!((csv_km - db_km).abs() < 1e-6, "{csv_km} vs {db_km}");

    // One file replaced by another, with the old modification time.
    let victim = input.path().join("2026-07-07_run.gpx");
    let old = std::fs::metadata(&victim).unwrap().modified().unwrap();
    std::fs::write(
        &victim,
        common::fixture("phpgpx_endomondo_hike_2seg_hr.gpx"),
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&victim)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_same(
        &plain(&cfg, &[]),
        &analyze(&home, input.path(), &cfg, &[]),
        "file replaced, old mtime",
    );

    // A changed [athlete] profile (phase 2) and threshold pace (a phase-1 parameter).
    let changed = home.path().join("changed.toml");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("hr_max_bpm = 192", "hr_max_bpm = 180")
        .replace("weight_kg = 70.0", "weight_kg = 82.0")
        .replace("threshold_pace = \"4:45\"", "threshold_pace = \"5:10\"");
    std::fs::write(&changed, text).unwrap();
    assert_same(
        &plain(&changed, &[]),
        &analyze(&home, input.path(), &changed, &[]),
        "changed profile",
    );

    // A changed --weather.
    let weather = common::root().join("tests/golden/sample-weather-2026-W37.csv");
    let w = weather.to_str().unwrap();
    let with_weather = analyze(&home, input.path(), &cfg, &["--weather", w]);
    assert_same(&plain(&cfg, &["--weather", w]), &with_weather, "weather");
    assert_ne!(
        with_weather.report["activities.csv"], base.report["activities.csv"],
        "the weather changes the report"
    );

    // A file deleted.
    std::fs::remove_file(input.path().join("2026-07-06_easy.gpx")).unwrap();
    assert_same(
        &plain(&cfg, &[]),
        &analyze(&home, input.path(), &cfg, &[]),
        "file deleted",
    );
    assert_eq!(
        count(&store_of(&home), "SELECT count(*) FROM files"),
        files - 1
    );
}

/// A store the run cannot use: said on stderr, the report is the same as without a store,
/// the exit code too, and the file is left as it was.
fn assert_runs_without(home: &Home, store: &Path, expect: &str) {
    let input = export();
    let before = std::fs::read(store).ok();
    let base = analyze(home, input.path(), &config(), &["--no-store"]);
    let s = store.to_str().unwrap();
    let run = analyze(home, input.path(), &config(), &["--store", s]);
    assert_same(&base, &run, expect);
    assert!(
        run.stderr.contains(expect) && run.stderr.contains("running without the store"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(store).ok(),
        before,
        "the store was not touched"
    );
}

#[test]
fn a_corrupt_store_is_said_and_left_alone() {
    let home = Home::new();
    let store = home.path().join("corrupt.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&store, &bytes).unwrap();
    assert_runs_without(&home, &store, "corrupt");
    // Not a database at all.
    std::fs::write(&store, "week,km\n2026-W01,40\n".repeat(200)).unwrap();
    assert_runs_without(&home, &store, "corrupt");
}

#[test]
fn a_store_locked_by_another_process_is_said_and_left_alone() {
    let home = Home::new();
    let store = home.path().join("locked.db");
    let s = store.to_str().unwrap().to_string();
    let input = export();
    analyze(&home, input.path(), &config(), &["--store", &s]);
    // This test process is the other writer.
    let conn = Connection::open(&store).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let base = analyze(&home, input.path(), &config(), &["--no-store"]);
    let run = analyze(&home, input.path(), &config(), &["--store", &s]);
    assert_same(&base, &run, "locked");
    assert!(
        run.stderr.contains("locked by another") && run.stderr.contains("running without"),
        "{}",
        run.stderr
    );
    conn.execute_batch("ROLLBACK").unwrap();
    // Free again: used.
    let run = analyze(&home, input.path(), &config(), &["--store", &s]);
    assert!(!run.stderr.contains("running without"), "{}", run.stderr);
}

#[test]
fn a_read_only_store_is_said_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let store = home.path().join("ro.db");
    let s = store.to_str().unwrap().to_string();
    let input = export();
    analyze(&home, input.path(), &config(), &["--store", &s]);
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444)).unwrap();
    assert_runs_without(&home, &store, "read-only");
}

#[test]
fn a_store_of_an_older_schema_is_rebuilt_with_a_message() {
    let home = Home::new();
    let store = home.path().join("old.db");
    {
        let c = Connection::open(&store).unwrap();
        c.execute_batch(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);
             INSERT INTO schema_version VALUES (0);
             CREATE TABLE cache (hash TEXT, value BLOB);
             INSERT INTO cache VALUES ('00', x'00');",
        )
        .unwrap();
    }
    let input = export();
    let s = store.to_str().unwrap().to_string();
    let base = analyze(&home, input.path(), &config(), &["--no-store"]);
    let run = analyze(&home, input.path(), &config(), &["--store", &s]);
    assert_same(&base, &run, "older schema");
    assert!(
        run.stderr.contains("schema version 0 is older") && run.stderr.contains("rebuilt"),
        "{}",
        run.stderr
    );
    assert_eq!(
        count(&store, "SELECT max(version) FROM schema_version"),
        calfguard::store::SCHEMA_VERSION
    );
    assert!(count(&store, "SELECT count(*) FROM cache") > 50);
    // A newer schema is not touched.
    Connection::open(&store)
        .unwrap()
        .execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    assert_runs_without(&home, &store, "newer");
}

/// A store after one run over the export, with the counts of its `cache` and `files` rows; then
/// a new FIT file in the export, which the next run would add.
struct Seeded {
    input: tempfile::TempDir,
    store: PathBuf,
    s: String,
    cached: i64,
    files: i64,
}

fn seeded_then_new_file(home: &Home, name: &str) -> Seeded {
    let input = export();
    let store = home.path().join(name);
    let s = store.to_str().unwrap().to_string();
    analyze(home, input.path(), &config(), &["--store", &s]);
    let cached = count(&store, "SELECT count(*) FROM cache");
    let files = count(&store, "SELECT count(*) FROM files");
    std::fs::write(
        input.path().join("new.fit"),
        common::fixture("pyfitparse_fenix5_run_short.fit"),
    )
    .unwrap();
    Seeded {
        input,
        store,
        s,
        cached,
        files,
    }
}

/// The store passes SQLite's integrity check and holds the rows it held before the failed run.
fn assert_left_as_it_was(store: &Path, cached: i64, files: i64) {
    let c = Connection::open(store).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert_eq!(count(store, "SELECT count(*) FROM cache"), cached);
    assert_eq!(count(store, "SELECT count(*) FROM files"), files);
}

/// The disk fills up under the store: the child may not make any file larger than
/// `LIMIT_BYTES` (`setrlimit(RLIMIT_FSIZE)`, what `ulimit -f` sets; no root needed), with
/// SIGXFSZ ignored so that a write past it fails instead of killing the process. The report
/// files are all smaller; the store's write-ahead log is not (it holds the run's whole
/// transaction, in 64 KiB pages). The run says so, its report and exit code are those of
/// `--no-store`, and the store is left as it was before the run.
#[test]
fn a_store_whose_disk_fills_up_is_said_and_left_as_it_was() {
    const LIMIT_BYTES: u64 = 100_000;
    let home = Home::new();
    let Seeded {
        input,
        store,
        s,
        cached,
        files,
    } = seeded_then_new_file(&home, "full.db");
    let base = analyze(&home, input.path(), &config(), &["--no-store"]);
    for (name, bytes) in &base.report {
        assert!(
            (bytes.len() as u64) < LIMIT_BYTES,
            "{name} is over the limit"
        );
    }
    let run = analyze_with(&home, input.path(), &config(), &["--store", &s], |cmd| {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec the closure only makes two async-signal-safe calls.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: LIMIT_BYTES as libc::rlim_t,
                    rlim_max: LIMIT_BYTES as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                Ok(())
            });
        }
    });
    assert_same(&base, &run, "the store's disk full");
    assert!(
        run.stderr
            .contains(&format!("store '{s}': cannot write to its disk"))
            && run.stderr.contains("it was left as it was before this run"),
        "{}",
        run.stderr
    );
    assert_left_as_it_was(&store, cached, files);
    // With room again, the next run caches the new file.
    let run = analyze(&home, input.path(), &config(), &["--store", &s]);
    assert_same(&base, &run, "after the disk full");
    assert_eq!(count(&store, "SELECT count(*) FROM cache"), cached + 1);
}

#[test]
fn store_info_and_prune() {
    let home = Home::new();
    let input = export();
    let store = home.path().join("s.db");
    let s = store.to_str().unwrap().to_string();
    analyze(&home, input.path(), &config(), &["--store", &s]);
    let info = |home: &Home| {
        let o = home
            .command()
            .args(["store", "info", "--store", &s])
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let files = std::fs::read_dir(input.path()).unwrap().count();
    let text = info(&home);
    assert!(text.contains(&format!("files: {files}\n")), "{text}");
    let version = format!("schema_version: {}\n", calfguard::store::SCHEMA_VERSION);
    assert!(text.contains(&version), "{text}");
    let cached = count(&store, "SELECT count(*) FROM cache");
    // Keep only the real recordings: the sample athlete's records go.
    let keep = tempfile::tempdir().unwrap();
    std::fs::write(
        keep.path().join("a.fit"),
        common::fixture("pyfitparse_fenix2_run_hr_temp.fit"),
    )
    .unwrap();
    let o = home
        .command()
        .args(["store", "prune", "--store", &s])
        .arg(keep.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        count(&store, "SELECT count(*) FROM cache"),
        1,
        "of {cached}"
    );
    assert_eq!(count(&store, "SELECT count(*) FROM files"), 0);
    // No store: an error, nothing created.
    let none = home.path().join("none.db");
    let o = home
        .command()
        .args(["store", "info", "--store"])
        .arg(&none)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
}

#[test]
fn a_run_killed_before_its_commit_leaves_the_store_as_it_was() {
    let home = Home::new();
    // A new file, and the run dies after writing everything, before the commit.
    let Seeded {
        input,
        store,
        s,
        cached,
        files,
    } = seeded_then_new_file(&home, "k.db");
    let out = tempfile::tempdir().unwrap();
    let o = home
        .command()
        .env("CALFGUARD_FAULT", "store-commit")
        .arg("analyze")
        .arg(input.path())
        .arg("--config")
        .arg(config())
        .args(["--now", "2026-10-26", "--quiet", "--store", &s, "--out"])
        .arg(out.path().join("r"))
        .output()
        .unwrap();
    assert!(o.status.code().is_none(), "killed by SIGABRT: {o:?}");
    assert_left_as_it_was(&store, cached, files);
    // The next run uses it and commits the new file.
    let base = analyze(&home, input.path(), &config(), &["--no-store"]);
    let run = analyze(&home, input.path(), &config(), &["--store", &s]);
    assert_same(&base, &run, "after a killed run");
    assert_eq!(count(&store, "SELECT count(*) FROM cache"), cached + 1);
    assert_eq!(count(&store, "SELECT count(*) FROM files"), files + 1);
}
