//! Discovery: the paths given on the command line become the files to read. Files as given,
//! folders recursively in sorted order; every path that cannot be read, or is left out on
//! purpose, becomes a [`Problem`] that the ledger turns into an `errors.csv` row.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// How the report names it ([`crate::names::display_path`]).
    pub source: String,
}

/// What discovery could not read, or left out on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Could not be read.
    Failed,
    /// Left out: not a regular file, a link leading outside the inputs, a report folder.
    Skipped,
}

/// A path discovery could not read, or left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The path, as the report names it.
    pub source: String,
    /// Failed or skipped.
    pub kind: ProblemKind,
    /// Why, in plain words.
    pub reason: String,
}

/// What discovery found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The files to read, in the order met (inputs as given, folders in sorted order).
    pub files: Vec<InputFile>,
    /// Paths not read, and why.
    pub problems: Vec<Problem>,
}

/// Walk the inputs: files as given, folders recursively in sorted order. Unreadable entries
/// become `failed` rows; a folder reached twice (symlink loop) is walked once; a file reached
/// twice (through symbolic or hard links, or named twice) is read once, under the path met
/// first; a symbolic link inside a folder that leads to a folder outside every input is not
/// followed (one `skipped` row for the link); a calfguard report folder (one holding the marker)
/// is one `skipped` row and is not read.
///
/// `excluded` says why a folder must not be read (a calfguard report folder), or `None`: it is
/// asked about every folder before it is walked.
pub fn discover(paths: &[PathBuf], excluded: &dyn Fn(&Path) -> Option<String>) -> Found {
    let mut w = Walk {
        excluded,
        roots: paths
            .iter()
            .filter_map(|p| fs::canonicalize(p).ok())
            .collect(),
        files: Vec::new(),
        problems: Vec::new(),
        seen_dirs: HashSet::new(),
        seen_files: HashSet::new(),
    };
    for p in paths {
        w.walk(p, true);
    }
    Found {
        files: w.files,
        problems: w.problems,
    }
}

/// The state of [`discover`].
struct Walk<'a> {
    excluded: &'a dyn Fn(&Path) -> Option<String>,
    /// The inputs, resolved: folders a symbolic link may lead into.
    roots: Vec<PathBuf>,
    files: Vec<InputFile>,
    problems: Vec<Problem>,
    seen_dirs: HashSet<PathBuf>,
    seen_files: HashSet<FileId>,
}

/// What makes two paths the same file: device and inode where there are inodes, else the
/// resolved path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn file_id(path: &Path, meta: &fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        FileId::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId::Path(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

impl Walk<'_> {
    fn walk(&mut self, path: &Path, top: bool) {
        let source = crate::names::display_path(path);
        let problem = |kind: ProblemKind, reason: String| Problem {
            source: source.clone(),
            kind,
            reason,
        };
        let failed = |reason: String| problem(ProblemKind::Failed, reason);
        let skipped = |reason: String| problem(ProblemKind::Skipped, reason);
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.problems.push(failed(format!("cannot read: {e}")));
                return;
            }
        };
        if meta.is_file() {
            if self.seen_files.insert(file_id(path, &meta)) {
                self.files.push(InputFile {
                    path: path.to_path_buf(),
                    source,
                });
            }
            return;
        }
        if !meta.is_dir() {
            self.problems
                .push(skipped("not a regular file".to_string()));
            return;
        }
        if let Some(why) = (self.excluded)(path) {
            self.problems.push(skipped(why));
            return;
        }
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && !top && !self.roots.iter().any(|r| canonical.starts_with(r)) {
            self.problems.push(skipped(
                "symbolic link to a folder outside the inputs: not followed".to_string(),
            ));
            return;
        }
        if !self.seen_dirs.insert(canonical) {
            return;
        }
        let entries = match fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                self.problems
                    .push(failed(format!("cannot read folder: {e}")));
                return;
            }
        };
        let mut children = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => children.push(e.path()),
                Err(e) => self
                    .problems
                    .push(failed(format!("cannot read folder entry: {e}"))),
            }
        }
        children.sort();
        for child in children {
            self.walk(&child, false);
        }
    }
}
