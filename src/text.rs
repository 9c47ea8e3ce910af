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

/// Read a text file of at most `limit` bytes. Never reads more than `limit + 1` bytes, so a
/// device such as `/dev/zero` or a huge file is refused without filling memory. `what` names
/// the file in the error ("configuration file").
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the {what}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the {what}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "not a {what}: larger than the limit of {limit} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not a {what}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
