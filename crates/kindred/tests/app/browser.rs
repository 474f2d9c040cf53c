//! In a real browser (Debian's headless Chromium) on a phone-sized screen: sign in, enrol a
//! participant, find them in the caseload with the live search.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::{PASSWORD, TestApp};

const PHONE_WIDTH: u32 = 390;
const PHONE_HEIGHT: u32 = 844;

/// A headless Chromium driven through chromedriver; both stop when this is dropped.
pub(crate) struct Phone {
    pub(crate) client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The chromedriver process, stopped (and reaped) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `None` (after saying so) when Chromium is not installed, unless `CI=true`.
pub(crate) async fn phone() -> Option<Phone> {
    if !(installed("chromium") && installed("chromedriver")) {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true requires chromium and chromedriver (Debian packages chromium, chromium-driver)"
            );
        }
        eprintln!(
            "SKIPPING browser test: chromium or chromedriver not installed (scripts/test installs them)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().expect("a profile directory");
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.path().display()),
                format!("--window-size={PHONE_WIDTH},{PHONE_HEIGHT}"),
            ],
            "mobileEmulation": {"deviceMetrics": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "pixelRatio": 3.0}},
        },
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    };
    let url = format!("http://127.0.0.1:{port}");
    // chromedriver takes a moment to listen.
    for _ in 0..50 {
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities.clone());
        if let Ok(client) = builder.connect(&url).await {
            return Some(Phone { client, _driver: driver, _profile: profile });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

impl Phone {
    /// Signs in on the login page and waits for the signed-in navigation.
    pub(crate) async fn sign_in(&self, base_url: &str, org: &str, email: &str) {
        self.sign_in_with(base_url, org, email, PASSWORD).await;
    }

    /// The same with another password (the demo's).
    pub(crate) async fn sign_in_with(
        &self,
        base_url: &str,
        org: &str,
        email: &str,
        password: &str,
    ) {
        self.client.goto(&format!("{base_url}/login")).await.expect("navigates");
        self.fill("organisation", org).await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click(Locator::Css("button[type=submit]"), "sign in").await;
        self.wait_for(Locator::Css("nav[aria-label=Main]"), "signed in").await;
    }

    /// Clicks the element `locator` finds (`what` names it when it is missing).
    pub(crate) async fn click(&self, locator: Locator<'_>, what: &str) {
        self.client.find(locator).await.expect(what).click().await.expect("click");
    }

    /// Waits up to ten seconds for the element `locator` finds.
    pub(crate) async fn wait_for(&self, locator: Locator<'_>, what: &str) {
        self.client.wait().at_most(Duration::from_secs(10)).for_element(locator).await.expect(what);
    }

    /// Replaces a field's value by typing (the login form may remember the organisation).
    pub(crate) async fn fill(&self, id: &str, text: &str) {
        let field = self.client.find(Locator::Id(id)).await.expect(id);
        field.clear().await.expect("clearing");
        field.send_keys(text).await.expect("typing");
    }

    /// Waits for the page whose main heading is `text` (after a click, the old page may
    /// still be showing for a moment).
    pub(crate) async fn expect_page(&self, text: &str) {
        let xpath = format!("//h1[normalize-space()='{text}']");
        if self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .is_err()
        {
            let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            panic!("expected the page \"{text}\", but {url} is showing");
        }
    }

    /// Whether the page fits the phone's width (nothing to scroll sideways).
    pub(crate) async fn fits_the_screen(&self) -> bool {
        let fits = self
            .client
            .execute("return document.documentElement.scrollWidth <= window.innerWidth && window.innerWidth <= 400;", vec![])
            .await
            .expect("script runs");
        fits == json!(true)
    }

    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coach_on_a_phone_signs_in_enrols_someone_and_finds_them_in_the_caseload() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;

    client.goto(&format!("{}/caseload", app.base_url)).await.expect("navigates");
    phone.expect_page("Sign in").await;
    assert!(phone.fits_the_screen().await, "the login page fits a phone");
    phone.fill("organisation", world.org).await;
    phone.fill("email", world.coach).await;
    phone.fill("password", PASSWORD).await;
    phone.click(Locator::Css("button[type=submit]"), "sign in button").await;
    phone.expect_page("My caseload").await;
    assert!(
        client.current_url().await.expect("url").path().ends_with("/caseload"),
        "back where they were going"
    );

    phone.click(Locator::Css("main a[href='/participants/new']"), "enrol link").await;
    phone.expect_page("Enrol a participant").await;
    assert!(phone.fits_the_screen().await, "the enrolment form fits a phone");
    phone.fill("given_name", "Ana").await;
    phone.fill("family_name", "Reyes").await;
    // Typing into a date input depends on the browser's locale; set it as a date picker would.
    client
        .execute("document.getElementById('date_of_birth').value = '1988-06-15';", vec![])
        .await
        .expect("date set");
    phone.click(Locator::Css("button.primary"), "enrol button").await;
    phone.expect_page("Ana Reyes").await;
    let notice =
        client.find(Locator::Css(".notice")).await.expect("a notice").text().await.expect("text");
    assert_eq!(notice, "Participant enrolled.");
    phone.screenshot("participant").await;

    phone.click(Locator::LinkText("My caseload"), "nav link").await;
    phone.expect_page("My caseload").await;
    let card =
        client.find(Locator::Css(".card-title")).await.expect("a card").text().await.expect("text");
    assert_eq!(card, "Ana Reyes");
    assert!(phone.fits_the_screen().await, "the caseload fits a phone");

    // Live search (htmx, under the strict CSP): typing narrows the list without a page load.
    let marker =
        client.execute("window.stillSamePage = true; return true;", vec![]).await.expect("marker");
    assert_eq!(marker, json!(true));
    phone.fill("q", "nobody").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//p[contains(., 'No one matches')]"))
        .await
        .expect("the results update as you type");
    let same_page =
        client.execute("return window.stillSamePage === true;", vec![]).await.expect("script");
    assert_eq!(same_page, json!(true), "htmx swapped the results in place");
    phone.screenshot("caseload-search").await;
    let _ = client.clone().close().await;
}

/// axe-core, installed by `scripts/test` (`npm ci` in `tests/browser`).
pub(crate) fn axe_source() -> Option<String> {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true requires axe-core at {path} (scripts/test runs npm ci in tests/browser)"
            )
        }
        Err(_) => {
            eprintln!("SKIPPING accessibility check: {path} missing (scripts/test installs it)");
            None
        }
    }
}

impl Phone {
    /// Runs axe-core on the current page; returns the serious and critical violations, one
    /// line each (rule, impact, the first offending elements).
    pub(crate) async fn serious_accessibility_violations(&self, axe: &str) -> Vec<String> {
        self.client.execute(axe, vec![]).await.expect("axe-core loads");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(results => done(
                results.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)
            ));
        "#;
        let found = self.client.execute_async(script, vec![]).await.expect("axe-core runs");
        found
            .as_array()
            .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_have_no_serious_accessibility_violations() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let Some(axe) = axe_source() else { return };
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    let manager = app.api(world.org, world.manager).await;
    let participant = crate::support::enrol(&manager, "Ana", "Reyes").await;
    manager
        .post(
            &format!("/api/v1/participants/{participant}/consents"),
            crate::support::referral_consent("Harbor Clinic"),
        )
        .await;

    let mut report = Vec::new();
    let visit_and_check = async |path: &str| {
        client.goto(&format!("{}{path}", app.base_url)).await.expect("navigates");
        phone
            .serious_accessibility_violations(&axe)
            .await
            .into_iter()
            .map(|v| format!("{path}: {v}"))
            .collect::<Vec<_>>()
    };
    report.extend(visit_and_check("/login").await);
    for (who, pages) in [
        (
            world.manager,
            vec![
                "/caseload".to_owned(),
                format!("/participants/{participant}"),
                format!("/participants/{participant}/edit"),
                format!("/participants/{participant}/consents/new"),
                "/participants/new".to_owned(),
                "/fidelity".to_owned(),
                "/supervision/new".to_owned(),
                "/concerns/new".to_owned(),
                "/instruments".to_owned(),
                format!("/participants/{participant}/assessments/new?instrument=phq-9"),
            ],
        ),
        (world.admin, vec!["/audit".to_owned()]),
    ] {
        phone.sign_in(&app.base_url, world.org, who).await;
        for page in &pages {
            report.extend(visit_and_check(page).await);
        }
        // A form with errors shown (the error summary and invalid fields must be accessible too).
        if who == world.manager {
            client.goto(&format!("{}/participants/new", app.base_url)).await.expect("navigates");
            phone.click(Locator::Css("button.primary"), "submit").await;
            phone.wait_for(Locator::Css(".error-summary"), "errors shown").await;
            for violation in phone.serious_accessibility_violations(&axe).await {
                report.push(format!("enrolment form with errors: {violation}"));
            }
        }
        phone.click(Locator::Css("form.sign-out button"), "sign out").await;
    }
    assert!(
        report.is_empty(),
        "serious or critical accessibility violations:\n{}",
        report.join("\n")
    );
}
