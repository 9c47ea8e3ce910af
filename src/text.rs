//! Text from people's files and command lines: read with a size limit, quoted in error
//! messages. A leaf module.

use std::path::Path;

/// Most characters of a value from a file or the command line quoted in an error message.
pub const QUOTE_CHARS: usize = 100;

/// `value` for an error message: at most [`QUOTE_CHARS`] characters, control characters
/// escaped, and how much was left out.
pub fn clip(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == QUOTE_CHARS {
            let rest = value.chars().count() - n;
            out.push_str(&format!("… ({rest} more characters)"));
            return out;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a text file could not be read ([`read_limited`]); `what` names the file
/// ("configuration file").
#[derive(Debug, thiserror::Error)]
pub enum ReadFileError {
    /// It could not be opened or read.
    #[error("cannot read the {what}: {source}")]
    Io {
        /// What the file is.
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// It is larger than the limit.
    #[error("not a {what}: larger than the limit of {limit} bytes")]
    TooLarge {
        /// What the file is.
        what: &'static str,
        /// The limit, bytes.
        limit: u64,
    },
    /// It is not UTF-8 text.
    #[error("not a {what}: not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// What the file is.
        what: &'static str,
        /// Where the first invalid byte is.
        offset: usize,
    },
}

/// Read a text file of at most `limit` bytes. Never reads more than `limit + 1` bytes, so a
/// device such as `/dev/zero` or a huge file is refused without filling memory. `what` names
/// the file in the error ("configuration file").
pub fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadFileError> {
    use std::io::Read;
    let io = |source| ReadFileError::Io { what, source };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFileError::TooLarge { what, limit });
    }
    String::from_utf8(bytes).map_err(|e| ReadFileError::NotUtf8 {
        what,
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reads_say_why_they_fail() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, "x".repeat(11)).unwrap();
        let e = read_limited(&big, 10, "configuration file").unwrap_err();
        assert!(matches!(e, ReadFileError::TooLarge { limit: 10, .. }));
        assert_eq!(
            e.to_string(),
            "not a configuration file: larger than the limit of 10 bytes"
        );
        std::fs::write(&big, b"ok\xff").unwrap();
        let e = read_limited(&big, 10, "gear file").unwrap_err();
        assert!(matches!(e, ReadFileError::NotUtf8 { offset: 2, .. }), "{e}");
        let e = read_limited(&dir.path().join("missing"), 10, "weather file").unwrap_err();
        assert!(e.to_string().starts_with("cannot read the weather file: "));
        std::fs::write(&big, "fine").unwrap();
        assert_eq!(read_limited(&big, 4, "x").unwrap(), "fine");
    }
}
