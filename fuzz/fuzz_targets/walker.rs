//! Bytes through the export walker as if they were a loose file: gzip layers, zip archives
//! (zips in zips), format sniffing, then `read_bytes` on every leaf.
#![no_main]
use calfguard::ingest::export::{Limits, Walker};
use calfguard::model::ReadResult;
use libfuzzer_sys::fuzz_target;

fn read(source: &str, bytes: &[u8]) -> ReadResult {
    calfguard::ingest::read_bytes(source, bytes)
}

fuzz_target!(|data: &[u8]| {
    let walker = Walker::new(Limits::default(), &read);
    let _ = walker.loose_bytes("fuzz", data.to_vec());
});
