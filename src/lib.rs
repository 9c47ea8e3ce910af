//! calfguard: a batch analyser for sports-watch exports that flags, week by week, the training
//! patterns that put runners' calves at risk.
//!
//! Data flows one way through the stages ([`app`] orders them):
//! 1. [`ingest::discover`]: the paths given become files; [`ingest`] reads each (FIT, GPX, TCX;
//!    loose, gzipped or in zips) into [`model::Activity`] values, or a per-file error that never
//!    stops the batch. Readers state how the values were measured ([`model::Capabilities`]).
//! 2. Phase 1, in the same panic-isolated task per file: the weather is joined to the samples
//!    ([`enrich::weather`]), [`metrics::reduce`] makes the serialisable per-activity record
//!    ([`metrics::record`]), [`dedup::fingerprint`] takes the track fingerprint and
//!    [`localtime::place`] places it in local time; the samples are dropped.
//! 3. [`ledger`] accounts for every file (analysed, salvaged, skipped, failed, duplicate,
//!    conflict), applies Strava's list ([`enrich::strava`]) and the same-run rule ([`dedup`]);
//!    the shoes file is applied ([`enrich::gear`]).
//! 4. [`athlete`] resolves the profile; [`metrics::finish`] (phase 2) evaluates what needs it;
//!    [`periods`] builds days, weeks and months; [`flags`] runs the rules.
//! 5. [`report`] writes the report folder (CSV, summary, chart, page), replaced as a whole;
//!    [`exit`] picks the exit code.
//!
//! [`cli`] turns the command line and the configuration file ([`config`]) into plain
//! [`settings::Settings`]; no command-line parser type goes further. The import rules that keep
//! the flow one way are in `docs/design.md` and checked by `tests/architecture.rs`.
#![warn(missing_docs)]

pub mod app;
pub mod athlete;
pub mod cli;
pub mod config;
pub mod dedup;
pub mod enrich;
pub mod exit;
pub mod fault;
pub mod flags;
pub mod geo;
pub mod gpxwrite;
pub mod ingest;
pub mod interrupt;
pub mod ledger;
pub mod localtime;
pub mod metrics;
pub mod model;
pub mod names;
pub mod periods;
pub mod report;
pub mod settings;
pub mod store;
pub mod text;
pub mod units;
