//! GPX reader (placeholder until the reader lands).

use crate::model::{ReadError, ReadResult};

/// Read a GPX file into activities.
pub fn read_gpx(_source: &str, _bytes: &[u8]) -> ReadResult {
    Err(ReadError::failed("GPX reader not implemented yet", None))
}
