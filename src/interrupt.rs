//! Interrupts: SIGINT (Ctrl-C), SIGTERM and SIGHUP.
//!
//! The first signal sets a process-wide flag. Workers poll it between files, the archive walker
//! between members and between chunks of a file it reads, and the GPX, TCX and FIT readers every
//! few thousand XML events or FIT messages, so even a file of hundreds of megabytes stops within
//! a fraction of a second; the run then removes its staging folder and exits with 130, leaving the
//! previous report as it was. A second signal exits with 130 at once: the staging folder is
//! removed best-effort first, unless the report is being swapped in (the swap leaves the old or the
//! new report either way, and the next run removes what is left beside it).
//!
//! What a second signal removes is registered here by the report folder, with the function that
//! removes it, so this module imports nothing of the crate.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();
static CLEANUP: Mutex<Cleanup> = Mutex::new(Cleanup {
    staging: None,
    lock: None,
    committing: false,
});

/// Removes a path that a second signal must not leave behind (best-effort, errors ignored).
pub type Remover = fn(&Path);

/// What a second signal removes before the process exits.
struct Cleanup {
    staging: Option<(PathBuf, Remover)>,
    lock: Option<(PathBuf, Remover)>,
    committing: bool,
}

/// The process-wide interrupt flag.
pub fn flag() -> &'static AtomicBool {
    &REQUESTED
}

/// True once SIGINT, SIGTERM or SIGHUP has arrived.
#[inline]
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Install the handler for SIGINT, SIGTERM and SIGHUP (once per process).
pub fn install() {
    INSTALL.call_once(|| {
        // Another handler already set (a test harness) is not an error: the flag then just
        // never changes.
        let _ = ctrlc::set_handler(|| {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                second_signal();
            }
        });
    });
}

fn second_signal() -> ! {
    let (staging, lock) = match CLEANUP.lock() {
        Ok(c) if !c.committing => (c.staging.clone(), c.lock.clone()),
        Ok(c) => (None, c.lock.clone()),
        Err(_) => (None, None),
    };
    if let Some((path, remove)) = staging {
        remove(&path);
    }
    if let Some((path, remove)) = lock {
        remove(&path);
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"\ncalfguard: interrupted again: stopped at once\n",
    );
    std::process::exit(130);
}

fn with_cleanup(f: impl FnOnce(&mut Cleanup)) {
    match CLEANUP.lock() {
        Ok(mut c) => f(&mut c),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// Tell a second signal which staging folder to remove, and how (`None`: none any more).
pub fn set_staging(path: Option<(PathBuf, Remover)>) {
    with_cleanup(|c| c.staging = path);
}

/// Tell a second signal which lock file to remove, and how (`None`: none any more).
pub fn set_lock(path: Option<(PathBuf, Remover)>) {
    with_cleanup(|c| c.lock = path);
}

/// Mark the start (and end) of the swap, during which a second signal removes nothing.
pub fn set_committing(on: bool) {
    with_cleanup(|c| c.committing = on);
}
