//! The designs of the two randomised trials, as "Replicate this study" pre-fills them: the
//! comparison condition in the study's words, who was eligible, the outcomes over the
//! template's own schedule and events. Where the study measured something Kindred does not
//! record (hair tests, the Addiction Severity Index), the outcome uses the nearest measure the
//! schedule collects and its name says so. Blinded assessment is Kindred's default for
//! randomised replications; the evaluator may turn it off.

use super::studies::{ADULT, arm, event, field, outcome};
use crate::study::template::{
    BinaryTemplate, CovariateTemplate, EventTemplate, MeasureTemplate, MembershipTemplate,
    StudyTemplate,
};
use crate::vocabulary::{
    AppointmentKind, ArmRole, BaselineField as F, Comparator, OutcomeEventKind as E, StudyDesign,
};

const fn attended(kind: &'static [AppointmentKind]) -> EventTemplate {
    EventTemplate { kind: E::AppointmentAttended, hospitalisation: &[], appointment: kind }
}

/// Bernstein et al. 2005.
pub(super) const ED_BRIEF_INTERVENTION: StudyTemplate = StudyTemplate {
    question: "Does a peer's brief motivational intervention at a walk-in clinic visit, with a \
        telephone booster about 10 days later, make people more likely to be abstinent from \
        cocaine and heroin six months later than written advice and a referral list alone?",
    design: StudyDesign::Randomised,
    comparison: None,
    arms: &[
        arm(
            "peer_intervention",
            "Peer brief motivational intervention",
            "A structured one-to-one motivational conversation with a peer at the clinic visit, \
             written advice, a referral list and a telephone booster about 10 days later.",
            ArmRole::Intervention,
            1,
            MembershipTemplate::None,
        ),
        arm(
            "written_advice",
            "Written advice and referral list",
            "Written advice and a referral list only.",
            ArmRole::Comparison,
            1,
            MembershipTemplate::None,
        ),
    ],
    eligibility: &[
        ADULT,
        field(F::Setting, &["walk_in_clinic"]),
        field(F::PrimarySubstance, &["opioids", "cocaine", "polysubstance"]),
    ],
    follow_up_days: 180,
    enrolment_days: 365,
    stratify_by: &[F::PrimarySubstance],
    block_sizes: &[4, 6],
    outcomes: &[
        outcome(
            "abstinent_cocaine_opioids_6m",
            "No cocaine or opioid use in the past 30 days at 6 months (self-report; the study \
             used hair tests)",
            MeasureTemplate::Binary {
                time_point: "6m",
                instrument: "use-days-30",
                rule: BinaryTemplate::Items {
                    items: &["use_opioids", "use_cocaine"],
                    comparator: Comparator::AtMost,
                    cut_off: 0,
                },
            },
        ),
        outcome(
            "abstinent_cocaine_6m",
            "No cocaine use in the past 30 days at 6 months",
            MeasureTemplate::Binary {
                time_point: "6m",
                instrument: "use-days-30",
                rule: BinaryTemplate::Items {
                    items: &["use_cocaine"],
                    comparator: Comparator::AtMost,
                    cut_off: 0,
                },
            },
        ),
        outcome(
            "abstinent_opioids_6m",
            "No opioid use in the past 30 days at 6 months",
            MeasureTemplate::Binary {
                time_point: "6m",
                instrument: "use-days-30",
                rule: BinaryTemplate::Items {
                    items: &["use_opioids"],
                    comparator: Comparator::AtMost,
                    cut_off: 0,
                },
            },
        ),
        outcome(
            "drug_problems_6m",
            "Drug problems at 6 months (DAST-10, in place of the study's Addiction Severity Index)",
            MeasureTemplate::Score { time_point: "6m", instrument: "dast-10", scale: None },
        ),
        outcome(
            "readiness_change_6m",
            "Change in readiness to change from intake to 6 months",
            MeasureTemplate::Change {
                time_point: "6m",
                instrument: "readiness-ruler",
                scale: None,
            },
        ),
        outcome(
            "treatment_admission_6m",
            "Admitted to substance use treatment within 6 months (contact with treatment)",
            MeasureTemplate::EventWithin {
                event: event(E::TreatmentAdmission),
                days: 180,
                index: None,
            },
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::Gender),
        CovariateTemplate::Field(F::PrimarySubstance),
        CovariateTemplate::BaselineScore { instrument: "dast-10", scale: None },
    ],
    subgroups: &[F::Gender, F::PrimarySubstance],
    blinded_assessor: true,
};

/// Tracy et al. 2011.
pub(super) const POST_DISCHARGE_ENGAGEMENT: StudyTemplate = StudyTemplate {
    question: "Does a peer mentor who stays in touch after discharge, and goes with the person \
        to their first outpatient appointment, make them more likely to attend their \
        post-discharge appointments than treatment as usual?",
    design: StudyDesign::Randomised,
    comparison: None,
    arms: &[
        arm(
            "peer_mentor",
            "Peer mentorship",
            "A peer mentor with open-ended individual contact, peer-led groups and an escort to \
             the first outpatient appointment, alongside treatment as usual.",
            ArmRole::Intervention,
            1,
            MembershipTemplate::None,
        ),
        arm(
            "usual_care",
            "Treatment as usual",
            "Treatment as usual. (The study's third arm added dual-recovery therapy, a clinical \
             service outside peer support, and is left out.)",
            ArmRole::Comparison,
            1,
            MembershipTemplate::None,
        ),
    ],
    eligibility: &[ADULT, field(F::Setting, &["inpatient"]), field(F::Veteran, &["yes"])],
    follow_up_days: 90,
    enrolment_days: 365,
    stratify_by: &[F::CoOccurringMentalDisorder],
    block_sizes: &[2, 4],
    outcomes: &[
        outcome(
            "sud_appointment_30d",
            "Attended a substance use treatment appointment within 30 days",
            MeasureTemplate::EventWithin {
                event: attended(&[AppointmentKind::SubstanceUseTreatment]),
                days: 30,
                index: None,
            },
        ),
        outcome(
            "appointments_attended_rate",
            "Outpatient appointments attended per month enrolled",
            MeasureTemplate::EventRate { event: event(E::AppointmentAttended) },
        ),
        outcome(
            "mental_health_appointment_30d",
            "Attended a mental health appointment within 30 days",
            MeasureTemplate::EventWithin {
                event: attended(&[AppointmentKind::MentalHealth]),
                days: 30,
                index: None,
            },
        ),
        outcome(
            "medical_appointment_30d",
            "Attended a medical appointment within 30 days",
            MeasureTemplate::EventWithin {
                event: attended(&[AppointmentKind::Medical]),
                days: 30,
                index: None,
            },
        ),
        outcome(
            "readmission",
            "Days to readmission to hospital",
            MeasureTemplate::TimeToEvent { event: event(E::Hospitalisation) },
        ),
    ],
    covariates: &[
        CovariateTemplate::Field(F::AgeBand),
        CovariateTemplate::Field(F::CoOccurringMentalDisorder),
        CovariateTemplate::Field(F::PrimarySubstance),
    ],
    subgroups: &[F::CoOccurringMentalDisorder],
    blinded_assessor: true,
};
