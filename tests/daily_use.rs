//! End-to-end tests of what a daily user meets first (issue 18): argument errors in plain
//! words, shell completions, the man page, `--version`, `--help` examples.

mod common;

use common::calfguard;

#[test]
fn threads_zero_says_at_least_one() {
    let out = calfguard()
        .args(["analyze", "anything", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be at least 1"), "{err}");
}
