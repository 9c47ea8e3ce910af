//! Field values: raw bytes (fast path) or fitparser `Value`s (profile path) to one [`Raw`] form,
//! and `record` fields to a [`Sample`] with the FIT profile's scale and offset.
//!
//! Both record paths fill the same [`Fields`] and go through the same [`sample`], so what the
//! equivalence tests compare is the byte decoding: base types, byte order, invalid values,
//! arrays. Value semantics follow fitparser's stream deserializer (`data_field_value`, on
//! definitions whose misaligned fields are declared as bytes, see [`Kind::of`]): a field
//! holding its base type's invalid value (0xFF.., 0x7F.. for signed types, 0 for the `z` types,
//! non-finite floats) is absent; a field of several values is an array, never a number; when a
//! definition lists a field number twice, the last valid value wins.

use super::{fit_ts_to_unix_ms, FIT_EPOCH_UNIX_S};
use crate::model::{Sample, Sport};
use fitparser::Value;
use std::collections::HashMap;

/// Semicircles (FIT `position_lat` / `position_long`) to degrees: `deg = sc * 180 / 2^31`.
pub fn semicircles_to_deg(sc: i32) -> f64 {
    f64::from(sc) * (180.0 / 2_147_483_648.0)
}

/// Resolve a compressed-timestamp header's 5-bit offset against the last full timestamp, as the
/// FIT protocol defines it: the low 5 bits are replaced, with a rollover (+32 s) when the
/// offset is smaller than the base's low bits.
pub fn resolve_compressed_timestamp(base: u32, offset: u8) -> u32 {
    let offset = u32::from(offset & 0x1F);
    let mut value = (base & !0x1F).wrapping_add(offset);
    if offset < (base & 0x1F) {
        value = value.wrapping_add(32);
    }
    value
}

/// Cadence in steps per minute from FIT cadence (+ fractional cadence): FIT stores strides per
/// minute for foot sports, so those are doubled; cycling (rpm) and everything else is kept.
pub fn cadence_to_spm(fit_cadence: f64, sport: &Sport) -> f64 {
    if sport.has_steps() {
        fit_cadence * 2.0
    } else {
        fit_cadence
    }
}

/// Seconds since the FIT epoch to a UTC time.
pub(super) fn utc_from_fit(ts: u32) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::<chrono::Utc>::from_timestamp(i64::from(ts) + FIT_EPOCH_UNIX_S, 0)
}

/// The size in bytes of a FIT base type (by its number, the low 5 bits), if known.
pub(super) fn base_type_size(base_type: u8) -> Option<u8> {
    match base_type & 0x1F {
        0 | 1 | 2 | 7 | 10 | 13 => Some(1),
        3 | 4 | 11 => Some(2),
        5 | 6 | 8 | 12 => Some(4),
        9 | 14..=16 => Some(8),
        _ => None,
    }
}

/// A FIT base type, as a field of a definition message declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Enum,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    Str,
    F32,
    F64,
    U8z,
    U16z,
    U32z,
    Byte,
    S64,
    U64,
    U64z,
}

impl Kind {
    /// The kind of a field of `size` bytes declared with base type byte `base`, as fitparser's
    /// deserializer reads it (the reader's semantics before the fast path, kept so that both
    /// paths agree on any bytes): bits 5 and 6 are ignored and the rest must be one of the
    /// profile's base type codes; an unknown code is read as `uint8` values. A size that is not
    /// a multiple of the base type's (COROS PACE 2: a 1-byte `uint32`) is read as bytes.
    pub(super) fn of(base: u8, size: u8) -> Kind {
        if base_type_size(base).is_some_and(|b| !size.is_multiple_of(b)) {
            return Kind::Byte;
        }
        let k = match base & 0x9F {
            0x00 => Kind::Enum,
            0x01 => Kind::S8,
            0x02 => Kind::U8,
            0x07 => Kind::Str,
            0x0A => Kind::U8z,
            0x0D => Kind::Byte,
            0x83 => Kind::S16,
            0x84 => Kind::U16,
            0x85 => Kind::S32,
            0x86 => Kind::U32,
            0x88 => Kind::F32,
            0x89 => Kind::F64,
            0x8B => Kind::U16z,
            0x8C => Kind::U32z,
            0x8E => Kind::S64,
            0x8F => Kind::U64,
            0x90 => Kind::U64z,
            _ => Kind::U8,
        };
        if usize::from(size).is_multiple_of(k.size()) {
            k
        } else {
            Kind::Byte
        }
    }

    fn size(self) -> usize {
        match self {
            Kind::Enum | Kind::S8 | Kind::U8 | Kind::Str | Kind::U8z | Kind::Byte => 1,
            Kind::S16 | Kind::U16 | Kind::U16z => 2,
            Kind::S32 | Kind::U32 | Kind::F32 | Kind::U32z => 4,
            Kind::F64 | Kind::S64 | Kind::U64 | Kind::U64z => 8,
        }
    }
}

/// One valid field value, reduced to what the reader can use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Raw {
    /// An unsigned integer or enum.
    U(u64),
    /// A signed integer other than `sint32`.
    I(i64),
    /// A `sint32` (positions must be exactly this type).
    S32(i32),
    /// A float (finite).
    F(f64),
    /// An array with exactly three `byte`/`uint8` values (after dropping invalid `uint8`s), as
    /// `compressed_speed_distance` is.
    Bytes3([u8; 3]),
    /// Anything else valid: a string, a single byte, another array.
    Other,
}

impl Raw {
    /// An unsigned integer value (non-negative signed values too; not floats, strings, arrays
    /// or bytes).
    pub(super) fn uint(self) -> Option<u64> {
        match self {
            Raw::U(x) => Some(x),
            Raw::I(x) => u64::try_from(x).ok(),
            Raw::S32(x) => u64::try_from(x).ok(),
            _ => None,
        }
    }

    /// Any numeric value as `f64` (finite).
    pub(super) fn num(self) -> Option<f64> {
        let x = match self {
            Raw::I(x) => x as f64,
            Raw::S32(x) => f64::from(x),
            Raw::F(x) => x,
            other => other.uint()? as f64,
        };
        x.is_finite().then_some(x)
    }

    /// The same reduction of a value fitparser's deserializer produced.
    pub(super) fn from_value(v: &Value) -> Raw {
        match v {
            Value::UInt8(x) | Value::UInt8z(x) | Value::Enum(x) => Raw::U(u64::from(*x)),
            Value::UInt16(x) | Value::UInt16z(x) => Raw::U(u64::from(*x)),
            Value::UInt32(x) | Value::UInt32z(x) => Raw::U(u64::from(*x)),
            Value::UInt64(x) | Value::UInt64z(x) => Raw::U(*x),
            Value::SInt8(x) => Raw::I(i64::from(*x)),
            Value::SInt16(x) => Raw::I(i64::from(*x)),
            Value::SInt32(x) => Raw::S32(*x),
            Value::SInt64(x) => Raw::I(*x),
            Value::Float32(x) => Raw::F(f64::from(*x)),
            Value::Float64(x) => Raw::F(*x),
            Value::Array(parts) => {
                let mut b = [0u8; 3];
                let mut n = 0usize;
                for p in parts {
                    if let Value::Byte(x) | Value::UInt8(x) = p {
                        if let Some(slot) = b.get_mut(n) {
                            *slot = *x;
                        }
                        n += 1;
                    }
                }
                if n == 3 {
                    Raw::Bytes3(b)
                } else {
                    Raw::Other
                }
            }
            _ => Raw::Other,
        }
    }
}

/// Where a field sits in a data message's body (after the header byte) and how to read it.
#[derive(Clone, Copy, Debug)]
pub(super) struct FieldOp {
    /// Index into [`Fields`].
    pub slot: u8,
    pub offset: u16,
    pub size: u8,
    pub kind: Kind,
}

/// Read one field from a data message body (`None`: invalid, or not there).
#[inline(always)]
pub(super) fn read_value(body: &[u8], op: &FieldOp, big_endian: bool) -> Option<Raw> {
    let at = usize::from(op.offset);
    let b = body.get(at..at + usize::from(op.size))?;
    if b.is_empty() {
        return None; // an empty array is invalid
    }
    if op.kind == Kind::Str {
        let end = b.iter().position(|x| *x == 0).unwrap_or(b.len());
        return std::str::from_utf8(&b[..end]).ok().map(|_| Raw::Other);
    }
    let n = op.kind.size();
    if b.len() == n {
        return scalar(op.kind, b, big_endian);
    }
    // An array: valid when any element is; only 3-byte arrays are used (by value).
    match op.kind {
        Kind::Byte => b.iter().any(|x| *x != 0xFF).then_some(match b {
            [b0, b1, b2] => Raw::Bytes3([*b0, *b1, *b2]),
            _ => Raw::Other,
        }),
        Kind::U8 => {
            let mut v = [0u8; 3];
            let mut k = 0usize;
            for x in b.iter().filter(|x| **x != 0xFF) {
                if let Some(s) = v.get_mut(k) {
                    *s = *x;
                }
                k += 1;
            }
            match k {
                0 => None,
                3 => Some(Raw::Bytes3(v)),
                _ => Some(Raw::Other),
            }
        }
        kind => b
            .chunks_exact(n)
            .any(|c| scalar(kind, c, big_endian).is_some())
            .then_some(Raw::Other),
    }
}

/// One value of `kind` from exactly its bytes, `None` when it is the invalid value.
#[inline(always)]
fn scalar(kind: Kind, b: &[u8], be: bool) -> Option<Raw> {
    macro_rules! int {
        ($t:ty) => {{
            let a = b.try_into().ok()?;
            if be {
                <$t>::from_be_bytes(a)
            } else {
                <$t>::from_le_bytes(a)
            }
        }};
    }
    let x = *b.first()?;
    let v = match kind {
        Kind::Enum | Kind::U8 => (x != 0xFF).then_some(Raw::U(u64::from(x)))?,
        Kind::U8z => (x != 0).then_some(Raw::U(u64::from(x)))?,
        Kind::S8 => (x != 0x7F).then_some(Raw::I(i64::from(x as i8)))?,
        Kind::Byte => (x != 0xFF).then_some(Raw::Other)?,
        Kind::Str => Raw::Other,
        Kind::U16 => {
            let v = int!(u16);
            (v != u16::MAX).then_some(Raw::U(u64::from(v)))?
        }
        Kind::U16z => {
            let v = int!(u16);
            (v != 0).then_some(Raw::U(u64::from(v)))?
        }
        Kind::S16 => {
            let v = int!(i16);
            (v != i16::MAX).then_some(Raw::I(i64::from(v)))?
        }
        Kind::U32 => {
            let v = int!(u32);
            (v != u32::MAX).then_some(Raw::U(u64::from(v)))?
        }
        Kind::U32z => {
            let v = int!(u32);
            (v != 0).then_some(Raw::U(u64::from(v)))?
        }
        Kind::S32 => {
            let v = int!(i32);
            (v != i32::MAX).then_some(Raw::S32(v))?
        }
        Kind::U64 => {
            let v = int!(u64);
            (v != u64::MAX).then_some(Raw::U(v))?
        }
        Kind::U64z => {
            let v = int!(u64);
            (v != 0).then_some(Raw::U(v))?
        }
        Kind::S64 => {
            let v = int!(i64);
            (v != i64::MAX).then_some(Raw::I(v))?
        }
        Kind::F32 => {
            let v = f32::from_bits(int!(u32));
            v.is_finite().then_some(Raw::F(f64::from(v)))?
        }
        Kind::F64 => {
            let v = f64::from_bits(int!(u64));
            v.is_finite().then_some(Raw::F(v))?
        }
    };
    Some(v)
}

/// Indexes into [`Fields`]: the fields of `record` we use, plus `activity.local_timestamp`.
pub(super) mod slot {
    pub const TS: u8 = 0;
    pub const LAT: u8 = 1;
    pub const LON: u8 = 2;
    pub const ALT: u8 = 3;
    pub const ENH_ALT: u8 = 4;
    pub const DIST: u8 = 5;
    pub const SPEED: u8 = 6;
    pub const ENH_SPEED: u8 = 7;
    pub const CSD: u8 = 8;
    pub const HR: u8 = 9;
    pub const CAD: u8 = 10;
    pub const FRAC_CAD: u8 = 11;
    pub const TEMP: u8 = 12;
    pub const POWER: u8 = 13;
    pub const LOCAL_TS: u8 = 14;
    pub const N: usize = 15;
}

/// `record` (global 20) field numbers of the FIT profile, by slot.
const RECORD_FIELDS: [(u8, u8); 14] = [
    (253, slot::TS),
    (0, slot::LAT),        // position_lat, semicircles
    (1, slot::LON),        // position_long, semicircles
    (2, slot::ALT),        // altitude, scale 5, offset 500, m
    (78, slot::ENH_ALT),   // enhanced_altitude, scale 5, offset 500, m
    (5, slot::DIST),       // distance, scale 100, m
    (6, slot::SPEED),      // speed, scale 1000, m/s
    (73, slot::ENH_SPEED), // enhanced_speed, scale 1000, m/s
    (8, slot::CSD),        // compressed_speed_distance, 3 bytes
    (3, slot::HR),         // heart_rate, bpm
    (4, slot::CAD),        // cadence, rpm (strides/min for foot sports)
    (53, slot::FRAC_CAD),  // fractional_cadence, scale 128
    (13, slot::TEMP),      // temperature, sint8, °C
    (7, slot::POWER),      // power, W
];

/// Global message numbers with fields read by number (not through fitparser's profile).
pub(super) const MESG_RECORD: u16 = 20;
pub(super) const MESG_ACTIVITY: u16 = 34;

/// The slot of field `field` of message `global`, if the reader reads it by number.
pub(super) fn slot_for(global: u16, field: u8) -> Option<u8> {
    match (global, field) {
        (_, 253) => Some(slot::TS),
        (MESG_RECORD, f) => RECORD_FIELDS.iter().find(|(n, _)| *n == f).map(|(_, s)| *s),
        (MESG_ACTIVITY, 5) => Some(slot::LOCAL_TS),
        _ => None,
    }
}

/// The fields of one data message we read by number, by slot.
pub(super) type Fields = [Option<Raw>; slot::N];

/// [`Fields`] from fitparser's raw values of a message (the profile path).
pub(super) fn fields_from_values(values: &HashMap<u8, Value>, global: u16) -> Fields {
    let mut f: Fields = [None; slot::N];
    for (n, v) in values {
        if let Some(s) = slot_for(global, *n) {
            f[usize::from(s)] = Some(Raw::from_value(v));
        }
    }
    f
}

/// A timestamp field (seconds since the FIT epoch).
pub(super) fn ts_from(v: Option<Raw>) -> Option<u32> {
    v?.uint().and_then(|t| u32::try_from(t).ok())
}

/// Accumulator of `compressed_speed_distance`'s 12-bit distance (1/16 m, rolls over at 256 m).
#[derive(Debug, Default)]
pub(super) struct DistanceAccumulator {
    last_raw: Option<u16>,
    total_16ths: u64,
}

impl DistanceAccumulator {
    pub(super) fn add(&mut self, raw: u16) -> f64 {
        let raw = raw & 0x0FFF;
        match self.last_raw {
            None => self.total_16ths = u64::from(raw),
            Some(last) => self.total_16ths += u64::from(raw.wrapping_sub(last) & 0x0FFF),
        }
        self.last_raw = Some(raw);
        self.total_16ths as f64 / 16.0
    }
}

/// A `record` as a sample, applying the FIT profile's scale and offset. `cadence_spm` holds the
/// file's cadence (strides or rpm) until the sport is known.
pub(super) fn sample(f: &Fields, ts: Option<u32>, acc: &mut DistanceAccumulator) -> Sample {
    let get = |s: u8| f[usize::from(s)];
    let uint = |s: u8| get(s).and_then(Raw::uint);
    let pos = |s: u8| match get(s) {
        Some(Raw::S32(x)) => Some(x),
        _ => None,
    };
    let lat = pos(slot::LAT)
        .map(semicircles_to_deg)
        .filter(|d| d.abs() <= 90.0);
    let lon = pos(slot::LON)
        .map(semicircles_to_deg)
        .filter(|d| d.abs() <= 180.0);
    let (lat, lon) = match (lat, lon) {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (None, None),
    };
    let alt = uint(slot::ENH_ALT)
        .or_else(|| uint(slot::ALT))
        .map(|v| v as f64 / 5.0 - 500.0);
    let mut speed = uint(slot::ENH_SPEED)
        .or_else(|| uint(slot::SPEED))
        .map(|v| v as f64 / 1000.0);
    let mut distance = uint(slot::DIST).map(|v| v as f64 / 100.0);
    if let Some(Raw::Bytes3([b0, b1, b2])) = get(slot::CSD) {
        // compressed_speed_distance: 3 bytes, speed 12 bits (1/100 m/s), distance 12 bits
        // (1/16 m, accumulated across records).
        let sp = u16::from(b0) | (u16::from(b1 & 0x0F) << 8);
        let di = u16::from(b1 >> 4) | (u16::from(b2) << 4);
        if speed.is_none() {
            speed = Some(f64::from(sp) / 100.0);
        }
        let d = acc.add(di);
        if distance.is_none() {
            distance = Some(d);
        }
    }
    let cadence = uint(slot::CAD).map(|c| {
        let frac = uint(slot::FRAC_CAD).map_or(0.0, |f| f as f64 / 128.0);
        c as f64 + frac
    });
    Sample {
        time_utc_ms: ts.map(fit_ts_to_unix_ms),
        lat_deg: lat,
        lon_deg: lon,
        altitude_m: alt,
        distance_m: distance,
        speed_mps: speed,
        hr_bpm: uint(slot::HR).map(|v| v as f64),
        cadence_spm: cadence,
        temp_c: get(slot::TEMP).and_then(Raw::num),
        power_w: uint(slot::POWER).map(|v| v as f64),
    }
}
