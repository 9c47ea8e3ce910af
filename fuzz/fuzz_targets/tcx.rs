//! The TCX reader alone: any bytes in, activities or an error out, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = calfguard::ingest::tcx::read_tcx("fuzz.tcx", data);
});
