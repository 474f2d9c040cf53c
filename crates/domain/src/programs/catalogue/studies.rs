//! The designs of the single-group studies (and the housing study, whose relapse comparison
//! was a historical cohort), with the helpers both design files use. Each study's headline
//! outcome is collected by its template's default schedule (`schedule::default_schedule`).

use crate::study::template::{
    ArmTemplate, BinaryTemplate, CovariateTemplate, EligibilityTemplate, EventTemplate,
    MeasureTemplate, MembershipTemplate, OutcomeTemplate, StudyTemplate,
};
use crate::vocabulary::{
    ArmRole, BaselineField as F, Comparator, ComparisonKind, OutcomeEventKind, StudyDesign,
};

/// Adults only (every study enrolled adults).
pub(super) const ADULT: EligibilityTemplate =
    field(F::AgeBand, &["18_24", "25_34", "35_44", "45_54", "55_64", "65_plus"]);

pub(super) const fn field(field: F, any_of: &'static [&'static str]) -> EligibilityTemplate {
    EligibilityTemplate::Field { field, any_of }
}

pub(super) const fn event(kind: OutcomeEventKind) -> EventTemplate {
    EventTemplate::of(kind)
}

pub(super) const fn arm(
    code: &'static str,
    name: &'static str,
    receives: &'static str,
    role: ArmRole,
    ratio: u32,
    membership: MembershipTemplate,
) -> ArmTemplate {
    ArmTemplate { code, name, receives, role, ratio, membership }
}

pub(super) const fn outcome(
    code: &'static str,
    name: &'static str,
    measure: MeasureTemplate,
) -> OutcomeTemplate {
    OutcomeTemplate { code, name, measure }
}

const fn one_arm(code: &'static str, name: &'static str, receives: &'static str) -> ArmTemplate {
    ArmTemplate {
        code,
        name,
        receives,
        role: ArmRole::Intervention,
        ratio: 0,
        membership: MembershipTemplate::None,
    }
}

const fn change(
    code: &'static str,
    name: &'static str,
    time_point: &'static str,
    instrument: &'static str,
    scale: Option<&'static str>,
) -> OutcomeTemplate {
    OutcomeTemplate {
        code,
        name,
        measure: MeasureTemplate::Change { time_point, instrument, scale },
    }
}

/// Boyd et al. 2005.
pub(super) const RURAL_PEER_COUNSELING: StudyTemplate = StudyTemplate {
    question: "Do rural women with HIV and a substance use problem show more readiness to \
        change, and less substance use, after peer counseling than before?",
    design: StudyDesign::PrePost,
    comparison: None,
    arms: &[one_arm(
        "peer_counseling",
        "One-to-one peer counseling",
        "Emotional and informational support from a peer for motivation to change and coping.",
    )],
    eligibility: &[ADULT, field(F::Gender, &["woman"])],
    follow_up_days: 90,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        change(
            "readiness_change_3m",
            "Change in readiness to change from intake to 3 months",
            "3m",
            "readiness-ruler",
            None,
        ),
        OutcomeTemplate {
            code: "ready_to_change_3m",
            name: "Ready to change (7 or more on the ruler) at 3 months",
            measure: MeasureTemplate::Binary {
                time_point: "3m",
                instrument: "readiness-ruler",
                rule: BinaryTemplate::Score {
                    scale: None,
                    comparator: Comparator::AtLeast,
                    cut_off: 7,
                },
            },
        },
        change(
            "use_days_change_3m",
            "Change in days of any use (past 30) from intake to 3 months",
            "3m",
            "use-days-30",
            None,
        ),
        change(
            "recovery_capital_change_3m",
            "Change in recovery capital (BARC-10) from intake to 3 months",
            "3m",
            "barc-10",
            None,
        ),
    ],
    covariates: &[CovariateTemplate::Field(F::AgeBand)],
    subgroups: &[],
    blinded_assessor: false,
};

/// Boisvert et al. 2008: social support and quality of life against the residents' own
/// baseline, relapse against the previous year's residents.
pub(super) const HOUSING_PEER_SUPPORT_COMMUNITY: StudyTemplate = StudyTemplate {
    question: "Do residents in a peer-support community relapse less in their first year than \
        the previous year's residents, and do their social support and quality of life improve?",
    design: StudyDesign::QuasiExperimental,
    comparison: Some(ComparisonKind::HistoricalCohort),
    arms: &[
        ArmTemplate {
            code: "peer_community",
            name: "Peer-support community",
            receives: "Groups on occupation, leadership, group communication and facilitation, \
                with roles in the residents' own community.",
            role: ArmRole::Intervention,
            ratio: 0,
            membership: MembershipTemplate::ThisProgram,
        },
        ArmTemplate {
            code: "previous_residents",
            name: "The previous year's residents",
            receives: "Supported housing in the year before the peer-support community began.",
            role: ArmRole::Comparison,
            ratio: 0,
            membership: MembershipTemplate::PreviousYear,
        },
    ],
    eligibility: &[ADULT, field(F::Housing, &["supported"])],
    follow_up_days: 365,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        OutcomeTemplate {
            code: "relapse_1y",
            name: "Relapse (any reported substance use) within a year",
            measure: MeasureTemplate::EventWithin {
                event: event(OutcomeEventKind::SelfReportedUse),
                days: 365,
                index: None,
            },
        },
        change(
            "social_support_change_6m",
            "Change in perceived social support (MSPSS) from intake to 6 months",
            "6m",
            "mspss",
            None,
        ),
        change(
            "quality_of_life_change_6m",
            "Change in well-being (WHO-5 percentage) from intake to 6 months",
            "6m",
            "who-5",
            Some("percentage"),
        ),
        change(
            "recovery_capital_change_12m",
            "Change in recovery capital (BARC-10) from intake to 12 months",
            "12m",
            "barc-10",
            None,
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::Gender),
        CovariateTemplate::Field(F::PrimarySubstance),
    ],
    subgroups: &[],
    blinded_assessor: false,
};

/// Andreas et al. 2010.
pub(super) const REENTRY_PEER_COACHING: StudyTemplate = StudyTemplate {
    question: "Do people coming home from incarceration report more self-efficacy, social \
        support and quality of life, and less stress, after a year of peer coaching than when \
        they started?",
    design: StudyDesign::PrePost,
    comparison: None,
    arms: &[one_arm(
        "peer_coaching",
        "Reentry peer coaching",
        "A peer coach, role models, social opportunities, health and wellness, job search and \
         leadership opportunities.",
    )],
    eligibility: &[
        ADULT,
        field(F::JusticeInvolvement, &["probation", "parole", "recently_released"]),
    ],
    follow_up_days: 365,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        change(
            "self_efficacy_change_12m",
            "Change in self-efficacy (GSE) from intake to 12 months",
            "12m",
            "gse",
            None,
        ),
        change(
            "social_support_change_12m",
            "Change in perceived social support (MSPSS) from intake to 12 months",
            "12m",
            "mspss",
            None,
        ),
        change(
            "quality_of_life_change_12m",
            "Change in well-being (WHO-5 percentage) from intake to 12 months",
            "12m",
            "who-5",
            Some("percentage"),
        ),
        change(
            "stress_change_12m",
            "Change in the stress rating from intake to 12 months (Kindred's rating, not the PSS)",
            "12m",
            "stress-rating",
            None,
        ),
    ],
    covariates: &[CovariateTemplate::Field(F::AgeBand), CovariateTemplate::Field(F::Gender)],
    subgroups: &[F::Gender],
    blinded_assessor: false,
};

/// Armitage et al. 2010.
pub(super) const RECOVERY_COMMUNITY_CENTER: StudyTemplate = StudyTemplate {
    question: "How many participants of a recovery community center report no alcohol or drug \
        use in the past 30 days at 6 months, and how satisfied are they with the center?",
    design: StudyDesign::PrePost,
    comparison: None,
    arms: &[one_arm(
        "center",
        "Recovery community center",
        "A drop-in resource center, sober social activities, mutual-help meetings, a café with \
         job training, and leadership training.",
    )],
    eligibility: &[],
    follow_up_days: 180,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        OutcomeTemplate {
            code: "no_use_6m",
            name: "No alcohol or drug use in the past 30 days at 6 months",
            measure: MeasureTemplate::Binary {
                time_point: "6m",
                instrument: "use-days-30",
                rule: BinaryTemplate::Band { bands: &["no_use"] },
            },
        },
        change(
            "use_days_change_6m",
            "Change in days of any use (past 30) from intake to 6 months (the study reported no baseline)",
            "6m",
            "use-days-30",
            None,
        ),
        OutcomeTemplate {
            code: "satisfaction_6m",
            name: "Satisfaction with the center at 6 months",
            measure: MeasureTemplate::Score {
                time_point: "6m",
                instrument: "service-satisfaction",
                scale: None,
            },
        },
        OutcomeTemplate {
            code: "would_recommend_6m",
            name: "Would recommend the center, at 6 months",
            measure: MeasureTemplate::Binary {
                time_point: "6m",
                instrument: "service-satisfaction",
                rule: BinaryTemplate::Items {
                    items: &["sat_recommend"],
                    comparator: Comparator::AtLeast,
                    cut_off: 3,
                },
            },
        },
    ],
    covariates: &[CovariateTemplate::Field(F::AgeBand)],
    subgroups: &[F::Gender],
    blinded_assessor: false,
};
