//! A study's design and arms. The design decides what the arms must say: a randomised trial's
//! arms carry allocation ratios (the app allocates people to them); a quasi-experimental
//! study's two arms say how membership is read from the record (by program, by a component
//! received or not, by enrolment period); a pre-post study has one arm, everyone eligible.

use serde::{Deserialize, Serialize};
use time::Date;

use super::values::{code, iso_date};
use crate::fields::{FieldErrors, required_date, required_text};
use crate::ids::ProgramId;
use crate::scalar::{flag, text_or_scalar, whole_number};
use crate::vocabulary::{ArmRole, ComparisonKind, StudyDesign, Vocabulary};

/// The most arms a study has.
const MAX_ARMS: usize = 6;

/// A study's design, with the comparison a quasi-experimental study makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "design", rename_all = "snake_case")]
pub enum Design {
    Randomised,
    QuasiExperimental { comparison: ComparisonKind },
    PrePost,
}

impl Design {
    /// The design's term in the shared vocabulary.
    pub fn code(self) -> StudyDesign {
        match self {
            Self::Randomised => StudyDesign::Randomised,
            Self::QuasiExperimental { .. } => StudyDesign::QuasiExperimental,
            Self::PrePost => StudyDesign::PrePost,
        }
    }

    /// The comparison, for a quasi-experimental study.
    pub fn comparison(self) -> Option<ComparisonKind> {
        match self {
            Self::QuasiExperimental { comparison } => Some(comparison),
            _ => None,
        }
    }
}

/// One arm: what its participants receive and, by design, how they come to be in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// Lowercase letters, digits and `_`; allocation logs and results name the arm by it.
    pub code: String,
    pub name: String,
    /// What its participants receive ("written advice and a referral list only").
    pub receives: String,
    pub role: ArmRole,
    /// The allocation ratio, for a randomised study's arms only.
    pub ratio: Option<u32>,
    /// How membership is read from the record, for a quasi-experimental study's arms only.
    pub membership: Option<Membership>,
}

/// Who is in a quasi-experimental arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Membership {
    /// Participants of the program, enrolled in the study's enrolment period.
    Program { program_id: ProgramId },
    /// Participants of the program who received (or did not receive) a named component.
    Component { program_id: ProgramId, component: String, received: bool },
    /// Participants of the program enrolled between two dates (a historical cohort).
    EnrolmentPeriod {
        program_id: ProgramId,
        #[serde(serialize_with = "iso_date::serialize")]
        from: Date,
        #[serde(serialize_with = "iso_date::serialize")]
        to: Date,
    },
}

impl Membership {
    /// The program the arm's participants come from.
    pub fn program_id(&self) -> ProgramId {
        match self {
            Self::Program { program_id }
            | Self::Component { program_id, .. }
            | Self::EnrolmentPeriod { program_id, .. } => *program_id,
        }
    }
}

/// One arm as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ArmInput {
    pub code: Option<String>,
    pub name: Option<String>,
    /// What its participants receive. Required.
    pub receives: Option<String>,
    /// `intervention` or `comparison`; a pre-post study's one arm is the intervention.
    pub role: Option<String>,
    /// Randomised studies only: a whole number from 1 to 20.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1"))]
    pub ratio: Option<String>,
    /// Quasi-experimental studies only.
    pub membership: Option<MembershipInput>,
}

/// How a quasi-experimental arm's membership is defined, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MembershipInput {
    /// `program`, `component` or `enrolment_period`.
    pub by: Option<String>,
    pub program_id: Option<String>,
    /// For `component`: the component's name, as the program lists it.
    pub component: Option<String>,
    /// For `component`: `true` for those who received it, `false` for those who did not.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "true"))]
    pub received: Option<String>,
    /// For `enrolment_period`: ISO 8601 dates, both included.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What the arms are checked against.
pub(crate) struct ArmContext<'a> {
    pub design: Option<Design>,
    pub program_ids: &'a [ProgramId],
    /// The study's enrolment period start, when it parsed.
    pub enrolment_from: Option<Date>,
}

/// Parses the arms under `arms[i]` and checks them against the design.
pub(crate) fn parse_arms(
    inputs: &[ArmInput],
    context: &ArmContext<'_>,
    errors: &mut FieldErrors,
) -> Vec<Arm> {
    let mut arms = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if let Some(arm) = parse_arm(input, i, context, errors) {
            if arms.iter().any(|a: &Arm| a.code == arm.code) {
                errors.add(format!("arms[{i}].code"), "is the code of another arm");
            } else {
                arms.push(arm);
            }
        }
    }
    let Some(design) = context.design else { return arms };
    let roles = |role| arms.iter().filter(|a| a.role == role).count();
    let (comparisons, interventions) = (roles(ArmRole::Comparison), roles(ArmRole::Intervention));
    let count = inputs.len();
    let problem = match design {
        _ if count > MAX_ARMS => Some(format!("at most {MAX_ARMS} arms")),
        Design::Randomised if count < 2 => {
            Some("a randomised study needs at least two arms".into())
        }
        Design::Randomised if arms.len() == count && comparisons != 1 => {
            Some("exactly one arm is the comparison the others are measured against".into())
        }
        Design::QuasiExperimental { .. } if count != 2 => {
            Some("a quasi-experimental study has an intervention arm and a comparison arm".into())
        }
        Design::QuasiExperimental { .. }
            if arms.len() == 2 && (comparisons != 1 || interventions != 1) =>
        {
            Some("one arm is the intervention and the other the comparison".into())
        }
        Design::PrePost if count != 1 => {
            Some("a pre-post study has exactly one arm: everyone eligible".into())
        }
        _ => None,
    };
    if let Some(problem) = problem {
        errors.add("arms", problem);
    } else if let Design::QuasiExperimental { comparison } = design
        && arms.len() == 2
    {
        check_memberships(&arms, comparison, context.enrolment_from, errors);
    }
    arms
}

fn parse_arm(
    input: &ArmInput,
    i: usize,
    context: &ArmContext<'_>,
    errors: &mut FieldErrors,
) -> Option<Arm> {
    let at = |name: &str| format!("arms[{i}].{name}");
    let code = errors.check(&at("code"), code(input.code.as_deref()));
    let name = errors.check(&at("name"), required_text(input.name.as_deref(), 200));
    let receives = errors.check(&at("receives"), required_text(input.receives.as_deref(), 1000));
    let role = match (input.role.as_deref().map(str::trim), context.design) {
        (None | Some(""), Some(Design::PrePost)) => Some(ArmRole::Intervention),
        (None | Some(""), _) => {
            errors.add(at("role"), "say whether this arm is the intervention or the comparison");
            None
        }
        (Some(code), design) => match errors.check(&at("role"), ArmRole::parse(code)) {
            Some(ArmRole::Comparison) if design == Some(Design::PrePost) => {
                errors.add(at("role"), "a pre-post study's one arm is the intervention");
                None
            }
            role => role,
        },
    };
    let randomised = context.design == Some(Design::Randomised);
    let ratio = match input.ratio.as_deref().map(str::trim) {
        None | Some("") if randomised => {
            errors.add(at("ratio"), "give the arm's allocation ratio (1 for equal arms)");
            None
        }
        None | Some("") => Some(None),
        Some(_) if !randomised => {
            errors.add(at("ratio"), "only a randomised study's arms have an allocation ratio");
            None
        }
        Some(text) => errors
            .check(&at("ratio"), whole_number(text, 1..=20))
            .and_then(|r| u32::try_from(r).ok())
            .map(Some),
    };
    let quasi = matches!(context.design, Some(Design::QuasiExperimental { .. }));
    let membership = match (&input.membership, quasi) {
        (Some(membership), true) => {
            parse_membership(membership, &at("membership"), context, errors).map(Some)
        }
        (None, true) => {
            errors.add(
                at("membership"),
                "say who is in this arm (by program, component or enrolment period)",
            );
            None
        }
        (None, false) => Some(None),
        (Some(_), false) => {
            let message = match context.design {
                Some(Design::Randomised) => "a randomised study's arms are allocated by the app",
                _ => "only a quasi-experimental study's arms define their membership",
            };
            errors.add(at("membership"), message);
            None
        }
    };
    Some(Arm {
        code: code?,
        name: name?,
        receives: receives?,
        role: role?,
        ratio: ratio?,
        membership: membership?,
    })
}

fn parse_membership(
    input: &MembershipInput,
    field: &str,
    context: &ArmContext<'_>,
    errors: &mut FieldErrors,
) -> Option<Membership> {
    let at = |name: &str| format!("{field}.{name}");
    let program_id = match input.program_id.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add(at("program_id"), "choose the program");
            None
        }
        Some(text) => match text.parse::<ProgramId>() {
            Ok(id) if context.program_ids.contains(&id) => Some(id),
            Ok(_) => {
                errors.add(at("program_id"), "is not one of the study's programs");
                None
            }
            Err(_) => {
                errors.add(at("program_id"), "is not a program id");
                None
            }
        },
    };
    match input.by.as_deref().map(str::trim) {
        Some("program") => Some(Membership::Program { program_id: program_id? }),
        Some("component") => {
            let component =
                errors.check(&at("component"), required_text(input.component.as_deref(), 200));
            let received = match input.received.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.add(at("received"), "say whether the arm received the component");
                    None
                }
                Some(text) => errors.check(&at("received"), flag(text)),
            };
            Some(Membership::Component {
                program_id: program_id?,
                component: component?,
                received: received?,
            })
        }
        Some("enrolment_period") => {
            let from = errors.check(&at("from"), required_date(input.from.as_deref()));
            let to = errors.check(&at("to"), required_date(input.to.as_deref()));
            if let (Some(from), Some(to)) = (from, to)
                && to < from
            {
                errors.add(at("to"), "must be on or after the start of the period");
                return None;
            }
            Some(Membership::EnrolmentPeriod { program_id: program_id?, from: from?, to: to? })
        }
        _ => {
            errors.add(at("by"), "must be one of: program, component, enrolment_period");
            None
        }
    }
}

/// The two arms' memberships must make the comparison the design names.
fn check_memberships(
    arms: &[Arm],
    comparison: ComparisonKind,
    enrolment_from: Option<Date>,
    errors: &mut FieldErrors,
) {
    let index = |role| arms.iter().position(|a| a.role == role);
    let (Some(i), Some(c)) = (index(ArmRole::Intervention), index(ArmRole::Comparison)) else {
        return;
    };
    let (Some(intervention), Some(comparator)) = (&arms[i].membership, &arms[c].membership) else {
        return;
    };
    let by = |arm: usize| format!("arms[{arm}].membership.by");
    match (comparison, intervention, comparator) {
        (
            ComparisonKind::OtherProgram,
            Membership::Program { program_id: a },
            Membership::Program { program_id: b },
        ) => {
            if a == b {
                errors.add(
                    format!("arms[{c}].membership.program_id"),
                    "the comparison cohort comes from another program",
                );
            }
        }
        (ComparisonKind::OtherProgram, _, _) => {
            let arm = if matches!(intervention, Membership::Program { .. }) { c } else { i };
            errors.add(by(arm), "a cohort from another program is defined by program");
        }
        (
            ComparisonKind::ComponentNotReceived,
            Membership::Component { program_id: p1, component: n1, received: r1 },
            Membership::Component { program_id: p2, component: n2, received: r2 },
        ) => {
            if p1 != p2 || n1 != n2 {
                errors.add(
                    format!("arms[{c}].membership.component"),
                    "both arms name the same program and component",
                );
            } else if !*r1 || *r2 {
                errors.add(
                    format!("arms[{c}].membership.received"),
                    "the intervention received the component and the comparison did not",
                );
            }
        }
        (ComparisonKind::ComponentNotReceived, _, _) => {
            let arm = if matches!(intervention, Membership::Component { .. }) { c } else { i };
            errors.add(by(arm), "this comparison is defined by a component received or not");
        }
        (
            ComparisonKind::HistoricalCohort,
            Membership::Program { .. },
            Membership::EnrolmentPeriod { to, .. },
        ) => {
            if let Some(from) = enrolment_from
                && *to >= from
            {
                errors.add(
                    format!("arms[{c}].membership.to"),
                    "a historical cohort ends before the study's enrolment period starts",
                );
            }
        }
        (ComparisonKind::HistoricalCohort, Membership::Program { .. }, _) => {
            errors.add(by(c), "a historical cohort is defined by an earlier enrolment period");
        }
        (ComparisonKind::HistoricalCohort, _, _) => {
            errors.add(by(i), "the intervention arm is the program's current participants");
        }
    }
}

impl Arm {
    /// The arm as input.
    pub fn to_input(&self) -> ArmInput {
        ArmInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            receives: Some(self.receives.clone()),
            role: Some(self.role.code().into()),
            ratio: self.ratio.map(|r| r.to_string()),
            membership: self.membership.as_ref().map(Membership::to_input),
        }
    }
}

impl Membership {
    /// The membership as input.
    pub fn to_input(&self) -> MembershipInput {
        let date = |d: &Date| super::canonical::date(*d);
        match self {
            Self::Program { program_id } => MembershipInput {
                by: Some("program".into()),
                program_id: Some(program_id.to_string()),
                ..Default::default()
            },
            Self::Component { program_id, component, received } => MembershipInput {
                by: Some("component".into()),
                program_id: Some(program_id.to_string()),
                component: Some(component.clone()),
                received: Some(received.to_string()),
                ..Default::default()
            },
            Self::EnrolmentPeriod { program_id, from, to } => MembershipInput {
                by: Some("enrolment_period".into()),
                program_id: Some(program_id.to_string()),
                from: Some(date(from)),
                to: Some(date(to)),
                ..Default::default()
            },
        }
    }
}
