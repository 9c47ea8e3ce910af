//! FIT framing: chained parts, headers, definition and data messages, CRCs, breaks and skips.
//!
//! A definition message is compiled into a [`Plan`] for its local type: the offsets, sizes and
//! base types of the fields read by number (see [`convert::slot_for`]), its developer fields and
//! the byte order from its architecture byte. A data message is then decoded from its bytes with
//! that plan, or, for the few messages that need the FIT profile, handed with its definition to
//! fitparser ([`messages`]).

use super::convert::{self, slot, FieldOp, Fields, Kind, Raw, MESG_ACTIVITY, MESG_RECORD};
use super::messages::{self, PartState};
use super::{byte_pos, Collected, RecordPath, MAX_SKIPS};
use crate::model::Break;
use fitparser::de::{DecodeOption, FitDataMessage, FitObject, FitStreamProcessor};
use fitparser::ErrorKind;

/// The FIT CRC-16 (as in the FIT SDK: CRC-16/ARC, reflected polynomial 0xA001, initial 0),
/// sixteen bytes per step ("slicing by 16": sixteen 256-entry tables, each table k giving the CRC
/// of a byte followed by k zero bytes; 8 KiB). The loop-carried dependency is one table step per
/// 16 bytes (it was one per 8, and the CRC was about a tenth of the FIT reader's time). The SDK's
/// nibble table gives the same value in eight times the steps; `crc_matches_known_value` checks
/// it against a value from the SDK's algorithm, `crc_eight_bytes_a_step_equals_one_byte_a_step`
/// against the bitwise definition at every length up to 300.
pub(super) fn fit_crc(mut crc: u16, data: &[u8]) -> u16 {
    const TABLES: [[u16; 256]; 16] = {
        let mut t = [[0u16; 256]; 16];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u16;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xA001
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[0][i] = c;
            i += 1;
        }
        let mut j = 1;
        while j < 16 {
            let mut i = 0;
            while i < 256 {
                let prev = t[j - 1][i];
                t[j][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
                i += 1;
            }
            j += 1;
        }
        t
    };
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        let lo = crc ^ u16::from_le_bytes([c[0], c[1]]);
        crc = TABLES[15][usize::from(lo as u8)]
            ^ TABLES[14][usize::from((lo >> 8) as u8)]
            ^ TABLES[13][usize::from(c[2])]
            ^ TABLES[12][usize::from(c[3])]
            ^ TABLES[11][usize::from(c[4])]
            ^ TABLES[10][usize::from(c[5])]
            ^ TABLES[9][usize::from(c[6])]
            ^ TABLES[8][usize::from(c[7])]
            ^ TABLES[7][usize::from(c[8])]
            ^ TABLES[6][usize::from(c[9])]
            ^ TABLES[5][usize::from(c[10])]
            ^ TABLES[4][usize::from(c[11])]
            ^ TABLES[3][usize::from(c[12])]
            ^ TABLES[2][usize::from(c[13])]
            ^ TABLES[1][usize::from(c[14])]
            ^ TABLES[0][usize::from(c[15])];
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ TABLES[0][usize::from((crc as u8) ^ b)];
    }
    crc
}

struct Header {
    size: usize,
    data_size: usize,
    crc: Option<u16>,
    proto: u8,
    profile: [u8; 2],
}

fn parse_header(b: &[u8]) -> Result<Header, String> {
    let Some(head) = b.get(..12) else {
        return Err(format!("too short for a FIT header ({} bytes)", b.len()));
    };
    let size = usize::from(head[0]);
    if &head[8..12] != b".FIT" {
        return Err("no FIT header (\".FIT\" signature missing)".to_string());
    }
    if size != 12 && size != 14 {
        return Err(format!("unsupported FIT header size {size}"));
    }
    let crc = if size == 14 {
        let c = b.get(12..14).ok_or("truncated FIT header")?;
        Some(u16::from_le_bytes([c[0], c[1]]))
    } else {
        None
    };
    Ok(Header {
        size,
        data_size: u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize,
        crc,
        proto: head[1],
        profile: [head[2], head[3]],
    })
}

/// Whether `rest` is the start of a FIT header cut short: a header size byte of 12 or 14, fewer
/// bytes than that, and as much of the ".FIT" signature as is there.
fn is_cut_header(rest: &[u8]) -> bool {
    let Some(&size) = rest.first() else {
        return false;
    };
    let sig = rest.get(8..rest.len().min(12)).unwrap_or(&[]);
    (size == 12 || size == 14) && rest.len() < usize::from(size) && b".FIT".starts_with(sig)
}

/// Read one FIT part (header, data, CRC) starting at `start`. Returns where the next chained part
/// would start, if there are bytes left and the file did not break.
pub(super) fn read_part(
    bytes: &[u8],
    start: usize,
    first: bool,
    path: RecordPath,
    c: &mut Collected,
) -> Option<usize> {
    let rest = bytes.get(start..).unwrap_or(&[]);
    let hdr = match parse_header(rest) {
        Ok(h) => h,
        Err(reason) => {
            if first {
                c.fatal = Some((reason, start));
            } else if is_cut_header(rest) {
                // The bytes begin another chained part and stop inside its header: the file was
                // cut, not padded.
                c.brk = Some(Break {
                    reason: "file truncated inside a chained FIT header".to_string(),
                    position: byte_pos(start),
                });
            } else {
                c.warn(format!(
                    "{} trailing bytes after the FIT data ignored (at {})",
                    rest.len(),
                    byte_pos(start)
                ));
            }
            return None;
        }
    };
    let data_start = start + hdr.size;
    let mut data_end = data_start + hdr.data_size;
    let mut has_crc = true;
    if hdr.data_size == 0 && bytes.len() > data_start + 2 {
        c.warn(format!(
            "FIT header at {} declares no data (file never finalised); reading to the end",
            byte_pos(start)
        ));
        data_end = bytes.len();
        has_crc = false;
    }
    if let (Some(crc), Some(h)) = (hdr.crc, rest.get(..12)) {
        if crc != 0 && fit_crc(0, h) != crc {
            c.warn(format!("bad header CRC at {}", byte_pos(start)));
        }
    }
    if has_crc {
        match (
            bytes.get(start..data_end),
            bytes.get(data_end..data_end + 2),
        ) {
            (Some(all), Some(stored)) => {
                let stored = u16::from_le_bytes([stored[0], stored[1]]);
                // The CRC covers the header too; some writers leave a 14-byte header (which has
                // its own CRC) out of it. The second pass is only made when the first fails.
                let data_only = all.get(hdr.size..).unwrap_or(&[]);
                if fit_crc(0, all) != stored && fit_crc(0, data_only) != stored {
                    c.warn(format!("bad file CRC (stored at {})", byte_pos(data_end)));
                }
            }
            (Some(_), None) => {
                c.warn("file ends without its CRC".to_string());
            }
            _ => {} // truncated: reported as a break while reading
        }
    }
    let part_end = if has_crc {
        (data_end + 2).min(bytes.len())
    } else {
        bytes.len()
    };
    let mut w = Walker {
        win: bytes.get(..part_end).unwrap_or(bytes),
        limit: data_end.min(bytes.len()),
        data_end,
        path,
        plans: std::array::from_fn(|_| None),
        part: PartState::default(),
        proc: None,
        proto: hdr.proto,
        profile: hdr.profile,
    };
    if let Err(b) = w.run(data_start, c) {
        c.brk = Some(b);
        return None;
    }
    (part_end < bytes.len()).then_some(part_end)
}

/// A developer field of a definition.
#[derive(Clone, Copy, Debug)]
struct DevOp {
    key: (u8, u8),
    offset: u16,
    size: u8,
}

/// A local message type's compiled definition.
struct Plan {
    global: u16,
    big_endian: bool,
    /// Bytes of the regular fields, then of regular and developer fields (the body after the
    /// header byte).
    fixed_size: usize,
    size: usize,
    /// The fields read by number, in definition order.
    ops: Vec<FieldOp>,
    dev: Vec<DevOp>,
    /// Where the definition message is in the file, and whether it declares a field whose
    /// size is not a multiple of its base type.
    raw: (usize, usize),
    misaligned: bool,
    /// fitparser's processor has this definition.
    fed: bool,
    /// [`PartState::dev_gen`] the next three were resolved for.
    dev_gen: Option<u64>,
    /// A developer field without a description (fitparser cannot read such a message).
    undescribed: bool,
    /// A developer field whose size is not a multiple of its described base type.
    bad_dev_size: bool,
    /// Developer running power: (rank among the power keys, field, scale, offset).
    power: Vec<(usize, FieldOp, f64, f64)>,
}

impl Plan {
    /// Resolve the developer fields against the field descriptions seen so far.
    fn resolve(&mut self, part: &PartState) {
        if self.dev_gen == Some(part.dev_gen) {
            return;
        }
        self.dev_gen = Some(part.dev_gen);
        self.undescribed = self
            .dev
            .iter()
            .any(|d| !part.dev_fields.contains_key(&d.key));
        self.bad_dev_size = self.dev.iter().any(|d| {
            part.dev_base_size
                .get(&d.key)
                .is_some_and(|b| *b > 1 && !d.size.is_multiple_of(*b))
        });
        self.power.clear();
        for (rank, key) in part.power_keys.iter().enumerate() {
            let Some(f) = part.dev_fields.get(key) else {
                continue;
            };
            for d in self.dev.iter().filter(|d| d.key == *key) {
                let kind = Kind::of(f.base, d.size);
                let op = FieldOp {
                    slot: 0,
                    offset: d.offset,
                    size: d.size,
                    kind,
                };
                self.power.push((rank, op, f.scale, f.offset));
            }
        }
    }

    /// Running power from the developer fields of a record body (e.g. Stryd "Power", watts):
    /// the best-ranked power field with a value; of several copies of one field, the last.
    fn dev_power(&self, body: &[u8]) -> Option<f64> {
        let mut i = 0;
        while let Some(&(rank, _, scale, offset)) = self.power.get(i) {
            let mut v = None;
            while let Some((_, op, _, _)) = self.power.get(i).filter(|p| p.0 == rank) {
                if let Some(x) = convert::read_value(body, op, self.big_endian) {
                    v = Some(x);
                }
                i += 1;
            }
            if let Some(x) = v.and_then(Raw::num) {
                return Some(x / scale - offset);
            }
        }
        None
    }
}

/// What to do after one message.
enum Step {
    /// Go on at this position.
    Next(usize),
    /// The message (of this many bytes) cannot be read; skip it.
    Skip { size: usize, why: String },
    /// Reading cannot go on.
    Break(String),
}

const TRUNCATED_MID_MESSAGE: &str = "file truncated in the middle of a message";
const UNDESCRIBED: &str = "developer field used before its description";
const BAD_DEV_SIZE: &str = "developer field size not a multiple of its base type";

/// One part's walk.
struct Walker<'a> {
    /// The part's bytes, up to the end of its CRC (or of the file), from the file's start.
    win: &'a [u8],
    /// The declared end of the data, and that end within the file.
    data_end: usize,
    limit: usize,
    path: RecordPath,
    plans: [Option<Plan>; 16],
    part: PartState,
    /// fitparser, fed the definitions of the messages it decodes (created when first needed).
    proc: Option<FitStreamProcessor>,
    proto: u8,
    profile: [u8; 2],
}

impl Walker<'_> {
    fn run(&mut self, mut pos: usize, c: &mut Collected) -> Result<(), Break> {
        let brk = |reason: String, pos: usize| Break {
            reason,
            position: byte_pos(pos),
        };
        let mut messages: u32 = 0;
        while pos < self.win.len() {
            messages = messages.wrapping_add(1);
            if messages % 4096 == 1 && crate::interrupt::requested() {
                // The run is interrupted: stop reading (its result is dropped).
                return Err(brk("interrupted".to_string(), pos));
            }
            if pos > self.data_end {
                // The last message ran past the declared end of the data: what follows is not
                // a message (nor a chained header, which fitparser 0.11 would panic on).
                return Err(brk(
                    "last message runs past the declared end of the data".to_string(),
                    pos,
                ));
            }
            if pos == self.data_end {
                // The CRC (checked in `read_part`); only part of it may be there.
                pos += 2;
                continue;
            }
            let h = self.win[pos];
            let step = if h & 0xC0 == 0x40 {
                self.definition(pos, h)
            } else {
                self.data(pos, h, c)
            };
            match step {
                Step::Next(next) => pos = next,
                Step::Skip { size, why } => {
                    c.skipped += 1;
                    if c.first_skip.is_none() {
                        c.first_skip = Some((pos, why));
                    }
                    if c.skipped > MAX_SKIPS {
                        return Err(brk(
                            format!("more than {MAX_SKIPS} undecodable messages"),
                            pos,
                        ));
                    }
                    pos += size;
                }
                Step::Break(reason) => return Err(brk(reason, pos)),
            }
        }
        if pos < self.data_end {
            return Err(brk(
                format!(
                    "file truncated: data ends {} bytes before the declared end",
                    self.data_end - pos
                ),
                pos,
            ));
        }
        Ok(())
    }

    /// Compile a definition message at `pos` into its local type's plan.
    fn definition(&mut self, pos: usize, h: u8) -> Step {
        let win = self.win;
        let Some(head) = win.get(pos..pos + 6) else {
            return Step::Break(TRUNCATED_MID_MESSAGE.to_string());
        };
        let big_endian = head[2] == 1;
        let global = if big_endian {
            u16::from_be_bytes([head[3], head[4]])
        } else {
            u16::from_le_bytes([head[3], head[4]])
        };
        let n = usize::from(head[5]);
        let Some(fields) = win.get(pos + 6..pos + 6 + 3 * n) else {
            return Step::Break(TRUNCATED_MID_MESSAGE.to_string());
        };
        let mut end = pos + 6 + 3 * n;
        let mut dev_fields: &[u8] = &[];
        if h & 0x20 != 0 {
            let Some(nd) = win.get(end).map(|x| usize::from(*x)) else {
                return Step::Break(TRUNCATED_MID_MESSAGE.to_string());
            };
            let Some(d) = win.get(end + 1..end + 1 + 3 * nd) else {
                return Step::Break(TRUNCATED_MID_MESSAGE.to_string());
            };
            dev_fields = d;
            end += 1 + 3 * nd;
        }
        // Reuse the previous plan's allocations for this local type.
        let local = usize::from(h & 0x0F);
        let (mut ops, mut dev, mut power) = match self.plans[local].take() {
            Some(p) => (p.ops, p.dev, p.power),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        ops.clear();
        dev.clear();
        power.clear();
        let mut offset = 0usize;
        let mut misaligned = false;
        for f in fields.chunks_exact(3) {
            let (num, size, base) = (f[0], f[1], f[2]);
            if convert::base_type_size(base).is_some_and(|b| !size.is_multiple_of(b)) {
                misaligned = true;
            }
            if let Some(slot) = convert::slot_for(global, num) {
                ops.push(FieldOp {
                    slot,
                    // A body is at most 255 * 255 * 2 bytes; offsets fit in u16 only up to
                    // 65535: a field beyond that is never read (`read_value` finds no bytes).
                    offset: u16::try_from(offset).unwrap_or(u16::MAX),
                    size,
                    kind: Kind::of(base, size),
                });
            }
            offset += usize::from(size);
        }
        let fixed_size = offset;
        for f in dev_fields.chunks_exact(3) {
            dev.push(DevOp {
                key: (f[2], f[0]),
                offset: u16::try_from(offset).unwrap_or(u16::MAX),
                size: f[1],
            });
            offset += usize::from(f[1]);
        }
        self.plans[local] = Some(Plan {
            global,
            big_endian,
            fixed_size,
            size: offset,
            ops,
            dev,
            raw: (pos, end),
            misaligned,
            fed: false,
            dev_gen: None,
            undescribed: false,
            bad_dev_size: false,
            power,
        });
        Step::Next(end)
    }

    /// Read the data message at `pos`.
    fn data(&mut self, pos: usize, h: u8, c: &mut Collected) -> Step {
        let (local, time_offset) = if h & 0x80 != 0 {
            ((h >> 5) & 0x03, Some(h & 0x1F))
        } else {
            (h & 0x0F, None)
        };
        let Some(plan) = self.plans[usize::from(local)].as_mut() else {
            return Step::Break(format!("data message of undefined local type {local}"));
        };
        plan.resolve(&self.part);
        let size = 1 + plan.size;
        let end = pos + size;
        if plan.bad_dev_size {
            // fitparser 0.11 would read past such a field (and can overflow): never hand it over.
            return if end <= self.limit {
                Step::Skip {
                    size,
                    why: BAD_DEV_SIZE.to_string(),
                }
            } else {
                Step::Break(BAD_DEV_SIZE.to_string())
            };
        }
        if end > self.win.len() {
            return Step::Break(why_cut(self.win.len(), pos, plan, &self.part));
        }
        if plan.undescribed {
            return if pos < self.data_end && end <= self.limit {
                Step::Skip {
                    size,
                    why: UNDESCRIBED.to_string(),
                }
            } else {
                Step::Break(format!("undecodable message: {UNDESCRIBED}"))
            };
        }
        let global = plan.global;
        if self.path == RecordPath::Fast && !messages::needs_profile(global) {
            let body = &self.win[pos + 1..end];
            let mut f: Fields = [None; slot::N];
            for op in &plan.ops {
                if let Some(v) = convert::read_value(body, op, plan.big_endian) {
                    f[usize::from(op.slot)] = Some(v);
                }
            }
            let ts = match time_offset {
                Some(o) => c
                    .base_ts
                    .map(|b| convert::resolve_compressed_timestamp(b, o)),
                None => convert::ts_from(f[usize::from(slot::TS)]),
            };
            if ts.is_some() {
                c.base_ts = ts;
            }
            match global {
                MESG_RECORD => {
                    let mut sample = convert::sample(&f, ts, &mut c.distance_acc);
                    if sample.power_w.is_none() && !plan.power.is_empty() {
                        sample.power_w = plan.dev_power(body);
                    }
                    c.push_record(ts, sample, self.limit.saturating_sub(end), size);
                }
                MESG_ACTIVITY => messages::activity(f[usize::from(slot::LOCAL_TS)], ts, c),
                _ => {}
            }
            return Step::Next(end);
        }
        match self.profile_message(local, pos, end) {
            Ok(msg) => {
                if let Some(proc) = self.proc.as_mut() {
                    messages::handle_data(proc, msg, pos, &mut self.part, c);
                }
                Step::Next(end)
            }
            Err(step) => step,
        }
    }

    /// Hand the data message `pos..end` (and, once, its definition) to fitparser.
    fn profile_message(
        &mut self,
        local: u8,
        pos: usize,
        end: usize,
    ) -> Result<FitDataMessage, Step> {
        let win = self.win;
        let proc = match &mut self.proc {
            Some(p) => p,
            None => {
                let mut p = FitStreamProcessor::new();
                p.add_option(DecodeOption::SkipHeaderCrcValidation);
                p.add_option(DecodeOption::SkipDataCrcValidation);
                // A header whose data size covers any part: the processor then takes every
                // message it is given as one of this part's, never as a CRC or a new header.
                let mut h = vec![12, self.proto, self.profile[0], self.profile[1]];
                h.extend_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
                h.extend_from_slice(b".FIT");
                if !matches!(next_object(&mut p, &h), Some(Ok((_, FitObject::Header(_))))) {
                    return Err(Step::Break("FIT decoder rejected a header".to_string()));
                }
                self.proc.insert(p)
            }
        };
        let Some(plan) = self.plans[usize::from(local)].as_mut() else {
            return Err(Step::Break(format!(
                "data message of undefined local type {local}"
            )));
        };
        if !plan.fed {
            let mut def = win.get(plan.raw.0..plan.raw.1).unwrap_or(&[]).to_vec();
            if plan.misaligned {
                quiet_misaligned(&mut def);
            }
            match next_object(proc, &def) {
                Some(Ok((_, FitObject::DefinitionMessage(_)))) => plan.fed = true,
                _ => {
                    return Err(Step::Break(
                        "FIT decoder could not read a definition".to_string(),
                    ))
                }
            }
        }
        let size = end - pos;
        match next_object(proc, win.get(pos..end).unwrap_or(&[])) {
            Some(Ok((_, FitObject::DataMessage(msg)))) => Ok(msg),
            Some(Ok(_)) => Err(Step::Break("FIT decoder read no data message".to_string())),
            Some(Err(e)) => {
                let why = match *e {
                    ErrorKind::UnexpectedEof(_) => {
                        return Err(Step::Break(TRUNCATED_MID_MESSAGE.to_string()))
                    }
                    // fitparser (via nom) reports a developer field without a description as
                    // `Fail`.
                    ErrorKind::ParseError(_, kind) if format!("{kind:?}") == "Fail" => {
                        UNDESCRIBED.to_string()
                    }
                    ErrorKind::ParseError(_, kind) => format!("parse error ({kind:?})"),
                    ref o => o.to_string(),
                };
                Err(if pos < self.data_end && end <= self.limit {
                    Step::Skip { size, why }
                } else {
                    Step::Break(format!("undecodable message: {why}"))
                })
            }
            None => Err(Step::Break(
                "FIT decoder panicked on this message".to_string(),
            )),
        }
    }
}

/// Why a data message at `pos` that does not fit in the part (`win_len` bytes) cannot be read,
/// as fitparser would say it: its regular fields are read first, then each developer field
/// (which needs its description) in turn.
fn why_cut(win_len: usize, pos: usize, plan: &Plan, part: &PartState) -> String {
    let have = win_len.saturating_sub(pos + 1);
    if plan.fixed_size <= have {
        for d in &plan.dev {
            if !part.dev_fields.contains_key(&d.key) {
                return format!("undecodable message: {UNDESCRIBED}");
            }
            if usize::from(d.offset) + usize::from(d.size) > have {
                break;
            }
        }
    }
    TRUNCATED_MID_MESSAGE.to_string()
}

/// In a copy of a definition message, declare every field whose size is not a multiple of its
/// base type as `byte` (0x0D), which is what fitparser reads it as anyway, but without printing
/// an `ERROR: field size ...` line to stderr.
fn quiet_misaligned(def: &mut [u8]) {
    let n = def.get(5).map_or(0, |n| usize::from(*n));
    for i in 0..n {
        let at = 6 + 3 * i;
        if let (Some(&size), Some(&base)) = (def.get(at + 1), def.get(at + 2)) {
            if convert::base_type_size(base).is_some_and(|b| !size.is_multiple_of(b)) {
                def[at + 2] = 0x0D;
            }
        }
    }
}

/// `deserialize_next`, with any panic inside fitparser turned into `None`.
fn next_object<'a>(
    proc: &mut FitStreamProcessor,
    input: &'a [u8],
) -> Option<fitparser::Result<(&'a [u8], FitObject)>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        proc.deserialize_next(input)
    }))
    .ok()
}
