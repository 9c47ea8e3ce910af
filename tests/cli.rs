//! End-to-end tests of the `calfguard` binary: exit codes, the report contract, the whole-folder
//! replacement, determinism across thread counts.

mod common;

use common::{calfguard, fixtures, input_dir};
use std::fs;
use std::path::Path;

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn help_lists_exit_codes() {
    let out = calfguard().args(["analyze", "--help"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for code in ["0 ", "1 ", "2 ", "3 ", "130"] {
        assert!(text.contains(code), "help lacks exit code {code}: {text}");
    }
}

#[test]
fn missing_input_and_unwritable_out_exit_2_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    calfguard()
        .args(["analyze", "/no/such/path", "--out"])
        .arg(dir.path().join("r"))
        .assert()
        .code(2);
    assert!(!dir.path().join("r").exists());

    // --out under a regular file cannot be created.
    let blocker = dir.path().join("file");
    fs::write(&blocker, "x").unwrap();
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(blocker.join("report"))
        .assert()
        .code(2);
    // No usage at all.
    calfguard().arg("analyze").assert().code(2);
}

#[test]
fn report_contract_columns() {
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report");
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .arg("--quiet")
        .assert()
        .code(0)
        .stderr("");
    let activities = read(&report.join("activities.csv"));
    let header = activities.lines().next().unwrap();
    // The foundation's columns first, in order; later issues only add columns after them.
    assert!(
        header.starts_with(
            "source,format,sport,sub_sport,start_utc,start_local,utc_offset_s,tz_source,date_ok,\
             device,elapsed_s,timer_s,distance_m,samples,has_hr,has_position,has_altitude,\
             has_temperature,salvaged,warnings,"
        ),
        "{header}"
    );
    assert!(
        header.contains(
            "moving_s,pace_s_per_km,ascent_m,descent_m,elevation_source,steep_descent_m,\
             steep_descent_dist_m,steep_descent_s,hr_avg_bpm,hr_max_bpm,zone1_s,zone2_s,zone3_s,\
             zone4_s,zone5_s,trimp,trimp_edwards,load,load_source,hard,warmup,warmup_hr_pct,\
             temp_avg_c,temp_max_c,temp_source,hot,heat_minutes,heat_index_c,wbgt_c,heat_band,\
             sweat_loss_l,sweat_loss_pct,electrolytes,cadence_spm"
        ),
        "{header}"
    );
    for (file, first) in [
        ("weeks.csv", "period,start_date,runs,distance_m,moving_s,load,load_coverage,longest_run_m,hard_runs,steep_descent_m,heat_minutes,hot_long_runs,strength_sessions,rest_days,ramp_pct,two_week_ramp_pct,acwr,acwr_max,acwr_rolling,monotony,strain,ctl,atl,tsb,flags"),
        ("months.csv", "period,start_date,runs,distance_m,moving_s,load,load_coverage,longest_run_m,hard_runs,steep_descent_m,heat_minutes,hot_long_runs,strength_sessions,rest_days,ramp_pct"),
        ("flags.csv", "period,date,code,category,severity,value,threshold,window,coverage,evidence,source,activity,message,advice"),
        ("athlete.csv", "key,value,unit,source,note"),
    ] {
        let text = read(&report.join(file));
        assert!(text.lines().next().unwrap().starts_with(first), "{file}: {text}");
    }
    assert_eq!(
        read(&report.join("errors.csv")).lines().next().unwrap(),
        "source,kind,reason,position,duplicate_of"
    );
}

#[test]
fn failed_file_makes_exit_1_and_one_error_row() {
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    fs::write(input.path().join("empty.fit"), b"").unwrap();
    fs::write(input.path().join("notes.txt"), b"hello").unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    let assert = calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("3 found, 1 analysed (0 salvaged), 1 skipped, 1 failed, 0 duplicate"),
        "{stderr}"
    );
    let errors = read(&report.join("errors.csv"));
    let rows: Vec<&str> = errors.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{errors}");
    assert!(
        rows[0].contains("empty.fit,failed,empty file (0 bytes)"),
        "{errors}"
    );
    assert!(
        rows[1].contains("notes.txt,skipped,\"not an activity file"),
        "{errors}"
    );
}

#[test]
fn report_folder_is_replaced_whole_and_kill_safe() {
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    fs::create_dir(&report).unwrap();
    fs::write(report.join("stale.txt"), "not calfguard's").unwrap();
    // A folder that is not a calfguard report is never replaced.
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(2);
    assert_eq!(read(&report.join("stale.txt")), "not calfguard's");
    fs::remove_file(report.join("stale.txt")).unwrap();
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(0);
    let good = read(&report.join("activities.csv"));

    // Killed at each point of the write and swap: the previous report stays whole.
    fs::copy(
        fixtures().join("pyfitparse_edge810_ride_power.fit"),
        input.path().join("more.fit"),
    )
    .unwrap();
    for point in ["after-activities", "before-swap"] {
        let status = calfguard()
            .arg("analyze")
            .arg(input.path())
            .arg("--out")
            .arg(&report)
            .env("CALFGUARD_FAULT", point)
            .output()
            .unwrap()
            .status;
        assert!(!status.success(), "fault point {point} did not fire");
        assert_eq!(read(&report.join("activities.csv")), good, "{point}");
        assert!(report.join("errors.csv").exists(), "{point}");
    }
    // Killed right after the atomic exchange: the new report is in place.
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .env("CALFGUARD_FAULT", "after-exchange")
        .output()
        .unwrap();
    let new = read(&report.join("activities.csv"));
    assert_ne!(new, good);
    // The next run cleans up whatever was left beside the report.
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .assert()
        .code(0);
    assert_eq!(read(&report.join("activities.csv")), new);
    let names: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["r".to_string()]);
}

#[test]
fn same_output_for_any_thread_count() {
    let mut reports = Vec::new();
    let out = tempfile::tempdir().unwrap();
    for threads in ["1", "2", "4"] {
        let report = out.path().join(format!("r{threads}"));
        calfguard()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "analyze",
                "fixtures",
                "--quiet",
                "--threads",
                threads,
                "--now",
            ])
            .arg("2026-11-23")
            .arg("--out")
            .arg(&report)
            .output()
            .unwrap();
        reports.push((
            read(&report.join("activities.csv")),
            read(&report.join("errors.csv")),
        ));
    }
    assert!(reports[0].0.lines().count() > 1);
    assert_eq!(reports[0], reports[1]);
    assert_eq!(reports[0], reports[2]);
}

#[test]
fn init_writes_a_default_that_analyze_accepts_and_bad_values_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cfg/calfguard.toml");
    calfguard()
        .args(["init", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    assert!(read(&config).contains("[athlete]"));
    // Never over an existing file without --force.
    calfguard()
        .args(["init", "--config"])
        .arg(&config)
        .assert()
        .code(2);
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .code(0);
    fs::write(&config, "[athlete]\nweight_kg = 900\n").unwrap();
    let out = calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("r2"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`athlete.weight_kg` = 900: must be a number from 25 to 250 kg"),
        "{err}"
    );
    assert!(
        !dir.path().join("r2").exists(),
        "nothing written on a config error"
    );
}

/// The default configuration is looked up in the test's own home (`common::calfguard`), never
/// in the person's: a bad key there fails the run, a good file written there by `init` is read.
#[test]
fn default_config_comes_from_the_isolated_home() {
    let input = input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    let out = tempfile::tempdir().unwrap();

    let mut cmd = calfguard();
    let config = cmd.home().default_config();
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(&config, "[athlete]\nno_such_key = 1\n").unwrap();
    let o = cmd
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(out.path().join("r"))
        .arg("--quiet")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no_such_key"), "{err}");
    assert!(err.contains(&config.display().to_string()), "{err}");

    // `init` without `--config` writes that file in a fresh home, and `analyze` reads it.
    let home = common::Home::new();
    home.cli().arg("init").assert().code(0);
    assert!(read(&home.default_config()).contains("[athlete]"));
    let text = read(&home.default_config()).replacen("[athlete]", "[athlete]\nno_such_key = 2", 1);
    fs::write(home.default_config(), text).unwrap();
    let o = home
        .cli()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(out.path().join("r"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no_such_key"), "{err}");

    // A fresh home has no configuration: the same run succeeds.
    calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(out.path().join("r"))
        .arg("--quiet")
        .assert()
        .code(0);
}
