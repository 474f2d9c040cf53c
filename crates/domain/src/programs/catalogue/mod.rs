//! The ten program templates, one per intervention in the reviews (`DOMAIN.md`'s table). Each
//! keeps what its study reports: the components, the timing it gives (the 10-day booster, the
//! escort to the first outpatient appointment), the peers' qualifications. Where a program
//! needs a number the study does not give (a window, a caseload, a cost), the template chooses
//! a default and its description says so. Costs are in US cents.

mod controlled;
mod pre_post;
mod studies;
mod studies_controlled;
mod studies_randomised;

use super::eligibility::EligibilityRules;
use super::templates::{ProgramTemplate, StepTemplate};
use crate::vocabulary::{Activity, AppointmentKind, ContactMode, StepAnchor};

/// A step measured from the enrolment date.
pub(super) const fn from_enrolment(
    code: &'static str,
    name: &'static str,
    description: &'static str,
    (target_day, window_start_day, window_end_day): (i32, i32, i32),
    activity: Activity,
) -> StepTemplate {
    StepTemplate {
        code,
        name,
        description,
        anchor: StepAnchor::Enrolment,
        appointment_kind: None,
        target_day,
        window_start_day,
        window_end_day,
        activity: Some(activity),
    }
}

/// A step measured from the participant's first appointment of `kind`.
pub(super) const fn from_first_appointment(
    code: &'static str,
    name: &'static str,
    description: &'static str,
    kind: AppointmentKind,
    (target_day, window_start_day, window_end_day): (i32, i32, i32),
    activity: Activity,
) -> StepTemplate {
    StepTemplate {
        code,
        name,
        description,
        anchor: StepAnchor::FirstAppointment,
        appointment_kind: Some(kind),
        target_day,
        window_start_day,
        window_end_day,
        activity: Some(activity),
    }
}

pub(super) const fn rules(
    months: Option<i32>,
    certification: bool,
    hours: Option<i32>,
) -> EligibilityRules {
    EligibilityRules {
        min_months_in_recovery: months,
        requires_certification: certification,
        min_training_hours: hours,
    }
}

/// Contact costs: in person (travel, activity or running costs), phone and video, text.
const fn contact_costs(in_person: i64) -> [(ContactMode, i64); 4] {
    [
        (ContactMode::InPerson, in_person),
        (ContactMode::Phone, 50),
        (ContactMode::Video, 50),
        (ContactMode::Text, 10),
    ]
}

pub(super) const COSTS_2: [(ContactMode, i64); 4] = contact_costs(200);
pub(super) const COSTS_5: [(ContactMode, i64); 4] = contact_costs(500);
pub(super) const COSTS_8: [(ContactMode, i64); 4] = contact_costs(800);
pub(super) const COSTS_10: [(ContactMode, i64); 4] = contact_costs(1000);
pub(super) const COSTS_12: [(ContactMode, i64); 4] = contact_costs(1200);

/// In the order `DOMAIN.md` lists the models.
pub(super) const TEMPLATES: &[ProgramTemplate] = &[
    controlled::ED_BRIEF_INTERVENTION,
    controlled::POST_DISCHARGE_ENGAGEMENT,
    controlled::WOMEN_PEER_CASE_MANAGEMENT,
    controlled::COMMUNITY_COMPANION,
    controlled::RECOVERY_SUPPORT_WITH_TREATMENT,
    controlled::MOBILE_OUTREACH,
    pre_post::RURAL_PEER_COUNSELING,
    pre_post::HOUSING_PEER_SUPPORT_COMMUNITY,
    pre_post::REENTRY_PEER_COACHING,
    pre_post::RECOVERY_COMMUNITY_CENTER,
];
