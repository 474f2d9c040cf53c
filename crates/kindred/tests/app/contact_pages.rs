//! Contacts on the pages: the one-screen form offers only the due protocol steps, refuses bad
//! input field by field, closes the step; the contact page shows the edit history; the
//! participant page and `/contacts` list them.

use time::Duration;

use crate::contacts::{enrol_in, open_program, step, tasks_of};
use crate::support::{PASSWORD, TestApp, on_both_backends};

on_both_backends!(a_coach_logs_and_edits_a_contact_on_the_pages);

async fn a_coach_logs_and_edits_a_contact_on_the_pages(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach_api = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    let id = enrol_in(&manager, "Booth", &program, today - Duration::days(11), &coach_id).await;
    let booster = step(&tasks_of(&coach_api, &id).await, "telephone_booster")["id"]
        .as_str()
        .expect("task")
        .to_owned();

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let caseload = browser.get("/caseload").await;
    assert!(caseload.body.contains(&format!("/participants/{id}/contacts/new")));
    let form = browser.get(&format!("/participants/{id}/contacts/new")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    for needle in [
        "type=\"datetime-local\"",
        "value=\"30\"",
        "Telephone booster (due",
        &booster,
        "Concrete help with a specific need",
        "Nonclinical",
    ] {
        assert!(form.body.contains(needle), "the form lacks {needle}");
    }
    // Every open step whose window has opened is offered, overdue ones too.
    assert!(form.body.contains("Brief motivational intervention (due"));
    // Enrolled two days ago: the booster's window (day 8) has not opened, so it is not offered.
    let recent = enrol_in(&manager, "Recent", &program, today - Duration::days(2), &coach_id).await;
    let recent_form = browser.get(&format!("/participants/{recent}/contacts/new")).await;
    assert!(recent_form.body.contains("Brief motivational intervention (due"));
    assert!(!recent_form.body.contains("Telephone booster (due"), "only opened steps are offered");
    browser.get(&format!("/participants/{id}/contacts/new")).await;

    let action = format!("/participants/{id}/contacts/new");
    let refused =
        browser.submit(&action, &[("occurred_at", ""), ("minutes", "0"), ("mode", "phone")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("choose at least one kind of support"));
    assert!(refused.body.contains("must be a whole number"));
    assert_eq!(coach_api.get("/api/v1/contacts").await.json()["total"], 0);

    let saved = browser
        .submit(
            &action,
            &[
                ("occurred_at", &format!("{today}T09:15")),
                ("minutes", "25"),
                ("mode", "phone"),
                ("format", "one_to_one"),
                ("support_kinds", "emotional"),
                ("support_kinds", "instrumental"),
                ("activities", "check_in"),
                ("task_id", &booster),
                ("setting", ""),
                ("note", "Booked a ride for Tuesday"),
                ("next_follow_up_on", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.header("location").expect("a redirect").to_owned();
    assert_eq!(location, format!("/participants/{id}?notice=contact-logged#contacts"));
    let page = browser.get(&location).await;
    assert!(page.body.contains("Contact logged."));
    assert!(page.body.contains("Booked a ride for Tuesday"));
    assert!(page.body.contains("Emotional, Instrumental"));
    let done = step(&tasks_of(&coach_api, &id).await, "telephone_booster").clone();
    assert_eq!(done["status"], "done");

    // Edit it on the page; the history shows who changed what.
    let listed = coach_api.get("/api/v1/contacts").await.json();
    let contact = listed["contacts"][0]["id"].as_str().expect("id").to_owned();
    browser.get(&format!("/contacts/{contact}/edit")).await;
    let edited = browser
        .submit(
            &format!("/contacts/{contact}/edit"),
            &[
                ("occurred_at", &format!("{today}T09:15")),
                ("minutes", "40"),
                ("mode", "phone"),
                ("format", "one_to_one"),
                ("support_kinds", "emotional"),
                ("note", "Booked a ride for Tuesday"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let shown = browser.get(edited.header("location").expect("a redirect")).await;
    assert!(shown.body.contains("Contact updated."));
    assert!(shown.body.contains("minutes: “25” → “40”"), "{}", shown.body);
    assert!(shown.body.contains("support kinds: “Emotional, Instrumental” → “Emotional”"));
    assert!(shown.body.contains("activities: “Check-in” → “”"));

    // The supervisor's list, filtered by coach.
    let mut supervisor = app.browser();
    supervisor.sign_in(world.org, world.supervisor, PASSWORD).await;
    let list = supervisor.get(&format!("/contacts?coach_id={coach_id}")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("1 contact,"));
    assert!(list.body.contains("Pat Booth"));
    let lone = supervisor.get(&format!("/contacts?coach_id={}", world.lone_coach_id)).await;
    assert_eq!(lone.status, 403);
}
