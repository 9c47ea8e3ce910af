//! A flag's message as typed parts: calfguard's own words and quantities that know their unit.
//!
//! The rules never write a number with a unit into text. A message is a sentence whose numbers
//! are [`Quantity`] values (a distance in metres, a temperature in °C, ...); the report turns it
//! into text in the reader's units (`report::format::render`), so that `--units imperial` shows
//! miles, feet and °F everywhere and never touches text taken from a file, such as a shoe's name.

use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A number with what it measures (SI inside), and how many decimals a person reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// A distance run: km or mi.
    Distance {
        /// Metres.
        m: f64,
        /// Decimals in km (at least one in mi).
        decimals: usize,
    },
    /// A height difference (ascent, descent): m or ft.
    Elevation {
        /// Metres.
        m: f64,
        /// Decimals.
        decimals: usize,
    },
    /// A temperature: °C or °F.
    Temperature {
        /// Degrees Celsius.
        c: f64,
        /// Decimals.
        decimals: usize,
    },
    /// A pace: min/km or min/mi.
    Pace {
        /// Seconds per kilometre.
        s_per_km: f64,
    },
    /// A duration in minutes, the number alone (the sentence says "minute").
    Minutes {
        /// Minutes.
        min: f64,
        /// Decimals.
        decimals: usize,
    },
    /// A percentage, written with `%`.
    Percent {
        /// Percent.
        pct: f64,
        /// Decimals.
        decimals: usize,
    },
    /// A number without a unit (a ratio, a load).
    Number {
        /// The value.
        v: f64,
        /// Decimals.
        decimals: usize,
    },
    /// A count.
    Count(i64),
    /// A local date, `YYYY-MM-DD`.
    Date(NaiveDate),
    /// One of calfguard's own words chosen by data (a heat band's name).
    Word(&'static str),
    /// Text from a file, the configuration or a side input (a shoe's name): shown as it is,
    /// never converted; escaped where the output format needs it.
    Name(String),
}

impl Quantity {
    /// A distance of `m` metres, shown with `decimals` decimals in km.
    pub fn distance(m: f64, decimals: usize) -> Quantity {
        Quantity::Distance { m, decimals }
    }

    /// A height difference of `m` metres.
    pub fn elevation(m: f64, decimals: usize) -> Quantity {
        Quantity::Elevation { m, decimals }
    }

    /// A temperature of `c` °C.
    pub fn temperature(c: f64, decimals: usize) -> Quantity {
        Quantity::Temperature { c, decimals }
    }

    /// A duration of `min` minutes.
    pub fn minutes(min: f64, decimals: usize) -> Quantity {
        Quantity::Minutes { min, decimals }
    }

    /// A percentage.
    pub fn percent(pct: f64, decimals: usize) -> Quantity {
        Quantity::Percent { pct, decimals }
    }

    /// A number without a unit.
    pub fn number(v: f64, decimals: usize) -> Quantity {
        Quantity::Number { v, decimals }
    }

    /// A count.
    pub fn count(n: impl TryInto<i64>) -> Quantity {
        Quantity::Count(n.try_into().unwrap_or(i64::MAX))
    }

    /// Text from a file or the configuration.
    pub fn name(s: &str) -> Quantity {
        Quantity::Name(s.to_string())
    }

    /// The value that orders two quantities of one kind (see [`Message`]'s order).
    fn key(&self) -> (u8, f64, &str) {
        match self {
            Quantity::Distance { m, .. } => (0, *m, ""),
            Quantity::Elevation { m, .. } => (1, *m, ""),
            Quantity::Temperature { c, .. } => (2, *c, ""),
            Quantity::Pace { s_per_km } => (3, *s_per_km, ""),
            Quantity::Minutes { min, .. } => (4, *min, ""),
            Quantity::Percent { pct, .. } => (5, *pct, ""),
            Quantity::Number { v, .. } => (6, *v, ""),
            Quantity::Count(n) => (7, *n as f64, ""),
            Quantity::Date(d) => (8, f64::from(d.num_days_from_ce()), ""),
            Quantity::Word(w) => (9, 0.0, w),
            Quantity::Name(s) => (10, 0.0, s),
        }
    }
}

/// One part of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// calfguard's own words.
    Text(Cow<'static, str>),
    /// A quantity, rendered in the reader's units.
    Value(Quantity),
}

/// A flag's message: calfguard's words and typed quantities (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    parts: Vec<Part>,
}

/// What fills a `{}` of a template: a quantity or a whole message.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// A quantity.
    Value(Quantity),
    /// A message, spliced in.
    Message(Message),
}

impl From<Quantity> for Arg {
    fn from(q: Quantity) -> Arg {
        Arg::Value(q)
    }
}

impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Message(m)
    }
}

impl Message {
    /// A message from a template whose `{}` are filled with `args` in order (a `{}` without an
    /// argument stays as it is written; arguments without a `{}` are left out).
    pub fn new(template: &str, args: impl IntoIterator<Item = Arg>) -> Message {
        let mut parts = Vec::new();
        let mut args = args.into_iter();
        let mut rest = template;
        while let Some(i) = rest.find("{}") {
            let Some(arg) = args.next() else { break };
            if i > 0 {
                parts.push(Part::Text(Cow::Owned(rest[..i].to_string())));
            }
            match arg {
                Arg::Value(q) => parts.push(Part::Value(q)),
                Arg::Message(m) => parts.extend(m.parts),
            }
            rest = &rest[i + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(Cow::Owned(rest.to_string())));
        }
        Message { parts }
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The names (file or configuration text) the message quotes.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Value(Quantity::Name(s)) => Some(s.as_str()),
            _ => None,
        })
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message {
            parts: vec![Part::Text(Cow::Owned(text.to_string()))],
        }
    }
}

impl Eq for Message {}

impl PartialOrd for Message {
    fn partial_cmp(&self, other: &Message) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A total order for sorting flags deterministically: part by part, words as text, quantities
/// by kind then value.
impl Ord for Message {
    fn cmp(&self, other: &Message) -> Ordering {
        let key = |p: &Part| match p {
            Part::Text(t) => (0u8, 0u8, 0.0, t.as_ref().to_string()),
            Part::Value(q) => {
                let (kind, v, s) = q.key();
                (1, kind, v, s.to_string())
            }
        };
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let (a, b) = (key(a), key(b));
            let o =
                a.0.cmp(&b.0)
                    .then(a.1.cmp(&b.1))
                    .then(a.2.total_cmp(&b.2))
                    .then_with(|| a.3.cmp(&b.3));
            if o != Ordering::Equal {
                return o;
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}

/// `message!("A {}-minute run ({}).", q1, m2)`: [`Message::new`] with each argument turned into
/// an [`Arg`].
macro_rules! message {
    ($template:expr $(, $arg:expr)* $(,)?) => {
        $crate::flags::message::Message::new(
            $template,
            [$($crate::flags::message::Arg::from($arg)),*],
        )
    };
}
pub(crate) use message;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_and_splice() {
        let inner = message!("WBGT {}", Quantity::temperature(29.8, 1));
        let m = message!(
            "A {}-minute run ({}) in \"{}\".",
            Quantity::minutes(72.0, 0),
            inner,
            Quantity::name("Trail 10 km racer")
        );
        assert_eq!(m.parts().len(), 8);
        assert_eq!(m.names().collect::<Vec<_>>(), ["Trail 10 km racer"]);
        assert_eq!(message!("no args"), Message::from("no args"));
        let a = message!("shoe {}", Quantity::name("A"));
        let b = message!("shoe {}", Quantity::name("B"));
        assert!(a < b);
        let near = message!("{} km", Quantity::distance(9_500.0, 1));
        let far = message!("{} km", Quantity::distance(10_200.0, 1));
        assert!(near < far, "by value, not by text");
    }
}
