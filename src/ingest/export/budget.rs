//! The whole-run budget of bytes in flight.

use std::sync::{Condvar, Mutex, MutexGuard};

/// The whole-run budget of bytes in flight ([`super::Limits::max_in_flight_bytes`]): a fair
/// (first come, first served) counting semaphore over bytes. A worker acquires the bytes of a
/// file before it reads or inflates it and releases them when the file is parsed; a request
/// larger than the budget is granted when nothing else is held. Permits are only held while
/// a single leaf is read and parsed (never across the members of an archive), and a holder
/// never waits for more while it holds, so the workers cannot deadlock.
#[derive(Debug)]
pub struct Budget {
    max: u64,
    state: Mutex<BudgetState>,
    turn: Condvar,
}

#[derive(Debug, Default)]
pub(super) struct BudgetState {
    pub(super) held: u64,
    next_ticket: u64,
    serving: u64,
    peak: u64,
}

/// Bytes held from a [`Budget`]; released on drop.
#[derive(Debug)]
pub struct Permit<'a> {
    budget: &'a Budget,
    pub(super) bytes: u64,
}

impl Budget {
    /// A budget of `max` bytes (at least 1).
    pub fn new(max: u64) -> Budget {
        Budget {
            max: max.max(1),
            state: Mutex::new(BudgetState::default()),
            turn: Condvar::new(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait for `bytes`, in turn.
    pub fn acquire(&self, bytes: u64) -> Permit<'_> {
        let mut st = self.lock();
        let ticket = st.next_ticket;
        st.next_ticket += 1;
        while !(st.serving == ticket && (st.held == 0 || st.held.saturating_add(bytes) <= self.max))
        {
            st = self.turn.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        st.serving += 1;
        st.held += bytes;
        st.peak = st.peak.max(st.held);
        drop(st);
        self.turn.notify_all();
        Permit {
            budget: self,
            bytes,
        }
    }

    /// The most bytes held at once so far.
    pub fn peak(&self) -> u64 {
        self.lock().peak
    }
}

impl Permit<'_> {
    /// Count `bytes` instead of what is held now, without waiting (the bytes are already in
    /// memory: the real size of a member that declared less, or what is left after a step).
    pub fn set(&mut self, bytes: u64) {
        let mut st = self.budget.lock();
        st.held = st.held - self.bytes + bytes;
        st.peak = st.peak.max(st.held);
        drop(st);
        if bytes < self.bytes {
            self.budget.turn.notify_all();
        }
        self.bytes = bytes;
    }

    /// Give back what is held and wait, in turn, for `bytes` (before inflating a gzip stream to
    /// its stated size). What the caller holds while it waits is not counted meanwhile.
    pub fn regain(&mut self, bytes: u64) {
        self.set(0);
        let p = self.budget.acquire(bytes);
        self.bytes = p.bytes;
        std::mem::forget(p);
    }
}

/// Permits of at least this many bytes give freed memory back to the system when they end.
const TRIM_BYTES: u64 = 32 << 20;

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let large = self.bytes >= TRIM_BYTES;
        if self.bytes > 0 {
            self.set(0);
        }
        if large {
            give_back_freed_memory();
        }
    }
}

/// After a large file: return the memory freed by its parse to the system. glibc keeps freed
/// blocks under 32 MiB in the arena of the thread that freed them, so without this every worker
/// thread would keep the working set of the largest file it read and peak memory would grow
/// with the thread count again (the budget bounds what is in use, not what the allocator
/// keeps). `malloc_trim` returns the free pages of every arena.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas; it takes
    // no pointer and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
