//! The report folder is replaced as a whole.
//!
//! A run writes every file into a staging folder beside the target (`.NAME.staging-PID`), syncs
//! it, then swaps it in:
//! - on Linux with one `renameat2(RENAME_EXCHANGE)` call, which exchanges the two folders
//!   atomically, after which the old report (now under the staging name) is removed;
//! - elsewhere, or when the file system refuses the exchange, by renaming the old report to
//!   `.NAME.old`, renaming the staging folder to NAME, and removing `.NAME.old`.
//!
//! A run killed at any moment therefore leaves the previous report or the new one, never a mix.
//! The only window without a folder named NAME is between the two renames of the fallback; the
//! next run repairs it ([`ReportFolder::prepare`] renames a lone `.NAME.old` back) and removes
//! leftover staging folders.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A staging folder that becomes the report folder on [`ReportFolder::commit`].
#[derive(Debug)]
pub struct ReportFolder {
    target: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    committed: bool,
}

fn hidden_sibling(target: &Path, suffix: &str) -> io::Result<PathBuf> {
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("'{}' does not name a folder", target.display()),
        )
    })?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(suffix);
    Ok(target.with_file_name(hidden))
}

impl ReportFolder {
    /// Repair what an interrupted earlier run left, then create an empty staging folder.
    ///
    /// Fails (before any analysis) when the target's parent cannot be written.
    pub fn prepare(target: &Path) -> io::Result<ReportFolder> {
        let target = if target.is_absolute() {
            target.to_path_buf()
        } else {
            std::env::current_dir()?.join(target)
        };
        if target.exists() && !target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("'{}' exists and is not a folder", target.display()),
            ));
        }
        let old = hidden_sibling(&target, ".old")?;
        // Repair: a lone `.NAME.old` is the previous report, caught between two renames.
        if !target.exists() && old.is_dir() {
            fs::rename(&old, &target)?;
        } else if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        remove_stale_staging(&target)?;
        let staging = hidden_sibling(&target, &format!(".staging-{}", std::process::id()))?;
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir(&staging)?;
        Ok(ReportFolder {
            target,
            staging,
            old,
            committed: false,
        })
    }

    /// The staging folder, where the run writes its files.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The final report folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Sync the staging folder and swap it in place of the target.
    pub fn commit(mut self) -> io::Result<()> {
        sync_dir_tree(&self.staging)?;
        fault_point("before-swap");
        if self.target.exists() {
            if exchange(&self.staging, &self.target).is_ok() {
                fault_point("after-exchange");
                fs::remove_dir_all(&self.staging)?;
            } else {
                fs::rename(&self.target, &self.old)?;
                fault_point("between-renames");
                fs::rename(&self.staging, &self.target)?;
                fs::remove_dir_all(&self.old)?;
            }
        } else {
            fs::rename(&self.staging, &self.target)?;
        }
        if let Some(parent) = self.target.parent() {
            // Make the renames durable; not every platform can open a folder, so ignore errors.
            let _ = fs::File::open(parent).and_then(|d| d.sync_all());
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for ReportFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn remove_stale_staging(target: &Path) -> io::Result<()> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Ok(());
    };
    let prefix = format!(".{}.staging-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        // Leave a staging folder of a run that is still going (its pid is alive) alone.
        let alive = rest
            .parse::<u32>()
            .map(|pid| pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists())
            .unwrap_or(false);
        if !alive {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

fn sync_dir_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs::File::open(entry.path())?.sync_all()?;
        }
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

/// Test seam for the kill-safety tests: when the environment variable `CALFGUARD_FAULT` names
/// this point, the process aborts here, as a kill would.
pub fn fault_point(name: &str) {
    if std::env::var("CALFGUARD_FAULT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_folder_and_repairs_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report");
        let r = ReportFolder::prepare(&target).unwrap();
        fs::write(r.staging().join("a.csv"), "one").unwrap();
        r.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.csv")).unwrap(), "one");

        let r = ReportFolder::prepare(&target).unwrap();
        fs::write(r.staging().join("b.csv"), "two").unwrap();
        r.commit().unwrap();
        assert!(!target.join("a.csv").exists(), "old files must not survive");
        assert_eq!(fs::read_to_string(target.join("b.csv")).unwrap(), "two");

        // A run killed between the fallback's two renames leaves only `.report.old`.
        fs::rename(&target, dir.path().join(".report.old")).unwrap();
        fs::create_dir(dir.path().join(".report.staging-999999999")).unwrap();
        let r = ReportFolder::prepare(&target).unwrap();
        assert_eq!(fs::read_to_string(target.join("b.csv")).unwrap(), "two");
        assert!(!dir.path().join(".report.staging-999999999").exists());
        drop(r);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report")]);
    }

    #[test]
    fn refuses_a_file_as_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report");
        fs::write(&target, "x").unwrap();
        assert!(ReportFolder::prepare(&target).is_err());
    }
}
