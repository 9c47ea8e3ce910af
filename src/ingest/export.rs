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

use crate::ingest::detect_format;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Resource limits for archives and compressed files. Each breach is a per-file error; the batch
/// goes on.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest decompressed size of one file or member, in bytes (default 1 GiB).
    pub max_file_bytes: u64,
    /// Largest decompressed/compressed ratio for members over 16 MiB (default 200): a zip bomb.
    pub max_ratio: u64,
    /// Deepest nesting of archives and gzip layers (default 4).
    pub max_depth: usize,
    /// Inner archives larger than this many bytes are spooled to a temporary file (default 256 MiB).
    pub spool_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 1 << 30,
            max_ratio: 200,
            max_depth: 4,
            spool_bytes: 256 << 20,
        }
    }
}

const RATIO_FLOOR_BYTES: u64 = 16 << 20;
const SNIFF_BYTES: usize = 4096;
/// Most bytes reserved up front for a member from its declared size (the rest grows as read).
const PREALLOC_BYTES: u64 = 64 << 20;

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
}

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
        /// Why.
        reason: String,
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
    /// The innermost archive holding this leaf, if any (for per-archive counts).
    pub archive: Option<String>,
    /// Bytes of the leaf after decompression (0 when not read).
    pub bytes: u64,
    /// What it is.
    pub leaf: Leaf<T>,
}

/// Walks containers and hands each leaf's bytes to a reader.
pub struct Walker<'a, T> {
    limits: Limits,
    reader: &'a (dyn Fn(&str, &[u8]) -> T + Sync),
    claimed: Mutex<HashMap<u128, ()>>,
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

fn not_activity_reason() -> String {
    "not an activity file (no FIT header, no GPX or TCX root element)".to_string()
}

impl<'a, T: Send> Walker<'a, T> {
    /// A walker that parses each distinct leaf with `reader(source, bytes)`.
    pub fn new(limits: Limits, reader: &'a (dyn Fn(&str, &[u8]) -> T + Sync)) -> Self {
        Walker {
            limits,
            reader,
            claimed: Mutex::new(HashMap::new()),
        }
    }

    fn record(source: &str, archive: Option<&str>, bytes: u64, leaf: Leaf<T>) -> LeafRecord<T> {
        LeafRecord {
            source: source.to_string(),
            archive: archive.map(str::to_string),
            bytes,
            leaf,
        }
    }

    fn failed(source: &str, archive: Option<&str>, reason: String) -> Vec<LeafRecord<T>> {
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
            let reason = if head.is_empty() {
                "empty file (0 bytes)".to_string()
            } else {
                not_activity_reason()
            };
            let leaf = if head.is_empty() {
                Leaf::Failed {
                    reason,
                    position: None,
                }
            } else {
                Leaf::NotActivity { reason }
            };
            return vec![Self::record(source, None, 0, leaf)];
        }
        let mut bytes = head;
        let limit = self.limits.max_file_bytes;
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
        self.bytes(source, None, bytes, 0)
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
        self.bytes(source, None, bytes, 0)
    }

    /// Process bytes: unwrap gzip and zip layers, else hand them to the reader.
    fn bytes(
        &self,
        source: &str,
        archive: Option<&str>,
        bytes: Vec<u8>,
        depth: usize,
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
            return match self.gunzip(&bytes) {
                Ok(inner) => self.bytes(source, archive, inner, depth + 1),
                Err(reason) => Self::failed(source, archive, reason),
            };
        }
        if is_zip(&bytes) {
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
                    reason: "empty file (0 bytes)".to_string(),
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
                    reason: not_activity_reason(),
                },
            )];
        }
        let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
        let first = match self.claimed.lock() {
            Ok(mut claimed) => claimed.insert(hash, ()).is_none(),
            Err(poisoned) => poisoned.into_inner().insert(hash, ()).is_none(),
        };
        let leaf = if first {
            Leaf::Content {
                hash,
                value: (self.reader)(source, &bytes),
            }
        } else {
            Leaf::Copy { hash }
        };
        vec![Self::record(source, archive, len, leaf)]
    }

    fn gunzip(&self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let compressed = bytes.len() as u64;
        let cap = self.limits.inflate_cap(compressed);
        let mut out = Vec::new();
        let decoder = flate2::read::MultiGzDecoder::new(bytes);
        match Interruptible(decoder).take(cap + 1).read_to_end(&mut out) {
            Ok(_) => {}
            Err(e) if !out.is_empty() && e.kind() == io::ErrorKind::UnexpectedEof => {
                // A truncated .gz: keep what inflated; the parser salvages what it can.
            }
            Err(e) => return Err(format!("not a readable gzip file: {e}")),
        }
        if out.len() as u64 > cap {
            return Err(self.limits.bomb_reason("gzip", compressed, cap));
        }
        Ok(out)
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
        (0..archive.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                // Interrupted: the rest of the archive is not read (the run's result is dropped).
                if crate::interrupt::requested() {
                    return Vec::new();
                }
                self.member(source, archive.clone(), i, depth)
            })
            .collect()
    }

    fn member(
        &self,
        archive_source: &str,
        mut archive: zip::ZipArchive<BlobReader>,
        index: usize,
        depth: usize,
    ) -> Vec<LeafRecord<T>> {
        let fail_at =
            |source: &str, reason: String| Self::failed(source, Some(archive_source), reason);
        let (name, size, compressed) = match archive.by_index_raw(index) {
            Ok(f) => {
                if f.is_dir() {
                    return Vec::new();
                }
                let name = crate::ingest::names::display_bytes(f.name_raw());
                (name, f.size(), f.compressed_size())
            }
            Err(e) => {
                return fail_at(
                    &format!("{archive_source}!#{index}"),
                    format!("cannot read archive entry: {e}"),
                )
            }
        };
        let source = format!("{archive_source}!{name}");
        let limit = self.limits.max_file_bytes;
        // Declared sizes can lie: the inflated bytes are bounded by what the member's compressed
        // bytes may inflate to, and those cannot exceed the archive itself.
        let archive_len = archive.clone().into_inner().len();
        if compressed > archive_len {
            return fail_at(
                &source,
                format!(
                    "member claims {compressed} compressed bytes, more than the archive's {archive_len}"
                ),
            );
        }
        let cap = self.limits.inflate_cap(compressed);
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
        // Sniff the first bytes before inflating the whole member: most of an export's members
        // (JSON, images) are not activities and need not be read.
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let sniff = archive
            .by_index(index)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                f.take(SNIFF_BYTES as u64)
                    .read_to_end(&mut head)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = sniff {
            return fail_at(&source, format!("cannot inflate archive member: {e}"));
        }
        if !is_zip(&head)
            && !is_gzip(&head)
            && !is_activity_list(&source)
            && detect_format(&head).is_none()
        {
            return vec![Self::record(
                &source,
                Some(archive_source),
                0,
                Leaf::NotActivity {
                    reason: if head.is_empty() {
                        "empty file (0 bytes)".to_string()
                    } else {
                        not_activity_reason()
                    },
                },
            )];
        }
        let mut file = match archive.by_index(index) {
            Ok(f) => f,
            Err(e) => return fail_at(&source, format!("cannot inflate archive member: {e}")),
        };
        if is_zip(&head) && size > self.limits.spool_bytes {
            // A large inner archive: spool it to an unlinked temporary file.
            let spooled = tempfile::tempfile().and_then(|mut tmp| {
                let n = io::copy(&mut Interruptible(&mut file).take(cap + 1), &mut tmp)?;
                tmp.flush()?;
                tmp.seek(SeekFrom::Start(0))?;
                Ok((tmp, n))
            });
            return match spooled {
                Ok((_, n)) if n > cap => {
                    fail_at(&source, self.limits.bomb_reason("member", compressed, cap))
                }
                Ok((tmp, n)) => self.zip(&source, Blob::File(Arc::new(tmp), n), depth + 1),
                Err(e) => fail_at(&source, format!("cannot spool inner archive: {e}")),
            };
        }
        let mut bytes = Vec::with_capacity(size.min(cap).min(PREALLOC_BYTES) as usize);
        match Interruptible(&mut file)
            .take(cap + 1)
            .read_to_end(&mut bytes)
        {
            Ok(_) => {}
            Err(e) if !bytes.is_empty() => {
                // A damaged member: hand over what inflated; the parser salvages what it can.
                let _ = e;
            }
            Err(e) => return fail_at(&source, format!("cannot inflate archive member: {e}")),
        }
        if bytes.len() as u64 > cap {
            return fail_at(&source, self.limits.bomb_reason("member", compressed, cap));
        }
        self.bytes(&source, Some(archive_source), bytes, depth)
    }
}

/// A reader that fails once the run is interrupted, and reads at most 1 MiB at a time, so that
/// reading or inflating a large file polls the interrupt flag often.
struct Interruptible<R>(R);

impl<R: Read> Read for Interruptible<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if crate::interrupt::requested() {
            return Err(io::Error::other("interrupted"));
        }
        // Short reads also keep what `read_to_end` zero-fills ahead of the data small (it does
        // so for a reader without `read_buf`): at most 1 MiB beyond the bytes read.
        let n = buf.len().min(1 << 20);
        self.0.read(&mut buf[..n])
    }
}

/// The bytes of an archive: in memory, or a file read with positional reads (so clones of one
/// archive can be read from several threads at once).
#[derive(Clone, Debug)]
enum Blob {
    Mem(Arc<[u8]>),
    File(Arc<File>, u64),
}

#[derive(Clone, Debug)]
struct BlobReader {
    blob: Blob,
    pos: u64,
}

impl BlobReader {
    fn len(&self) -> u64 {
        match &self.blob {
            Blob::Mem(b) => b.len() as u64,
            Blob::File(_, n) => *n,
        }
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &self.blob {
            Blob::Mem(b) => {
                let start = (self.pos as usize).min(b.len());
                let src = b.get(start..).unwrap_or(&[]);
                let n = src.len().min(buf.len());
                buf[..n].copy_from_slice(&src[..n]);
                n
            }
            Blob::File(f, _) => read_at(f, buf, self.pos)?,
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(n) => {
                self.pos = n;
                Ok(n)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the archive",
            )),
        }
    }
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, pos)
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, pos)
}
