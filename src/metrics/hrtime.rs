//! Time at each heart rate, the histogram an activity keeps until the whole run's HRmax is known
//! ([`super::profile`]).
//!
//! The counted intervals are differences of millisecond times (`span_s`), so the time
//! at a heart rate is kept as whole milliseconds: its sums are exact, whatever order they are
//! added in. Heart rates that are whole or half bpm below 256 (every real file's) are kept as
//! `2 × bpm` in a `u16`, so an entry takes 8 bytes instead of the 16 of an `(f64, f64)` pair; any
//! other heart rate (a fractional GPX value, say) keeps its `f64`. The records of a run are held
//! until its report, so this is what a run's memory grows by per activity
//! (`docs/performance.md`, "Memory").

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::iter::Peekable;

/// Keys `2 × bpm` below this are kept as `u16` (heart rates of 0.5 to 255.5 bpm).
const HALF_SLOTS: usize = 512;

/// Time at each heart rate, in whole milliseconds, ascending by heart rate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HrSeconds {
    /// `(2 × hr_bpm, ms)` of the heart rates that are whole or half bpm in 0.5..256, ascending.
    half: Vec<(u16, u32)>,
    /// `(hr_bpm, ms)` of any other heart rate, ascending in the total order (nearly always
    /// empty, so no allocation).
    other: Vec<(f64, u64)>,
}

/// Whole milliseconds of an interval of `dt_s` seconds (a difference of millisecond times, so
/// the rounding only undoes the division by 1000).
#[inline]
fn ms_of(dt_s: f64) -> u64 {
    // (negative or NaN saturate to 0; intervals are positive)
    (dt_s * 1000.0).round() as u64
}

/// The slot of a heart rate that is a whole or half bpm in range.
#[inline]
fn half_slot(hr_bpm: f64) -> Option<usize> {
    let h = hr_bpm * 2.0;
    // (a whole number in range: the cast is exact)
    ((1.0..HALF_SLOTS as f64).contains(&h) && f64::from(h as u32) == h).then_some(h as usize)
}

/// Adds up `(hr_bpm, seconds)` pairs one at a time into an [`HrSeconds`].
pub(crate) struct HrSecondsBuilder {
    half: [u64; HALF_SLOTS],
    other: Vec<(f64, u64)>,
}

impl HrSecondsBuilder {
    pub(crate) fn new() -> HrSecondsBuilder {
        HrSecondsBuilder {
            half: [0; HALF_SLOTS],
            other: Vec::new(),
        }
    }

    /// Count an interval of `dt_s` seconds at `hr_bpm`.
    #[inline]
    pub(crate) fn add(&mut self, hr_bpm: f64, dt_s: f64) {
        let ms = ms_of(dt_s);
        match half_slot(hr_bpm) {
            Some(k) => self.half[k] = self.half[k].saturating_add(ms),
            None => self.other.push((hr_bpm, ms)),
        }
    }

    pub(crate) fn finish(self) -> HrSeconds {
        let n = self.half.iter().filter(|&&ms| ms > 0).count();
        let mut half = Vec::with_capacity(n);
        for (k, &ms) in self.half.iter().enumerate() {
            if ms > 0 {
                // (49.7 days at one heart rate in one activity saturate)
                half.push((k as u16, u32::try_from(ms).unwrap_or(u32::MAX)));
            }
        }
        let mut other = self.other;
        other.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, u64)> = Vec::new();
        for (hr, ms) in other {
            match merged.last_mut() {
                Some(last) if last.0.total_cmp(&hr).is_eq() => last.1 = last.1.saturating_add(ms),
                _ if ms > 0 => merged.push((hr, ms)),
                _ => {}
            }
        }
        merged.shrink_to_fit();
        HrSeconds {
            half,
            other: merged,
        }
    }
}

impl HrSeconds {
    /// The histogram of `(hr_bpm, seconds)` pairs, in any order.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> HrSeconds {
        let mut b = HrSecondsBuilder::new();
        for (hr, dt) in pairs {
            b.add(hr, dt);
        }
        b.finish()
    }

    /// No time at any heart rate.
    pub fn is_empty(&self) -> bool {
        self.half.is_empty() && self.other.is_empty()
    }

    /// `(hr_bpm, ms)`, ascending by heart rate in the total order.
    pub fn iter_ms(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let half = self
            .half
            .iter()
            .map(|&(k, ms)| (f64::from(k) / 2.0, u64::from(ms)));
        // (the two share no heart rate)
        MergeSum {
            a: half.peekable(),
            b: self.other.iter().copied().peekable(),
        }
    }

    /// `(hr_bpm, seconds)`, ascending by heart rate.
    pub fn iter(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.iter_ms().map(seconds)
    }

    /// `(hr_bpm, seconds)` of `self` and `other` added up heart rate by heart rate, ascending.
    pub fn plus<'a>(&'a self, other: &'a HrSeconds) -> impl Iterator<Item = (f64, f64)> + 'a {
        MergeSum {
            a: self.iter_ms().peekable(),
            b: other.iter_ms().peekable(),
        }
        .map(seconds)
    }
}

fn seconds((hr, ms): (f64, u64)) -> (f64, f64) {
    (hr, ms as f64 / 1000.0)
}

/// Two ascending `(key, ms)` sequences merged into one, the times of equal keys added up.
struct MergeSum<A: Iterator<Item = (f64, u64)>, B: Iterator<Item = (f64, u64)>> {
    a: Peekable<A>,
    b: Peekable<B>,
}

impl<A: Iterator<Item = (f64, u64)>, B: Iterator<Item = (f64, u64)>> Iterator for MergeSum<A, B> {
    type Item = (f64, u64);

    fn next(&mut self) -> Option<(f64, u64)> {
        let order = match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) => x.0.total_cmp(&y.0),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => return None,
        };
        match order {
            Ordering::Less => self.a.next(),
            Ordering::Greater => self.b.next(),
            Ordering::Equal => {
                let (k, x) = self.a.next()?;
                let (_, y) = self.b.next()?;
                Some((k, x.saturating_add(y)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The histogram the plain way: a map from the heart rate's bits (in the total order) to
    /// the sum of the whole milliseconds.
    fn naive(pairs: &[(f64, f64)]) -> Vec<(u64, u64)> {
        let key = |x: f64| {
            // the total order of f64 as an ordered integer
            let b = x.to_bits() as i64;
            (b ^ ((((b >> 63) as u64) >> 1) as i64)) as i128
        };
        let mut m: BTreeMap<i128, (f64, u64)> = BTreeMap::new();
        for &(hr, dt) in pairs {
            let e = m.entry(key(hr)).or_insert((hr, 0));
            e.1 += (dt * 1000.0).round() as u64;
        }
        m.values()
            .filter(|v| v.1 > 0)
            .map(|&(hr, ms)| (hr.to_bits(), ms))
            .collect()
    }

    fn bits(it: impl Iterator<Item = (f64, u64)>) -> Vec<(u64, u64)> {
        it.map(|(hr, ms)| (hr.to_bits(), ms)).collect()
    }

    fn pair() -> impl Strategy<Value = (f64, f64)> {
        (
            prop_oneof![
                8 => (25u32..=250).prop_map(f64::from),
                2 => (50u32..=500).prop_map(|h| f64::from(h) / 2.0),
                1 => 25.0f64..250.0,
                1 => Just(300.0),
                1 => Just(0.0),
                1 => Just(-3.0),
                1 => Just(f64::NAN),
            ],
            (1u32..120_000).prop_map(|ms| f64::from(ms) / 1000.0),
        )
    }

    proptest! {
        /// Whatever the heart rates (whole, half, fractional, out of range, NaN) the histogram
        /// holds each one's exact milliseconds, ascending in the total order.
        #[test]
        fn equals_the_plain_histogram(pairs in prop::collection::vec(pair(), 0..300)) {
            let h = HrSeconds::from_pairs(pairs.iter().copied());
            prop_assert_eq!(bits(h.iter_ms()), naive(&pairs));
            prop_assert_eq!(h.is_empty(), pairs.is_empty());
        }

        /// `plus` is the histogram of both sets of pairs.
        #[test]
        fn plus_is_the_histogram_of_both(
            a in prop::collection::vec(pair(), 0..100),
            b in prop::collection::vec(pair(), 0..100),
        ) {
            let (ha, hb) = (HrSeconds::from_pairs(a.iter().copied()), HrSeconds::from_pairs(b.iter().copied()));
            let both: Vec<(f64, f64)> = a.iter().chain(&b).copied().collect();
            let want: Vec<(u64, u64)> = naive(&both)
                .into_iter()
                .map(|(hr, ms)| (hr, (ms as f64 / 1000.0).to_bits()))
                .collect();
            let got: Vec<(u64, u64)> = ha.plus(&hb).map(|(hr, s)| (hr.to_bits(), s.to_bits())).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn an_entry_takes_eight_bytes() {
        assert_eq!(std::mem::size_of::<(u16, u32)>(), 8);
        let h = HrSeconds::from_pairs([(150.0, 1.0), (150.0, 1.0), (150.5, 0.25), (151.2, 2.0)]);
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            vec![(150.0, 2.0), (150.5, 0.25), (151.2, 2.0)]
        );
    }
}
