//! In a real browser on a phone-sized screen: a coach gives PHQ-9 from the participant's
//! page, completes it, and sees the score and band the server computed; the administering
//! form (also with errors shown) and the result page pass the axe-core check.

use fantoccini::Locator;

use crate::browser::{axe_source, phone};
use crate::support::{TestApp, enrol};

/// PHQ-9 answers the coach ticks: 2+2+1+1+1+1+0+0+0 = 8, "Mild".
const ANSWERS: [(&str, &str); 9] = [
    ("phq9_1", "2"),
    ("phq9_2", "2"),
    ("phq9_3", "1"),
    ("phq9_4", "1"),
    ("phq9_5", "1"),
    ("phq9_6", "1"),
    ("phq9_7", "0"),
    ("phq9_8", "0"),
    ("phq9_9", "0"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coach_on_a_phone_gives_phq9_and_sees_the_score_and_band() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let participant = enrol(&coach, "Ana", "Reyes").await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    let axe = axe_source();
    let mut violations = Vec::new();

    phone.sign_in(&app.base_url, world.org, world.coach).await;

    client.goto(&format!("{}/participants/{participant}", app.base_url)).await.expect("navigates");
    phone.expect_page("Ana Reyes").await;
    phone.click(Locator::LinkText("Give an instrument"), "the Assessments section offers it").await;
    phone.expect_page("Give an instrument").await;
    phone.click(Locator::LinkText("PHQ-9"), "PHQ-9 listed").await;
    phone.expect_page("PHQ-9").await;
    assert!(phone.fits_the_screen().await, "the administering form fits a phone");

    // Completing with nothing answered is refused, beside each question.
    phone.click(Locator::Css("button[value=complete]"), "complete").await;
    phone.wait_for(Locator::Css(".error-summary"), "the refusal is shown").await;
    if let Some(axe) = &axe {
        for v in phone.serious_accessibility_violations(axe).await {
            violations.push(format!("administering form with errors: {v}"));
        }
    }

    for (item, value) in ANSWERS {
        let radio = format!("input[type=radio][name={item}][value='{value}']");
        let input = client.find(Locator::Css(&radio)).await.expect("the option");
        // Tapping the label, as a person would; the input is inside it.
        input.click().await.expect("tap");
    }
    phone.screenshot("phq9-answered").await;
    phone.click(Locator::Css("button[value=complete]"), "complete").await;
    phone.wait_for(Locator::Css("#assessment-score"), "the result page").await;
    let score = client
        .find(Locator::Id("assessment-score"))
        .await
        .expect("score")
        .text()
        .await
        .expect("text");
    let band = client
        .find(Locator::Id("assessment-band"))
        .await
        .expect("band")
        .text()
        .await
        .expect("text");
    assert_eq!(score, "8 (range 0–27)");
    assert_eq!(band, "Mild (5–9)");
    assert!(phone.fits_the_screen().await, "the result fits a phone");
    phone.screenshot("phq9-result").await;
    if let Some(axe) = &axe {
        for v in phone.serious_accessibility_violations(axe).await {
            violations.push(format!("result page: {v}"));
        }
    }

    // The participant page now draws the trajectory.
    client.goto(&format!("{}/participants/{participant}", app.base_url)).await.expect("navigates");
    client.find(Locator::Css("figure.trajectory svg title")).await.expect("a labelled chart");
    if let Some(axe) = &axe {
        for v in phone.serious_accessibility_violations(axe).await {
            violations.push(format!("participant page with a trajectory: {v}"));
        }
    }
    let _ = client.clone().close().await;
    assert!(violations.is_empty(), "serious accessibility violations:\n{}", violations.join("\n"));
}
