//! Calf-risk flag rules over periods.
//!
//! [`analyse`] builds the periods ([`crate::periods::build()`]), runs every rule and returns the
//! flags (one [`Flag`] per raised rule), the weeks with their `flags` column filled, and the
//! [`NotJudged`] notes that say which rules could not be judged and why. Every rule, its
//! formula, threshold, evidence and source is documented in `docs/flags.md`.
//!
//! Output is deterministic: facts are sorted before use, and flags and notes are sorted.

pub mod message;
mod rules;

pub use message::{Message, Quantity};

use crate::periods::{self, ActivityFacts, PeriodParams, Periods};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, BTreeSet};

/// A stable flag code; its name, category, unit, evidence, source and advice are its row of
/// [`CODES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// `OT-SPIKE`: a run longer than the longest run of the previous 30 days.
    OtSpike,
    /// `OT-RAMP10`: weekly running distance up more than 10 % (context only since wave 2: never
    /// raised).
    OtRamp10,
    /// `OT-RAMP2W`: two-week running distance up more than 30 %.
    OtRamp2w,
    /// `OT-ACWR`: EWMA acute:chronic load ratio over 2.0 on the week's last day.
    OtAcwr,
    /// `OT-MONOTONY`: Foster monotony over 2.0 (context only since wave 2: never raised; it is
    /// OT-STRAIN's second condition).
    OtMonotony,
    /// `OT-STRAIN`: Foster strain above the athlete's own 90th percentile, monotony ≥ 1.5.
    OtStrain,
    /// `WU-NONE`: hard runs started without warm-up, as a pattern (3 of the last 4).
    WuNone,
    /// `WU-SHORT`: hard runs started after a too-short warm-up, as a pattern.
    WuShort,
    /// `HEAT-LONG`: a long run in the heat.
    HeatLong,
    /// `HEAT-SWEAT`: estimated sweat loss over 2 % of body mass.
    HeatSweat,
    /// `HEAT-ACCLIM`: one of the first hot runs after two weeks or more without heat.
    HeatAcclim,
    /// `EL-LONG`: a hot run of 90 minutes or more (folded into HEAT-LONG's advice since wave 2:
    /// never raised).
    ElLong,
    /// `DH-SPIKE`: weekly steep descent over 1.3 × the largest of the previous 4 weeks.
    DhSpike,
    /// `DH-NEW`: steep descent after 4 weeks with none.
    DhNew,
    /// `ST-LOW`: fewer than one strength session a week over 4 weeks (context only since wave 2:
    /// never raised; the summary states the sessions of the last 4 weeks).
    StLow,
    /// `FW-SINGLE`: every run of the last 4 weeks in the same pair of shoes.
    FwSingle,
    /// `FW-KM`: a shoe passed its replacement distance.
    FwKm,
    /// `FW-NEW`: a new pair of shoes carried most of a week's running.
    FwNew,
}

/// The unit of a flag's value and threshold (`docs/flags.md`); the report shows it in the
/// reader's units (`report::format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Percent.
    Percent,
    /// A ratio.
    Ratio,
    /// Training load (TRIMP units).
    Load,
    /// Percent of HRmax.
    PercentHrMax,
    /// Minutes.
    Minutes,
    /// Percent of body mass.
    PercentBodyMass,
    /// Days.
    Days,
    /// A height difference, metres (shown in m or ft).
    Elevation,
    /// Sessions a week.
    SessionsPerWeek,
    /// Pairs of shoes.
    Pairs,
    /// A distance, kilometres (shown in km or mi).
    Distance,
    /// Percent of the week's running distance.
    PercentOfWeek,
}

/// Everything fixed about a flag code: one row of [`CODES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// The code as written in CSV (`OT-SPIKE`).
    pub name: &'static str,
    /// Its category.
    pub category: Category,
    /// The unit of its value and threshold.
    pub unit: Unit,
    /// What the studies behind the rule show (an evidence grade).
    pub evidence: &'static str,
    /// The citation (full references in `docs/flags.md`).
    pub source: &'static str,
    /// What to do, paraphrased from the seed article's tips in our own words.
    pub advice: &'static str,
}

/// The one table of flag codes, in documentation order (the order of [`Code`]). A new flag
/// family is a [`Code`] variant, a row here and one file of rules (`flags/rules/`).
pub const CODES: [CodeInfo; 18] = [
    CodeInfo {
        code: Code::OtSpike,
        name: "OT-SPIKE",
        category: Category::Overtraining,
        unit: Unit::Percent,
        evidence: "cohort study (5,205 runners; hazard rate ratio 1.64 / 1.52 / 2.28 by tier)",
        source: "Frandsen et al. 2025, Br J Sports Med (Garmin-RUNSAFE)",
        advice: "Make your longest run grow in small steps instead of one big jump, so the calves can adapt.",
    },
    CodeInfo {
        code: Code::OtRamp10,
        name: "OT-RAMP10",
        category: Category::Overtraining,
        unit: Unit::Percent,
        evidence: "RCT found no effect (20.8% vs 20.3% injured); context only, never raised",
        source: "Buist et al. 2008, Am J Sports Med 36(1):33-39",
        advice: "Add distance and intensity a little at a time, and plan an easier week after a big one.",
    },
    CodeInfo {
        code: Code::OtRamp2w,
        name: "OT-RAMP2W",
        category: Category::Overtraining,
        unit: Unit::Percent,
        evidence: "cohort study (HR 1.59, 95% CI 0.96-2.66, distance-related injuries only; overall no difference)",
        source: "Nielsen et al. 2014, J Orthop Sports Phys Ther 44(10):739-747",
        advice: "Add distance and intensity a little at a time, and plan an easier week after a big one.",
    },
    CodeInfo {
        code: Code::OtAcwr,
        name: "OT-ACWR",
        category: Category::Overtraining,
        unit: Unit::Ratio,
        evidence: "team-sport cohorts; thresholds disputed, no positive association in a runner cohort",
        source: "Williams et al. 2017, Br J Sports Med 51(3):209-210; Murray et al. 2017, Br J Sports Med 51(9):749-754 (over 2.0); caveats: Impellizzeri et al. 2020, IJSPP; Frandsen et al. 2025",
        advice: "Add distance and intensity a little at a time, and plan an easier week after a big one.",
    },
    CodeInfo {
        code: Code::OtMonotony,
        name: "OT-MONOTONY",
        category: Category::Overtraining,
        unit: Unit::Ratio,
        evidence: "small observational study (n = 25); 2.0 is an operational threshold; context only, never raised (OT-STRAIN's second condition)",
        source: "Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
        advice: "Mix easy and hard days and keep real rest days, so the calf muscles get time to repair.",
    },
    CodeInfo {
        code: Code::OtStrain,
        name: "OT-STRAIN",
        category: Category::Overtraining,
        unit: Unit::Load,
        evidence: "small observational study (n = 25); personal 90th percentile is an expert heuristic",
        source: "Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
        advice: "Mix easy and hard days and keep real rest days, so the calf muscles get time to repair.",
    },
    CodeInfo {
        code: Code::WuNone,
        name: "WU-NONE",
        category: Category::Warmup,
        unit: Unit::Percent,
        evidence: "meta-analysis shows a performance benefit; injury evidence weak (expert heuristic)",
        source: "Fradkin et al. 2010, J Strength Cond Res 24(1):140-148; Bishop 2003, Sports Med 33(7):483-498",
        advice: "Before a hard session, walk briskly or jog easily for several minutes, do leg swings and calf raises, then raise the pace step by step.",
    },
    CodeInfo {
        code: Code::WuShort,
        name: "WU-SHORT",
        category: Category::Warmup,
        unit: Unit::Percent,
        evidence: "meta-analysis shows a performance benefit; injury evidence weak (expert heuristic)",
        source: "Fradkin et al. 2010, J Strength Cond Res 24(1):140-148; Bishop 2003, Sports Med 33(7):483-498",
        advice: "Before a hard session, walk briskly or jog easily for several minutes, do leg swings and calf raises, then raise the pace step by step.",
    },
    CodeInfo {
        code: Code::HeatLong,
        name: "HEAT-LONG",
        category: Category::Heat,
        unit: Unit::Minutes,
        evidence: "position stand and race guidance (expert consensus)",
        source: "ACSM 1984 and Armstrong et al. 1996, Med Sci Sports Exerc 28(12) (WBGT flags); Rothfusz 1990, NWS SR 90-23 (heat index)",
        advice: "In the heat, drink before, during and after, and shorten, slow down or move the long run to a cooler hour; on runs of 90 minutes or more take a sports drink or salts with sodium rather than plain water alone.",
    },
    CodeInfo {
        code: Code::HeatSweat,
        name: "HEAT-SWEAT",
        category: Category::Heat,
        unit: Unit::PercentBodyMass,
        evidence: "position stand (expert consensus); loss is a model estimate",
        source: "Sawka et al. 2007, Med Sci Sports Exerc 39(2):377-390; Gonzalez et al. 2009, J Appl Physiol 107(2):379-388",
        advice: "Drink during hot runs and refill afterwards; weighing yourself before and after shows how much you lose.",
    },
    CodeInfo {
        code: Code::HeatAcclim,
        name: "HEAT-ACCLIM",
        category: Category::Heat,
        unit: Unit::Days,
        evidence: "consensus statement (expert heuristic)",
        source: "Binkley et al. 2002 (NATA), J Athl Train 37(3):329-343; Periard et al. 2015, Scand J Med Sci Sports 25(S1):20-38",
        advice: "Return to the heat gradually: keep the first hot sessions short and easy and drink well.",
    },
    CodeInfo {
        code: Code::ElLong,
        name: "EL-LONG",
        category: Category::Electrolytes,
        unit: Unit::Minutes,
        evidence: "position stand (expert consensus); benefit for cramps unproven; folded into HEAT-LONG, never raised",
        source: "Sawka et al. 2007, Med Sci Sports Exerc 39(2):377-390",
        advice: "On long hot runs take a sports drink or salts with sodium, potassium and magnesium rather than plain water alone.",
    },
    CodeInfo {
        code: Code::DhSpike,
        name: "DH-SPIKE",
        category: Category::Downhill,
        unit: Unit::Elevation,
        evidence: "review of lab studies (muscle damage, repeated-bout effect); threshold is an expert heuristic",
        source: "Bontemps et al. 2020, Sports Med 50(12):2083-2110; Maeo et al. 2017, Sci Rep 7:5769",
        advice: "Add steep downhill running gradually; braking on descents loads the calves, and short repeated doses build tolerance.",
    },
    CodeInfo {
        code: Code::DhNew,
        name: "DH-NEW",
        category: Category::Downhill,
        unit: Unit::Elevation,
        evidence: "review of lab studies (muscle damage, repeated-bout effect); threshold is an expert heuristic",
        source: "Bontemps et al. 2020, Sports Med 50(12):2083-2110; Maeo et al. 2017, Sci Rep 7:5769",
        advice: "Add steep downhill running gradually; braking on descents loads the calves, and short repeated doses build tolerance.",
    },
    CodeInfo {
        code: Code::StLow,
        name: "ST-LOW",
        category: Category::Strength,
        unit: Unit::SessionsPerWeek,
        evidence: "meta-analysis of RCTs (RR 0.338 with strength training); an export holds only the sessions someone recorded, so context only, never raised",
        source: "Lauersen et al. 2018, Br J Sports Med 52(24):1557-1563",
        advice: "Add two or three short strength sessions a week, such as calf raises, squats and hamstring curls.",
    },
    CodeInfo {
        code: Code::FwSingle,
        name: "FW-SINGLE",
        category: Category::Footwear,
        unit: Unit::Pairs,
        evidence: "cohort study (HR 0.614 when using several pairs)",
        source: "Malisoux et al. 2015, Scand J Med Sci Sports 25(1):110-115",
        advice: "Rotate two or more pairs of running shoes that suit your foot and gait, to vary how the load is spread.",
    },
    CodeInfo {
        code: Code::FwKm,
        name: "FW-KM",
        category: Category::Footwear,
        unit: Unit::Distance,
        evidence: "lab wear test; the replacement distance is a convention",
        source: "Cook et al. 1985, Am J Sports Med 13(4):248-253",
        advice: "Check the shoe's cushioning and support; a worn-out shoe puts more stress on the calves, so consider replacing it.",
    },
    CodeInfo {
        code: Code::FwNew,
        name: "FW-NEW",
        category: Category::Footwear,
        unit: Unit::PercentOfWeek,
        evidence: "expert heuristic",
        source: "coaching convention (gradual shoe change); Malisoux et al. 2015 on rotation",
        advice: "Break new shoes in gradually: alternate them with your old pair for a couple of weeks, especially if the drop or cushioning differs.",
    },
];

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; CODES.len()] = {
        let mut all = [Code::OtSpike; CODES.len()];
        let mut i = 0;
        while i < CODES.len() {
            all[i] = CODES[i].code;
            i += 1;
        }
        all
    };

    /// The code's row of [`CODES`].
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }

    /// The code as written in CSV.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The code's category.
    pub fn category(self) -> Category {
        self.info().category
    }

    /// The unit of the code's value and threshold.
    pub fn unit(self) -> Unit {
        self.info().unit
    }

    /// What the studies behind the rule show (an evidence grade).
    pub fn evidence(self) -> &'static str {
        self.info().evidence
    }

    /// The citation.
    pub fn source(self) -> &'static str {
        self.info().source
    }

    /// What to do, paraphrased from the seed article's tips.
    pub fn advice(self) -> &'static str {
        self.info().advice
    }
}

/// A flag's category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Load and its changes.
    Overtraining,
    /// Warm-up before hard runs.
    Warmup,
    /// Heat and dehydration.
    Heat,
    /// Electrolyte loss.
    Electrolytes,
    /// Eccentric downhill load.
    Downhill,
    /// Strength training.
    Strength,
    /// Shoes.
    Footwear,
}

impl Category {
    /// The category as written in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Overtraining => "overtraining",
            Category::Warmup => "warmup",
            Category::Heat => "heat",
            Category::Electrolytes => "electrolytes",
            Category::Downhill => "downhill",
            Category::Strength => "strength",
            Category::Footwear => "footwear",
        }
    }
}

/// How much a flag matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing.
    Low,
    /// Worth changing.
    Medium,
    /// Change it.
    High,
}

impl Severity {
    /// The severity as written in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One raised flag; one row of `flags.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    /// ISO week of `date` (`2026-W07`).
    pub period: String,
    /// The triggering run's local date, or the week's Sunday for weekly rules (the day of the
    /// highest ratio for `OT-ACWR`).
    pub date: NaiveDate,
    /// The code (category, evidence, source and advice follow from it).
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// The measured number (unit in `docs/flags.md`).
    pub value: Option<f64>,
    /// The threshold it was compared with.
    pub threshold: Option<f64>,
    /// The window the value covers.
    pub window: String,
    /// Fraction of the window's activities that had the data the rule needs.
    pub coverage: Option<f64>,
    /// The triggering activity's source, where there is one.
    pub activity: String,
    /// One plain sentence with the numbers, as typed parts (the report renders them).
    pub message: Message,
    /// The triggering activity's local start, for per-run rules.
    pub activity_start_local: Option<NaiveDateTime>,
    /// The triggering activity's distance, metres, for per-run rules.
    pub activity_distance_m: Option<f64>,
    /// The week's headline: its strongest flag ([`headline_order`]); one per week with flags.
    pub headline: bool,
}

/// The order that picks a week's headline: higher severity first, then the code's place in
/// [`CODES`] (documentation order: load before warm-up, heat, downhill, strength and shoes),
/// then the earlier date, then the activity.
pub fn headline_order(a: &Flag, b: &Flag) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then((a.code as usize).cmp(&(b.code as usize)))
        .then(a.date.cmp(&b.date))
        .then(a.activity.cmp(&b.activity))
}

/// Mark one headline flag per week ([`headline_order`]).
fn mark_headlines(flags: &mut [Flag]) {
    let mut best: BTreeMap<String, usize> = BTreeMap::new();
    for (i, f) in flags.iter().enumerate() {
        let e = best.entry(f.period.clone()).or_insert(i);
        if headline_order(f, &flags[*e]) == std::cmp::Ordering::Less {
            *e = i;
        }
    }
    for i in best.into_values() {
        flags[i].headline = true;
    }
}

/// A rule that was not judged for a period, and why; written in the summary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotJudged {
    /// ISO week (`2026-W07`), or `all` for the whole history.
    pub period: String,
    /// The codes not judged, `, `-joined.
    pub what: String,
    /// Why, in plain words.
    pub why: String,
}

impl NotJudged {
    /// Whether this note says the period's heat was not judged (a wrist sensor without weather
    /// data or an offset, or no humidity): its heat minutes come from readings no heat rule
    /// trusted, so the summary and the chart do not show them.
    pub fn is_heat(&self) -> bool {
        self.what.contains(Code::HeatLong.as_str())
    }
}

/// Rule thresholds; the defaults are documented in `docs/flags.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// OT-SPIKE: days before a run searched for the longest run (30, Frandsen 2025).
    pub spike_window_days: i64,
    /// OT-SPIKE low tier: run over the longest by more than this fraction (0.10; equal to
    /// `spike_medium` by default, so there is no low tier).
    pub spike_low: f64,
    /// OT-SPIKE medium tier (0.10, Frandsen 2025).
    pub spike_medium: f64,
    /// OT-SPIKE high tier (1.00).
    pub spike_high: f64,
    /// OT-SPIKE: runs faster than this on average over their moving time are not running
    /// (a vehicle, a GPS error) and are left out, m/s (7.0; the marathon world record is 5.9).
    pub max_run_speed_mps: f64,
    /// OT-RAMP10: weekly running distance increase, % (10).
    pub ramp_weekly_pct: f64,
    /// Ramps are judged only when the previous week ran at least this many metres (10,000);
    /// the two-week ramp needs twice this in the two earlier weeks.
    pub ramp_min_base_m: f64,
    /// OT-RAMP2W: two-week running distance increase, % (30, Nielsen 2014).
    pub ramp_two_week_pct: f64,
    /// OT-RAMP2W: weeks before the two-week window whose highest two-week total the window
    /// must exceed (8).
    pub ramp_habit_weeks: usize,
    /// OT-ACWR: EWMA acute:chronic ratio on the week's last day (2.0, Murray 2017).
    pub acwr_max: f64,
    /// OT-MONOTONY: Foster monotony (2.0).
    pub monotony_max: f64,
    /// OT-STRAIN: percentile of the athlete's own previous weekly strain (90).
    pub strain_percentile: f64,
    /// OT-STRAIN: the week's monotony must be at least this (1.5, Foster 1998).
    pub strain_min_monotony: f64,
    /// OT-STRAIN: weeks of strain history looked at (12).
    pub strain_history_weeks: usize,
    /// OT-STRAIN: fewest weeks with a strain value needed to judge (4).
    pub strain_min_weeks: usize,
    /// Ramps and ratios need this many days of data since the start or a break (28).
    pub history_days: i64,
    /// Days without any activity that make a break (21).
    pub break_days: i64,
    /// WU: an easy activity that ended at most this many minutes before a hard run is its
    /// warm-up (15).
    pub warmup_link_max_gap_min: f64,
    /// WU: a separately saved warm-up counts as adequate from this many minutes (5, Bishop 2003).
    pub warmup_separate_min_min: f64,
    /// WU: hard runs longer than this many minutes are not judged (race-like), 120.
    pub warmup_max_run_min: f64,
    /// WU pattern: days looked back (28).
    pub warmup_pattern_days: i64,
    /// WU pattern: hard runs looked at (4).
    pub warmup_pattern_of: usize,
    /// WU pattern: how many of them lacked an adequate warm-up (3).
    pub warmup_pattern_poor: usize,
    /// What makes a run long or hot (the periods' classification, shared by the rules).
    pub periods: PeriodParams,
    /// HEAT-LONG is high from this WBGT, °C (28, ACSM black flag).
    pub very_hot_wbgt_c: f64,
    /// HEAT-SWEAT: estimated sweat loss, % body mass (2.0, Sawka 2007).
    pub sweat_loss_max_pct: f64,
    /// HEAT-ACCLIM: days without heat that undo acclimatisation (14).
    pub heat_gap_days: i64,
    /// HEAT-ACCLIM: hot days flagged at the start of a heat block (3).
    pub heat_acclim_days: usize,
    /// EL-LONG: hot run moving time, minutes (90); EL-LONG is folded into HEAT-LONG's advice
    /// since wave 2 and no longer raised.
    pub electrolytes_min: f64,
    /// From `[heat]`, not `[thresholds]`: a wrist temperature offset is configured, so wrist
    /// temperatures are judged (false: they are not).
    pub wrist_offset_set: bool,
    /// From `[heat]`, not `[thresholds]`: the configured fluid intake, L/h; HEAT-SWEAT is judged
    /// only with one (the estimate subtracts it).
    pub fluid_intake_l_per_h: Option<f64>,
    /// DH-SPIKE: weekly steep descent over this × the largest of the previous 4 weeks (1.3).
    pub downhill_ratio: f64,
    /// DH-SPIKE and DH-NEW: at least this many metres of steep descent in the week (150).
    pub downhill_min_m: f64,
    /// DH-*: a run's steep descent under this many metres is altitude noise and not counted (15).
    pub downhill_run_min_m: f64,
    /// DH-SPIKE mean window and DH-NEW quiet weeks (4).
    pub downhill_weeks: usize,
    /// ST-LOW: strength sessions per week (1.0).
    pub strength_per_week: f64,
    /// ST-LOW and FW-SINGLE: weeks looked at (4).
    pub strength_weeks: usize,
    /// ST-LOW: weeks before the reminder may be raised again (12).
    pub strength_repeat_weeks: usize,
    /// FW-SINGLE: fewest runs with known shoes in the 4 weeks (8).
    pub single_shoe_min_runs: usize,
    /// FW-KM: running distance of a shoe in this history, km (700).
    pub shoe_max_km: f64,
    /// FW-NEW: a pair counts as new for this many days after its first run (14).
    pub new_shoe_days: i64,
    /// FW-NEW: share of the week's running distance in the new pair, % (50).
    pub new_shoe_share_pct: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            spike_window_days: 30,
            spike_low: 0.10,
            spike_medium: 0.10,
            spike_high: 1.00,
            max_run_speed_mps: 7.0,
            ramp_weekly_pct: 10.0,
            ramp_min_base_m: 10_000.0,
            ramp_two_week_pct: 30.0,
            ramp_habit_weeks: 8,
            acwr_max: 2.0,
            monotony_max: 2.0,
            strain_percentile: 90.0,
            strain_min_monotony: 1.5,
            strain_history_weeks: 12,
            strain_min_weeks: 4,
            history_days: 28,
            break_days: 21,
            warmup_link_max_gap_min: 15.0,
            warmup_separate_min_min: 5.0,
            warmup_max_run_min: 120.0,
            warmup_pattern_days: 28,
            warmup_pattern_of: 4,
            warmup_pattern_poor: 3,
            periods: PeriodParams::default(),
            very_hot_wbgt_c: 28.0,
            sweat_loss_max_pct: 2.0,
            heat_gap_days: 14,
            heat_acclim_days: 3,
            electrolytes_min: 90.0,
            wrist_offset_set: false,
            fluid_intake_l_per_h: None,
            downhill_ratio: 1.3,
            downhill_min_m: 150.0,
            downhill_run_min_m: 15.0,
            downhill_weeks: 4,
            strength_per_week: 1.0,
            strength_weeks: 4,
            strength_repeat_weeks: 12,
            single_shoe_min_runs: 8,
            shoe_max_km: 700.0,
            new_shoe_days: 14,
            new_shoe_share_pct: 50.0,
        }
    }
}

/// Everything [`analyse`] makes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Daily series, weeks (with their `flags` filled) and months.
    pub periods: Periods,
    /// Raised flags, sorted by (date, code, activity).
    pub flags: Vec<Flag>,
    /// Rules not judged, sorted by (period, why).
    pub not_judged: Vec<NotJudged>,
}

/// Build the periods and run every rule.
pub fn analyse(facts: &[ActivityFacts], th: &Thresholds) -> Analysis {
    let mut periods = periods::build(facts, &th.periods);
    let mut out = rules::Out::default();
    rules::run_all(&periods, th, &mut out);
    let mut flags = out.flags;
    // The message orders flags of one date, code and activity (new shoes of one week) by its
    // parts ([`Message`]'s order).
    flags.sort_by(|a, b| {
        (a.date, a.code.as_str(), &a.activity, &a.message).cmp(&(
            b.date,
            b.code.as_str(),
            &b.activity,
            &b.message,
        ))
    });
    mark_headlines(&mut flags);
    for w in &mut periods.weeks {
        let codes: BTreeSet<&str> = flags
            .iter()
            .filter(|f| f.period == w.period)
            .map(|f| f.code.as_str())
            .collect();
        w.flags = codes.into_iter().map(str::to_string).collect();
    }
    let mut grouped: BTreeMap<(String, String), BTreeSet<Code>> = BTreeMap::new();
    for (period, code, why) in out.skipped {
        grouped.entry((period, why)).or_default().insert(code);
    }
    let not_judged = grouped
        .into_iter()
        .map(|((period, why), codes)| NotJudged {
            period,
            what: codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            why,
        })
        .collect();
    Analysis {
        periods,
        flags,
        not_judged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_the_codes() {
        for (i, row) in CODES.iter().enumerate() {
            assert_eq!(row.code as usize, i, "{}", row.name);
            assert_eq!(Code::ALL[i].info(), row);
        }
        let mut names: Vec<&str> = CODES.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CODES.len(), "names are unique");
    }
}
