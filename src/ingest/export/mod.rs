//! Whole exports: folders, `.gz` files and `.zip` archives (zips in zips), read in place.
//!
//! Nothing is extracted into the user's folders. Loose zips are read with random access from the
//! file itself; an archive inside an archive is held in memory up to [`Limits::spool_bytes`] and
//! beyond that spooled to an unlinked temporary file. Members are processed in parallel (rayon,
//! nested), so one export zip uses every core.
//!
//! Every leaf (a loose file, a decompressed `.gz`, an archive member) becomes one
//! [`LeafRecord`]. Byte-identical leaves are parsed once: the first leaf to claim a content hash
//! is parsed, the others are recorded as [`Leaf::Copy`]; the caller decides which source keeps
//! the result (the first by sorted source), so the outcome does not depend on thread timing.
//!
//! Members and gzip streams are inflated in steps by `ingest::inflate`, with the size
//! and ratio limits checked after every step. The bytes of the files being read and parsed are
//! held within a whole-run [`Budget`] ([`Limits::max_in_flight_bytes`]), so peak memory does not
//! grow with the number of threads.

use crate::ingest::detect_format;
use crate::ingest::inflate::{self, Bounds, InflateError, Inflater};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Resource limits for archives and compressed files. Each breach is a per-file error; the batch
/// goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size of one file or member, in bytes (default 1 GiB).
    pub max_file_bytes: u64,
    /// Largest decompressed/compressed ratio of any zip member or gzip stream once it has
    /// inflated past 1 MiB (default 200): a decompression bomb.
    pub max_ratio: u64,
    /// Deepest nesting of archives and gzip layers (default 4).
    pub max_depth: usize,
    /// Inner archives larger than this many bytes are spooled to a temporary file (default 256 MiB).
    pub spool_bytes: u64,
    /// Whole-run budget: most bytes of files (read or inflated) held at once by all worker
    /// threads together, while they are parsed (default 256 MiB). A file larger than the budget
    /// is read alone.
    pub max_in_flight_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 1 << 30,
            max_ratio: 200,
            max_depth: 4,
            spool_bytes: 256 << 20,
            max_in_flight_bytes: 256 << 20,
        }
    }
}

/// Inflated bytes below this are never refused for their ratio (real files that small are
/// harmless whatever they compress to).
pub const RATIO_FLOOR_BYTES: u64 = 1 << 20;
const SNIFF_BYTES: usize = 4096;
/// Most bytes reserved up front for a member from its declared size (the rest grows as read).
const PREALLOC_BYTES: u64 = 64 << 20;
/// Most bytes reserved up front per compressed byte: real activity files compress 3 to 20
/// times; a stated size beyond this (a bomb's) is not trusted for the reservation.
const PREALLOC_RATIO: u64 = 32;

/// Bytes to reserve for inflating `compressed` bytes that say they hold `stated`.
fn prealloc(stated: u64, compressed: u64, cap: u64) -> usize {
    stated
        .min(cap)
        .min(PREALLOC_BYTES)
        .min(compressed.saturating_mul(PREALLOC_RATIO)) as usize
}

impl Limits {
    /// The most bytes `compressed` bytes may inflate to: the size limit, and above
    /// [`RATIO_FLOOR_BYTES`] also the ratio limit. Inflating stops one byte past it, so a bomb
    /// is never held in memory beyond this bound, whatever sizes the archive declares.
    fn inflate_cap(&self, compressed: u64) -> u64 {
        let by_ratio = compressed
            .saturating_mul(self.max_ratio)
            .max(RATIO_FLOOR_BYTES);
        self.max_file_bytes.min(by_ratio)
    }

    fn bounds(&self, compressed: u64) -> Bounds {
        Bounds {
            cap: self.inflate_cap(compressed),
            ratio: self.max_ratio,
            floor: RATIO_FLOOR_BYTES,
            before_in: 0,
            before_out: 0,
        }
    }

    fn bomb_reason(&self, what: &str, compressed: u64, cap: u64) -> String {
        if cap >= self.max_file_bytes {
            format!(
                "{what} inflates beyond the limit of {} bytes (a decompression bomb?)",
                self.max_file_bytes
            )
        } else {
            format!(
                "{what} inflates {compressed} bytes to more than {cap} (ratio over {}: a decompression bomb?)",
                self.max_ratio
            )
        }
    }

    /// Why inflation was refused (`None`: it was not a bound that stopped it).
    fn refusal(&self, what: &str, compressed: u64, e: &InflateError) -> Option<String> {
        match e {
            InflateError::OverCap => {
                Some(self.bomb_reason(what, compressed, self.inflate_cap(compressed)))
            }
            InflateError::OverRatio { consumed, allowed } => Some(format!(
                "{what} inflates {consumed} bytes to more than {allowed} (ratio over {}: a decompression bomb?)",
                self.max_ratio
            )),
            _ => None,
        }
    }
}

/// Why a leaf is not an activity file.
pub const NOT_ACTIVITY: &str = "not an activity file (no FIT header, no GPX or TCX root element)";
/// An empty leaf.
pub const EMPTY_FILE: &str = "empty file (0 bytes)";

/// What one leaf turned out to be.
#[derive(Debug)]
pub enum Leaf<T> {
    /// Parsed: the value the caller's reader returned.
    Content {
        /// Content hash of the bytes (xxh3-128).
        hash: u128,
        /// The reader's result.
        value: T,
    },
    /// Same bytes as another leaf, not parsed again.
    Copy {
        /// Content hash of the bytes.
        hash: u128,
    },
    /// Not an activity file (detected from its first bytes): not parsed.
    NotActivity {
        /// Why ([`NOT_ACTIVITY`] or [`EMPTY_FILE`]).
        reason: &'static str,
    },
    /// A Strava `activities.csv`: its raw bytes, for sport names and gear.
    ActivityList {
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// Could not be read (I/O error, corrupt archive, bomb, nesting too deep).
    Failed {
        /// What is wrong.
        reason: String,
        /// Where, if known.
        position: Option<String>,
    },
}

/// One leaf and where it was found.
#[derive(Debug)]
pub struct LeafRecord<T> {
    /// `path`, or `archive.zip!inner.zip!member` for archive members.
    pub source: String,
    /// The innermost archive holding this leaf, if any (for per-archive counts; shared by all
    /// the archive's members).
    pub archive: Option<Arc<str>>,
    /// Bytes of the leaf after decompression (0 when not read).
    pub bytes: u64,
    /// What it is.
    pub leaf: Leaf<T>,
}

/// The reader a [`Walker`] calls for each distinct leaf.
enum Reader<'a, T> {
    /// `reader(source, bytes)`.
    Plain(&'a (dyn Fn(&str, &[u8]) -> T + Sync)),
    /// `reader(source, hash, bytes)`: the leaf's content hash (xxh3-128), already computed for
    /// the duplicate check, so the reader need not hash the bytes again.
    Hashed(&'a (dyn Fn(&str, u128, &[u8]) -> T + Sync)),
}

/// Walks containers and hands each leaf's bytes to a reader.
pub struct Walker<'a, T> {
    limits: Limits,
    reader: Reader<'a, T>,
    claimed: Mutex<HashMap<u128, ()>>,
    budget: Budget,
}

fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// True when the name is a Strava export's activity list.
fn is_activity_list(source: &str) -> bool {
    let name = source.rsplit(['/', '\\', '!']).next().unwrap_or(source);
    name.eq_ignore_ascii_case("activities.csv")
}

/// The size a gzip file states for its (last) member, modulo 2^32.
fn gzip_stated_size(bytes: &[u8]) -> u64 {
    match bytes.len().checked_sub(4).and_then(|i| bytes.get(i..)) {
        Some(&[a, b, c, d]) => u64::from(u32::from_le_bytes([a, b, c, d])),
        _ => 0,
    }
}

impl<'a, T: Send> Walker<'a, T> {
    /// A walker that parses each distinct leaf with `reader(source, bytes)`.
    pub fn new(limits: Limits, reader: &'a (dyn Fn(&str, &[u8]) -> T + Sync)) -> Self {
        Self::with_reader(limits, Reader::Plain(reader))
    }

    /// A walker that parses each distinct leaf with `reader(source, hash, bytes)`, `hash` being
    /// the leaf's content hash (xxh3-128) the walker computed for its duplicate check.
    pub fn with_hash(limits: Limits, reader: &'a (dyn Fn(&str, u128, &[u8]) -> T + Sync)) -> Self {
        Self::with_reader(limits, Reader::Hashed(reader))
    }

    fn with_reader(limits: Limits, reader: Reader<'a, T>) -> Self {
        let budget = Budget::new(limits.max_in_flight_bytes);
        Walker {
            limits,
            reader,
            claimed: Mutex::new(HashMap::new()),
            budget,
        }
    }

    /// The most bytes held at once by all threads so far (see [`Limits::max_in_flight_bytes`]).
    pub fn peak_in_flight(&self) -> u64 {
        self.budget.peak()
    }

    fn record(
        source: &str,
        archive: Option<&Arc<str>>,
        bytes: u64,
        leaf: Leaf<T>,
    ) -> LeafRecord<T> {
        LeafRecord {
            source: source.to_string(),
            archive: archive.cloned(),
            bytes,
            leaf,
        }
    }

    fn failed(source: &str, archive: Option<&Arc<str>>, reason: String) -> Vec<LeafRecord<T>> {
        vec![Self::record(
            source,
            archive,
            0,
            Leaf::Failed {
                reason,
                position: None,
            },
        )]
    }

    /// Process one loose file.
    pub fn file(&self, path: &Path, source: &str) -> Vec<LeafRecord<T>> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return Self::failed(source, None, format!("cannot read: {e}")),
        };
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        if let Err(e) = (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut head) {
            return Self::failed(source, None, format!("cannot read: {e}"));
        }
        if is_zip(&head) {
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            return self.zip(source, Blob::File(Arc::new(file), len), 1);
        }
        if !is_gzip(&head) && !is_activity_list(source) && detect_format(&head).is_none() {
            let leaf = if head.is_empty() {
                Leaf::Failed {
                    reason: EMPTY_FILE.to_string(),
                    position: None,
                }
            } else {
                Leaf::NotActivity {
                    reason: NOT_ACTIVITY,
                }
            };
            return vec![Self::record(source, None, 0, leaf)];
        }
        let limit = self.limits.max_file_bytes;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let permit = self.budget.acquire(len.min(limit + 1));
        let mut bytes = head;
        if let Err(e) = Interruptible(&mut file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
        {
            return Self::failed(source, None, format!("cannot read: {e}"));
        }
        if bytes.len() as u64 > limit {
            return Self::failed(
                source,
                None,
                format!("file larger than the limit of {limit} bytes"),
            );
        }
        self.bytes(source, None, bytes, 0, Some(permit))
    }

    /// Process the bytes of one loose file as [`Walker::file`] would after reading it: a zip is
    /// opened as an archive, a gzip inflated, anything else sniffed and handed to the reader.
    /// (Used by the fuzz targets and tests; the CLI reads files with [`Walker::file`].)
    pub fn loose_bytes(&self, source: &str, bytes: Vec<u8>) -> Vec<LeafRecord<T>> {
        let limit = self.limits.max_file_bytes;
        if bytes.len() as u64 > limit {
            return Self::failed(
                source,
                None,
                format!("file larger than the limit of {limit} bytes"),
            );
        }
        if is_zip(&bytes) {
            return self.zip(source, Blob::Mem(Arc::from(bytes)), 1);
        }
        let permit = self.budget.acquire(bytes.len() as u64);
        self.bytes(source, None, bytes, 0, Some(permit))
    }

    /// Process bytes: unwrap gzip and zip layers, else hand them to the reader. `permit` holds
    /// the bytes in the run's budget until they are parsed (it is given back before an archive's
    /// members are walked: they take their own).
    fn bytes(
        &self,
        source: &str,
        archive: Option<&Arc<str>>,
        bytes: Vec<u8>,
        depth: usize,
        permit: Option<Permit<'_>>,
    ) -> Vec<LeafRecord<T>> {
        if depth > self.limits.max_depth {
            return Self::failed(
                source,
                archive,
                format!(
                    "archives nested too deep (more than {} levels)",
                    self.limits.max_depth
                ),
            );
        }
        if is_gzip(&bytes) {
            let mut permit = permit.unwrap_or_else(|| self.budget.acquire(bytes.len() as u64));
            let compressed = bytes.len() as u64;
            let stated = gzip_stated_size(&bytes).min(self.limits.inflate_cap(compressed));
            permit.regain(compressed + stated);
            return match self.gunzip(&bytes) {
                Ok(inner) => {
                    drop(bytes);
                    permit.set(inner.len() as u64);
                    self.bytes(source, archive, inner, depth + 1, Some(permit))
                }
                Err(reason) => Self::failed(source, archive, reason),
            };
        }
        if is_zip(&bytes) {
            drop(permit);
            return self.zip(source, Blob::Mem(Arc::from(bytes)), depth + 1);
        }
        let len = bytes.len() as u64;
        if is_activity_list(source) {
            return vec![Self::record(
                source,
                archive,
                len,
                Leaf::ActivityList { bytes },
            )];
        }
        if bytes.is_empty() {
            return vec![Self::record(
                source,
                archive,
                0,
                Leaf::Failed {
                    reason: EMPTY_FILE.to_string(),
                    position: None,
                },
            )];
        }
        if detect_format(&bytes).is_none() {
            return vec![Self::record(
                source,
                archive,
                len,
                Leaf::NotActivity {
                    reason: NOT_ACTIVITY,
                },
            )];
        }
        let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
        let first = match self.claimed.lock() {
            Ok(mut claimed) => claimed.insert(hash, ()).is_none(),
            Err(poisoned) => poisoned.into_inner().insert(hash, ()).is_none(),
        };
        let leaf = if first {
            let permit = match permit {
                Some(p) => p,
                None => self.budget.acquire(len),
            };
            let value = match self.reader {
                Reader::Plain(read) => read(source, &bytes),
                Reader::Hashed(read) => read(source, hash, &bytes),
            };
            // The bytes go before their permit does.
            drop(bytes);
            drop(permit);
            Leaf::Content { hash, value }
        } else {
            Leaf::Copy { hash }
        };
        vec![Self::record(source, archive, len, leaf)]
    }

    /// Inflate a gzip file held in memory, within the size and ratio limits.
    fn gunzip(&self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let compressed = bytes.len() as u64;
        let bounds = self.limits.bounds(compressed);
        let stated = gzip_stated_size(bytes);
        let mut out = Vec::with_capacity(prealloc(stated, compressed, bounds.cap));
        match inflate::gunzip(bytes, &mut out, &bounds) {
            Ok(()) => Ok(out),
            Err(e) => {
                if let Some(reason) = self.limits.refusal("gzip", compressed, &e) {
                    return Err(reason);
                }
                match e {
                    // A truncated .gz: keep what inflated; the parser salvages what it can.
                    InflateError::Truncated if !out.is_empty() => Ok(out),
                    e => Err(format!("not a readable gzip file: {e}")),
                }
            }
        }
    }

    fn zip(&self, source: &str, blob: Blob, depth: usize) -> Vec<LeafRecord<T>> {
        if depth > self.limits.max_depth {
            return Self::failed(
                source,
                None,
                format!(
                    "archives nested too deep (more than {} levels)",
                    self.limits.max_depth
                ),
            );
        }
        let archive = match zip::ZipArchive::new(BlobReader { blob, pos: 0 }) {
            Ok(a) => a,
            Err(e) => {
                return Self::failed(source, None, format!("not a readable zip archive: {e}"))
            }
        };
        let shared: Arc<str> = Arc::from(source);
        (0..archive.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                // Interrupted: the rest of the archive is not read (the run's result is dropped).
                if crate::interrupt::requested() {
                    return Vec::new();
                }
                self.member(&shared, archive.clone(), i, depth)
            })
            .collect()
    }

    fn member(
        &self,
        archive_source: &Arc<str>,
        mut archive: zip::ZipArchive<BlobReader>,
        index: usize,
        depth: usize,
    ) -> Vec<LeafRecord<T>> {
        let fail_at =
            |source: &str, reason: String| Self::failed(source, Some(archive_source), reason);
        // Declared sizes can lie: the inflated bytes are bounded by what the member's compressed
        // bytes may inflate to, and those cannot exceed the archive itself.
        let archive_len = archive.clone().into_inner().len();
        let raw = match archive.by_index_raw(index) {
            Ok(f) => f,
            Err(e) => {
                return fail_at(
                    &format!("{archive_source}!#{index}"),
                    format!("cannot read archive entry: {e}"),
                )
            }
        };
        if raw.is_dir() {
            return Vec::new();
        }
        let source = format!(
            "{archive_source}!{}",
            crate::names::display_bytes(raw.name_raw())
        );
        let (size, compressed) = (raw.size(), raw.compressed_size());
        let limit = self.limits.max_file_bytes;
        if compressed > archive_len {
            return fail_at(
                &source,
                format!(
                    "member claims {compressed} compressed bytes, more than the archive's {archive_len}"
                ),
            );
        }
        if size > limit {
            return fail_at(
                &source,
                format!("member inflates to {size} bytes, over the limit of {limit} (a decompression bomb?)"),
            );
        }
        if size > RATIO_FLOOR_BYTES && size / compressed.max(1) > self.limits.max_ratio {
            return fail_at(
                &source,
                format!(
                    "member inflates {compressed} bytes to {size} (ratio over {}: a decompression bomb?)",
                    self.limits.max_ratio
                ),
            );
        }
        let stored = match raw.compression() {
            zip::CompressionMethod::Stored => true,
            zip::CompressionMethod::Deflated => false,
            other => {
                return fail_at(
                    &source,
                    format!(
                    "cannot inflate archive member: compression method {other} is not supported"
                ),
                )
            }
        };
        if raw.encrypted() {
            return fail_at(
                &source,
                "cannot inflate archive member: it is encrypted".to_string(),
            );
        }
        let bounds = self.limits.bounds(compressed);
        let refused = |e: &InflateError| self.limits.refusal("member", compressed, e);
        let mut inf = Inflater::new(raw, stored);
        // Sniff the first bytes before inflating the whole member: most of an export's members
        // (JSON, images) are not activities and need not be read.
        let mut bytes = Vec::with_capacity(size.min(SNIFF_BYTES as u64) as usize);
        let mut damaged = false;
        match inf.fill(&mut bytes, SNIFF_BYTES, &bounds) {
            Ok(_) => {}
            Err(e) => {
                if let Some(reason) = refused(&e) {
                    return fail_at(&source, reason);
                }
                if bytes.is_empty() {
                    return fail_at(&source, format!("cannot inflate archive member: {e}"));
                }
                // A damaged member: hand over what inflated; the parser salvages what it can.
                damaged = true;
            }
        }
        let head = bytes.as_slice();
        if !is_zip(head)
            && !is_gzip(head)
            && !is_activity_list(&source)
            && detect_format(head).is_none()
        {
            return vec![Self::record(
                &source,
                Some(archive_source),
                0,
                Leaf::NotActivity {
                    reason: if head.is_empty() {
                        EMPTY_FILE
                    } else {
                        NOT_ACTIVITY
                    },
                },
            )];
        }
        if is_zip(head) && size > self.limits.spool_bytes && !damaged {
            // A large inner archive: spool it to an unlinked temporary file.
            let spooled = tempfile::tempfile().and_then(|mut tmp| {
                tmp.write_all(&bytes)?;
                let mut chunk = Vec::with_capacity(1 << 20);
                loop {
                    chunk.clear();
                    match inf.fill(&mut chunk, 1 << 20, &bounds) {
                        Ok(ended) => {
                            tmp.write_all(&chunk)?;
                            if ended {
                                break;
                            }
                        }
                        Err(e) => return Ok(Err(e)),
                    }
                }
                tmp.flush()?;
                tmp.seek(SeekFrom::Start(0))?;
                Ok(Ok((tmp, inf.produced())))
            });
            drop(inf);
            return match spooled {
                Ok(Ok((tmp, n))) => self.zip(&source, Blob::File(Arc::new(tmp), n), depth + 1),
                Ok(Err(e)) => match refused(&e) {
                    Some(reason) => fail_at(&source, reason),
                    None => fail_at(&source, format!("cannot inflate archive member: {e}")),
                },
                Err(e) => fail_at(&source, format!("cannot spool inner archive: {e}")),
            };
        }
        let mut permit = self.budget.acquire(size.min(bounds.cap));
        if !damaged {
            let want = usize::try_from(bounds.cap)
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let target = prealloc(size, compressed, bounds.cap);
            bytes.reserve(target.saturating_sub(bytes.len()));
            if let Err(e) = inf.fill(&mut bytes, want, &bounds) {
                if let Some(reason) = refused(&e) {
                    return fail_at(&source, reason);
                }
                // A damaged member: hand over what inflated; the parser salvages what it can.
            }
        }
        drop(inf);
        permit.set(bytes.len() as u64);
        self.bytes(&source, Some(archive_source), bytes, depth, Some(permit))
    }
}

mod blob;
mod budget;

use blob::{Blob, BlobReader, Interruptible};
pub use budget::{Budget, Permit};

#[cfg(test)]
mod tests;
