//! Parser layer: bytes in, [`Activity`](crate::model::Activity) values or a [`ReadError`] out.
//!
//! The format is detected from the content (FIT header signature; XML root element `gpx` or
//! `TrainingCenterDatabase`, also after whitespace or a byte-order mark), not from the file name.
//! Readers never panic on bad input; [`read_bytes`] also isolates any panic a dependency raises.

pub mod export;
pub mod fit;
pub mod gpx;
pub mod strava;
pub mod tcx;
pub mod xml;

use crate::model::{Format, ReadError, ReadResult};

/// Detect the format of a file from its first bytes.
///
/// FIT: a header of 12 or 14 bytes whose bytes 8..12 are `.FIT`. XML: the first element's
/// local name, after an optional BOM, whitespace, the XML declaration, comments and a DOCTYPE.
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    if bytes.len() >= 12 && &bytes[8..12] == b".FIT" && matches!(bytes[0], 12 | 14) {
        return Some(Format::Fit);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let mut rest: &str = &text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>").map(|(_, r)| r)?;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map(|(_, r)| r)?;
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = r.split_once('>').map(|(_, r)| r)?;
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String = r
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            let local = name.rsplit(':').next().unwrap_or("");
            return match local {
                "gpx" => Some(Format::Gpx),
                "TrainingCenterDatabase" => Some(Format::Tcx),
                _ => None,
            };
        } else {
            return None;
        }
    }
}

/// Read one file's bytes into activities. `source` is what the report will call the file.
///
/// Any panic inside a reader or a dependency becomes a `Failed` error naming it as a bug, so
/// one file can never stop the batch.
pub fn read_bytes(source: &str, bytes: &[u8]) -> ReadResult {
    if bytes.is_empty() {
        return Err(ReadError::failed("empty file (0 bytes)", None));
    }
    let Some(format) = detect_format(bytes) else {
        return Err(ReadError::skipped(
            "not an activity file (no FIT header, no GPX or TCX root element)",
        ));
    };
    let run = || match format {
        Format::Fit => fit::read_fit(source, bytes),
        Format::Gpx => gpx::read_gpx(source, bytes),
        Format::Tcx => tcx::read_tcx(source, bytes),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(ReadError::failed(
                format!("internal error while reading {format} (a calfguard bug, please report): {what}"),
                None,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        let mut fit = vec![14u8, 0x10, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT\0\0");
        assert_eq!(detect_format(&fit), Some(Format::Fit));
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<gpx version=\"1.1\">"),
            Some(Format::Gpx)
        );
        assert_eq!(
            detect_format(
                b"   \n<?xml version=\"1.0\"?><!-- c --><TrainingCenterDatabase xmlns=\"x\">"
            ),
            Some(Format::Tcx)
        );
        assert_eq!(
            detect_format(b"<ns2:gpx xmlns:ns2=\"x\">"),
            Some(Format::Gpx)
        );
        assert_eq!(detect_format(b"{\"json\": true}"), None);
        assert_eq!(detect_format(b""), None);
    }
}
