//! Helpers shared by the integration tests: every test binary has `mod common;`.
//!
//! - [`calfguard`] runs the binary isolated from the machine it runs on: its own empty home and
//!   XDG folders (a personal `~/.config/calfguard/calfguard.toml` is never read), `TZ=UTC`, and
//!   none of the test seams (`CALFGUARD_FAULT`, `CALFGUARD_NO_EXCHANGE`) inherited.
//! - [`corpus`] finds the shared fixture corpus (`CALFGUARD_CORPUS`) or says, on the terminal,
//!   that the part of the test that needs it did not run.
//! - Fixtures, archives, the FIT checksum and the in-process analysis used by several files.
//!
//! Each binary uses only some of these, hence the `dead_code` allowance.
#![allow(dead_code)]

use calfguard::app::Context;
use calfguard::app::{analyse, Analysis, Options};
use calfguard::dedup::DedupRules;
use calfguard::ingest::export::Limits;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use std::ffi::OsString;
use std::io::Write as _;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// The repository's root (where `Cargo.toml` is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/real`: the real recordings bundled with the repository.
pub fn fixtures() -> PathBuf {
    root().join("fixtures/real")
}

/// The bytes of one file of `fixtures/real`.
pub fn fixture(name: &str) -> Vec<u8> {
    let p = fixtures().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A fresh folder holding copies of the named files of `fixtures/real`.
pub fn input_dir(names: &[&str]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        std::fs::copy(fixtures().join(n), dir.path().join(n)).unwrap();
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// The shared corpus
// ---------------------------------------------------------------------------------------------

/// The shared fixture corpus named by `CALFGUARD_CORPUS` (CI: `../shared/fixtures`), or `None`
/// when that variable is unset or empty.
///
/// `None` is said where a person sees it: one line `SKIPPED: <what>: CALFGUARD_CORPUS not set`
/// written straight to the process's stderr. The test harness captures only `print!`/`eprint!`,
/// so the line shows in a plain `cargo test` too, beside the test's `ok`. `.ci/run` fails when
/// such a line appears while the corpus exists. A set variable that does not name a folder is
/// an error, never a skip.
pub fn corpus(what: &str) -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.is_none() {
        skipped(what);
    }
    dir
}

/// [`corpus`] without the message, for lookups after a test has said what it skips.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("CALFGUARD_CORPUS").filter(|v| !v.is_empty())?);
    assert!(
        dir.is_dir(),
        "CALFGUARD_CORPUS={} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// Say on the terminal that `what` did not run because the corpus is not set.
pub fn skipped(what: &str) {
    let line = format!(
        "SKIPPED: {what}: CALFGUARD_CORPUS not set (run with CALFGUARD_CORPUS=../shared/fixtures)\n"
    );
    // One write of the whole line, so that parallel tests do not interleave inside it.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// The binary, isolated from the person's machine
// ---------------------------------------------------------------------------------------------

/// An empty temporary home folder, removed when dropped: `HOME` and the XDG configuration, data
/// and cache folders of a `calfguard` run point into it.
pub struct Home(TempDir);

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        for sub in [".config", ".local/share", ".cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Home(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Where `calfguard` looks for its configuration when `--config` is not given.
    pub fn default_config(&self) -> PathBuf {
        self.path().join(".config/calfguard/calfguard.toml")
    }

    /// An `assert_cmd::Command` for the binary, isolated in this home (which must outlive it).
    pub fn cli(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("calfguard").unwrap();
        for v in SEAMS {
            cmd.env_remove(v);
        }
        cmd.envs(self.env());
        cmd
    }

    /// A `std::process::Command` for the binary, isolated in this home, for runs that are
    /// spawned and signalled (the home must outlive the child).
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("calfguard"));
        for v in SEAMS {
            cmd.env_remove(v);
        }
        cmd.envs(self.env());
        cmd
    }

    fn env(&self) -> [(&'static str, OsString); 5] {
        let h = self.path();
        [
            ("HOME", h.as_os_str().to_owned()),
            ("XDG_CONFIG_HOME", h.join(".config").into_os_string()),
            ("XDG_DATA_HOME", h.join(".local/share").into_os_string()),
            ("XDG_CACHE_HOME", h.join(".cache").into_os_string()),
            // Local time is fixed; a test that needs another zone sets its own `TZ`.
            ("TZ", OsString::from("UTC")),
        ]
    }
}

/// Fault-injection seams of the binary, never inherited from the environment of `cargo test`.
const SEAMS: [&str; 2] = ["CALFGUARD_FAULT", "CALFGUARD_NO_EXCHANGE"];

impl Default for Home {
    fn default() -> Home {
        Home::new()
    }
}

/// An `assert_cmd::Command` for the binary together with the [`Home`] it runs in; it derefs to
/// the command, so `calfguard().args([...]).assert()` reads as before.
pub struct Cli {
    cmd: assert_cmd::Command,
    home: Home,
}

impl Cli {
    pub fn home(&self) -> &Home {
        &self.home
    }
}

impl Deref for Cli {
    type Target = assert_cmd::Command;
    fn deref(&self) -> &assert_cmd::Command {
        &self.cmd
    }
}

impl DerefMut for Cli {
    fn deref_mut(&mut self) -> &mut assert_cmd::Command {
        &mut self.cmd
    }
}

/// The `calfguard` binary in a fresh empty [`Home`], with `TZ=UTC` and no test seams.
pub fn calfguard() -> Cli {
    let home = Home::new();
    Cli {
        cmd: home.cli(),
        home,
    }
}

// ---------------------------------------------------------------------------------------------
// Archives and FIT bytes
// ---------------------------------------------------------------------------------------------

/// A zip archive (deflated members) of `(name, bytes)`.
pub fn zip_of<N: AsRef<str>>(members: &[(N, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(name.as_ref(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `data` gzipped.
pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// FIT CRC-16, written independently of the reader's (for building FIT files in tests).
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

// ---------------------------------------------------------------------------------------------
// The analysis in-process
// ---------------------------------------------------------------------------------------------

/// "Now" for in-process analyses: 2026-11-23T08:00:00Z, no `--tz`.
pub fn ctx() -> Context {
    Context::new(
        DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        None,
    )
}

/// Analyse `paths` in-process with the default limits, with or without duplicate detection.
pub fn run(paths: &[PathBuf], dedup: bool) -> Analysis {
    analyse(
        paths,
        &ctx(),
        &Options {
            limits: Limits::default(),
            dedup: dedup.then(DedupRules::default),
        },
        &ProgressBar::hidden(),
        &AtomicBool::new(false),
    )
}

/// Every file found is analysed, skipped, failed or a duplicate.
pub fn assert_accounting(a: &Analysis) {
    let c = &a.counts;
    assert_eq!(
        c.found,
        c.analysed + c.skipped + c.failed + c.duplicate,
        "accounting does not add up: {c:?}"
    );
}
