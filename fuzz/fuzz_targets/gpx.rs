//! The GPX reader alone: any bytes in, activities or an error out, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = calfguard::ingest::gpx::read_gpx("fuzz.gpx", data);
});
