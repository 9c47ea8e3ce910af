//! Sets `CALFGUARD_VERSION` for `calfguard --version`: the crate's version, followed by
//! `git describe --tags --always` in parentheses when this crate is built from its own git
//! checkout. Built from a tarball or crate (no `.git`), or inside some other repository, it is
//! the crate's version alone; a missing `git` is not an error.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    let describe = checkout(&root).and_then(|(git_dir, common_dir)| {
        // Rebuild when the checked-out commit or the tags change (a path that does not exist
        // would make cargo rerun this script on every build, so only existing ones).
        let watched = [
            git_dir.join("HEAD"),
            common_dir.join("refs"),
            common_dir.join("packed-refs"),
        ];
        for p in watched.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        git(&root, &["describe", "--tags", "--always"])
    });
    match describe {
        Some(d) => println!("cargo:rustc-env=CALFGUARD_VERSION={version} ({d})"),
        None => println!("cargo:rustc-env=CALFGUARD_VERSION={version}"),
    }
}

/// The git folder and the common git folder when `root` is the top of a git work tree (not
/// merely inside one: a tarball unpacked in someone's repository is not a checkout of calfguard).
fn checkout(root: &Path) -> Option<(PathBuf, PathBuf)> {
    let top = PathBuf::from(git(root, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != root.canonicalize().ok()? {
        return None;
    }
    let abs = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            root.join(p)
        }
    };
    let git_dir = abs(git(root, &["rev-parse", "--git-dir"])?);
    let common_dir = abs(git(root, &["rev-parse", "--git-common-dir"])?);
    Some((git_dir, common_dir))
}
