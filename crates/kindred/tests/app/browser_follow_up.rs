//! In a real browser on a phone-sized screen: a coach finds an escalated follow-up on the
//! follow-up list, opens it, sees the time points, logs an attempt with the form (keyboard
//! and labels only, no script) and sees it listed; the list, the follow-up page and the
//! program's rates with their chart fit the screen and pass the axe-core check.

use fantoccini::Locator;
use time::Duration as Days;

use crate::browser::{axe_source, phone};
use crate::follow_up::{enrol_on, open_program, put_schedule, three_points};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coach_on_a_phone_follows_up_an_escalated_window() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    enrol_on(&manager, "Reyes", &program, today - Days::days(110), &coach_id).await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    let axe = axe_source();
    let mut violations = Vec::new();
    let mut check = async |what: &str| {
        assert!(phone.fits_the_screen().await, "{what} fits a phone");
        if let Some(axe) = &axe {
            for v in phone.serious_accessibility_violations(axe).await {
                violations.push(format!("{what}: {v}"));
            }
        }
    };

    phone.sign_in(&app.base_url, world.org, world.coach).await;

    client.goto(&format!("{}/follow-up", app.base_url)).await.expect("navigates");
    phone.expect_page("Follow-up").await;
    check("the follow-up list").await;
    phone.click(Locator::LinkText("3 months follow-up"), "the escalated window").await;
    phone.wait_for(Locator::Id("attempts-heading"), "the participant's follow-up").await;
    check("the participant's follow-up").await;

    client
        .find(Locator::XPath("//summary[normalize-space()='Log an attempt']"))
        .await
        .expect("log an attempt")
        .click()
        .await
        .expect("open");
    client
        .find(Locator::Css("#attempt-time_point option[value=m3]"))
        .await
        .expect("m3")
        .click()
        .await
        .expect("pick");
    client
        .find(Locator::Css("#attempt-channel option[value=phone]"))
        .await
        .expect("phone")
        .click()
        .await
        .expect("pick");
    client
        .find(Locator::Css("#attempt-outcome option[value=reached]"))
        .await
        .expect("reached")
        .click()
        .await
        .expect("pick");
    phone.fill("attempt-note", "Booked for Thursday").await;
    client
        .find(Locator::XPath("//button[normalize-space()='Log attempt']"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    phone.wait_for(Locator::Css("p.notice"), "the notice").await;
    let attempts = client
        .find(Locator::Css("#attempts-heading + ul"))
        .await
        .expect("listed")
        .text()
        .await
        .expect("text");
    assert!(
        attempts.contains("Phone call, reached (m3) by coach. Booked for Thursday"),
        "{attempts}"
    );
    phone.screenshot("follow-up-attempt-logged").await;

    client
        .goto(&format!("{}/programs/{program}/follow-up", app.base_url))
        .await
        .expect("navigates");
    phone.expect_page("Follow-up").await;
    client.find(Locator::Css("figure.rate-chart svg title")).await.expect("a labelled chart");
    check("the program's follow-up rates").await;
    assert!(violations.is_empty(), "serious accessibility violations:\n{}", violations.join("\n"));
}
