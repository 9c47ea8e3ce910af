//! Side inputs: what calfguard learns beside the activity files, each a parser and an apply step.
//!
//! - [`weather`]: an hourly weather CSV (`--weather`), joined to each activity's samples by time
//!   while they are read, so the temperature metrics use the air temperature and humidity;
//! - [`gear`]: a shoes file (`--gear`), giving each run its pair by date or by file;
//! - [`strava`]: Strava's `activities.csv` found in an export, naming the sport of files that
//!   have none and the shoes of each run.
//!
//! Each module parses its file into plain data and applies it to the per-activity records; none
//! of them is needed for an analysis, and the metrics know nothing of them.

pub mod gear;
pub mod strava;
pub mod weather;
