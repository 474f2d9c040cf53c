//! By whom: the outcome by the coach's qualifications — time in recovery, certification,
//! training hours — with the coach as the cluster. One coach's participants share that coach
//! and are not independent, so a model that treated them as independent would overstate the
//! evidence; GEE with robust SEs over coaches does not.

use std::collections::BTreeMap;

use serde::Serialize;

use super::data::{Column, OutcomeData, Study, kind_phrase};
use super::effects::{effect_of, fit_explained, model_measure};
use super::model::{Grouping, describe};
use super::request::OutcomeKind;
use super::result::{Analysis, Effect};

/// The outcome by coach qualifications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoachAnalysis {
    /// Coaches (clusters) analysed.
    pub coaches: usize,
    /// One effect per qualification that varies: per year in recovery, certified against not,
    /// per 10 training hours.
    pub qualifications: Vec<Effect>,
}

const PER_YEAR: &str = "per year the coach has been in recovery";
const CERTIFIED: &str = "certified coach vs not certified";
const PER_TEN_HOURS: &str = "per 10 hours of coach training";

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> Analysis<CoachAnalysis> {
    let table = study.table;
    let level = study.level;
    let coach = |p: usize| table.rows[data.rows[p]].coach.as_ref();
    let positions: Vec<usize> = data
        .all()
        .into_iter()
        .filter(|&p| {
            coach(p).is_some_and(|c| {
                c.months_in_recovery.is_some()
                    && c.certified.is_some()
                    && c.training_hours.is_some()
            })
        })
        .collect();
    let sample = data.sample_all(study, &positions);
    let method = format!(
        "{}, on the coach's qualifications{}",
        describe(data.kind, Grouping::Coach(&[]), level),
        if study.compared_arms().is_empty() { "" } else { " and arm" }
    );
    if matches!(data.kind, OutcomeKind::TimeToEvent | OutcomeKind::Count) {
        return Analysis::not_estimable(
            "clustered regression on the coach's qualifications".into(),
            sample,
            format!(
                "Comparing coaches on {} outcome needs a model with coach-clustered standard \
                 errors (a clustered Cox or Poisson model), which the statistics crate does not \
                 provide yet, so it is not estimated.",
                kind_phrase(data.kind)
            ),
        );
    }
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    let clusters: Vec<usize> = positions
        .iter()
        .map(|&p| {
            let key = coach(p).map_or("", |c| c.key.as_str());
            let next = ids.len();
            *ids.entry(key).or_insert(next)
        })
        .collect();
    if ids.len() < 2 {
        return Analysis::not_estimable(
            method,
            sample,
            format!(
                "The participants with {} and a coach whose qualifications are recorded had {} \
                 coach{}, so coaches cannot be compared.",
                data.name,
                ids.len(),
                if ids.len() == 1 { "" } else { "es" }
            ),
        );
    }
    let mut notes = Vec::new();
    let mut columns = arm_terms(study, data, &positions);
    let qualification = |name: &str, value: &dyn Fn(&crate::table::CoachRecord) -> f64| Column {
        name: name.to_owned(),
        values: positions.iter().map(|&p| coach(p).map_or(0.0, value)).collect(),
    };
    let candidates = [
        qualification(PER_YEAR, &|c| c.months_in_recovery.unwrap_or(0.0) / 12.0),
        qualification(CERTIFIED, &|c| f64::from(u8::from(c.certified.unwrap_or(false)))),
        qualification(PER_TEN_HOURS, &|c| c.training_hours.unwrap_or(0.0) / 10.0),
    ];
    let mut names = Vec::new();
    for column in candidates {
        if column.values.windows(2).all(|w| w[0] == w[1]) {
            notes.push(format!(
                "Every coach analysed has the same value for '{}', so it cannot be compared.",
                column.name
            ));
        } else {
            names.push(column.name.clone());
            columns.push(column);
        }
    }
    if names.is_empty() {
        return Analysis::not_estimable(
            method,
            sample,
            "No qualification varies between the coaches analysed, so none can be compared.".into(),
        )
        .with_notes(notes);
    }
    let what = "the comparison of coaches";
    let result = fit_explained(data, &positions, &columns, Grouping::Coach(&clusters), level, what)
        .map(|fit| CoachAnalysis {
            coaches: ids.len(),
            qualifications: names
                .iter()
                .filter_map(|n| {
                    fit.term(n).map(|t| effect_of(t, model_measure(data.kind), fit.ratio_scale, n))
                })
                .collect(),
        });
    Analysis::from_result(method, sample, result).with_notes(notes)
}

/// Arm indicators among the coached participants: against the reference when it is there,
/// otherwise against the first arm present (usual care often has no coach at all).
fn arm_terms(study: &Study<'_>, data: &OutcomeData<'_>, positions: &[usize]) -> Vec<Column> {
    let mut present: Vec<usize> = positions.iter().map(|&p| data.arms[p]).collect();
    present.sort_unstable();
    present.dedup();
    let reference = if present.contains(&study.reference()) {
        study.reference()
    } else {
        match present.first() {
            Some(&first) => first,
            None => return vec![],
        }
    };
    present
        .into_iter()
        .filter(|&a| a != reference)
        .map(|arm| Column {
            name: format!("{} vs {}", study.arm_name(arm), study.arm_name(reference)),
            values: positions.iter().map(|&p| f64::from(u8::from(data.arms[p] == arm))).collect(),
        })
        .collect()
}
