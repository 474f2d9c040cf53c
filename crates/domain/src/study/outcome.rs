//! Outcome definitions: what a study measures for each participant, defined over the record
//! (assessments at scheduled time points, and dated outcome events) so the engine can derive
//! every value and nobody types a result in. The evaluation crate derives them.

use serde::Serialize;

use super::canonical;
use super::outcome_input::{BinaryRuleInput, EventInput, OutcomeInput};
use crate::vocabulary::{
    AppointmentKind, Comparator, HospitalisationKind, OutcomeEventKind, Vocabulary,
};

/// One outcome of a study: a stable code (the analysis plan names outcomes by it), a name
/// for people, and how it is measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeDefinition {
    pub code: String,
    pub name: String,
    pub measure: OutcomeMeasure,
}

/// How an outcome is measured from the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeMeasure {
    /// Yes or no from the assessment given for a time point (no use in the past 30 days at
    /// 6 months; a score past a cut-off; a band).
    BinaryAtTimePoint { time_point: String, instrument: String, rule: BinaryRule },
    /// A score from the assessment given for a time point.
    ScoreAtTimePoint { time_point: String, score: ScoreRef },
    /// A score at a time point and at the study's baseline time point.
    ChangeFromBaseline { time_point: String, score: ScoreRef },
    /// Whether an event happened within `days` of the origin (enrolment or an index event).
    EventWithin { event: EventSpec, days: u32, origin: Origin },
    /// Days from enrolment to the first event, censored at the end of follow-up.
    TimeToEvent { event: EventSpec },
    /// Events over the days enrolled (appointments attended per month).
    EventRate { event: EventSpec },
    /// A score at each of several time points.
    Repeated { score: ScoreRef, time_points: Vec<String> },
}

/// The type of value an outcome yields, which decides the analyses that fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeType {
    Binary,
    Continuous,
    Change,
    TimeToEvent,
    Count,
    Repeated,
}

impl OutcomeMeasure {
    /// The type of value the outcome yields.
    pub fn outcome_type(&self) -> OutcomeType {
        match self {
            Self::BinaryAtTimePoint { .. } | Self::EventWithin { .. } => OutcomeType::Binary,
            Self::ScoreAtTimePoint { .. } => OutcomeType::Continuous,
            Self::ChangeFromBaseline { .. } => OutcomeType::Change,
            Self::TimeToEvent { .. } => OutcomeType::TimeToEvent,
            Self::EventRate { .. } => OutcomeType::Count,
            Self::Repeated { .. } => OutcomeType::Repeated,
        }
    }
}

/// A score of an instrument: its headline total, or a named scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreRef {
    /// The instrument's code (`barc-10`).
    pub instrument: String,
    /// A scale id (`percentage`); `None` for the headline total.
    pub scale: Option<String>,
}

/// How an assessment becomes yes or no.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum BinaryRule {
    /// The score (the total, or `scale`) compared with the cut-off.
    Score { scale: Option<String>, comparator: Comparator, cut_off: f64 },
    /// Every listed item's answer compared with the cut-off ("zero days of use in the past
    /// 30 days" is `use_any` at most 0; "no cocaine or heroin" lists both items).
    Items { items: Vec<String>, comparator: Comparator, cut_off: f64 },
    /// The headline score's band is one of these.
    Band { bands: Vec<String> },
}

/// Which outcome events count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSpec {
    pub kind: OutcomeEventKind,
    /// For hospitalisations: the kinds that count; empty for any. A hospitalisation whose
    /// kind was not recorded never counts as one of a named kind.
    pub hospitalisation_kinds: Vec<HospitalisationKind>,
    /// For appointments: the kinds that count; empty for any.
    pub appointment_kinds: Vec<AppointmentKind>,
}

impl EventSpec {
    /// Any event of `kind`.
    pub fn of(kind: OutcomeEventKind) -> Self {
        Self { kind, hospitalisation_kinds: Vec::new(), appointment_kinds: Vec::new() }
    }

    /// Whether an event of `kind` (with its hospitalisation and appointment kinds, where
    /// recorded) counts.
    pub fn matches(
        &self,
        kind: OutcomeEventKind,
        hospitalisation: Option<HospitalisationKind>,
        appointment: Option<AppointmentKind>,
    ) -> bool {
        kind == self.kind
            && named(&self.hospitalisation_kinds, hospitalisation)
            && named(&self.appointment_kinds, appointment)
    }

    /// In words: "hospitalisation (psychiatric)", "appointment attended (substance use
    /// treatment)".
    pub fn describe(&self) -> String {
        let qualifiers: Vec<&str> = self
            .hospitalisation_kinds
            .iter()
            .map(|k| k.label())
            .chain(self.appointment_kinds.iter().map(|k| k.label()))
            .collect();
        let kind = self.kind.label().to_lowercase();
        if qualifiers.is_empty() {
            kind
        } else {
            format!("{kind} ({})", qualifiers.join(" or ").to_lowercase())
        }
    }
}

/// Whether `got` is one of the `wanted` kinds; an empty list wants any (even unrecorded).
fn named<K: PartialEq>(wanted: &[K], got: Option<K>) -> bool {
    wanted.is_empty() || got.is_some_and(|g| wanted.contains(&g))
}

/// Where an event window starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// The enrolment date.
    Enrolment,
    /// The first event of this kind on or after enrolment (a discharge, a treatment admission).
    IndexEvent { event: EventSpec },
}

impl EventSpec {
    /// The spec as input.
    pub fn to_input(&self) -> EventInput {
        EventInput {
            kind: Some(self.kind.code().into()),
            hospitalisation_kinds: self
                .hospitalisation_kinds
                .iter()
                .map(|k| k.code().into())
                .collect(),
            appointment_kinds: self.appointment_kinds.iter().map(|k| k.code().into()).collect(),
        }
    }
}

impl OutcomeDefinition {
    /// The outcome as input (for the edit form, and to store and parse again).
    pub fn to_input(&self) -> OutcomeInput {
        let mut input = OutcomeInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            ..Default::default()
        };
        let score = |input: &mut OutcomeInput, score: &ScoreRef| {
            input.instrument = Some(score.instrument.clone());
            input.scale = score.scale.clone();
        };
        let kind = match &self.measure {
            OutcomeMeasure::BinaryAtTimePoint { time_point, instrument, rule } => {
                input.time_point = Some(time_point.clone());
                input.instrument = Some(instrument.clone());
                input.rule = Some(rule.to_input());
                "binary_at_time_point"
            }
            OutcomeMeasure::ScoreAtTimePoint { time_point, score: s } => {
                input.time_point = Some(time_point.clone());
                score(&mut input, s);
                "score_at_time_point"
            }
            OutcomeMeasure::ChangeFromBaseline { time_point, score: s } => {
                input.time_point = Some(time_point.clone());
                score(&mut input, s);
                "change_from_baseline"
            }
            OutcomeMeasure::EventWithin { event, days, origin } => {
                input.event = Some(event.to_input());
                input.days = Some(days.to_string());
                if let Origin::IndexEvent { event } = origin {
                    input.origin = Some("index_event".into());
                    input.index_event = Some(event.to_input());
                }
                "event_within"
            }
            OutcomeMeasure::TimeToEvent { event } => {
                input.event = Some(event.to_input());
                "time_to_event"
            }
            OutcomeMeasure::EventRate { event } => {
                input.event = Some(event.to_input());
                "event_rate"
            }
            OutcomeMeasure::Repeated { score: s, time_points } => {
                score(&mut input, s);
                input.time_points = time_points.clone();
                "repeated"
            }
        };
        input.kind = Some(kind.into());
        input
    }
}

impl BinaryRule {
    /// The rule as input.
    pub fn to_input(&self) -> BinaryRuleInput {
        match self {
            BinaryRule::Score { scale, comparator, cut_off } => BinaryRuleInput {
                on: Some("score".into()),
                scale: scale.clone(),
                comparator: Some(comparator.code().into()),
                cut_off: Some(canonical::number(*cut_off)),
                ..Default::default()
            },
            BinaryRule::Items { items, comparator, cut_off } => BinaryRuleInput {
                on: Some("items".into()),
                comparator: Some(comparator.code().into()),
                cut_off: Some(canonical::number(*cut_off)),
                items: items.clone(),
                ..Default::default()
            },
            BinaryRule::Band { bands } => BinaryRuleInput {
                on: Some("band".into()),
                bands: bands.clone(),
                ..Default::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_kind_needs_the_kind_recorded() {
        let psychiatric = EventSpec {
            hospitalisation_kinds: vec![HospitalisationKind::Psychiatric],
            ..EventSpec::of(OutcomeEventKind::Hospitalisation)
        };
        let h = OutcomeEventKind::Hospitalisation;
        assert!(psychiatric.matches(h, Some(HospitalisationKind::Psychiatric), None));
        assert!(!psychiatric.matches(h, Some(HospitalisationKind::Detox), None));
        assert!(!psychiatric.matches(h, None, None), "unknown kind is not psychiatric");
        assert!(!psychiatric.matches(OutcomeEventKind::Arrest, None, None));
        assert!(EventSpec::of(h).matches(h, None, None));
        assert_eq!(psychiatric.describe(), "hospitalisation (psychiatric)");
    }
}
