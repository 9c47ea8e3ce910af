//! FIT reader (placeholder until the reader lands).

use crate::model::{ReadError, ReadResult};

/// Read a FIT file into activities.
pub fn read_fit(_source: &str, _bytes: &[u8]) -> ReadResult {
    Err(ReadError::failed("FIT reader not implemented yet", None))
}
