//! Terms of evaluation: how a study compares people (the three designs the reviews graded),
//! how a comparison cohort is formed, which recorded fields a study may select, stratify or
//! split by, and the kinds of hospitalisation an outcome can name.

use super::vocabulary;

vocabulary! {
    /// The design of a study, as the evidence reviews grade it.
    StudyDesign, "study_design", "Study design" {
        Randomised => "randomised", "Randomised trial",
            "People are allocated to the program or a comparison by chance.";
        QuasiExperimental => "quasi_experimental", "Quasi-experimental comparison",
            "People in the program are compared with a group that was not allocated by chance.";
        PrePost => "pre_post", "Pre-post",
            "The same people are measured before and after, with no comparison group.";
    }
}

vocabulary! {
    /// How a quasi-experimental study forms its comparison group.
    ComparisonKind, "comparison_kind", "Comparison group" {
        OtherProgram => "other_program", "Concurrent cohort from another program",
            "Participants enrolled at the same time in another program (e.g. intensive case management alone).";
        ComponentNotReceived => "component_not_received", "Concurrent cohort without a component",
            "Participants of the same program, at the same time, who did not receive a named component.";
        HistoricalCohort => "historical_cohort", "Historical cohort",
            "Participants enrolled in an earlier period (e.g. the previous year's residents).";
    }
}

vocabulary! {
    /// What an arm is for in the comparison.
    ArmRole, "arm_role", "Arm role" {
        Intervention => "intervention", "Intervention",
            "Receives the peer recovery support being evaluated.";
        Comparison => "comparison", "Comparison",
            "The condition effects are measured against (usual care, a lesser offer, another program).";
    }
}

vocabulary! {
    /// The kind of a hospital or residential admission, so an outcome can name the one it
    /// counts (psychiatric rehospitalisation is not a detox admission).
    HospitalisationKind, "hospitalisation_kind", "Hospitalisation" {
        Psychiatric => "psychiatric", "Psychiatric",
            "An inpatient psychiatric admission.";
        Medical => "medical", "Medical",
            "A medical or surgical inpatient admission.";
        Detox => "detox", "Detoxification",
            "An inpatient or medically managed withdrawal (detox) admission.";
        Residential => "residential", "Residential treatment",
            "An admission to residential substance use treatment.";
    }
}

vocabulary! {
    /// A recorded enrolment or baseline field a study may select on (eligibility), stratify
    /// its randomisation by, adjust for (covariates) or split its results by (subgroups).
    BaselineField, "baseline_field", "Baseline field" {
        ReferralSource => "referral_source", "Referral source",
            "Who or what referred the participant.";
        Setting => "setting", "Setting",
            "Where the service is delivered.";
        TreatmentPhase => "treatment_phase", "Treatment phase",
            "When the service is offered relative to treatment.";
        AgeBand => "age_band", "Age band",
            "Age at enrolment, in bands.";
        Gender => "gender", "Gender",
            "Gender, as the participant describes it.";
        PrimarySubstance => "primary_substance", "Primary substance",
            "The substance causing the most problems.";
        CoOccurringMentalDisorder => "co_occurring_mental_disorder", "Co-occurring mental disorder",
            "Whether a mental disorder co-occurs with the substance use disorder.";
        Housing => "housing", "Housing",
            "Housing situation at enrolment.";
        JusticeInvolvement => "justice_involvement", "Justice involvement",
            "Current involvement with the criminal-justice system.";
        Veteran => "veteran", "Veteran",
            "Whether the participant is a veteran.";
        Pregnant => "pregnant", "Pregnant",
            "Whether the participant is pregnant at enrolment.";
    }
}

vocabulary! {
    /// How a score or an answer is compared with a cut-off.
    Comparator, "comparator", "Comparison with a cut-off" {
        AtMost => "at_most", "at most (≤)", "The value is at most the cut-off.";
        Below => "below", "below (<)", "The value is below the cut-off.";
        AtLeast => "at_least", "at least (≥)", "The value is at least the cut-off.";
        Above => "above", "above (>)", "The value is above the cut-off.";
    }
}

impl Comparator {
    /// Whether `value` compares with `cut_off` this way.
    pub fn holds(self, value: f64, cut_off: f64) -> bool {
        match self {
            Self::AtMost => value <= cut_off,
            Self::Below => value < cut_off,
            Self::AtLeast => value >= cut_off,
            Self::Above => value > cut_off,
        }
    }

    /// The mathematical symbol (`≤`), for plain-language descriptions.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtMost => "≤",
            Self::Below => "<",
            Self::AtLeast => "≥",
            Self::Above => ">",
        }
    }
}
