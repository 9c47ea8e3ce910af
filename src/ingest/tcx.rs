//! TCX reader (placeholder until the reader lands).

use crate::model::{ReadError, ReadResult};

/// Read a TCX file into activities.
pub fn read_tcx(_source: &str, _bytes: &[u8]) -> ReadResult {
    Err(ReadError::failed("TCX reader not implemented yet", None))
}
