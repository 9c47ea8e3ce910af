//! Unit tests of the FIT reader's parts (whole files: `tests/fit_*.rs`).

use super::build::finish;
use super::convert::*;
use super::framing::fit_crc;
use super::FIT_EPOCH_UNIX_S;
use crate::model::{Activity, Format, Sample, Sport};
use chrono::{DateTime, Utc};
use fitparser::Value;
use std::collections::HashMap;

#[test]
fn semicircles() {
    assert_eq!(semicircles_to_deg(0), 0.0);
    assert_eq!(semicircles_to_deg(1 << 30), 90.0);
    assert_eq!(semicircles_to_deg(i32::MIN), -180.0);
    assert!((semicircles_to_deg(495_280_430) - 41.513926).abs() < 1e-6);
}

#[test]
fn compressed_timestamp_rollover() {
    // Same 32 s window: low 5 bits replaced.
    assert_eq!(resolve_compressed_timestamp(0x40 + 2, 30), 0x40 + 30);
    assert_eq!(resolve_compressed_timestamp(0x40 + 5, 5), 0x40 + 5);
    // Offset below the base's low bits: the 5-bit counter rolled over (+32 s).
    assert_eq!(resolve_compressed_timestamp(0x40 + 30, 2), 0x60 + 2);
    assert_eq!(
        resolve_compressed_timestamp(1_000_000_031, 0),
        1_000_000_032
    );
}

#[test]
fn cadence_doubles_for_foot_sports_only() {
    assert_eq!(cadence_to_spm(85.5, &Sport::Running), 171.0);
    assert_eq!(cadence_to_spm(60.0, &Sport::Hiking), 120.0);
    assert_eq!(cadence_to_spm(90.0, &Sport::Cycling), 90.0);
    let mut a = Activity::new("x", Format::Fit, DateTime::<Utc>::UNIX_EPOCH);
    a.sport = Sport::TrailRunning;
    a.samples.push(Sample {
        cadence_spm: Some(80.0 + 64.0 / 128.0),
        ..Sample::default()
    });
    finish(&mut a);
    assert_eq!(a.samples[0].cadence_spm, Some(161.0));
}

#[test]
fn record_scaling() {
    let mut f = HashMap::new();
    f.insert(0u8, Value::SInt32(1 << 29));
    f.insert(1u8, Value::SInt32(-(1 << 29)));
    f.insert(2u8, Value::UInt16(2600)); // 20 m
    f.insert(78u8, Value::UInt32(2750)); // 50 m, preferred
    f.insert(5u8, Value::UInt32(123_456));
    f.insert(6u8, Value::UInt16(3000));
    f.insert(73u8, Value::UInt32(3100));
    f.insert(3u8, Value::UInt8(150));
    f.insert(4u8, Value::UInt8(85));
    f.insert(53u8, Value::UInt8(64));
    f.insert(13u8, Value::SInt8(-3));
    f.insert(7u8, Value::UInt16(250));
    let s = sample(
        &fields_from_values(&f, 20),
        Some(0),
        &mut DistanceAccumulator::default(),
    );
    assert_eq!(s.time_utc_ms, Some(FIT_EPOCH_UNIX_S * 1000));
    assert_eq!(s.lat_deg, Some(45.0));
    assert_eq!(s.lon_deg, Some(-45.0));
    assert_eq!(s.altitude_m, Some(50.0));
    assert_eq!(s.distance_m, Some(1234.56));
    assert_eq!(s.speed_mps, Some(3.1));
    assert_eq!(s.hr_bpm, Some(150.0));
    assert_eq!(s.cadence_spm, Some(85.5));
    assert_eq!(s.temp_c, Some(-3.0));
    assert_eq!(s.power_w, Some(250.0));
}

#[test]
fn compressed_speed_distance_accumulates_with_rollover() {
    let mut acc = DistanceAccumulator::default();
    let rec = |speed: u16, dist: u16, acc: &mut DistanceAccumulator| {
        let b0 = (speed & 0xFF) as u8;
        let b1 = ((speed >> 8) as u8 & 0x0F) | (((dist & 0x0F) as u8) << 4);
        let b2 = (dist >> 4) as u8;
        let mut f = HashMap::new();
        f.insert(
            8u8,
            Value::Array(vec![Value::Byte(b0), Value::Byte(b1), Value::Byte(b2)]),
        );
        sample(&fields_from_values(&f, 20), None, acc)
    };
    let s = rec(250, 4000, &mut acc);
    assert_eq!(s.speed_mps, Some(2.5));
    assert_eq!(s.distance_m, Some(250.0));
    // 4000 -> 100 (16ths) wraps at 4096: +196/16 m
    let s = rec(250, 100, &mut acc);
    assert_eq!(s.distance_m, Some(250.0 + 196.0 / 16.0));
}

#[test]
fn crc_matches_known_value() {
    // The CRC of a buffer followed by its own CRC (little endian) is 0.
    let data = b"calfguard FIT";
    let crc = fit_crc(0, data);
    let mut with = data.to_vec();
    with.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(fit_crc(0, &with), 0);
    // The CRC-16/ARC check value, as the FIT SDK's nibble-table algorithm computes it.
    assert_eq!(fit_crc(0, b"123456789"), 0xBB3D);
    // A real file's stored CRC: the last two bytes of a finished FIT file.
    let real = include_bytes!("../../../fixtures/real/pyfitparse_fenix5_run_short.fit");
    let (body, stored) = real.split_at(real.len() - 2);
    assert_eq!(fit_crc(0, body), u16::from_le_bytes([stored[0], stored[1]]));
}
