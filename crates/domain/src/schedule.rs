//! A program's follow-up schedule: its time points (intake, 3, 6, 12 months, discharge…), each
//! with a target day and a window in days from enrolment, and the instruments given at each.
//! Program templates come with a default schedule; managers change it.

use std::collections::HashSet;

use crate::fields::{FieldErrors, required_text};
use crate::follow_up::TimePoint;
use crate::instruments;

/// A time point with the instruments administered at it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledPoint {
    pub time_point: TimePoint,
    pub instruments: Vec<String>,
}

/// A program's schedule, in time-point order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub points: Vec<ScheduledPoint>,
}

/// One time point as sent by a manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimePointInput {
    /// Stable within the program: lowercase letters, digits and `_` (`intake`, `6m`).
    pub code: Option<String>,
    pub label: Option<String>,
    /// Days from enrolment.
    pub target_day: Option<i32>,
    pub window_start_day: Option<i32>,
    pub window_end_day: Option<i32>,
    /// Instrument codes from the library (`GET /api/v1/instruments`).
    #[serde(default)]
    pub instruments: Vec<String>,
}

/// A whole schedule as sent by a manager: it replaces the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleInput {
    pub time_points: Vec<TimePointInput>,
}

/// A time point code: lowercase letters, digits and `_` (`intake`, `6m`), as assessments and
/// exclusions name it.
fn parse_code(value: Option<&str>) -> Result<String, String> {
    let code = required_text(value, 40)?;
    if code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        Ok(code)
    } else {
        Err("use only lowercase letters, digits and _".into())
    }
}

/// The longest schedule accepted (a time point a month for three years is plenty).
const MAX_POINTS: usize = 40;

impl Schedule {
    /// Checks every time point (fields named `time_points[i].field`): codes valid and unique,
    /// the window containing the target, instruments from the library and not repeated.
    pub fn parse(input: &ScheduleInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if input.time_points.len() > MAX_POINTS {
            errors.add("time_points", format!("at most {MAX_POINTS} time points"));
        }
        let mut codes = HashSet::new();
        let mut points = Vec::new();
        for (i, tp) in input.time_points.iter().enumerate() {
            let field = |name: &str| format!("time_points[{i}].{name}");
            let code = errors.check(&field("code"), parse_code(tp.code.as_deref()));
            if let Some(code) = &code
                && !codes.insert(code.clone())
            {
                errors.add(field("code"), "is used by another time point");
            }
            let label = errors.check(&field("label"), required_text(tp.label.as_deref(), 100));
            let mut days = |name: &str, value: Option<i32>| match value {
                Some(day) if (0..=3650).contains(&day) => Some(day),
                Some(_) => {
                    errors.add(field(name), "must be between 0 and 3650 days from enrolment");
                    None
                }
                None => {
                    errors.add(field(name), "is required");
                    None
                }
            };
            let target = days("target_day", tp.target_day);
            let start = days("window_start_day", tp.window_start_day);
            let end = days("window_end_day", tp.window_end_day);
            let mut seen = HashSet::new();
            for (j, instrument) in tp.instruments.iter().enumerate() {
                if instruments::find(instrument).is_none() {
                    errors.add(
                        field(&format!("instruments[{j}]")),
                        "is not in the instrument library",
                    );
                } else if !seen.insert(instrument.as_str()) {
                    errors.add(field(&format!("instruments[{j}]")), "is listed twice");
                }
            }
            let (Some(code), Some(label), Some(target), Some(start), Some(end)) =
                (code, label, target, start, end)
            else {
                continue;
            };
            match TimePoint::parse(&code, &label, target, start, end) {
                Ok(time_point) => {
                    points.push(ScheduledPoint { time_point, instruments: tp.instruments.clone() })
                }
                Err(problems) => {
                    for problem in problems.iter() {
                        errors.add(field(&problem.field), problem.message.clone());
                    }
                }
            }
        }
        errors.into_result(|| Some(Self { points }))
    }

    /// The schedule as input (what the edit form and `PUT` start from).
    pub fn to_input(&self) -> ScheduleInput {
        ScheduleInput {
            time_points: self
                .points
                .iter()
                .map(|p| TimePointInput {
                    code: Some(p.time_point.code.clone()),
                    label: Some(p.time_point.label.clone()),
                    target_day: Some(p.time_point.target_day),
                    window_start_day: Some(p.time_point.window_start_day),
                    window_end_day: Some(p.time_point.window_end_day),
                    instruments: p.instruments.clone(),
                })
                .collect(),
        }
    }

    pub fn point(&self, code: &str) -> Option<&ScheduledPoint> {
        self.points.iter().find(|p| p.time_point.code == code)
    }
}

/// The default schedule for a program made from `template` (or from scratch): intake in the
/// first two weeks, then 3, 6 and 12 months with windows the usual grant terms accept (6
/// months: 5 to 8 months). BARC-10 everywhere (recovery capital is what peer support aims
/// at); the rest follows what the template's study measured, so each study's headline outcome
/// is collected (the recovery community center's past-30-day use, the reentry study's
/// self-efficacy and stress). Studies that followed people longer get their later points: the
/// mobile outreach surveys every six months to 18 months, the community companion study to
/// three years.
pub fn default_schedule(template: Option<&str>) -> Schedule {
    let follow_up: &[&str] = match template {
        Some("ed_brief_intervention") => &["barc-10", "use-days-30", "dast-10", "readiness-ruler"],
        Some("recovery_support_with_treatment" | "mobile_outreach") => {
            &["barc-10", "use-days-30", "dast-10"]
        }
        Some("rural_peer_counseling") => &["barc-10", "use-days-30", "readiness-ruler"],
        Some("housing_peer_support_community") => &["barc-10", "use-days-30", "mspss", "who-5"],
        Some("reentry_peer_coaching") => {
            &["barc-10", "use-days-30", "mspss", "gse", "who-5", "stress-rating"]
        }
        Some("recovery_community_center") => {
            &["barc-10", "use-days-30", "who-5", "mspss", "service-satisfaction"]
        }
        Some("community_companion") => &["barc-10", "who-5", "mspss"],
        Some("women_peer_case_management") => {
            &["barc-10", "phq-9", "gad-7", "service-satisfaction"]
        }
        _ => &["barc-10", "phq-9", "use-days-30"],
    };
    // Satisfaction with a service cannot be asked before it has been received.
    let mut intake: Vec<String> = follow_up
        .iter()
        .filter(|c| **c != "service-satisfaction")
        .map(|c| (*c).to_owned())
        .collect();
    for extra in ["phq-9", "audit-c"] {
        if !intake.iter().any(|c| c == extra) {
            intake.push(extra.to_owned());
        }
    }
    let point =
        |code: &str, label: &str, target, start, end, instruments: Vec<String>| ScheduledPoint {
            time_point: TimePoint {
                code: code.into(),
                label: label.into(),
                target_day: target,
                window_start_day: start,
                window_end_day: end,
            },
            instruments,
        };
    let later = || follow_up.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let mut points = vec![
        point("intake", "Intake", 0, 0, 14, intake),
        point("3m", "3 months", 90, 60, 120, later()),
        point("6m", "6 months", 180, 150, 240, later()),
        point("12m", "12 months", 365, 335, 425, later()),
    ];
    // Later points keep the 12-month point's window: a month before to two months after.
    let longer: &[(&str, &str, i32)] = match template {
        Some("mobile_outreach") => &[("18m", "18 months", 540)],
        Some("community_companion") => &[("24m", "24 months", 730), ("36m", "36 months", 1095)],
        _ => &[],
    };
    for (code, label, day) in longer {
        points.push(point(code, label, *day, day - 30, day + 60, later()));
    }
    Schedule { points }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::templates::templates;

    fn point(code: &str, target: i32, start: i32, end: i32) -> TimePointInput {
        TimePointInput {
            code: Some(code.into()),
            label: Some(code.to_uppercase()),
            target_day: Some(target),
            window_start_day: Some(start),
            window_end_day: Some(end),
            instruments: vec!["barc-10".into()],
        }
    }

    #[test]
    fn every_default_schedule_is_valid_and_uses_library_instruments() {
        let codes = templates().iter().map(|t| Some(t.code)).chain([None]);
        for code in codes {
            let schedule = default_schedule(code);
            let parsed = Schedule::parse(&schedule.to_input()).expect("valid");
            assert_eq!(parsed, schedule, "{code:?}");
            assert!(schedule.points.len() >= 4);
            assert!(schedule.points.iter().all(|p| p.instruments.contains(&"barc-10".into())));
        }
        let six = default_schedule(None).point("6m").map(|p| {
            let t = &p.time_point;
            (t.target_day, t.window_start_day, t.window_end_day)
        });
        assert_eq!(six, Some((180, 150, 240)), "6 months, window 5-8 months");
    }

    #[test]
    fn the_studies_horizons_are_scheduled_and_their_headline_outcomes_collected() {
        let days = |template: &str| -> Vec<(String, i32)> {
            default_schedule(Some(template))
                .points
                .iter()
                .map(|p| (p.time_point.code.clone(), p.time_point.target_day))
                .collect()
        };
        // Deering 2011: surveys every six months over 18 months.
        let outreach = days("mobile_outreach");
        for (code, day) in [("6m", 180), ("12m", 365), ("18m", 540)] {
            assert!(outreach.contains(&(code.to_owned(), day)), "{outreach:?}");
        }
        // Min 2007: rehospitalisation over three years.
        assert_eq!(days("community_companion").last(), Some(&("36m".to_owned(), 1095)));
        // Armitage 2010: past-30-day use at 6 months.
        let center = default_schedule(Some("recovery_community_center"));
        let six = center.point("6m").map(|p| p.instruments.clone()).unwrap_or_default();
        assert!(
            six.contains(&"use-days-30".into()) && six.contains(&"service-satisfaction".into())
        );
        let intake = center.point("intake").map(|p| p.instruments.clone()).unwrap_or_default();
        assert!(!intake.contains(&"service-satisfaction".into()), "not asked before any service");
        // Andreas 2010: self-efficacy and stress.
        let reentry = default_schedule(Some("reentry_peer_coaching"));
        let twelve = reentry.point("12m").map(|p| p.instruments.clone()).unwrap_or_default();
        assert!(twelve.contains(&"gse".into()) && twelve.contains(&"stress-rating".into()));
    }

    #[test]
    fn a_monthly_schedule_over_three_years_is_within_the_limits() {
        let monthly: Vec<TimePointInput> = (0..=36)
            .map(|m| point(&format!("m{m}"), m * 30, (m * 30 - 10).max(0), m * 30 + 10))
            .collect();
        let parsed = Schedule::parse(&ScheduleInput { time_points: monthly }).expect("valid");
        assert_eq!(parsed.points.len(), 37);
        let too_many: Vec<TimePointInput> =
            (0..41).map(|m| point(&format!("m{m}"), m * 30, m * 30, m * 30 + 10)).collect();
        let errors = Schedule::parse(&ScheduleInput { time_points: too_many }).unwrap_err();
        assert_eq!(errors.get("time_points"), Some("at most 40 time points"));
    }

    #[test]
    fn a_schedule_refuses_repeated_codes_bad_windows_and_unknown_instruments() {
        let mut bad = point("m3", 90, 100, 120);
        bad.instruments = vec!["barc-10".into(), "sf-36".into(), "barc-10".into()];
        let input = ScheduleInput {
            time_points: vec![point("intake", 0, 0, 14), point("intake", 30, 20, 40), bad],
        };
        let errors = Schedule::parse(&input).unwrap_err();
        assert!(errors.get("time_points[1].code").is_some(), "{errors}");
        assert!(errors.get("time_points[2].window_start_day").is_some(), "{errors}");
        assert_eq!(
            errors.get("time_points[2].instruments[1]"),
            Some("is not in the instrument library")
        );
        assert_eq!(errors.get("time_points[2].instruments[2]"), Some("is listed twice"));
        let mut negative = point("m1", 30, 20, 40);
        negative.window_start_day = Some(-5);
        negative.label = None;
        let errors = Schedule::parse(&ScheduleInput { time_points: vec![negative] }).unwrap_err();
        assert!(errors.get("time_points[0].window_start_day").is_some());
        assert!(errors.get("time_points[0].label").is_some());
    }
}
