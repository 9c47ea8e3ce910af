//! calfguard: a batch analyser for sports-watch exports that flags, week by week, the training
//! patterns that put runners' calves at risk.
//!
//! Data flows one way through the stages:
//! 1. [`ingest`]: each file (FIT, GPX, TCX) becomes [`model::Activity`] values, or a per-file
//!    error that never stops the batch.
//! 2. [`summary`]: rayon maps each activity to a reduced summary; samples are dropped.
//! 3. [`report`]: summaries and per-file outcomes become CSV files in a report folder that is
//!    replaced as a whole.
//!
//! [`app`] wires the stages together; [`cli`] turns the command line into a plain config.
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
pub mod text;
pub mod units;
