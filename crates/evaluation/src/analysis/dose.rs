//! Dose–response: the outcome against the contacts and hours received — in total, by support
//! kind and by program component — as a regression slope per unit of dose, adjusted for arm.
//!
//! A repeated measure's slope is that of the score at the last time point, adjusted for the
//! first (ANCOVA): the dose is a total over the program, so only the final score can respond
//! to all of it.
//!
//! Observational, whatever the design: the dose was not allocated, and people who do better
//! may stay engaged longer (or people in crisis get more contacts), so a slope is an
//! association, not the effect of one more contact.

use kindred_domain::vocabulary::{SupportKind, Vocabulary};
use serde::Serialize;

use super::data::{Column, OutcomeData, Study, Values, arm_columns};
use super::effects::{check_arms, effect_of, fit_explained, has_outcome, model_measure};
use super::model::{Grouping, describe};
use super::request::OutcomeKind;
use super::result::{Analysis, ArmSample, Effect, Measure, percent};
use crate::table::{Dose, DoseRecord};

/// One dose's slope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoseSlope {
    /// What was counted ("contacts with emotional support").
    pub dose: String,
    /// The unit the slope is per ("per contact", "per hour").
    pub unit: &'static str,
    /// The mean dose among those analysed, to read the slope against.
    pub mean_dose: f64,
    /// The slope: a difference per unit, or a ratio (odds, hazard, rate) per unit.
    pub effect: Effect,
}

/// One dose variable: its name and how to read it from a participant's record.
struct DoseVariable {
    name: String,
    unit: &'static str,
    value: Box<dyn Fn(&DoseRecord) -> f64>,
}

fn variables(components: &[String]) -> Vec<DoseVariable> {
    fn both(name: &str, pick: impl Fn(&DoseRecord) -> Dose + Clone + 'static) -> [DoseVariable; 2] {
        let contacts = pick.clone();
        [
            DoseVariable {
                name: format!("contacts{name}"),
                unit: "per contact",
                value: Box::new(move |d| f64::from(contacts(d).contacts)),
            },
            DoseVariable {
                name: format!("hours{name}"),
                unit: "per hour",
                value: Box::new(move |d| f64::from(pick(d).minutes) / 60.0),
            },
        ]
    }
    let mut out: Vec<DoseVariable> = both(" in total", |d| d.total).into();
    for (k, kind) in SupportKind::ALL.iter().enumerate() {
        let label = kind.label().to_lowercase();
        out.extend(both(&format!(" with {label} support"), move |d| {
            d.by_support_kind.get(k).copied().unwrap_or_default()
        }));
    }
    for (c, component) in components.iter().enumerate() {
        out.extend(both(&format!(" in {component}"), move |d| {
            d.by_component.get(c).copied().unwrap_or_default()
        }));
    }
    out
}

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> Vec<Analysis<DoseSlope>> {
    let level = study.level;
    let observational = "observational: the dose was not allocated, so the slope is an \
                         association, not the effect of more support";
    let Values::Repeated(points) = &data.values else {
        let positions = data.all();
        let sample = data.sample_all(study, &positions);
        let method = format!(
            "{}, on the dose{}; {observational}",
            describe(data.kind, Grouping::Participant, level),
            if study.compared_arms().is_empty() { "" } else { ", adjusted for arm" }
        );
        return slopes(study, data, &positions, &sample, &method);
    };
    // A repeated measure is set against the dose at the end of the schedule: the dose is a
    // total over the program, and an earlier score cannot respond to contacts made after it.
    let ends = data.time_points.iter().next().zip(data.time_points.iter().next_back());
    let (first, last) = match ends {
        Some(((first, first_code), (last, last_code))) if first != last => {
            ((*first, first_code.as_str()), (*last, last_code.as_str()))
        }
        _ => {
            let sample = data.sample_all(study, &[]);
            let reason = format!(
                "'{}' was measured at fewer than two time points, so no score can be set \
                 against the dose.",
                data.name
            );
            return vec![Analysis::not_estimable("dose–response".into(), sample, reason)];
        }
    };
    let value_at = |p: usize, at: usize| points[p].iter().find(|(t, _)| *t == at).map(|(_, v)| *v);
    let positions: Vec<usize> = data
        .all()
        .into_iter()
        .filter(|&p| value_at(p, first.0).is_some() && value_at(p, last.0).is_some())
        .collect();
    let sample = data.sample_all(study, &positions);
    let ends = OutcomeData {
        index: data.index,
        name: data.name,
        kind: OutcomeKind::Change,
        rows: positions.iter().map(|&p| data.rows[p]).collect(),
        arms: positions.iter().map(|&p| data.arms[p]).collect(),
        values: Values::Change {
            baseline: positions.iter().map(|&p| value_at(p, first.0).unwrap_or(0.0)).collect(),
            follow_up: positions.iter().map(|&p| value_at(p, last.0).unwrap_or(0.0)).collect(),
        },
        missing: data.missing.clone(),
        time_points: Default::default(),
    };
    let method = format!(
        "ANCOVA: linear regression (OLS) of the score at {} on the dose{}, adjusted for the \
         score at {}, HC1 robust SEs, {} CI; {observational}",
        last.1,
        if study.compared_arms().is_empty() { "" } else { " and arm" },
        first.1,
        percent(level)
    );
    slopes(study, &ends, &ends.all(), &sample, &method)
}

/// One slope per dose variable, each fitted on its own (the doses by kind overlap, since a
/// contact can give several kinds of support, so they are not put in one model).
fn slopes(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    sample: &[ArmSample],
    method: &str,
) -> Vec<Analysis<DoseSlope>> {
    let level = study.level;
    let arms = arm_columns(study, data, positions);
    let rows = &study.table.rows;
    variables(&study.table.components)
        .into_iter()
        .map(|variable| {
            let values: Vec<f64> =
                positions.iter().map(|&p| (variable.value)(&rows[data.rows[p]].dose)).collect();
            let what = format!("the slope of {}", variable.name);
            let result = check_arms_if_any(study, data, positions, &what).and_then(|()| {
                if values.windows(2).all(|w| w[0] == w[1]) {
                    return Err(format!(
                        "Everyone analysed received the same {} ({}), so {what} cannot be \
                         estimated.",
                        variable.name,
                        values.first().copied().unwrap_or(0.0)
                    ));
                }
                let mean_dose = values.iter().sum::<f64>() / values.len() as f64;
                let mut columns = arms.clone();
                columns.push(Column { name: variable.name.clone(), values });
                let fit =
                    fit_explained(data, positions, &columns, Grouping::Participant, level, &what)?;
                let term = fit
                    .term(&variable.name)
                    .ok_or_else(|| format!("{what} is not in the model."))?;
                let mut effect =
                    effect_of(term, model_measure(data.kind), fit.ratio_scale, &variable.name);
                if !fit.ratio_scale {
                    effect.measure = Measure::Slope;
                }
                Ok(DoseSlope {
                    dose: variable.name.clone(),
                    unit: variable.unit,
                    mean_dose,
                    effect,
                })
            });
            Analysis::from_result(method.to_owned(), sample.to_vec(), result)
        })
        .collect()
}

/// In a comparative study the arms must both be there to adjust for; a pre-post study only
/// needs someone with the outcome.
fn check_arms_if_any(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    what: &str,
) -> Result<(), String> {
    if positions.is_empty() {
        return Err(format!("Nobody {}, so {what} cannot be estimated.", has_outcome(data)));
    }
    if study.compared_arms().is_empty() {
        Ok(())
    } else {
        check_arms(study, data, positions, &has_outcome(data), what)
    }
}
