//! The report folder: what `--out` may replace, and how it is replaced as a whole.
//!
//! **What calfguard may touch.** A report folder carries a marker, `.calfguard-report`, that
//! names the calfguard version and every file the run wrote. An existing `--out` is replaced only
//! when it is empty, or when it holds a valid marker and nothing but the files that marker lists;
//! a folder without a marker, or a report with anything else in it (a file a person dropped in),
//! is refused before any work and left untouched ([`check_out`], [`ReportFolder::open`]). Beside
//! the report calfguard creates, and removes again, only `.NAME.lock` (the lock, while it runs),
//! `.NAME.staging-PID` (the new report being written) and, where the atomic exchange is not
//! available, `.NAME.old-PID` (the previous report between two renames). Removing a folder
//! always means: remove the files its marker lists, then the marker, then the (now empty) folder
//! ([`remove_ours`]); a folder that still holds something else stays where it is.
//!
//! **How it is replaced.** A run takes the lock (an advisory `flock` on `.NAME.lock`; a second
//! run on the same `--out` is refused with exit 2), writes every file into the staging folder,
//! syncs it, then swaps it in:
//! - on Linux with one `renameat2(RENAME_EXCHANGE)` call, which exchanges the two folders
//!   atomically, after which the old report (now under the staging name) is removed;
//! - elsewhere, or when the file system refuses the exchange, by renaming the old report to
//!   `.NAME.old-PID`, renaming the staging folder to NAME, and removing `.NAME.old-PID`.
//!
//! A run killed at any moment therefore leaves the previous report or the new one, never a mix.
//! The only window without a folder named NAME is between the two renames of the fallback; the
//! next run repairs it (a lone `.NAME.old-PID` holding a report is renamed back) and removes the
//! staging and old folders earlier runs left, when they hold only what their marker lists.

use crate::interrupt::Remover;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// The name of the marker file in every report folder calfguard writes.
pub const MARKER: &str = ".calfguard-report";
/// The first line of a marker (format version 1).
const MARKER_HEADER: &str = "calfguard-report 1";
/// The largest marker read, in bytes.
const MAX_MARKER_BYTES: u64 = 64 * 1024;
/// The first bytes of a lock file calfguard created.
const LOCK_SIGNATURE: &str = "calfguard lock";

/// The files a report holds (besides the marker): [`super::FILES`], the list [`super::write_all`]
/// writes.
pub const REPORT_FILES: &[&str] = &super::FILES;

fn refused(message: String) -> io::Error {
    io::Error::other(message)
}

/// The text of a marker listing `files`.
pub fn marker_text(files: &[&str]) -> String {
    let mut s = format!(
        "{MARKER_HEADER}\n\
         # A calfguard report folder. calfguard replaces it on a later run with the same --out,\n\
         # removing only the files listed here and this marker; it refuses to touch the folder\n\
         # when anything else is in it.\n\
         version {}\n",
        env!("CARGO_PKG_VERSION")
    );
    for f in files {
        s.push_str("file ");
        s.push_str(f);
        s.push('\n');
    }
    s
}

/// A marker read from a folder: the version that wrote it and the files it lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The calfguard version that wrote the folder.
    pub version: String,
    /// The files it wrote (plain names, no folders).
    pub files: Vec<String>,
}

/// A plain file name a marker may list: no folder, not hidden, no control characters.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// Parse a marker; `None` unless it is a valid one.
pub fn parse_marker(text: &str) -> Option<Marker> {
    let mut lines = text.lines();
    if lines.next()? != MARKER_HEADER {
        return None;
    }
    let mut version = None;
    let mut files = Vec::new();
    for line in lines {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("version ") {
            version = Some(v.to_string());
        } else if let Some(f) = line.strip_prefix("file ") {
            if !plain_name(f) {
                return None;
            }
            files.push(f.to_string());
        }
        // Other keys (a later version's) are ignored.
    }
    Some(Marker {
        version: version?,
        files,
    })
}

/// The marker of `dir`, if it holds a valid one (a regular file, not a link).
pub fn read_marker(dir: &Path) -> Option<Marker> {
    let path = dir.join(MARKER);
    let meta = fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MARKER_BYTES {
        return None;
    }
    let mut text = String::new();
    fs::File::open(&path)
        .ok()?
        .take(MAX_MARKER_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    parse_marker(&text)
}

/// Why discovery must not read `dir` as input: a report (or a run's staging folder) is never
/// read as input.
pub fn not_an_input(dir: &Path) -> Option<String> {
    is_report(dir)
        .then(|| format!("a calfguard report folder (it holds {MARKER}): not read as input"))
}

/// True when `dir` is a calfguard report folder (it holds a valid marker).
pub fn is_report(dir: &Path) -> bool {
    read_marker(dir).is_some()
}

/// What an existing folder is, as far as replacing it goes.
#[derive(Debug, PartialEq, Eq)]
enum Audit {
    /// Nothing in it.
    Empty,
    /// A report holding only its listed files and the marker.
    Ours,
    /// Not empty and no valid marker.
    NotReport,
    /// A report that also holds these entries, which its marker does not list.
    Foreign(Vec<String>),
}

fn audit(dir: &Path) -> io::Result<Audit> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        names.push(entry?.file_name());
    }
    if names.is_empty() {
        return Ok(Audit::Empty);
    }
    let Some(marker) = read_marker(dir) else {
        return Ok(Audit::NotReport);
    };
    let mut foreign = Vec::new();
    for name in names {
        if name == MARKER {
            continue;
        }
        let listed = name
            .to_str()
            .is_some_and(|n| marker.files.iter().any(|f| f == n));
        let is_file = fs::symlink_metadata(dir.join(&name)).is_ok_and(|m| m.is_file());
        if !(listed && is_file) {
            let mut shown = crate::names::display_os(&name);
            if fs::symlink_metadata(dir.join(&name)).is_ok_and(|m| m.is_dir()) {
                shown.push('/');
            }
            foreign.push(shown);
        }
    }
    foreign.sort();
    Ok(if foreign.is_empty() {
        Audit::Ours
    } else {
        Audit::Foreign(foreign)
    })
}

/// [`remove_ours`] for a second signal (errors ignored: the process is exiting).
fn remove_staging(dir: &Path) {
    let _ = remove_ours(dir);
}

/// Remove a folder calfguard wrote: the files its marker lists, the marker, then the folder,
/// which must then be empty. A folder without a marker is only removed when empty. Anything not
/// listed is never removed: the folder then stays, and the error says so.
pub fn remove_ours(dir: &Path) -> io::Result<()> {
    if let Some(marker) = read_marker(dir) {
        for f in &marker.files {
            let p = dir.join(f);
            if fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                match fs::remove_file(&p) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        match fs::remove_file(dir.join(MARKER)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::remove_dir(dir)
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

/// Resolve `path` against the current folder and through every symbolic link of the folders
/// above it, also when `path` itself (or some of its parents) does not exist yet: the nearest
/// existing ancestor is canonicalised and the rest appended (`..` taken lexically).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest: Vec<Component> = Vec::new();
    let mut base = abs.as_path();
    let canonical = loop {
        match fs::canonicalize(base) {
            Ok(c) => break c,
            Err(_) => {
                let Some(parent) = base.parent() else {
                    break base.to_path_buf();
                };
                if let Some(last) = base.components().next_back() {
                    rest.push(last);
                }
                base = parent;
            }
        }
    };
    let mut out = canonical;
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Check `--out` before any work and return the report folder to use: the resolved parent
/// folder joined with the last name (which is not followed if it is a link).
///
/// Refused (nothing is touched): the root folder, the current folder, the home folder; a path
/// equal to an input, inside an input folder or holding an input (compared after resolving
/// links, also for an `--out` that does not exist yet); a symbolic link; something that is not
/// a folder.
pub fn check_out(out: &Path, inputs: &[PathBuf]) -> io::Result<PathBuf> {
    let shown = out.display();
    let resolved = resolve(out)?;
    let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
        return Err(refused(format!(
            "'{shown}' is the root folder: give a folder of its own, e.g. --out calfguard-report"
        )));
    };
    // `--out .` and `--out dir/..` resolve to a folder with a name: compare with the folders
    // that must never be replaced.
    let cwd = std::env::current_dir().and_then(fs::canonicalize).ok();
    if cwd.as_deref() == Some(resolved.as_path()) {
        return Err(refused(format!(
            "'{shown}' is the current folder: give a folder of its own, e.g. --out calfguard-report"
        )));
    }
    let home = dirs::home_dir().and_then(|h| fs::canonicalize(h).ok());
    if home.as_deref() == Some(resolved.as_path()) {
        return Err(refused(format!(
            "'{shown}' is your home folder: give a folder of its own, e.g. --out calfguard-report"
        )));
    }
    for input in inputs {
        let Ok(i) = fs::canonicalize(input) else {
            continue;
        };
        let inp = input.display();
        if i == resolved {
            return Err(refused(format!(
                "'{shown}' is the input '{inp}': the report must go to a folder of its own"
            )));
        }
        if resolved.starts_with(&i) {
            return Err(refused(format!(
                "'{shown}' is inside the input folder '{inp}': choose a folder outside the inputs"
            )));
        }
        if i.starts_with(&resolved) {
            return Err(refused(format!(
                "'{shown}' holds the input '{inp}': choose a folder outside the inputs"
            )));
        }
    }
    if !parent.is_dir() {
        return Err(refused(format!(
            "'{shown}': the folder '{}' it would go in does not exist or is not a folder",
            parent.display()
        )));
    }
    let target = parent.join(name);
    if let Ok(meta) = fs::symlink_metadata(&target) {
        if meta.file_type().is_symlink() {
            return Err(refused(format!(
                "'{shown}' is a symbolic link: give the folder itself"
            )));
        }
        if !meta.is_dir() {
            return Err(refused(format!("'{shown}' exists and is not a folder")));
        }
    }
    Ok(target)
}

fn hidden_sibling(target: &Path, suffix: &str) -> io::Result<PathBuf> {
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("'{}' does not name a folder", target.display()),
        )
    })?;
    let mut hidden = OsString::from(".");
    hidden.push(name);
    hidden.push(suffix);
    Ok(target.with_file_name(hidden))
}

/// The advisory lock on `.NAME.lock` beside the report: held while a run may change the report
/// folder; the lock file is removed on drop when calfguard created it.
#[derive(Debug)]
pub struct OutLock {
    file: fs::File,
    path: PathBuf,
    ours: bool,
}

/// Remove a lock file if calfguard wrote it (it starts with the signature).
pub fn remove_lock_file(path: &Path) {
    let mut head = [0u8; LOCK_SIGNATURE.len()];
    let ours = fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && head == LOCK_SIGNATURE.as_bytes();
    if ours {
        let _ = fs::remove_file(path);
    }
}

impl OutLock {
    /// Take the lock of `target`, or say which run holds it.
    pub fn acquire(target: &Path) -> io::Result<OutLock> {
        let path = hidden_sibling(target, ".lock")?;
        loop {
            let (file, created) = open_lock_file(&path)?;
            if !try_lock(&file)? {
                let mut holder = String::new();
                let _ = fs::File::open(&path).and_then(|f| {
                    f.take(200).read_to_string(&mut holder)?;
                    Ok(())
                });
                let pid = holder
                    .strip_prefix(LOCK_SIGNATURE)
                    .and_then(|r| r.trim().strip_prefix("pid "))
                    .map(|p| format!(" (pid {})", p.trim()))
                    .unwrap_or_default();
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "another calfguard run{pid} is writing the report folder '{}' (it holds \
                         the lock '{}'): wait for it to finish, or choose another --out",
                        target.display(),
                        path.display()
                    ),
                ));
            }
            // The holder before us may have removed the file between our open and our lock:
            // then the lock is on a file nobody else will see; start again.
            if !same_file(&file, &path) {
                continue;
            }
            let mut ours = created;
            if !created {
                let mut head = String::new();
                let _ = (&file).take(64).read_to_string(&mut head);
                ours = head.starts_with(LOCK_SIGNATURE);
            }
            if ours {
                // Rewrite with our pid (the file is ours: created by a calfguard run).
                if let Ok(mut w) = fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&path)
                {
                    let _ = writeln!(w, "{LOCK_SIGNATURE} pid {}", std::process::id());
                }
            }
            crate::interrupt::set_lock(ours.then(|| (path.clone(), remove_lock_file as Remover)));
            return Ok(OutLock { file, path, ours });
        }
    }
}

fn open_lock_file(path: &Path) -> io::Result<(fs::File, bool)> {
    let mut create = fs::OpenOptions::new();
    create.write(true).read(true).create_new(true);
    match create.open(path) {
        Ok(mut f) => {
            // Sign it at once, so that a run that opens it before we lock it knows it is ours.
            let _ = writeln!(f, "{LOCK_SIGNATURE}");
            Ok((f, true))
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = fs::symlink_metadata(path)?;
            if !meta.is_file() {
                return Err(refused(format!(
                    "'{}' is in the way of the lock file and is not a regular file",
                    path.display()
                )));
            }
            Ok((fs::OpenOptions::new().read(true).open(path)?, false))
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn try_lock(file: &fs::File) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a valid open descriptor.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &fs::File) -> io::Result<bool> {
    // Without flock the lock file's existence is the lock (created with create_new).
    Ok(true)
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

impl Drop for OutLock {
    fn drop(&mut self) {
        if self.ours {
            // Removed while still locked; a run that opened the old file re-checks the path
            // after locking it (`same_file`) and starts again.
            let _ = fs::remove_file(&self.path);
        }
        crate::interrupt::set_lock(None);
        let _ = &self.file;
    }
}

/// A staging folder that becomes the report folder on [`ReportFolder::commit`].
#[derive(Debug)]
pub struct ReportFolder {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    // Dropped last: the lock is held until the staging folder is gone.
    _lock: OutLock,
}

/// Leftovers of earlier runs beside `target`: `.NAME.staging-PID` and `.NAME.old-PID`.
fn leftovers(target: &Path) -> Vec<(PathBuf, bool)> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Vec::new();
    };
    let name = name.to_string_lossy();
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let (rest, is_old) = if let Some(r) = n.strip_prefix(&staging) {
            (r, false)
        } else if let Some(r) = n.strip_prefix(&old) {
            (r, true)
        } else {
            continue;
        };
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if fs::symlink_metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            found.push((entry.path(), is_old));
        }
    }
    found.sort();
    found
}

fn refuse_existing(target: &Path, shown: &Path) -> io::Result<()> {
    if fs::symlink_metadata(target).is_err() {
        return Ok(());
    }
    match audit(target)? {
        Audit::Empty | Audit::Ours => Ok(()),
        Audit::NotReport => Err(refused(format!(
            "'{}' is not empty and is not a calfguard report (it has no {MARKER} marker): \
             calfguard only replaces folders it wrote. Nothing in it was touched; choose a new \
             or empty folder",
            shown.display()
        ))),
        Audit::Foreign(names) => Err(refused(format!(
            "the report folder '{}' holds {} calfguard did not write: {}. Nothing was touched; \
             move {} out of the folder, or choose another --out",
            shown.display(),
            if names.len() == 1 {
                "an entry".to_string()
            } else {
                format!("{} entries", names.len())
            },
            list(&names),
            if names.len() == 1 { "it" } else { "them" }
        ))),
    }
}

impl ReportFolder {
    /// Lock the report folder, check that it may be replaced (see the module documentation),
    /// repair what an interrupted earlier run left, then create an empty staging folder holding
    /// a marker. `target` comes from [`check_out`]; `shown` is how the user named it.
    ///
    /// Fails (before any analysis) when the folder is not calfguard's, another run holds the
    /// lock, or the parent folder cannot be written.
    pub fn open(target: &Path, shown: &Path) -> io::Result<ReportFolder> {
        let lock = OutLock::acquire(target)?;
        // Repair: a lone `.NAME.old-PID` holding a report is the previous report, caught
        // between the fallback's two renames.
        let found = leftovers(target);
        if fs::symlink_metadata(target).is_err() {
            if let Some((old, _)) = found
                .iter()
                .find(|(p, is_old)| *is_old && audit(p).is_ok_and(|a| a == Audit::Ours))
            {
                fs::rename(old, target)?;
            }
        }
        refuse_existing(target, shown)?;
        for (dir, _) in leftovers(target) {
            if matches!(audit(&dir), Ok(Audit::Ours | Audit::Empty)) {
                let _ = remove_ours(&dir);
            }
        }
        let staging = hidden_sibling(target, &format!(".staging-{}", std::process::id()))?;
        fs::create_dir(&staging)?;
        crate::interrupt::set_staging(Some((staging.clone(), remove_staging)));
        let folder = ReportFolder {
            target: target.to_path_buf(),
            staging,
            committed: false,
            _lock: lock,
        };
        fs::write(folder.staging.join(MARKER), marker_text(REPORT_FILES))?;
        Ok(folder)
    }

    /// The staging folder, where the run writes its files.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The final report folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Sync the staging folder and swap it in place of the target; remove the previous report
    /// (only what its marker lists). Returns a note when the previous report could not be
    /// removed whole (it held something else) and was left beside the new one.
    pub fn commit(mut self) -> io::Result<Option<String>> {
        sync_dir_tree(&self.staging)?;
        crate::fault::abort_at("before-swap");
        // Look again under the lock: a person may have dropped a file in since the start.
        refuse_existing(&self.target, &self.target)?;
        crate::interrupt::set_committing(true);
        let result = self.swap();
        crate::interrupt::set_committing(false);
        let note = result?;
        if let Some(parent) = self.target.parent() {
            // Make the renames durable; not every platform can open a folder, so ignore errors.
            let _ = fs::File::open(parent).and_then(|d| d.sync_all());
        }
        Ok(note)
    }

    fn swap(&mut self) -> io::Result<Option<String>> {
        let leftover = if fs::symlink_metadata(&self.target).is_ok() {
            let try_exchange = std::env::var_os("CALFGUARD_NO_EXCHANGE").is_none();
            if try_exchange && exchange(&self.staging, &self.target).is_ok() {
                self.committed = true;
                crate::fault::abort_at("after-exchange");
                self.staging.clone()
            } else {
                let old = hidden_sibling(&self.target, &format!(".old-{}", std::process::id()))?;
                if fs::symlink_metadata(&old).is_ok() {
                    return Err(refused(format!(
                        "'{}' is in the way of replacing the report",
                        old.display()
                    )));
                }
                fs::rename(&self.target, &old)?;
                crate::fault::abort_at("between-renames");
                fs::rename(&self.staging, &self.target)?;
                self.committed = true;
                old
            }
        } else {
            fs::rename(&self.staging, &self.target)?;
            self.committed = true;
            return Ok(None);
        };
        crate::interrupt::set_staging(None);
        Ok(remove_ours(&leftover).err().map(|e| {
            format!(
                "the previous report was kept as '{}' ({e}): it holds files calfguard did not \
                 write",
                leftover.display()
            )
        }))
    }
}

impl Drop for ReportFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_ours(&self.staging);
        }
        crate::interrupt::set_staging(None);
    }
}

/// Sync every file of the staging folder; anything in it that the marker does not list is an
/// error (a file written without being listed could never be removed again).
fn sync_dir_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let listed = name == MARKER || name.to_str().is_some_and(|n| REPORT_FILES.contains(&n));
        if !listed || !entry.file_type()?.is_file() {
            return Err(refused(format!(
                "internal error: '{}' in the staging folder is not a listed report file",
                entry.path().display()
            )));
        }
        fs::File::open(entry.path())?.sync_all()?;
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated paths for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests;
