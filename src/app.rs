//! The pipeline of `calfguard analyze`: discover files, read and reduce them in parallel,
//! account for every file, write the report folder, decide the exit code.

use crate::athlete::{self, Profile};
use crate::cli::{AnalyzeConfig, FailOn};
use crate::config::Config;
use crate::dedup::DedupRules;
use crate::enrich::weather::Weather;
use crate::flags;
use crate::flags::Severity;
use crate::ingest;
use crate::ingest::export::{LeafRecord, Limits, Walker};
pub use crate::ledger::Analysis;
use crate::ledger::{account, drop_same_runs, problem_rows, ErrorKind, Parsed};
use crate::metrics::finish::{finish, FinishParams, ZoneBasis};
use crate::metrics::record::ActivityRecord;
use crate::metrics::reduce::{reduce, MetricParams};
use crate::model::Activity;
use crate::model::ReadError;
use crate::periods::{self, ActivityFacts};
use crate::report::{self, folder::ReportFolder};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// How a run ended; each maps to one exit code (see the README and `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, no file failed.
    Done,
    /// 1: some files failed; the report is written.
    Partial,
    /// 2: usage, configuration or output error, or nothing to report.
    Usage,
    /// 3: a flag at or above `--fail-on` in the reported week.
    FailOn,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Partial => 1,
            Exit::Usage => 2,
            Exit::FailOn => 3,
            Exit::Interrupted => 130,
        }
    }
}

/// What the per-activity work needs to know about the run.
#[derive(Clone, Debug)]
pub struct Context {
    /// The run's "now" (`--now`, default the clock), for the date check.
    pub now: DateTime<Utc>,
    /// The configured time zone (`--tz`), for activities whose file and position say nothing.
    pub tz: Option<Tz>,
    /// Parameters of the per-activity metrics.
    pub metrics: MetricParams,
    /// Hourly weather (`--weather`), if given.
    pub weather: Option<Arc<Weather>>,
}

impl Context {
    /// A context with default metric parameters and no weather.
    pub fn new(now: DateTime<Utc>, tz: Option<Tz>) -> Context {
        Context {
            now,
            tz,
            metrics: MetricParams::default(),
            weather: None,
        }
    }
}

/// One activity through phase 1 while its samples are there: the weather joined to them, the
/// metrics reduced, the track fingerprint taken; then placed in local time.
pub fn summarize(activity: &Activity, ctx: &Context) -> ActivityRecord {
    let weathered = ctx
        .weather
        .as_deref()
        .and_then(|w| w.join(&activity.samples));
    let mut record = reduce(activity, &ctx.metrics, weathered.as_ref());
    record.track = crate::dedup::fingerprint(&activity.samples);
    crate::localtime::place(&mut record, ctx.tz, ctx.now);
    record
}

/// The whole per-file task: parse one leaf's bytes and reduce its activities right away (the
/// samples are dropped here). A panic anywhere in it, in a reader or in a metric, fails this one
/// file with a row naming it as a bug, and the batch goes on.
fn parse_leaf(source: &str, bytes: &[u8], ctx: &Context) -> Parsed {
    let task = std::panic::AssertUnwindSafe(|| read_and_reduce(source, bytes, ctx));
    std::panic::catch_unwind(task).unwrap_or_else(|panic| {
        Err(ReadError::failed(
            format!(
                "internal error while analysing the file (a calfguard bug, please report): {}",
                ingest::panic_text(panic.as_ref())
            ),
            None,
        ))
    })
}

fn read_and_reduce(source: &str, bytes: &[u8], ctx: &Context) -> Parsed {
    let activities = ingest::read_bytes(source, bytes)?;
    if crate::interrupt::requested() {
        // The run's result is dropped: do not spend time reducing what was read.
        return Err(ReadError::failed("interrupted", None));
    }
    let broken = activities.iter().find_map(|a| a.salvaged.clone());
    let summaries = activities.iter().map(|a| summarize(a, ctx)).collect();
    Ok((summaries, broken))
}

/// How to analyse, beyond the run's context.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Resource limits for archives and compressed files.
    pub limits: Limits,
    /// The same-run rule; `None` keeps every recording (`--keep-duplicates`).
    pub dedup: Option<DedupRules>,
}

/// Read and reduce every input. `interrupted` is polled between files.
pub fn analyse(
    paths: &[PathBuf],
    ctx: &Context,
    options: &Options,
    progress: &ProgressBar,
    interrupted: &AtomicBool,
) -> Analysis {
    let found = ingest::discover::discover(paths, &|dir| {
        // A report (or a run's staging folder) is never read as input.
        report::folder::is_report(dir).then(|| {
            format!(
                "a calfguard report folder (it holds {}): not read as input",
                report::folder::MARKER
            )
        })
    });
    let files = found.files;
    progress.set_length(files.len() as u64);
    let reader = |source: &str, bytes: &[u8]| parse_leaf(source, bytes, ctx);
    let walker = Walker::new(options.limits.clone(), &reader);
    let records: Vec<LeafRecord<Parsed>> = files
        .par_iter()
        .flat_map_iter(|f| {
            if interrupted.load(Ordering::Relaxed) {
                return Vec::new();
            }
            let r = walker.file(&f.path, &f.source);
            progress.inc(1);
            r
        })
        .collect();
    let mut analysis = account(records, problem_rows(found.problems));
    if let Some(rules) = &options.dedup {
        drop_same_runs(&mut analysis, rules);
    }
    analysis
}

/// The history evaluated: the athlete profile, the finished per-activity metrics, the
/// periods and the flags.
#[derive(Debug)]
pub struct Evaluation {
    /// The athlete profile and where each value came from.
    pub profile: Profile,
    /// Periods, flags and the rules not judged.
    pub flags: flags::Analysis,
}

/// Resolve the athlete profile, finish every activity's metrics, build the periods and run the
/// flag rules.
pub fn evaluate(analysis: &mut Analysis, file: &Config, zones: ZoneBasis) -> Evaluation {
    let profile = athlete::resolve(&file.athlete, &analysis.activities);
    let params = FinishParams {
        hr_max_bpm: profile.hr_max_bpm.value,
        hr_rest_bpm: profile.hr_rest_bpm.value,
        sex: profile.sex.value,
        weight_kg: profile.weight_kg.value,
        height_m: profile.height_cm.value.unwrap_or(170.0) / 100.0,
        fluid_intake_l_per_h: file.heat.fluid_intake_l_per_h,
        zones,
    };
    analysis
        .activities
        .par_iter_mut()
        .for_each(|a| finish(a, &params));
    let facts: Vec<ActivityFacts> = analysis.activities.iter().map(ActivityFacts::of).collect();
    let flags = flags::analyse(&facts, &file.thresholds);
    Evaluation { profile, flags }
}

/// Write the report files into `dir`.
pub fn write_report(dir: &Path, analysis: &Analysis, eval: &Evaluation) -> std::io::Result<()> {
    report::write_activities(&dir.join("activities.csv"), &analysis.activities)?;
    crate::fault::abort_at("after-activities");
    report::write_errors(&dir.join("errors.csv"), &analysis.errors)?;
    let p = &eval.flags.periods;
    periods::write_weeks(&dir.join("weeks.csv"), &p.weeks)?;
    periods::write_months(&dir.join("months.csv"), &p.months)?;
    periods::write_flags(&dir.join("flags.csv"), &eval.flags.flags)?;
    report::write_athlete(&dir.join("athlete.csv"), &athlete::rows(&eval.profile))?;
    Ok(())
}

/// The reported week's Monday: `--week`, else the last complete ISO week before `now` in the
/// athlete's zone (`--tz` / `time_zone`, else UTC).
pub fn reported_week(config: &AnalyzeConfig) -> NaiveDate {
    if let Some(w) = config.week {
        return w;
    }
    let today = match config.tz {
        Some(tz) => config.now.with_timezone(&tz).date_naive(),
        None => config.now.date_naive(),
    };
    let this_monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
    this_monday - chrono::Duration::days(7)
}

/// A finished run: the analysis, its evaluation, the timing.
pub struct Run {
    /// Activities, error rows, counts.
    pub analysis: Analysis,
    /// Profile, periods, flags.
    pub eval: Evaluation,
    /// Seconds spent.
    pub secs: f64,
    /// Activities found before the `--since`/`--until` filter.
    pub unfiltered: usize,
}

/// Read, reduce, de-duplicate, filter by date, apply the shoes file, evaluate. `Ok(None)` when
/// interrupted.
fn run_pipeline(config: &AnalyzeConfig, started: Instant) -> Result<Option<Run>> {
    validate(config)?;
    let gear = match &config.gear {
        Some(p) => Some(crate::enrich::gear::GearFile::load(p).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    crate::interrupt::install();
    let interrupted = crate::interrupt::flag();
    let progress = if !config.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let ctx = Context {
        now: config.now,
        tz: config.tz,
        metrics: MetricParams {
            wrist_temp_offset_c: config.file.heat.wrist_temp_offset_c,
            threshold_speed_mps: config
                .file
                .athlete
                .threshold_pace_s_per_km
                .map(|p| 1000.0 / p),
            ..config.file.metrics.clone()
        },
        weather: config.weather.clone(),
    };
    let options = Options {
        limits: Limits {
            max_file_bytes: config
                .file
                .max_file_bytes
                .unwrap_or(Limits::default().max_file_bytes),
            max_in_flight_bytes: config
                .file
                .max_in_flight_bytes
                .unwrap_or(Limits::default().max_in_flight_bytes),
            ..Limits::default()
        },
        dedup: (!config.keep_duplicates).then(|| config.file.duplicates.clone()),
    };
    crate::fault::pause_at("analysis");
    let mut analysis =
        pool.install(|| analyse(&config.paths, &ctx, &options, &progress, interrupted));
    if interrupted.load(Ordering::SeqCst) {
        progress.abandon();
        return Ok(None);
    }
    progress.finish_and_clear();
    let unfiltered = analysis.activities.len();
    if config.since.is_some() || config.until.is_some() {
        analysis.activities.retain(|a| {
            let d = a.start_local().date_naive();
            config.since.is_none_or(|s| d >= s) && config.until.is_none_or(|u| d <= u)
        });
        analysis.counts.activities = analysis.activities.len();
    }
    if let Some(g) = &gear {
        g.apply(&mut analysis.activities);
    }
    let eval = pool.install(|| evaluate(&mut analysis, &config.file, config.file.zones));
    Ok(Some(Run {
        analysis,
        eval,
        secs: started.elapsed().as_secs_f64(),
        unfiltered,
    }))
}

/// Checks of the command line that need no file read: every input exists, the date range is
/// not empty.
fn validate(config: &AnalyzeConfig) -> Result<()> {
    for p in &config.paths {
        if fs::symlink_metadata(p).is_err() {
            anyhow::bail!("input '{}' does not exist", p.display());
        }
    }
    if let (Some(since), Some(until)) = (config.since, config.until) {
        if since > until {
            anyhow::bail!(
                "--since {since} is after --until {until}: no activity can match; nothing was read"
            );
        }
    }
    Ok(())
}

/// Why a finished run has nothing to report, if so: no file found, no activity file among
/// those found (none failed either), or every activity outside `--since`/`--until`. Then the
/// run ends with exit 2 and writes nothing. A run where files failed and none gave an
/// activity is not this: it writes its report (with the failures) and exits with 1.
fn nothing_to_report(run: &Run, config: &AnalyzeConfig) -> Option<String> {
    let a = &run.analysis;
    if !a.activities.is_empty() {
        return None;
    }
    let searched = config
        .paths
        .iter()
        .map(|p| format!("'{}'", p.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let c = &a.counts;
    if run.unfiltered > 0 {
        let range = match (config.since, config.until) {
            (Some(s), Some(u)) => format!("from {s} to {u}"),
            (Some(s), None) => format!("on or after {s}"),
            (None, Some(u)) => format!("on or before {u}"),
            (None, None) => "in the date range".to_string(),
        };
        let n = run.unfiltered;
        let (the, are) = if n == 1 {
            ("the 1 activity".to_string(), "is")
        } else {
            (format!("all {n} activities"), "are")
        };
        return Some(format!(
            "no activity {range} (--since/--until): {the} found in {searched} {are} outside it"
        ));
    }
    if c.failed > 0 {
        return None;
    }
    if c.found == 0 {
        return Some(format!("no file found in {searched} (empty folders?)"));
    }
    let mut why: Vec<String> = Vec::new();
    if c.skipped > 0 {
        why.push(format!("{} skipped", c.skipped));
    }
    if c.duplicate > 0 {
        why.push(format!("{} duplicate", c.duplicate));
    }
    let examples: Vec<String> = a
        .errors
        .iter()
        .take(3)
        .map(|e| format!("'{}': {}", e.source, e.reason))
        .collect();
    let files = if c.found == 1 { "file" } else { "files" };
    Some(format!(
        "no activity file found in {searched}: {} {files} found, none holds an activity ({}){}",
        c.found,
        why.join(", "),
        if examples.is_empty() {
            String::new()
        } else {
            format!("; e.g. {}", examples.join("; "))
        }
    ))
}

/// The summary of the reported week, as Markdown.
pub fn summary_text(run: &Run, config: &AnalyzeConfig, chart: Option<&str>) -> String {
    let monday = reported_week(config);
    let label = periods::iso_week_label(monday);
    let c = &run.analysis.counts;
    let files_line = format!(
        "Files: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; {} activities.",
        c.found, c.analysed, c.salvaged, c.skipped, c.failed, c.duplicate, c.activities
    );
    let data_end = run
        .analysis
        .activities
        .iter()
        .filter(|a| a.date_ok)
        .map(|a| a.start_local().date_naive())
        .max();
    let conflicts = run
        .analysis
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Conflict)
        .map(|e| format!("{}: {}", e.source, e.reason))
        .collect();
    let f = &run.eval.flags;
    report::summary::summary_markdown(&report::summary::SummaryInput {
        profile: &run.eval.profile,
        weeks: &f.periods.weeks,
        flags: &f.flags,
        not_judged: &f.not_judged,
        week: (&label, monday),
        data_end,
        files_line,
        conflicts,
        units: config.units,
        chart,
    })
}

/// The exit code of a finished run: 3 when `--fail-on` matches a flag in the reported week
/// (this wins), else 1 when a file failed, else 0.
pub fn exit_of(run: &Run, config: &AnalyzeConfig) -> Exit {
    let label = periods::iso_week_label(reported_week(config));
    let min = config.fail_on.map(|f| match f {
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
    });
    if let Some(min) = min {
        if run
            .eval
            .flags
            .flags
            .iter()
            .any(|f| f.period == label && f.severity >= min)
        {
            return Exit::FailOn;
        }
    }
    if run.analysis.counts.failed > 0 {
        Exit::Partial
    } else {
        Exit::Done
    }
}

fn summary_line(run: &Run, target: Option<&Path>) -> String {
    let c = &run.analysis.counts;
    let mb_s = if run.secs > 0.0 {
        c.bytes as f64 / 1e6 / run.secs
    } else {
        0.0
    };
    format!(
        "calfguard: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; \
         {} activities, {} conflicts, {} flags, in {:.2} s ({:.1} MB/s){}",
        c.found,
        c.analysed,
        c.salvaged,
        c.skipped,
        c.failed,
        c.duplicate,
        c.activities,
        c.conflicts,
        run.eval.flags.flags.len(),
        run.secs,
        mb_s,
        target
            .map(|t| format!("; report in {}", t.display()))
            .unwrap_or_default()
    )
}

/// Run `calfguard analyze`. Errors returned here are usage, configuration or output errors
/// (exit 2); per-file problems never are.
///
/// Before any input is read: the inputs must exist, `--out` must be a folder calfguard may
/// replace ([`report::folder::check_out`]: not an input, not inside or above one, not the
/// current, home or root folder; empty, new, or a calfguard report holding nothing else), and
/// no other run may be writing it (the lock).
pub fn run_analyze(config: &AnalyzeConfig) -> Result<Exit> {
    let started = Instant::now();
    validate(config)?;
    // From here on SIGINT, SIGTERM and SIGHUP end the run cleanly (exit 130).
    crate::interrupt::install();
    let refused = || format!("cannot use --out '{}'", config.out.display());
    let target = report::folder::check_out(&config.out, &config.paths).with_context(refused)?;
    let existed = fs::symlink_metadata(&target).is_ok();
    let folder = ReportFolder::open(&target, &config.out).with_context(refused)?;
    let Some(run) = run_pipeline(config, started)? else {
        drop(folder);
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: interrupted; the previous report was left as it was"
        );
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = nothing_to_report(&run, config) {
        drop(folder);
        let kept = if existed {
            format!(
                "the report in '{}' was left as it was",
                config.out.display()
            )
        } else {
            "nothing was written".to_string()
        };
        anyhow::bail!("{why}; {kept}");
    }
    write_report(folder.staging(), &run.analysis, &run.eval)
        .and_then(|()| {
            let f = &run.eval.flags;
            let svg = report::chart::weeks_svg(
                &f.periods.weeks,
                &f.periods.months,
                &f.flags,
                config.units,
            );
            fs::write(folder.staging().join("weeks.svg"), &svg)?;
            let summary = summary_text(&run, config, Some("weeks.svg"));
            fs::write(folder.staging().join("summary.md"), &summary)?;
            let title = format!(
                "calfguard: {}",
                run.eval
                    .profile
                    .name
                    .as_deref()
                    .unwrap_or("calf-risk report")
            );
            let html = report::html::report_html(&title, &summary, &svg, &f.flags, config.units);
            fs::write(folder.staging().join("report.html"), html)
        })
        .with_context(|| {
            format!(
                "cannot write the report in '{}'",
                folder.staging().display()
            )
        })?;
    if crate::interrupt::requested() {
        // Interrupted while the report was being written: it is not swapped in.
        drop(folder);
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: interrupted; the previous report was left as it was"
        );
        return Ok(Exit::Interrupted);
    }
    let target = folder.target().to_path_buf();
    let note = folder
        .commit()
        .with_context(|| format!("cannot replace the report folder '{}'", target.display()))?;
    if let Some(note) = note {
        let _ = writeln!(std::io::stderr(), "calfguard: note: {note}");
    }
    if !config.quiet {
        let _ = writeln!(std::io::stderr(), "{}", summary_line(&run, Some(&target)));
    }
    Ok(exit_of(&run, config))
}

/// Run `calfguard summary`: analyse, print the reported week's summary on stdout. A closed
/// stdout (`| head`) is not an error.
pub fn run_summary(config: &AnalyzeConfig) -> Result<Exit> {
    let started = Instant::now();
    let Some(run) = run_pipeline(config, started)? else {
        let _ = writeln!(std::io::stderr(), "calfguard: interrupted");
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = nothing_to_report(&run, config) {
        anyhow::bail!("{why}");
    }
    let text = summary_text(&run, config, None);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the summary"),
    }
    if !config.quiet {
        let _ = writeln!(std::io::stderr(), "{}", summary_line(&run, None));
    }
    Ok(exit_of(&run, config))
}

/// Run `calfguard init`: write the commented default configuration, never over an existing file
/// unless `force`.
pub fn run_init(path: Option<&Path>, force: bool) -> Result<Exit> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => crate::config::default_path()
            .context("no configuration folder is known on this platform: use --config FILE")?,
    };
    if path.exists() && !force {
        anyhow::bail!("'{}' exists; use --force to replace it", path.display());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create '{}'", dir.display()))?;
    }
    fs::write(&path, crate::config::DEFAULT_CONFIG)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    let _ = writeln!(std::io::stderr(), "calfguard: wrote {}", path.display());
    Ok(Exit::Done)
}
