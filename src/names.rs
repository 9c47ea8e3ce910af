//! How file and archive-member names are shown in the report: lossless and unambiguous.
//!
//! Names are bytes (Unix file names, zip member names) and need not be UTF-8. Valid UTF-8 is
//! shown as it is; every byte that is not part of valid UTF-8 is shown as `\xNN` (two lowercase
//! hex digits); a literal backslash is doubled when what follows it would otherwise read as an
//! escape (another backslash, an escaped byte, or an `x`). So two names that differ only in
//! invalid bytes never look the same, a name that is valid UTF-8 and holds no backslash looks
//! exactly as before, and a Windows-style `folder\file.fit` stays as it is.

use std::ffi::OsStr;
use std::path::Path;

/// Show a name given as bytes (see the module documentation).
pub fn display_bytes(bytes: &[u8]) -> String {
    // Tokens first: a char of valid UTF-8, or one invalid byte.
    enum Tok {
        Char(char),
        Byte(u8),
    }
    let mut toks = Vec::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        toks.extend(chunk.valid().chars().map(Tok::Char));
        toks.extend(chunk.invalid().iter().map(|&b| Tok::Byte(b)));
    }
    let mut out = String::with_capacity(bytes.len());
    for (i, t) in toks.iter().enumerate() {
        match *t {
            Tok::Char('\\') => {
                let escape_next =
                    matches!(toks.get(i + 1), Some(Tok::Char('\\' | 'x') | Tok::Byte(_)));
                out.push_str(if escape_next { "\\\\" } else { "\\" });
            }
            Tok::Char(c) => out.push(c),
            Tok::Byte(b) => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// Show an OS string (a file name) losslessly.
pub fn display_os(name: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        display_bytes(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        match name.to_str() {
            Some(s) => display_bytes(s.as_bytes()),
            None => name.to_string_lossy().into_owned(),
        }
    }
}

/// Show a path losslessly.
pub fn display_path(path: &Path) -> String {
    display_os(path.as_os_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inverse of [`display_bytes`], to check that the rendering is lossless.
    fn decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\' && b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
            } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
                let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 4;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn valid_names_are_unchanged_and_invalid_bytes_escaped() {
        assert_eq!(display_bytes(b"run.fit"), "run.fit");
        assert_eq!(display_bytes("Läufe/ü.gpx".as_bytes()), "Läufe/ü.gpx");
        assert_eq!(display_bytes(b"a\\b.fit"), "a\\b.fit");
        assert_eq!(display_bytes(b"run\xff.fit"), "run\\xff.fit");
        assert_eq!(display_bytes(b"run\xfe.fit"), "run\\xfe.fit");
        assert_eq!(display_bytes(b"run\\xff.fit"), "run\\\\xff.fit");
        assert_eq!(display_bytes(b"a\\\xff"), "a\\\\\\xff");
    }

    #[test]
    fn rendering_is_lossless() {
        let names: &[&[u8]] = &[
            b"run.fit",
            b"run\xff.fit",
            b"run\\xff.fit",
            b"\\\\",
            b"\\",
            b"a\\\xff\\x",
            b"\xc3\x28",
            "Ωmega\\x".as_bytes(),
            b"\\\\x\\\xe2\x82",
        ];
        for n in names {
            assert_eq!(decode(&display_bytes(n)), *n, "{:?}", display_bytes(n));
        }
        // Exhaustive over short byte strings of the interesting bytes.
        let alphabet = [b'\\', b'x', b'f', 0xff, 0xc3, 0xa4, b'a'];
        let mut seen = std::collections::HashMap::new();
        for len in 0..=4u32 {
            for k in 0..alphabet.len().pow(len) {
                let mut n = Vec::new();
                let mut k = k;
                for _ in 0..len {
                    n.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                let shown = display_bytes(&n);
                assert_eq!(decode(&shown), n, "{shown}");
                if let Some(other) = seen.insert(shown.clone(), n.clone()) {
                    assert_eq!(other, n, "two names shown as {shown}");
                }
            }
        }
    }
}
