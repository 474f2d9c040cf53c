//! The recorded fields a study selects, stratifies, adjusts and splits by, and their values:
//! each field reads its codes from the participant's vocabulary, so a study's rules use the
//! same codes as the enrolment form.

use std::collections::BTreeMap;

use crate::participant::{Baseline, Enrolment};
use crate::vocabulary::{
    AgeBand, BaselineField, Gender, Housing, JusticeInvolvement, PrimarySubstance, ReferralSource,
    Setting, TreatmentPhase, Vocabulary, YesNoUnknown,
};

fn codes<V: Vocabulary>() -> Vec<&'static str> {
    V::ALL.iter().map(|term| term.code()).collect()
}

fn label<V: Vocabulary>(code: &str) -> Option<&'static str> {
    V::from_code(code).map(Vocabulary::label)
}

impl BaselineField {
    /// The codes this field may take (the participant vocabulary it reads).
    pub fn allowed_values(self) -> Vec<&'static str> {
        match self {
            Self::ReferralSource => codes::<ReferralSource>(),
            Self::Setting => codes::<Setting>(),
            Self::TreatmentPhase => codes::<TreatmentPhase>(),
            Self::AgeBand => codes::<AgeBand>(),
            Self::Gender => codes::<Gender>(),
            Self::PrimarySubstance => codes::<PrimarySubstance>(),
            Self::Housing => codes::<Housing>(),
            Self::JusticeInvolvement => codes::<JusticeInvolvement>(),
            Self::CoOccurringMentalDisorder | Self::Veteran | Self::Pregnant => {
                codes::<YesNoUnknown>()
            }
        }
    }

    /// A value for people: its label, or the code itself when it has none.
    pub fn value_in_words(self, code: &str) -> String {
        self.value_label(code).map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// Values for people, joined with commas.
    pub fn values_in_words(self, codes: &[String]) -> String {
        codes.iter().map(|code| self.value_in_words(code)).collect::<Vec<_>>().join(", ")
    }

    /// The label of one of this field's codes (`25_34` → "25–34"); `None` for an unknown code.
    pub fn value_label(self, code: &str) -> Option<&'static str> {
        match self {
            Self::ReferralSource => label::<ReferralSource>(code),
            Self::Setting => label::<Setting>(code),
            Self::TreatmentPhase => label::<TreatmentPhase>(code),
            Self::AgeBand => label::<AgeBand>(code),
            Self::Gender => label::<Gender>(code),
            Self::PrimarySubstance => label::<PrimarySubstance>(code),
            Self::Housing => label::<Housing>(code),
            Self::JusticeInvolvement => label::<JusticeInvolvement>(code),
            Self::CoOccurringMentalDisorder | Self::Veteran | Self::Pregnant => {
                label::<YesNoUnknown>(code)
            }
        }
    }

    /// Parses one value of this field, naming the allowed codes when it is wrong.
    pub fn parse_value(self, code: &str) -> Result<&'static str, String> {
        let allowed = self.allowed_values();
        let code = code.trim();
        allowed.iter().copied().find(|c| *c == code).ok_or_else(|| {
            format!("is not a {} code; use one of: {}", self.code(), allowed.join(", "))
        })
    }

    /// This field's value for a participant, as a code; `None` when it was not recorded.
    pub fn value_of(self, enrolment: &Enrolment, baseline: &Baseline) -> Option<&'static str> {
        match self {
            Self::ReferralSource => enrolment.referral_source.map(Vocabulary::code),
            Self::Setting => enrolment.setting.map(Vocabulary::code),
            Self::TreatmentPhase => enrolment.treatment_phase.map(Vocabulary::code),
            Self::AgeBand => Some(baseline.age_band.code()),
            Self::Gender => baseline.gender.map(Vocabulary::code),
            Self::PrimarySubstance => baseline.primary_substance.map(Vocabulary::code),
            Self::CoOccurringMentalDisorder => Some(baseline.co_occurring_mental_disorder.code()),
            Self::Housing => baseline.housing.map(Vocabulary::code),
            Self::JusticeInvolvement => baseline.justice_involvement.map(Vocabulary::code),
            Self::Veteran => Some(baseline.veteran.code()),
            Self::Pregnant => Some(baseline.pregnant.code()),
        }
    }
}

/// Every recorded baseline value of a participant, by field (fields not recorded are absent):
/// what eligibility, strata, covariates and subgroups read.
pub fn baseline_values(
    enrolment: &Enrolment,
    baseline: &Baseline,
) -> BTreeMap<BaselineField, String> {
    BaselineField::ALL
        .iter()
        .filter_map(|field| field.value_of(enrolment, baseline).map(|v| (*field, v.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::ParticipantStatus;

    #[test]
    fn every_field_reads_its_own_vocabulary() {
        assert_eq!(BaselineField::Setting.parse_value(" walk_in_clinic "), Ok("walk_in_clinic"));
        let wrong = BaselineField::Veteran.parse_value("maybe").unwrap_err();
        assert!(wrong.contains("yes, no, unknown"), "{wrong}");
        for field in BaselineField::ALL {
            assert!(!field.allowed_values().is_empty());
        }
    }

    #[test]
    fn a_participant_s_values_leave_out_what_was_not_recorded() {
        let enrolment = Enrolment {
            program_id: None,
            enrolled_on: time::macros::date!(2026 - 01 - 05),
            setting: Some(Setting::WalkInClinic),
            referral_source: None,
            treatment_phase: None,
            coach_id: None,
            status: ParticipantStatus::Active,
            left_on: None,
        };
        let baseline = Baseline {
            age_band: AgeBand::From25To34,
            gender: Some(Gender::Woman),
            primary_substance: None,
            co_occurring_mental_disorder: YesNoUnknown::Yes,
            housing: None,
            justice_involvement: None,
            pregnant: YesNoUnknown::Unknown,
            veteran: YesNoUnknown::No,
        };
        let values = baseline_values(&enrolment, &baseline);
        assert_eq!(values.get(&BaselineField::Setting).map(String::as_str), Some("walk_in_clinic"));
        assert_eq!(values.get(&BaselineField::AgeBand).map(String::as_str), Some("25_34"));
        assert!(!values.contains_key(&BaselineField::ReferralSource));
        assert_eq!(values.len(), 6, "setting, age band, gender and the three yes/no fields");
    }
}
