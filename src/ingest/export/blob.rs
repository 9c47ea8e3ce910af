//! Readers under the walker: interruptible reads, and an archive held in memory or spooled to
//! a temporary file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// A reader that fails once the run is interrupted, and reads at most 1 MiB at a time, so that
/// reading a large file polls the interrupt flag often.
pub(super) struct Interruptible<R>(pub(super) R);

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
pub(super) enum Blob {
    Mem(Arc<[u8]>),
    File(Arc<File>, u64),
}

#[derive(Clone, Debug)]
pub(super) struct BlobReader {
    pub(super) blob: Blob,
    pub(super) pos: u64,
}

impl BlobReader {
    pub(super) fn len(&self) -> u64 {
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
