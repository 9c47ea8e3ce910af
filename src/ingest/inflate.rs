//! Bounded inflation of zip members and gzip streams, in chunks.
//!
//! Every chunk of output is checked against two bounds before more is inflated: the absolute
//! cap (the per-file size limit, and the ratio limit applied to the compressed size the
//! container states) and the running ratio (output so far against the compressed bytes
//! consumed so far, above a small floor). A decompression bomb is therefore refused after at
//! most `floor + ratio × (compressed bytes read) + one chunk` of output, not after the size
//! limit's worth of bytes is held.
//!
//! The raw-deflate state (a 32 KiB window and its tables) and the input buffer are kept per
//! thread and reused: an export of 200,000 small members would otherwise allocate and free
//! about 50 KB per member between the summaries that stay, and the allocator could not give
//! that memory back (fragmentation: gigabytes of resident memory for megabytes of data).

use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::cell::RefCell;
use std::io::{self, Read};

/// Input read from the compressed source at a time, and most output inflated per step.
const CHUNK: usize = 64 << 10;

/// The bounds of one inflation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// Most output bytes in all (stop one byte past it).
    pub cap: u64,
    /// Largest running ratio of output to compressed input consumed.
    pub ratio: u64,
    /// Output below this many bytes is never refused for its ratio.
    pub floor: u64,
    /// Compressed bytes and output bytes of earlier parts of the same file (gzip members
    /// before this one), counted in both checks.
    pub before_in: u64,
    /// See `before_in`.
    pub before_out: u64,
}

/// Why inflation stopped early.
#[derive(Debug)]
pub(crate) enum InflateError {
    /// Over the absolute cap.
    OverCap,
    /// Over the running ratio: `consumed` compressed bytes gave more than `allowed`.
    OverRatio {
        /// Compressed bytes consumed.
        consumed: u64,
        /// Output allowed for them.
        allowed: u64,
    },
    /// The stream ends before its end marker (a truncated file).
    Truncated,
    /// Not a valid stream.
    Corrupt(String),
    /// Reading the compressed bytes failed.
    Io(io::Error),
}

impl std::fmt::Display for InflateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InflateError::OverCap => write!(f, "over the size limit"),
            InflateError::OverRatio { consumed, allowed } => {
                write!(
                    f,
                    "{consumed} compressed bytes inflate to more than {allowed}"
                )
            }
            InflateError::Truncated => write!(f, "unexpected end of the compressed stream"),
            InflateError::Corrupt(m) => write!(f, "{m}"),
            InflateError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A raw-deflate decoder and an input buffer, reused by the inflaters of one thread.
struct Pooled {
    dec: Decompress,
    input: Box<[u8]>,
}

thread_local! {
    static POOL: RefCell<Option<Pooled>> = const { RefCell::new(None) };
}

fn take_pooled() -> Pooled {
    POOL.with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| Pooled {
            dec: Decompress::new(false),
            input: vec![0u8; CHUNK].into_boxed_slice(),
        })
}

fn give_back(mut pooled: Pooled) {
    pooled.dec.reset(false);
    POOL.with(|p| {
        let mut slot = p.borrow_mut();
        if slot.is_none() {
            *slot = Some(pooled);
        }
    });
}

/// Inflates a raw deflate stream (or copies a stored one) from `src`, on demand.
pub(crate) struct Inflater<R: Read> {
    src: R,
    stored: bool,
    pooled: Option<Pooled>,
    /// Unconsumed input is `input[pos..len]`.
    pos: usize,
    len: usize,
    src_eof: bool,
    done: bool,
    /// Compressed bytes consumed (stored: bytes copied).
    consumed: u64,
    /// Bytes produced in all (over every `fill`).
    produced: u64,
}

impl<R: Read> Inflater<R> {
    /// A raw-deflate (`stored == false`) or stored inflater over `src`.
    pub fn new(src: R, stored: bool) -> Self {
        Inflater {
            src,
            stored,
            pooled: Some(take_pooled()),
            pos: 0,
            len: 0,
            src_eof: false,
            done: false,
            consumed: 0,
            produced: 0,
        }
    }

    /// Compressed bytes consumed so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    fn refill(&mut self) -> Result<(), InflateError> {
        if self.pos < self.len || self.src_eof {
            return Ok(());
        }
        let Some(p) = self.pooled.as_mut() else {
            return Ok(());
        };
        loop {
            match self.src.read(&mut p.input) {
                Ok(0) => {
                    self.src_eof = true;
                    break;
                }
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(InflateError::Io(e)),
            }
        }
        Ok(())
    }

    /// Bytes produced so far, over every call of [`Inflater::fill`].
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// Inflate into `out` until it holds `want` bytes or the stream ends, checking `bounds`
    /// against everything produced so far after every step. `Ok(true)` when the stream has
    /// ended.
    pub fn fill(
        &mut self,
        out: &mut Vec<u8>,
        want: usize,
        bounds: &Bounds,
    ) -> Result<bool, InflateError> {
        let before = out.len();
        let result = self.fill_inner(out, want, bounds, before);
        self.produced += (out.len() - before) as u64;
        result
    }

    fn fill_inner(
        &mut self,
        out: &mut Vec<u8>,
        want: usize,
        bounds: &Bounds,
        before: usize,
    ) -> Result<bool, InflateError> {
        while !self.done && out.len() < want {
            if crate::interrupt::requested() {
                // The run is interrupted: stop inflating (its result is dropped).
                return Err(InflateError::Io(io::Error::other("interrupted")));
            }
            self.refill()?;
            if out.len() == out.capacity() {
                out.reserve((want - out.len()).min(CHUNK));
            }
            let room = (out.capacity() - out.len())
                .min(want - out.len())
                .min(CHUNK);
            let Some(p) = self.pooled.as_mut() else {
                return Ok(true);
            };
            let input = p.input.get(self.pos..self.len).unwrap_or_default();
            if self.stored {
                if input.is_empty() {
                    self.done = true;
                    break;
                }
                let n = input.len().min(room);
                out.extend_from_slice(&input[..n]);
                self.pos += n;
                self.consumed += n as u64;
            } else {
                let (in0, out0) = (p.dec.total_in(), out.len());
                let status = decompress_bounded(&mut p.dec, input, out, out0 + room, self.src_eof)
                    .map_err(|e| InflateError::Corrupt(format!("corrupt deflate stream: {e}")))?;
                let used = (p.dec.total_in() - in0) as usize;
                self.pos += used;
                self.consumed += used as u64;
                match status {
                    Status::StreamEnd => self.done = true,
                    Status::Ok | Status::BufError => {
                        if used == 0 && out.len() == out0 && self.src_eof {
                            return Err(InflateError::Truncated);
                        }
                    }
                }
            }
            let n = bounds.before_out + self.produced + (out.len() - before) as u64;
            if n > bounds.cap {
                return Err(InflateError::OverCap);
            }
            let consumed = bounds.before_in + self.consumed;
            let allowed = bounds.floor.max(consumed.saturating_mul(bounds.ratio));
            if n > allowed {
                return Err(InflateError::OverRatio { consumed, allowed });
            }
        }
        Ok(self.done)
    }
}

/// One decompression step into `out`'s spare capacity, writing at most up to length `limit`.
fn decompress_bounded(
    dec: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
    limit: usize,
    last: bool,
) -> Result<Status, flate2::DecompressError> {
    let flush = if last {
        FlushDecompress::Finish
    } else {
        FlushDecompress::None
    };
    let start = out.len();
    let room = limit.saturating_sub(start);
    out.resize(start + room, 0);
    let before = dec.total_out();
    let r = dec.decompress(input, &mut out[start..], flush);
    let written = (dec.total_out() - before) as usize;
    out.truncate(start + written);
    r
}

impl<R: Read> Drop for Inflater<R> {
    fn drop(&mut self) {
        if let Some(p) = self.pooled.take() {
            give_back(p);
        }
    }
}

/// Inflate a whole gzip file (one or more members) held in memory, within `bounds`. On an
/// error, `out` keeps what was inflated before it.
pub(crate) fn gunzip(input: &[u8], out: &mut Vec<u8>, bounds: &Bounds) -> Result<(), InflateError> {
    let mut at = 0usize;
    loop {
        let rest = input.get(at..).unwrap_or_default();
        let header = gzip_header_len(rest)?;
        let data_at = at + header;
        let member_start = out.len();
        let mut inf = Inflater::new(input.get(data_at..).unwrap_or_default(), false);
        // Both checks count the members before this one too.
        let member_bounds = Bounds {
            before_in: bounds.before_in + data_at as u64,
            before_out: bounds.before_out + member_start as u64,
            ..*bounds
        };
        let want = usize::try_from(bounds.cap)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let ended = inf.fill(out, want, &member_bounds)?;
        if !ended {
            return Err(InflateError::OverCap);
        }
        let trailer_at = data_at + inf.consumed() as usize;
        drop(inf);
        let Some(trailer) = input.get(trailer_at..trailer_at + 8) else {
            return Err(InflateError::Truncated);
        };
        let crc_want = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size_want = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let mut crc = Crc::new();
        crc.update(out.get(member_start..).unwrap_or_default());
        if crc.sum() != crc_want || crc.amount() != size_want {
            return Err(InflateError::Corrupt(
                "corrupt gzip stream does not have a matching checksum".to_string(),
            ));
        }
        at = trailer_at + 8;
        if at >= input.len() {
            return Ok(());
        }
    }
}

/// Length of the gzip member header at the start of `b` (RFC 1952).
fn gzip_header_len(b: &[u8]) -> Result<usize, InflateError> {
    let bad = || InflateError::Corrupt("invalid gzip header".to_string());
    if b.len() < 10 {
        return Err(if b.first() == Some(&0x1f) || b.is_empty() {
            InflateError::Truncated
        } else {
            bad()
        });
    }
    if b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
        return Err(bad());
    }
    let flags = b[3];
    let mut at = 10usize;
    if flags & 4 != 0 {
        let xlen = b.get(at..at + 2).ok_or(InflateError::Truncated)?;
        at += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let zero = b
                .get(at..)
                .and_then(|r| r.iter().position(|&c| c == 0))
                .ok_or(InflateError::Truncated)?;
            at += zero + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    if at > b.len() {
        return Err(InflateError::Truncated);
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn open() -> Bounds {
        Bounds {
            cap: 1 << 30,
            ratio: 200,
            floor: 1 << 20,
            before_in: 0,
            before_out: 0,
        }
    }

    #[test]
    fn gzip_members_round_trip() {
        let a: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut two = gz(&a);
        two.extend(gz(b"second member"));
        let mut out = Vec::new();
        gunzip(&two, &mut out, &open()).unwrap();
        assert_eq!(out.len(), a.len() + 13);
        assert_eq!(&out[..a.len()], &a[..]);
        assert!(out.ends_with(b"second member"));
        // Truncated: what came before the cut is kept.
        let one = gz(&a);
        let mut out = Vec::new();
        let e = gunzip(&one[..one.len() / 2], &mut out, &open()).unwrap_err();
        assert!(matches!(e, InflateError::Truncated), "{e:?}");
        assert!(!out.is_empty() && a.starts_with(&out));
        // A bad checksum and trailing garbage are errors.
        let mut bad = gz(b"hello");
        let n = bad.len();
        bad[n - 8] ^= 1;
        assert!(matches!(
            gunzip(&bad, &mut Vec::new(), &open()),
            Err(InflateError::Corrupt(_))
        ));
        let mut junk = gz(b"hello");
        junk.extend_from_slice(b"junk after");
        assert!(matches!(
            gunzip(&junk, &mut Vec::new(), &open()),
            Err(InflateError::Corrupt(_))
        ));
    }

    #[test]
    fn a_bomb_stops_near_the_floor() {
        let zeros = vec![0u8; 64 << 20];
        let bomb = gz(&zeros);
        let mut out = Vec::new();
        let e = gunzip(&bomb, &mut out, &open()).unwrap_err();
        assert!(matches!(e, InflateError::OverRatio { .. }), "{e:?}");
        // Stopped within a chunk past the floor (plus 200 times what was read).
        assert!(
            out.len() < (1 << 20) + 2 * CHUNK + 200 * CHUNK,
            "{}",
            out.len()
        );
    }
}
