//! Contacts in a real browser on a phone: a coach logs a contact that does a due protocol
//! step and sees the step leave the due list; a supervisor finds the fidelity page under
//! "More"; the contact form and the contacts list pass the axe-core check.

use std::time::Duration;

use fantoccini::Locator;
use time::Duration as Days;

use crate::browser::{axe_source, phone};
use crate::contacts::{enrol_in, open_program};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coach_logs_a_contact_that_does_the_due_step_and_a_supervisor_reads_fidelity() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let id =
        enrol_in(&manager, "Booth", &program, today - Days::days(11), &world.coach_id.to_string())
            .await;

    phone.sign_in(&app.base_url, world.org, world.coach).await;
    client.goto(&format!("{}/participants/{id}", app.base_url)).await.expect("navigates");
    let due =
        client.find(Locator::Id("due")).await.expect("due section").text().await.expect("text");
    assert!(due.contains("Telephone booster"), "{due}");
    phone.click(Locator::Css("a[href$='/contacts/new']"), "log a contact link").await;
    phone.expect_page("Log a contact").await;
    assert!(phone.fits_the_screen().await, "the contact form fits a phone");
    client
        .find(Locator::Css("input[name=support_kinds][value=emotional]"))
        .await
        .expect("a support kind")
        .click()
        .await
        .expect("tick");
    let booster = client
        .find(Locator::XPath("//select[@id='task_id']/option[contains(., 'Telephone booster')]"))
        .await
        .expect("the booster is offered");
    booster.click().await.expect("choose the booster");
    phone.click(Locator::Css("button.primary"), "save").await;
    phone.expect_page("Pat Booth").await;
    let notice =
        client.find(Locator::Css(".notice")).await.expect("notice").text().await.expect("text");
    assert_eq!(notice, "Contact logged.");
    let due =
        client.find(Locator::Id("due")).await.expect("due section").text().await.expect("text");
    let open_part = due.split("Done and cancelled").next().unwrap_or_default();
    assert!(!open_part.contains("Telephone booster"), "the booster left the due list: {due}");
    assert!(due.contains("Done and cancelled"), "{due}");

    // The contact form and the contacts list pass the accessibility check.
    if let Some(axe) = axe_source() {
        let mut report = Vec::new();
        for path in [format!("/participants/{id}/contacts/new"), "/contacts".to_owned()] {
            client.goto(&format!("{}{path}", app.base_url)).await.expect("navigates");
            report.extend(
                phone
                    .serious_accessibility_violations(&axe)
                    .await
                    .into_iter()
                    .map(|v| format!("{path}: {v}")),
            );
        }
        // The form with its errors shown, too.
        client
            .goto(&format!("{}/participants/{id}/contacts/new", app.base_url))
            .await
            .expect("navigates");
        phone.fill("minutes", "0").await;
        phone.click(Locator::Css("button.primary"), "save").await;
        phone.wait_for(Locator::Css(".error"), "errors shown").await;
        report.extend(
            phone
                .serious_accessibility_violations(&axe)
                .await
                .into_iter()
                .map(|v| format!("refused form: {v}")),
        );
        assert!(report.is_empty(), "serious accessibility violations:\n{}", report.join("\n"));
    }

    // The supervisor opens "More" and reads the fidelity page.
    client.delete_all_cookies().await.expect("sign out");
    phone.sign_in(&app.base_url, world.org, world.supervisor).await;
    client
        .find(Locator::XPath("//summary[normalize-space()='More']"))
        .await
        .expect("More")
        .click()
        .await
        .expect("open");
    phone.click(Locator::LinkText("Fidelity"), "fidelity link").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[contains(., 'idelity')]"))
        .await
        .expect("the fidelity page");
    let page = client.find(Locator::Css("main")).await.expect("main").text().await.expect("text");
    assert!(page.contains("coach"), "the supervisor's coaches side by side: {page}");
    assert!(phone.fits_the_screen().await, "the fidelity page fits a phone");
    let _ = client.clone().close().await;
}
