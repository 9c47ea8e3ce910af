//! The whole "bytes in, activities or an error out" entry point: format detection, then the
//! FIT, GPX or TCX reader (behind `catch_unwind`). A panic that `read_bytes` catches still
//! reports as a bug here, because the target checks the error text.
#![no_main]
use calfguard::model::ReadError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(ReadError::Failed { reason, .. }) = calfguard::ingest::read_bytes("fuzz", data) {
        assert!(
            !reason.contains("calfguard bug"),
            "a reader panicked: {reason}"
        );
    }
});
