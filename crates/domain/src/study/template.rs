//! The design of each program template's study, as data ("Replicate this study"): arms with
//! the comparison condition the study used, participant eligibility, primary and secondary
//! outcomes over the template's own instruments and events, and the follow-up horizon. A
//! template's design becomes a pre-filled [`StudyInput`] the evaluator then edits; the test
//! over all ten proves each one parses into a valid study.

use time::{Date, Duration};

use super::StudyInput;
use super::arms::{ArmInput, MembershipInput};
use super::canonical::date;
use super::eligibility::EligibilityRuleInput;
use super::outcome_input::{BinaryRuleInput, EventInput, OutcomeInput};
use super::plan::{AnalysisPlanInput, CovariateInput};
use super::randomisation::RandomisationInput;
use crate::ids::ProgramId;
use crate::programs::ProgramTemplate;
use crate::vocabulary::{
    AppointmentKind, ArmRole, BaselineField, Comparator, ComparisonKind, HospitalisationKind,
    OutcomeEventKind, StudyDesign, Vocabulary,
};

/// A template's study design. The first outcome is the primary; the rest are secondary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyTemplate {
    pub question: &'static str,
    pub design: StudyDesign,
    pub comparison: Option<ComparisonKind>,
    pub arms: &'static [ArmTemplate],
    pub eligibility: &'static [EligibilityTemplate],
    /// Days of follow-up from enrolment.
    pub follow_up_days: u32,
    /// How long the replication enrols for, by default.
    pub enrolment_days: u32,
    pub stratify_by: &'static [BaselineField],
    pub block_sizes: &'static [u32],
    pub outcomes: &'static [OutcomeTemplate],
    pub covariates: &'static [CovariateTemplate],
    pub subgroups: &'static [BaselineField],
    pub blinded_assessor: bool,
}

/// An arm: what it receives, in the study's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub receives: &'static str,
    pub role: ArmRole,
    /// The allocation ratio (randomised studies); 0 for none.
    pub ratio: u32,
    pub membership: MembershipTemplate,
}

/// Who is in an arm, relative to the program being replicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipTemplate {
    /// Allocated (randomised) or everyone eligible (pre-post).
    None,
    /// The replicating program's participants.
    ThisProgram,
    /// Another program's participants, chosen when replicating.
    ComparisonProgram,
    /// The replicating program's participants who received (or did not) a component.
    Component { component: &'static str, received: bool },
    /// The replicating program's participants enrolled in the year before the study.
    PreviousYear,
}

/// An eligibility rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligibilityTemplate {
    Field { field: BaselineField, any_of: &'static [&'static str] },
    EventHistory { event: EventTemplate, within_days_before: u32 },
}

/// An outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub measure: MeasureTemplate,
}

/// How an outcome is measured (see [`super::OutcomeMeasure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureTemplate {
    Binary {
        time_point: &'static str,
        instrument: &'static str,
        rule: BinaryTemplate,
    },
    Score {
        time_point: &'static str,
        instrument: &'static str,
        scale: Option<&'static str>,
    },
    Change {
        time_point: &'static str,
        instrument: &'static str,
        scale: Option<&'static str>,
    },
    EventWithin {
        event: EventTemplate,
        days: u32,
        index: Option<EventTemplate>,
    },
    TimeToEvent {
        event: EventTemplate,
    },
    EventRate {
        event: EventTemplate,
    },
    Repeated {
        instrument: &'static str,
        scale: Option<&'static str>,
        time_points: &'static [&'static str],
    },
}

/// A binary rule (whole-number cut-offs are all the studies need).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryTemplate {
    Score { scale: Option<&'static str>, comparator: Comparator, cut_off: i32 },
    Items { items: &'static [&'static str], comparator: Comparator, cut_off: i32 },
    Band { bands: &'static [&'static str] },
}

/// Which events count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTemplate {
    pub kind: OutcomeEventKind,
    pub hospitalisation: &'static [HospitalisationKind],
    pub appointment: &'static [AppointmentKind],
}

impl EventTemplate {
    /// Any event of `kind`.
    pub const fn of(kind: OutcomeEventKind) -> Self {
        Self { kind, hospitalisation: &[], appointment: &[] }
    }
}

/// A covariate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovariateTemplate {
    Field(BaselineField),
    BaselineScore { instrument: &'static str, scale: Option<&'static str> },
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn codes<V: Vocabulary>(items: &[V]) -> Vec<String> {
    items.iter().map(|v| v.code().to_owned()).collect()
}

impl StudyTemplate {
    /// The pre-filled study for replicating `template` in `program` (and, for a comparison
    /// with another program, `comparison_program`; left blank it is the first thing the
    /// evaluator is asked for), enrolling from `enrolment_from`.
    pub fn to_input(
        &self,
        template: &ProgramTemplate,
        program: ProgramId,
        comparison_program: Option<ProgramId>,
        enrolment_from: Date,
    ) -> StudyInput {
        let enrolment_to = enrolment_from
            .checked_add(Duration::days(i64::from(self.enrolment_days) - 1))
            .unwrap_or(enrolment_from);
        let mut program_ids = vec![program.to_string()];
        if let Some(other) = comparison_program {
            program_ids.push(other.to_string());
        }
        let arms = self
            .arms
            .iter()
            .map(|arm| arm.to_input(program, comparison_program, enrolment_from))
            .collect();
        let randomised = self.design == StudyDesign::Randomised;
        StudyInput {
            title: Some(format!("{} — replication of {}", template.name, template.study.short())),
            question: Some(self.question.to_owned()),
            design: Some(self.design.code().to_owned()),
            comparison: self.comparison.map(|c| c.code().to_owned()),
            program_ids,
            arms,
            eligibility: self.eligibility.iter().map(|rule| rule.to_input()).collect(),
            enrolment_from: Some(date(enrolment_from)),
            enrolment_to: Some(date(enrolment_to)),
            follow_up_days: Some(self.follow_up_days.to_string()),
            baseline_time_point: None,
            randomisation: randomised.then(|| RandomisationInput {
                stratify_by: codes(self.stratify_by),
                block_sizes: self.block_sizes.iter().map(|s| serde_json::Value::from(*s)).collect(),
            }),
            outcomes: self.outcomes.iter().map(|outcome| outcome.to_input()).collect(),
            covariates: self.covariates.iter().map(|covariate| covariate.to_input()).collect(),
            subgroups: codes(self.subgroups),
            plan: Some(AnalysisPlanInput {
                primary: self.outcomes.first().map(|o| o.code.to_owned()),
                secondary: self.outcomes.iter().skip(1).map(|o| o.code.to_owned()).collect(),
                alpha: Some("0.05".into()),
                covariates: None,
                subgroups: None,
                blinded_assessor: Some(self.blinded_assessor.to_string()),
            }),
        }
    }
}

impl ArmTemplate {
    fn to_input(
        self,
        program: ProgramId,
        comparison_program: Option<ProgramId>,
        enrolment_from: Date,
    ) -> ArmInput {
        let by = |by: &str, program_id: Option<ProgramId>| MembershipInput {
            by: Some(by.into()),
            program_id: program_id.map(|p| p.to_string()),
            ..Default::default()
        };
        let membership = match self.membership {
            MembershipTemplate::None => None,
            MembershipTemplate::ThisProgram => Some(by("program", Some(program))),
            MembershipTemplate::ComparisonProgram => Some(by("program", comparison_program)),
            MembershipTemplate::Component { component, received } => Some(MembershipInput {
                component: Some(component.into()),
                received: Some(received.to_string()),
                ..by("component", Some(program))
            }),
            MembershipTemplate::PreviousYear => Some(MembershipInput {
                from: enrolment_from.checked_sub(Duration::days(365)).map(date),
                to: enrolment_from.checked_sub(Duration::days(1)).map(date),
                ..by("enrolment_period", Some(program))
            }),
        };
        ArmInput {
            code: Some(self.code.into()),
            name: Some(self.name.into()),
            receives: Some(self.receives.into()),
            role: Some(self.role.code().into()),
            ratio: (self.ratio > 0).then(|| self.ratio.to_string()),
            membership,
        }
    }
}

impl EligibilityTemplate {
    fn to_input(self) -> EligibilityRuleInput {
        match self {
            Self::Field { field, any_of } => EligibilityRuleInput {
                rule: Some("field".into()),
                field: Some(field.code().into()),
                any_of: owned(any_of),
                ..Default::default()
            },
            Self::EventHistory { event, within_days_before } => EligibilityRuleInput {
                rule: Some("event_history".into()),
                event: Some(event.to_input()),
                within_days_before: Some(within_days_before.to_string()),
                present: Some("true".into()),
                ..Default::default()
            },
        }
    }
}

impl EventTemplate {
    fn to_input(self) -> EventInput {
        EventInput {
            kind: Some(self.kind.code().into()),
            hospitalisation_kinds: codes(self.hospitalisation),
            appointment_kinds: codes(self.appointment),
        }
    }
}

impl OutcomeTemplate {
    fn to_input(self) -> OutcomeInput {
        let mut input = OutcomeInput {
            code: Some(self.code.into()),
            name: Some(self.name.into()),
            ..Default::default()
        };
        let text = |s: &str| Some(s.to_owned());
        let kind = match self.measure {
            MeasureTemplate::Binary { time_point, instrument, rule } => {
                input.time_point = text(time_point);
                input.instrument = text(instrument);
                input.rule = Some(rule.to_input());
                "binary_at_time_point"
            }
            MeasureTemplate::Score { time_point, instrument, scale } => {
                input.time_point = text(time_point);
                input.instrument = text(instrument);
                input.scale = scale.map(str::to_owned);
                "score_at_time_point"
            }
            MeasureTemplate::Change { time_point, instrument, scale } => {
                input.time_point = text(time_point);
                input.instrument = text(instrument);
                input.scale = scale.map(str::to_owned);
                "change_from_baseline"
            }
            MeasureTemplate::EventWithin { event, days, index } => {
                input.event = Some(event.to_input());
                input.days = Some(days.to_string());
                if let Some(index) = index {
                    input.origin = text("index_event");
                    input.index_event = Some(index.to_input());
                }
                "event_within"
            }
            MeasureTemplate::TimeToEvent { event } => {
                input.event = Some(event.to_input());
                "time_to_event"
            }
            MeasureTemplate::EventRate { event } => {
                input.event = Some(event.to_input());
                "event_rate"
            }
            MeasureTemplate::Repeated { instrument, scale, time_points } => {
                input.instrument = text(instrument);
                input.scale = scale.map(str::to_owned);
                input.time_points = owned(time_points);
                "repeated"
            }
        };
        input.kind = text(kind);
        input
    }
}

impl BinaryTemplate {
    fn to_input(self) -> BinaryRuleInput {
        match self {
            Self::Score { scale, comparator, cut_off } => BinaryRuleInput {
                on: Some("score".into()),
                scale: scale.map(str::to_owned),
                comparator: Some(comparator.code().into()),
                cut_off: Some(cut_off.to_string()),
                ..Default::default()
            },
            Self::Items { items, comparator, cut_off } => BinaryRuleInput {
                on: Some("items".into()),
                comparator: Some(comparator.code().into()),
                cut_off: Some(cut_off.to_string()),
                items: owned(items),
                ..Default::default()
            },
            Self::Band { bands } => BinaryRuleInput {
                on: Some("band".into()),
                bands: owned(bands),
                ..Default::default()
            },
        }
    }
}

impl CovariateTemplate {
    fn to_input(self) -> CovariateInput {
        match self {
            Self::Field(field) => {
                CovariateInput { field: Some(field.code().into()), ..Default::default() }
            }
            Self::BaselineScore { instrument, scale } => CovariateInput {
                instrument: Some(instrument.into()),
                scale: scale.map(str::to_owned),
                ..Default::default()
            },
        }
    }
}
