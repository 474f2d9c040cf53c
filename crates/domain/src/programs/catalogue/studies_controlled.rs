//! The designs of the four quasi-experimental studies, as "Replicate this study" pre-fills
//! them: the comparison cohort in the study's words (another program, or the program's own
//! participants who did not receive a component), who was eligible, and the outcomes over the
//! template's own schedule and events.

use super::studies::{arm, event, field, outcome};
use crate::study::template::{
    BinaryTemplate, CovariateTemplate, EligibilityTemplate, EventTemplate, MeasureTemplate,
    MembershipTemplate, StudyTemplate,
};
use crate::vocabulary::{
    ArmRole, BaselineField as F, Comparator, ComparisonKind, HospitalisationKind,
    OutcomeEventKind as E, StudyDesign,
};

const PSYCHIATRIC: EventTemplate = EventTemplate {
    kind: E::Hospitalisation,
    hospitalisation: &[HospitalisationKind::Psychiatric],
    appointment: &[],
};

/// Sanders et al. 1998.
pub(super) const WOMEN_PEER_CASE_MANAGEMENT: StudyTemplate = StudyTemplate {
    question: "Are women served by peer counselors in recovery more satisfied, and are more of \
        their needs met, than women served by traditionally trained counselors?",
    design: StudyDesign::QuasiExperimental,
    comparison: Some(ComparisonKind::OtherProgram),
    arms: &[
        arm(
            "peer_counselors",
            "Peer counselors",
            "Comprehensive case management from peer counselors who are women in recovery: peer \
             counseling, prenatal care, support groups, housing, transportation, parenting, \
             nutrition and social services.",
            ArmRole::Intervention,
            0,
            MembershipTemplate::ThisProgram,
        ),
        arm(
            "traditional_counselors",
            "Traditionally trained counselors",
            "Case management from traditionally trained counselors (in the study, a \
             nonequivalent group of women who were not pregnant).",
            ArmRole::Comparison,
            0,
            MembershipTemplate::ComparisonProgram,
        ),
    ],
    eligibility: &[field(F::Gender, &["woman"]), field(F::PrimarySubstance, &["cocaine"])],
    follow_up_days: 180,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        outcome(
            "satisfaction_3m",
            "Satisfaction with the program at 3 months",
            MeasureTemplate::Score {
                time_point: "3m",
                instrument: "service-satisfaction",
                scale: None,
            },
        ),
        outcome(
            "needs_met_3m",
            "The program helped quite a lot or a great deal with what she wanted, at 3 months",
            MeasureTemplate::Binary {
                time_point: "3m",
                instrument: "service-satisfaction",
                rule: BinaryTemplate::Items {
                    items: &["sat_needs"],
                    comparator: Comparator::AtLeast,
                    cut_off: 3,
                },
            },
        ),
        outcome(
            "would_recommend_3m",
            "Would recommend the program, at 3 months",
            MeasureTemplate::Binary {
                time_point: "3m",
                instrument: "service-satisfaction",
                rule: BinaryTemplate::Items {
                    items: &["sat_recommend"],
                    comparator: Comparator::AtLeast,
                    cut_off: 3,
                },
            },
        ),
        outcome(
            "recovery_capital_change_6m",
            "Change in recovery capital (BARC-10) from intake to 6 months",
            MeasureTemplate::Change { time_point: "6m", instrument: "barc-10", scale: None },
        ),
    ],
    // The comparison group differed by pregnancy: adjust for it, and report by it.
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::Pregnant),
        CovariateTemplate::BaselineScore { instrument: "barc-10", scale: None },
    ],
    subgroups: &[F::Pregnant],
    blinded_assessor: false,
};

/// Min et al. 2007.
pub(super) const COMMUNITY_COMPANION: StudyTemplate = StudyTemplate {
    question: "Do people with co-occurring serious mental illness and substance use disorders \
        who have a peer companion stay out of psychiatric hospital longer, over three years, \
        than those with intensive case management alone?",
    design: StudyDesign::QuasiExperimental,
    comparison: Some(ComparisonKind::OtherProgram),
    arms: &[
        arm(
            "companion",
            "Peer companion",
            "A peer companion for community activities, recreation and self-help meetings, to \
             build a social network, alongside case management.",
            ArmRole::Intervention,
            0,
            MembershipTemplate::ThisProgram,
        ),
        arm(
            "case_management",
            "Intensive case management alone",
            "Intensive case management alone.",
            ArmRole::Comparison,
            0,
            MembershipTemplate::ComparisonProgram,
        ),
    ],
    eligibility: &[
        field(F::CoOccurringMentalDisorder, &["yes"]),
        EligibilityTemplate::EventHistory { event: PSYCHIATRIC, within_days_before: 730 },
    ],
    follow_up_days: 1095,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        outcome(
            "psychiatric_rehospitalisation",
            "Days to psychiatric rehospitalisation, over 3 years",
            MeasureTemplate::TimeToEvent { event: PSYCHIATRIC },
        ),
        outcome(
            "psychiatric_admissions_rate",
            "Psychiatric admissions per month enrolled",
            MeasureTemplate::EventRate { event: PSYCHIATRIC },
        ),
        outcome(
            "rehospitalised_1y",
            "Psychiatric rehospitalisation within a year",
            MeasureTemplate::EventWithin { event: PSYCHIATRIC, days: 365, index: None },
        ),
        outcome(
            "social_support_change_12m",
            "Change in perceived social support (MSPSS) from intake to 12 months",
            MeasureTemplate::Change { time_point: "12m", instrument: "mspss", scale: None },
        ),
        outcome(
            "wellbeing_over_3y",
            "Well-being (WHO-5 percentage) at intake, 6, 12, 24 and 36 months",
            MeasureTemplate::Repeated {
                instrument: "who-5",
                scale: Some("percentage"),
                time_points: &["intake", "6m", "12m", "24m", "36m"],
            },
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::Gender),
        CovariateTemplate::Field(F::Housing),
        CovariateTemplate::Field(F::PrimarySubstance),
    ],
    subgroups: &[F::Housing],
    blinded_assessor: false,
};

/// Mangrum 2008.
pub(super) const RECOVERY_SUPPORT_WITH_TREATMENT: StudyTemplate = StudyTemplate {
    question: "Are people in substance use treatment who also receive peer recovery coaching \
        more likely to complete treatment than those who do not, and does it differ by who \
        referred them?",
    design: StudyDesign::QuasiExperimental,
    comparison: Some(ComparisonKind::ComponentNotReceived),
    arms: &[
        arm(
            "recovery_support",
            "Recovery support with treatment",
            "Peer coaching, recovery groups and family support alongside substance use treatment.",
            ArmRole::Intervention,
            0,
            MembershipTemplate::Component { component: "Peer coaching", received: true },
        ),
        arm(
            "treatment_only",
            "Treatment without recovery support",
            "Substance use treatment without the recovery support program.",
            ArmRole::Comparison,
            0,
            MembershipTemplate::Component { component: "Peer coaching", received: false },
        ),
    ],
    eligibility: &[field(
        F::ReferralSource,
        &["drug_court", "probation", "child_protective_services"],
    )],
    follow_up_days: 365,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        outcome(
            "treatment_completion_180d",
            "Completed treatment within 180 days of the treatment admission",
            MeasureTemplate::EventWithin {
                event: event(E::TreatmentCompletion),
                days: 180,
                index: Some(event(E::TreatmentAdmission)),
            },
        ),
        outcome(
            "treatment_admission_30d",
            "Admitted to treatment within 30 days of enrolment",
            MeasureTemplate::EventWithin {
                event: event(E::TreatmentAdmission),
                days: 30,
                index: None,
            },
        ),
        outcome(
            "arrest_rate",
            "Arrests per month enrolled",
            MeasureTemplate::EventRate { event: event(E::Arrest) },
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::ReferralSource),
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::PrimarySubstance),
    ],
    subgroups: &[F::ReferralSource],
    blinded_assessor: false,
};

/// Deering et al. 2011.
pub(super) const MOBILE_OUTREACH: StudyTemplate = StudyTemplate {
    question: "Are women who use a peer-led mobile outreach van more likely to use detox and \
        residential treatment over 18 months than women who do not?",
    design: StudyDesign::QuasiExperimental,
    comparison: Some(ComparisonKind::ComponentNotReceived),
    arms: &[
        arm(
            "van_users",
            "Used the mobile outreach van",
            "Peer-led mobile outreach at night: a safe space, prevention and harm-reduction \
             supplies, peer support and referrals to health, social and substance use services.",
            ArmRole::Intervention,
            0,
            MembershipTemplate::Component { component: "Mobile outreach", received: true },
        ),
        arm(
            "non_users",
            "Did not use the van",
            "The program's other contacts without the van (in the study, women in the same \
             cohort who did not use it).",
            ArmRole::Comparison,
            0,
            MembershipTemplate::Component { component: "Mobile outreach", received: false },
        ),
    ],
    eligibility: &[field(F::Gender, &["woman"]), field(F::Setting, &["street_outreach"])],
    follow_up_days: 540,
    enrolment_days: 365,
    stratify_by: &[],
    block_sizes: &[],
    outcomes: &[
        outcome(
            "detox_or_residential_18m",
            "Admitted to detox or residential treatment within 18 months",
            MeasureTemplate::EventWithin {
                event: EventTemplate {
                    kind: E::Hospitalisation,
                    hospitalisation: &[
                        HospitalisationKind::Detox,
                        HospitalisationKind::Residential,
                    ],
                    appointment: &[],
                },
                days: 540,
                index: None,
            },
        ),
        outcome(
            "treatment_admission_18m",
            "Admitted to any substance use treatment within 18 months",
            MeasureTemplate::EventWithin {
                event: event(E::TreatmentAdmission),
                days: 540,
                index: None,
            },
        ),
        outcome(
            "use_days_six_monthly",
            "Days of any use in the past 30, at the 6, 12 and 18-month surveys",
            MeasureTemplate::Repeated {
                instrument: "use-days-30",
                scale: None,
                time_points: &["6m", "12m", "18m"],
            },
        ),
        outcome(
            "overdose_rate",
            "Overdoses per month enrolled",
            MeasureTemplate::EventRate { event: event(E::Overdose) },
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::Housing),
        CovariateTemplate::Field(F::PrimarySubstance),
        CovariateTemplate::BaselineScore { instrument: "use-days-30", scale: None },
    ],
    subgroups: &[F::Housing],
    blinded_assessor: false,
};
