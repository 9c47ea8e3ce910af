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

#[test]
fn crc_eight_bytes_a_step_equals_one_byte_a_step() {
    // The CRC-16/ARC one bit at a time, as the FIT protocol defines it.
    fn bitwise(data: &[u8]) -> u16 {
        let mut crc = 0u16;
        for &b in data {
            crc ^= u16::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xA001
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }
    let data: Vec<u8> = (0..300u32).map(|i| (i * 37 + 11) as u8).collect();
    for len in 0..data.len() {
        assert_eq!(
            fit_crc(0, &data[..len]),
            bitwise(&data[..len]),
            "length {len}"
        );
    }
    // Continuing from a CRC is the same as one pass.
    assert_eq!(
        fit_crc(fit_crc(0, &data[..13]), &data[13..]),
        fit_crc(0, &data)
    );
}

fn op(kind_byte: u8, size: u8) -> FieldOp {
    FieldOp {
        slot: 0,
        offset: 0,
        size,
        kind: Kind::of(kind_byte, size),
    }
}

#[test]
fn field_values_by_base_type_byte_order_and_invalid_value() {
    // uint16 (0x84): little and big endian; 0xFFFF is invalid.
    assert_eq!(
        read_value(&[0x34, 0x12], &op(0x84, 2), false),
        Some(Raw::U(0x1234))
    );
    assert_eq!(
        read_value(&[0x12, 0x34], &op(0x84, 2), true),
        Some(Raw::U(0x1234))
    );
    assert_eq!(read_value(&[0xFF, 0xFF], &op(0x84, 2), false), None);
    // sint32 (0x85): positions must be exactly this type; 0x7FFFFFFF is invalid.
    let b = (-5i32).to_be_bytes();
    assert_eq!(read_value(&b, &op(0x85, 4), true), Some(Raw::S32(-5)));
    assert_eq!(
        read_value(&[0xFF, 0xFF, 0xFF, 0x7F], &op(0x85, 4), false),
        None
    );
    // sint8 temperature; 0x7F invalid.
    assert_eq!(read_value(&[0xFD], &op(0x01, 1), false), Some(Raw::I(-3)));
    assert_eq!(read_value(&[0x7F], &op(0x01, 1), false), None);
    // uint32z: 0 is invalid.
    assert_eq!(read_value(&[0, 0, 0, 0], &op(0x8C, 4), false), None);
    // float32 NaN is invalid.
    assert_eq!(
        read_value(&f32::NAN.to_le_bytes(), &op(0x88, 4), false),
        None
    );
    // Two uint8 values are an array, never a number.
    assert_eq!(
        read_value(&[150, 151], &op(0x02, 2), false).and_then(Raw::uint),
        None
    );
    // A 1-byte uint32 (COROS) is read as a byte, not a number.
    assert_eq!(read_value(&[7], &op(0x86, 1), false), Some(Raw::Other));
    // compressed_speed_distance: three bytes, all 0xFF is invalid.
    assert_eq!(
        read_value(&[1, 2, 3], &op(0x0D, 3), false),
        Some(Raw::Bytes3([1, 2, 3]))
    );
    assert_eq!(read_value(&[0xFF; 3], &op(0x0D, 3), false), None);
}

#[test]
fn fast_and_fitparser_values_reduce_alike() {
    assert_eq!(Raw::from_value(&Value::UInt16(7)), Raw::U(7));
    assert_eq!(Raw::from_value(&Value::SInt32(-7)), Raw::S32(-7));
    assert_eq!(Raw::from_value(&Value::SInt8(-7)).num(), Some(-7.0));
    assert_eq!(Raw::from_value(&Value::SInt8(-7)).uint(), None);
    assert_eq!(
        Raw::from_value(&Value::Array(vec![
            Value::Byte(1),
            Value::Byte(2),
            Value::Byte(3)
        ])),
        Raw::Bytes3([1, 2, 3])
    );
    assert_eq!(Raw::from_value(&Value::String("x".into())), Raw::Other);
}
