//! Evidence grades, citations and advice per code. Advice paraphrases the seed article's tips
//! in our own words; citations are from docs/flags.md.

use super::Code;

pub(super) fn evidence(code: Code) -> &'static str {
    match code {
        Code::OtSpike => "cohort study (5,205 runners; hazard rate ratio 1.64 / 1.52 / 2.28 by tier)",
        Code::OtRamp10 => "RCT found no effect (20.8% vs 20.3% injured)",
        Code::OtRamp2w => {
            "cohort study (HR 1.59, 95% CI 0.96-2.66, distance-related injuries only; overall no difference)"
        }
        Code::OtAcwr => {
            "team-sport cohorts; thresholds disputed, no positive association in a runner cohort"
        }
        Code::OtMonotony => "small observational study (n = 25); 2.0 is an operational threshold",
        Code::OtStrain => {
            "small observational study (n = 25); personal 90th percentile is an expert heuristic"
        }
        Code::WuNone | Code::WuShort => {
            "meta-analysis shows a performance benefit; injury evidence weak (expert heuristic)"
        }
        Code::HeatLong => "position stand and race guidance (expert consensus)",
        Code::HeatSweat => "position stand (expert consensus); loss is a model estimate",
        Code::HeatAcclim => "consensus statement (expert heuristic)",
        Code::ElLong => "position stand (expert consensus); benefit for cramps unproven",
        Code::DhSpike | Code::DhNew => {
            "review of lab studies (muscle damage, repeated-bout effect); threshold is an expert heuristic"
        }
        Code::StLow => "meta-analysis of RCTs (RR 0.338 with strength training)",
        Code::FwSingle => "cohort study (HR 0.614 when using several pairs)",
        Code::FwKm => "lab wear test; the replacement distance is a convention",
        Code::FwNew => "expert heuristic",
    }
}

pub(super) fn source(code: Code) -> &'static str {
    match code {
        Code::OtSpike => "Frandsen et al. 2025, Br J Sports Med (Garmin-RUNSAFE)",
        Code::OtRamp10 => "Buist et al. 2008, Am J Sports Med 36(1):33-39",
        Code::OtRamp2w => "Nielsen et al. 2014, J Orthop Sports Phys Ther 44(10):739-747",
        Code::OtAcwr => {
            "Williams et al. 2017, Br J Sports Med 51(3):209-210; Gabbett 2016, Br J Sports Med 50:273-280; caveats: Impellizzeri et al. 2020, IJSPP; Frandsen et al. 2025"
        }
        Code::OtMonotony | Code::OtStrain => "Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
        Code::WuNone | Code::WuShort => {
            "Fradkin et al. 2010, J Strength Cond Res 24(1):140-148; Bishop 2003, Sports Med 33(7):483-498"
        }
        Code::HeatLong => {
            "ACSM 1984 and Armstrong et al. 1996, Med Sci Sports Exerc 28(12) (WBGT flags); Rothfusz 1990, NWS SR 90-23 (heat index)"
        }
        Code::HeatSweat => {
            "Sawka et al. 2007, Med Sci Sports Exerc 39(2):377-390; Gonzalez et al. 2009, J Appl Physiol 107(2):379-388"
        }
        Code::HeatAcclim => {
            "Binkley et al. 2002 (NATA), J Athl Train 37(3):329-343; Periard et al. 2015, Scand J Med Sci Sports 25(S1):20-38"
        }
        Code::ElLong => "Sawka et al. 2007, Med Sci Sports Exerc 39(2):377-390",
        Code::DhSpike | Code::DhNew => {
            "Bontemps et al. 2020, Sports Med 50(12):2083-2110; Maeo et al. 2017, Sci Rep 7:5769"
        }
        Code::StLow => "Lauersen et al. 2018, Br J Sports Med 52(24):1557-1563",
        Code::FwSingle => "Malisoux et al. 2015, Scand J Med Sci Sports 25(1):110-115",
        Code::FwKm => "Cook et al. 1985, Am J Sports Med 13(4):248-253",
        Code::FwNew => "coaching convention (gradual shoe change); Malisoux et al. 2015 on rotation",
    }
}

pub(super) fn advice(code: Code) -> &'static str {
    match code {
        Code::OtSpike => {
            "Make your longest run grow in small steps instead of one big jump, so the calves can adapt."
        }
        Code::OtRamp10 | Code::OtRamp2w | Code::OtAcwr => {
            "Add distance and intensity a little at a time, and plan an easier week after a big one."
        }
        Code::OtMonotony | Code::OtStrain => {
            "Mix easy and hard days and keep real rest days, so the calf muscles get time to repair."
        }
        Code::WuNone | Code::WuShort => {
            "Before a hard session, walk briskly or jog easily for several minutes, do leg swings and calf raises, then raise the pace step by step."
        }
        Code::HeatLong => {
            "In the heat, drink before, during and after, and shorten, slow down or move the long run to a cooler hour."
        }
        Code::HeatSweat => {
            "Drink during hot runs and refill afterwards; weighing yourself before and after shows how much you lose."
        }
        Code::HeatAcclim => {
            "Return to the heat gradually: keep the first hot sessions short and easy and drink well."
        }
        Code::ElLong => {
            "On long hot runs take a sports drink or salts with sodium, potassium and magnesium rather than plain water alone."
        }
        Code::DhSpike | Code::DhNew => {
            "Add steep downhill running gradually; braking on descents loads the calves, and short repeated doses build tolerance."
        }
        Code::StLow => {
            "Add two or three short strength sessions a week, such as calf raises, squats and hamstring curls."
        }
        Code::FwSingle => {
            "Rotate two or more pairs of running shoes that suit your foot and gait, to vary how the load is spread."
        }
        Code::FwKm => {
            "Check the shoe's cushioning and support; a worn-out shoe puts more stress on the calves, so consider replacing it."
        }
        Code::FwNew => {
            "Break new shoes in gradually: alternate them with your old pair for a couple of weeks, especially if the drop or cushioning differs."
        }
    }
}
