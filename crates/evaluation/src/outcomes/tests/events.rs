//! Events within N days, time to the first event, and counts over the time enrolled, at the
//! edges of follow-up: the last contact, withdrawal, the study's end and the horizon.

use kindred_domain::vocabulary::{
    AppointmentKind, AppointmentStatus, HospitalisationKind, OutcomeEventKind as E,
    ParticipantStatus,
};
use serde_json::json;

use super::*;

fn admission_within_30() -> StudyDefinition {
    study(
        json!([{"code": "admitted", "name": "Admitted within 30 days", "kind": "event_within",
                "event": {"kind": "treatment_admission"}, "days": 30}]),
        180,
    )
}

fn followed_to(on_day: i64) -> ParticipantRecord {
    ParticipantRecord { last_follow_up_on: Some(day(on_day)), ..record() }
}

#[test]
fn an_event_within_the_window_is_yes_and_no_event_is_no_only_if_followed_long_enough() {
    let study = admission_within_30();
    let mut r = followed_to(45);
    for (on, expected) in [(0, true), (20, true), (30, true), (31, false), (-3, false)] {
        r.events = vec![event(E::TreatmentAdmission, on)];
        assert_eq!(derived(&study, &r), Observation::Binary { value: expected }, "day {on}");
    }
    r.events.clear();
    assert_eq!(derived(&study, &r), Observation::Binary { value: false });
    let short = followed_to(10);
    assert_eq!(
        reason(derived(&study, &short)),
        "followed up for only 10 of the 30 days after enrolment (no contact since)"
    );
    // An event after the last contact but inside the window is still known.
    let mut late_news = followed_to(10);
    late_news.events.push(event(E::TreatmentAdmission, 25));
    assert_eq!(derived(&study, &late_news), Observation::Binary { value: true });
    // A contact exactly on day 30 is enough.
    assert_eq!(derived(&study, &followed_to(30)), Observation::Binary { value: false });
}

#[test]
fn withdrawal_ends_what_counts_and_the_study_end_too() {
    let study = admission_within_30();
    let mut r = followed_to(45);
    r.status = ParticipantStatus::Withdrawn;
    r.left_on = Some(day(12));
    assert_eq!(reason(derived(&study, &r)), "withdrew 12 days into the 30 days after enrolment");
    r.events.push(event(E::TreatmentAdmission, 25));
    assert!(derived(&study, &r).is_missing(), "an event after withdrawal does not count");
    r.events.push(event(E::TreatmentAdmission, 5));
    assert_eq!(derived(&study, &r), Observation::Binary { value: true });
    let mut ended = followed_to(45);
    ended.study_end = day(20);
    assert_eq!(
        reason(derived(&study, &ended)),
        "the study ended 20 days into the 30 days after enrolment"
    );
}

#[test]
fn an_index_event_starts_its_own_window() {
    let completion = study(
        json!([{"code": "completed", "name": "Completed within 60 days of admission", "kind": "event_within",
                "event": {"kind": "treatment_completion"}, "days": 60,
                "origin": "index_event", "index_event": {"kind": "treatment_admission"}}]),
        180,
    );
    let mut r = followed_to(170);
    assert_eq!(
        reason(derived(&completion, &r)),
        "no treatment admission on record during follow-up (the index event)"
    );
    r.events = vec![event(E::TreatmentAdmission, 40), event(E::TreatmentCompletion, 95)];
    assert_eq!(derived(&completion, &r), Observation::Binary { value: true });
    r.events = vec![event(E::TreatmentAdmission, 40), event(E::TreatmentCompletion, 101)];
    assert_eq!(derived(&completion, &r), Observation::Binary { value: false }, "day 61 after");
    // A completion before the admission is not in the window.
    r.events = vec![event(E::TreatmentCompletion, 30), event(E::TreatmentAdmission, 40)];
    assert_eq!(derived(&completion, &r), Observation::Binary { value: false });
    // An admission late in follow-up: its 60 days run past the horizon.
    r.events = vec![event(E::TreatmentAdmission, 150)];
    assert_eq!(
        reason(derived(&completion, &r)),
        "the 60 days after the treatment admission run past the study's 180-day follow-up"
    );
    // The index event is never its own outcome (readmission after an admission).
    let readmission = study(
        json!([{"code": "readmitted", "name": "Readmitted within 30 days", "kind": "event_within",
                "event": {"kind": "hospitalisation"}, "days": 30,
                "origin": "index_event", "index_event": {"kind": "hospitalisation"}}]),
        180,
    );
    let mut r = followed_to(100);
    r.events = vec![EventRecord::hospitalisation(None, day(10))];
    assert_eq!(derived(&readmission, &r), Observation::Binary { value: false });
    r.events.push(EventRecord::hospitalisation(None, day(25)));
    assert_eq!(derived(&readmission, &r), Observation::Binary { value: true });
}

fn rehospitalisation(follow_up_days: u32) -> StudyDefinition {
    study(
        json!([{"code": "rehosp", "name": "Days to psychiatric rehospitalisation", "kind": "time_to_event",
                "event": {"kind": "hospitalisation", "hospitalisation_kinds": ["psychiatric"]}}]),
        follow_up_days,
    )
}

fn psychiatric(on_day: i64) -> EventRecord {
    EventRecord::hospitalisation(Some(HospitalisationKind::Psychiatric), day(on_day))
}

#[test]
fn time_to_event_counts_the_named_kind_and_censors_at_the_first_end_of_follow_up() {
    let study = rehospitalisation(1095);
    let tte = |days: f64, event: bool| Observation::TimeToEvent { days, event };
    let mut r = followed_to(300);
    r.events = vec![
        EventRecord::hospitalisation(Some(HospitalisationKind::Medical), day(50)),
        EventRecord::hospitalisation(None, day(60)),
        psychiatric(-100),
        psychiatric(140),
        psychiatric(100),
    ];
    assert_eq!(derived(&study, &r), tte(100.0, true), "the first psychiatric one after enrolment");
    r.events.truncate(3);
    assert_eq!(derived(&study, &r), tte(300.0, false), "censored at the last contact");
    // Known after the last contact (a hospital's notice): still an event.
    r.events.push(psychiatric(400));
    assert_eq!(derived(&study, &r), tte(400.0, true));
    // Withdrawal censors: an event after it does not count, and censoring is at the first of
    // the last contact and the withdrawal.
    r.status = ParticipantStatus::Withdrawn;
    r.left_on = Some(day(350));
    assert_eq!(derived(&study, &r), tte(300.0, false));
    r.left_on = Some(day(200));
    assert_eq!(derived(&study, &r), tte(200.0, false));
    // Withdrawn on an unrecorded day: followed only to the last contact.
    r.left_on = None;
    assert_eq!(derived(&study, &r), tte(300.0, false));
    // The study's end, and the horizon.
    let mut ended = followed_to(500);
    ended.study_end = day(250);
    assert_eq!(derived(&study, &ended), tte(250.0, false));
    assert_eq!(derived(&rehospitalisation(365), &followed_to(500)), tte(365.0, false));
    let mut on_horizon = followed_to(500);
    on_horizon.events.push(psychiatric(365));
    assert_eq!(derived(&rehospitalisation(365), &on_horizon), tte(365.0, true));
    on_horizon.events = vec![psychiatric(366)];
    assert_eq!(derived(&rehospitalisation(365), &on_horizon), tte(365.0, false));
}

#[test]
fn zero_follow_up_is_censored_at_day_zero_and_negative_intervals_are_missing() {
    let study = rehospitalisation(1095);
    assert_eq!(derived(&study, &record()), Observation::TimeToEvent { days: 0.0, event: false });
    let before = followed_to(-10);
    assert_eq!(derived(&study, &before), Observation::TimeToEvent { days: 0.0, event: false });
    let mut same_day = record();
    same_day.events.push(psychiatric(0));
    assert_eq!(derived(&study, &same_day), Observation::TimeToEvent { days: 0.0, event: true });
    let mut late_enrolment = followed_to(30);
    late_enrolment.study_end = day(-1);
    assert_eq!(reason(derived(&study, &late_enrolment)), "enrolled after the study's end");
    let mut backwards = followed_to(30);
    backwards.status = ParticipantStatus::LostToFollowUp;
    backwards.left_on = Some(day(-3));
    assert_eq!(
        reason(derived(&study, &backwards)),
        "the day they were lost to follow-up (day -3) is before their enrolment: check the record"
    );
}

fn appointments_attended() -> StudyDefinition {
    study(
        json!([{"code": "attended", "name": "Appointments attended per month", "kind": "event_rate",
                "event": {"kind": "appointment_attended", "appointment_kinds": ["substance_use_treatment", "medical"]}}]),
        90,
    )
}

fn appointment(
    kind: AppointmentKind,
    status: AppointmentStatus,
    on_day: i64,
) -> Option<EventRecord> {
    EventRecord::appointment(kind, status, day(on_day))
}

#[test]
fn counts_are_over_the_days_enrolled() {
    let study = appointments_attended();
    let count = |events: f64, exposure_days: f64| Observation::Count { events, exposure_days };
    let mut r = record();
    r.events = [
        appointment(AppointmentKind::SubstanceUseTreatment, AppointmentStatus::Attended, 0),
        appointment(AppointmentKind::Medical, AppointmentStatus::Attended, 40),
        appointment(AppointmentKind::MentalHealth, AppointmentStatus::Attended, 41),
        appointment(AppointmentKind::Medical, AppointmentStatus::Missed, 42),
        appointment(AppointmentKind::Medical, AppointmentStatus::Scheduled, 43),
        appointment(AppointmentKind::SubstanceUseTreatment, AppointmentStatus::Attended, 90),
        appointment(AppointmentKind::SubstanceUseTreatment, AppointmentStatus::Attended, 91),
        appointment(AppointmentKind::SubstanceUseTreatment, AppointmentStatus::Attended, -5),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(r.events.len(), 7, "a scheduled appointment is not an event");
    assert_eq!(derived(&study, &r), count(3.0, 91.0), "days 0, 40 and 90 of 0–90");
    // Zero events is a count of zero, not missing.
    assert_eq!(derived(&study, &record()), count(0.0, 91.0));
    r.status = ParticipantStatus::Withdrawn;
    r.left_on = Some(day(29));
    assert_eq!(derived(&study, &r), count(1.0, 30.0));
    r.left_on = Some(day(0));
    assert_eq!(derived(&study, &r), count(1.0, 1.0), "left on the day they enrolled");
    r.left_on = None;
    assert_eq!(
        reason(derived(&study, &r)),
        "withdrew on an unrecorded day, so the time enrolled is unknown"
    );
    let mut ended = record();
    ended.study_end = day(-1);
    assert!(reason(derived(&study, &ended)).starts_with("the time enrolled would be negative"));
    let mut short = record();
    short.study_end = day(59);
    assert_eq!(derived(&study, &short), count(0.0, 60.0));
}
