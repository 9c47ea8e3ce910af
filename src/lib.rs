//! calfguard: a batch analyser for sports-watch exports that flags, week by week, the training
//! patterns that put runners' calves at risk.
#![warn(missing_docs)]

pub mod ingest;
pub mod metrics;
pub mod model;
