//! A fixed scenario with hand-computed statuses and rates. Everyone is enrolled on 1 January
//! 2026 under the default schedule; the 6-month window (days 150–240) runs from 31 May to
//! 29 August 2026 inclusive, the 12-month one opens on 2 December 2026.

use time::macros::date;

use super::*;
use crate::follow_up::FollowUpRate;
use crate::schedule::default_schedule;

const ENROLLED: Date = date!(2026 - 01 - 01);
const AFTER_SIX_MONTHS: Date = date!(2026 - 09 - 15);

fn evidence(completed: &[Date], excluded: Option<AdministrativeReason>) -> Evidence {
    let mut e = Evidence::default();
    e.completed_on.insert("6m".into(), completed.to_vec());
    if let Some(reason) = excluded {
        e.excluded.insert("6m".into(), reason);
    }
    e
}

fn six_months(e: &Evidence, today: Date) -> PointStatus {
    let all = statuses(&default_schedule(None), ENROLLED, e, today);
    all.into_iter().find(|p| p.code == "6m").expect("6m")
}

#[test]
fn the_scenario_statuses_and_rate() {
    use FollowUpStatus::*;
    let cases = [
        ("first day of the window", evidence(&[date!(2026 - 05 - 31)], None), CompletedInWindow),
        ("last day of the window", evidence(&[date!(2026 - 08 - 29)], None), CompletedInWindow),
        ("a day after the window", evidence(&[date!(2026 - 08 - 30)], None), CompletedLate),
        ("only a day before the window", evidence(&[date!(2026 - 05 - 30)], None), CompletedLate),
        (
            "a day before, then in the window",
            evidence(&[date!(2026 - 05 - 30), date!(2026 - 06 - 10)], None),
            CompletedInWindow,
        ),
        (
            "excluded",
            evidence(&[], Some(AdministrativeReason::Incarcerated)),
            Administrative(AdministrativeReason::Incarcerated),
        ),
        ("never reached", evidence(&[], None), Missed),
    ];
    let mut rate = FollowUpRate::default();
    for (what, e, expected) in &cases {
        let point = six_months(e, AFTER_SIX_MONTHS);
        assert_eq!(point.status, *expected, "{what}");
        assert_eq!(point.window.opens_on, date!(2026 - 05 - 31));
        assert_eq!(point.window.closes_on, date!(2026 - 08 - 29));
        rate.add(point.status);
    }
    assert_eq!(
        six_months(&cases[4].1, AFTER_SIX_MONTHS).completed_on,
        Some(date!(2026 - 06 - 10)),
        "the early assessment does not count for the time point"
    );
    // In window: first day, last day, the later in-window one = 3. Due: those 3, the late
    // one, the early-only one and the missed one = 6. The exclusion leaves the denominator.
    assert_eq!((rate.completed_in_window, rate.due(), rate.not_counted), (3, 6, 1));
    assert_eq!(rate.rate(), Some(0.5));
    let twelve = statuses(&default_schedule(None), ENROLLED, &cases[6].1, AFTER_SIX_MONTHS);
    assert_eq!(twelve.last().map(|p| p.status), Some(NotYetDue));
}

#[test]
fn escalation_needs_an_open_window_closing_soon_and_no_contact_since_it_opened() {
    let thirteen_days_left = date!(2026 - 08 - 16);
    let forty_days_left = date!(2026 - 07 - 20);
    let mut e = evidence(&[], None);
    assert!(six_months(&e, thirteen_days_left).escalate);
    assert!(!six_months(&e, forty_days_left).escalate);
    e.reached_on.insert("6m".into(), vec![date!(2026 - 05 - 01)]);
    assert!(six_months(&e, thirteen_days_left).escalate, "reached before the window opened");
    e.reached_on.insert("6m".into(), vec![date!(2026 - 06 - 01)]);
    assert!(!six_months(&e, thirteen_days_left).escalate);
}

fn schedule() -> Schedule {
    default_schedule(None)
}

#[test]
fn attempts_and_exclusions_name_a_time_point_of_the_schedule() {
    let input = AttemptInput {
        time_point: Some("m9".into()),
        channel: Some("pigeon".into()),
        outcome: Some("reached".into()),
        note: None,
        attempted_on: Some("2099-01-01".into()),
    };
    let today = date!(2026 - 03 - 01);
    let errors = NewAttempt::parse(&input, &schedule(), today).unwrap_err();
    assert_eq!(errors.get("attempted_on"), Some("must not be in the future"));
    assert!(errors.get("time_point").is_some_and(|m| m.contains("intake, 3m, 6m, 12m")));
    assert!(errors.get("channel").is_some());
    let ok = AttemptInput {
        time_point: None,
        channel: Some("phone".into()),
        attempted_on: Some("2026-02-27".into()),
        ..input
    };
    let parsed = NewAttempt::parse(&ok, &schedule(), today).map(|a| (a.outcome, a.attempted_on));
    assert_eq!(parsed, Ok((AttemptOutcome::Reached, Some(date!(2026 - 02 - 27)))));
    let other = ExclusionInput {
        time_point: Some("6m".into()),
        reason: Some("other".into()),
        note: Some(" ".into()),
    };
    assert!(NewExclusion::parse(&other, &schedule()).unwrap_err().get("note").is_some());
    let deceased = ExclusionInput { reason: Some("deceased".into()), ..other };
    assert!(NewExclusion::parse(&deceased, &schedule()).is_ok());
}

#[test]
fn a_person_on_the_locator_needs_a_current_consent_naming_them() {
    use crate::consent::{ConsentInput, ConsentTerms};
    let today = date!(2026 - 03 - 01);
    let terms = ConsentTerms::parse(
        &ConsentInput {
            disclose: vec!["participation".into()],
            recipient: Some("Maria Lopez".into()),
            purpose: Some("family".into()),
            signed_on: Some("2026-02-01".into()),
            expires_on: Some("2026-12-31".into()),
            ..Default::default()
        },
        today,
    )
    .expect("valid consent");
    let consent = Consent {
        id: ConsentId::generate(),
        participant_id: ParticipantId::generate(),
        terms,
        recorded_by: UserId::generate(),
        recorded_at: time::OffsetDateTime::UNIX_EPOCH,
        revocation: None,
    };
    let person = |name: &str| LocatorInput {
        kind: Some("person".into()),
        value: Some(name.into()),
        relationship: Some("sister".into()),
        note: None,
    };
    let consents = [consent.clone()];
    let entry = NewLocatorEntry::parse(&person("Maria Lopez, 555-0101"), &consents, today);
    assert_eq!(entry.map(|e| e.consent_id), Ok(Some(consent.id)));
    let errors = NewLocatorEntry::parse(&person("Ana Ruiz"), &consents, today).unwrap_err();
    assert!(errors.get("value").is_some_and(|m| m.contains("no current consent names Ana Ruiz")));
    let after_expiry = date!(2027 - 01 - 01);
    assert!(NewLocatorEntry::parse(&person("Maria Lopez"), &consents, after_expiry).is_err());
    let phone = LocatorInput {
        kind: Some("phone".into()),
        value: Some("555-0100".into()),
        relationship: None,
        note: None,
    };
    assert_eq!(NewLocatorEntry::parse(&phone, &[], today).map(|e| e.consent_id), Ok(None));
}
