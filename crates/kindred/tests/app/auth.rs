//! Signing in and out, sessions, CSRF, the login throttle and API tokens.

use kindred_app::admin::NewAccount;
use kindred_app::auth::address_throttle::FAILURES_PER_ADDRESS;
use kindred_app::auth::throttle::LOCK_AFTER;
use kindred_domain::vocabulary::Role;
use tokio::task::JoinSet;

use crate::support::{Api, PASSWORD, Reply, TestApp, minimal_participant, on_both_backends};

on_both_backends!(
    signing_in_sets_a_protected_session_cookie_and_opens_the_caseload,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    pages_send_people_without_a_session_to_sign_in,
    forms_without_the_right_csrf_token_are_refused_and_change_nothing,
    repeated_failures_slow_down_then_lock_sign_in_and_say_so,
    failures_older_than_an_hour_no_longer_count,
    twenty_parallel_wrong_passwords_get_no_more_checks_than_five_in_a_row_would,
    wrong_passwords_sprayed_from_one_address_are_throttled_by_address,
    a_burst_of_correct_sign_ins_waits_for_hashing_and_all_succeed,
    signing_out_ends_the_session,
    api_tokens_authenticate_and_anything_else_is_refused,
    pages_carry_security_headers_and_no_third_party_assets,
);

async fn signing_in_sets_a_protected_session_cookie_and_opens_the_caseload(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    let reply = browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/"));
    let session = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("kindred_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "session cookie lacks {flag}: {session}");
    }
    let home = browser.get("/").await;
    assert_eq!(home.header("location"), Some("/caseload"));
    let caseload = browser.get("/caseload").await;
    assert_eq!(caseload.status, 200);
    assert!(caseload.body.contains("My caseload"));
}

async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    let wrong_password = browser.sign_in(world.org, world.coach, "not the password at all").await;
    let unknown_email = browser.sign_in(world.org, "nobody@acme.test", PASSWORD).await;
    let unknown_org = browser.sign_in("no-such-org", world.coach, PASSWORD).await;
    for reply in [&wrong_password, &unknown_email, &unknown_org] {
        assert_eq!(reply.status, 401);
        assert!(
            reply.body.contains("The organisation, email or password is not right"),
            "{}",
            reply.body
        );
    }
    assert!(browser.cookie("kindred_session").is_none());
    // What was typed (but the password) is still in the form.
    assert!(wrong_password.body.contains("value=\"coach@acme.test\""));
    assert!(!wrong_password.body.contains("not the password at all"));
}

async fn pages_send_people_without_a_session_to_sign_in(app: TestApp) {
    let mut browser = app.browser();
    let reply = browser.get("/caseload?q=ana").await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/login?next=%2Fcaseload%3Fq%3Dana"));
    browser.set_cookie("kindred_session", "forged.value");
    assert_eq!(browser.get("/caseload").await.status, 303);
    let htmx = browser.htmx_get("/caseload", "results").await;
    assert!(htmx.header("hx-redirect").is_some_and(|l| l.starts_with("/login")));
}

async fn forms_without_the_right_csrf_token_are_refused_and_change_nothing(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    browser.get("/participants/new").await;
    let fields = [("given_name", "Ana"), ("family_name", "Reyes"), ("date_of_birth", "1988-06-15")];

    let without_token = browser.post_raw("/participants/new", &fields).await;
    assert_eq!(without_token.status, 403);
    assert!(without_token.body.contains("reload the page"));
    let mut forged =
        vec![("_csrf", "0000000000000000000000000000000000000000000000000000000000000000")];
    forged.extend_from_slice(&fields);
    assert_eq!(browser.post_raw("/participants/new", &forged).await.status, 403);

    let api = app.api(world.org, world.coach).await;
    assert_eq!(api.get("/api/v1/participants").await.json()["total"], 0, "nothing was enrolled");

    // The login form is protected too (login CSRF would sign a victim into our account).
    let mut stranger = app.browser();
    let login = stranger
        .post_raw(
            "/login",
            &[("organisation", world.org), ("email", world.coach), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, 403);
    assert!(stranger.cookie("kindred_session").is_none());

    // With the page's token, the same form works.
    assert_eq!(browser.submit("/participants/new", &fields).await.status, 303);
}

async fn repeated_failures_slow_down_then_lock_sign_in_and_say_so(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    for _ in 0..3 {
        assert_eq!(browser.sign_in(world.org, world.coach, "wrong guess number").await.status, 401);
    }
    // After three failures the next attempt must wait, even with the right password.
    let hurried = browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(hurried.status, 429);
    assert!(hurried.body.contains("wait 1 second before"), "{}", hurried.body);

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(browser.sign_in(world.org, world.coach, "wrong guess number").await.status, 401);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let fifth = browser.sign_in(world.org, world.coach, "wrong guess number").await;
    assert_eq!(fifth.status, 429);
    assert!(fifth.body.contains("sign-in is locked for another 15 minutes"), "{}", fifth.body);

    let locked = browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(locked.status, 429);
    assert!(locked.body.contains("locked"));
    let api = app.anonymous_api();
    let token = api
        .post(
            "/api/v1/auth/token",
            serde_json::json!({"org": world.org, "email": world.coach, "password": PASSWORD}),
        )
        .await;
    assert_eq!(token.status, 429);
    assert_eq!(token.json()["error"]["code"], "rate_limited");
    assert!(token.header("retry-after").is_some_and(|s| s.parse::<i64>().is_ok_and(|s| s > 800)));

    // The lock is per account: a colleague signs in as usual.
    assert_eq!(app.browser().sign_in(world.org, world.lone_coach, PASSWORD).await.status, 303);
    // And it runs out.
    app.app.clock().advance(time::Duration::minutes(16));
    assert_eq!(app.browser().sign_in(world.org, world.coach, PASSWORD).await.status, 303);
}

async fn failures_older_than_an_hour_no_longer_count(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    for _ in 0..3 {
        assert_eq!(browser.sign_in(world.org, world.coach, "wrong guess number").await.status, 401);
    }
    app.app.clock().advance(time::Duration::minutes(61));
    // Counting on from three, the second of these would be the fifth failure and lock.
    for _ in 0..2 {
        assert_eq!(browser.sign_in(world.org, world.coach, "wrong guess number").await.status, 401);
    }
    assert_eq!(browser.sign_in(world.org, world.coach, PASSWORD).await.status, 303);
}

fn token_request(org: &str, email: &str, password: &str) -> serde_json::Value {
    serde_json::json!({"org": org, "email": email, "password": password})
}

/// Sends every request at once and returns the replies.
async fn all_at_once(api: &Api, bodies: Vec<serde_json::Value>) -> Vec<Reply> {
    let mut requests = JoinSet::new();
    for body in bodies {
        let api = api.clone();
        requests.spawn(async move { api.post("/api/v1/auth/token", body).await });
    }
    requests.join_all().await
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

/// An attacker who sends twenty guesses at once gets no more of them checked than the lock
/// allows, and the account's owner, straight after, is refused too: the attempts are counted
/// before their passwords are checked, so they cannot all pass the gate together.
async fn twenty_parallel_wrong_passwords_get_no_more_checks_than_five_in_a_row_would(app: TestApp) {
    let world = app.world().await;
    let guesses = (0..20).map(|n| token_request(world.org, world.coach, &format!("guess {n}")));
    let replies = all_at_once(&app.anonymous_api(), guesses.collect()).await;
    assert_eq!(count(&replies, 401) + count(&replies, 429), 20, "{replies:#?}");

    // Every checked password is audited; the refused ones were never checked.
    let admin = app.api(world.org, world.admin).await;
    let failed = admin.get("/api/v1/audit-events?action=login_failed").await.json();
    let checked = failed.as_array().expect("events").iter().filter(|e| e["actor"] == world.coach);
    let checked = checked.count();
    let lock_after = usize::try_from(LOCK_AFTER).expect("a small count");
    assert!((1..=lock_after).contains(&checked), "{checked} of 20 guesses were checked");
    assert!(count(&replies, 401) <= checked, "only a checked guess can be told it is wrong");
    assert!(count(&replies, 429) >= 20 - lock_after);

    // The owner, straight after, with the right password: refused, by the lock if the
    // guesses used it up, else by the slow-down that their count asks for.
    let owner = app.browser().sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(owner.status, 429, "{}", owner.body);
    let expected = if checked == lock_after { "locked" } else { "wait" };
    assert!(owner.body.contains(expected), "{checked} checked: {}", owner.body);
    let token = app
        .anonymous_api()
        .post("/api/v1/auth/token", token_request(world.org, world.coach, PASSWORD))
        .await;
    assert_eq!(token.status, 429);
    assert!(token.header("retry-after").is_some_and(|s| s.parse::<i64>().is_ok_and(|s| s > 0)));
}

/// One address trying a password on many accounts — in two organisations and one that does
/// not exist — stays under each account's lock, so the address itself is limited. Another
/// address is not, and the address's own header claims are not believed.
async fn wrong_passwords_sprayed_from_one_address_are_throttled_by_address(app: TestApp) {
    let world = app.world().await;
    assert_eq!(FAILURES_PER_ADDRESS, 30, "this story spreads 30 failures over 10 accounts");
    let mut accounts = Vec::new();
    for n in 0..10 {
        let org = [world.org, world.other_org, "no-such-org"][n % 3];
        accounts.push((org, format!("person{n}@acme.test")));
    }
    // Ten accounts at once, three wrong passwords each (one short of their slow-down).
    for round in 0..3 {
        let guesses = accounts
            .iter()
            .map(|(org, email)| token_request(org, email, &format!("Summer202{round}")));
        let replies = all_at_once(&app.anonymous_api(), guesses.collect()).await;
        assert_eq!(count(&replies, 401), 10, "round {round}: {replies:#?}");
    }

    // The address has used up its window: even a right password from it is not checked.
    let refused = app
        .anonymous_api()
        .post("/api/v1/auth/token", token_request(world.org, world.lone_coach, PASSWORD))
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "rate_limited");
    assert!(refused.json()["error"]["message"].as_str().is_some_and(|m| m.contains("network")));
    let retry_after: i64 =
        refused.header("retry-after").and_then(|s| s.parse().ok()).expect("Retry-After");
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After: {retry_after}");
    let page = app.browser().sign_in(world.org, world.lone_coach, PASSWORD).await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("from this network"), "{}", page.body);
    assert!(page.header("retry-after").is_some());

    // Claiming another address in a header changes nothing (no proxy is configured).
    let spoofed = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .header("x-forwarded-for", "198.51.100.23")
        .json(&token_request(world.org, world.lone_coach, PASSWORD))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(spoofed.status(), 429);

    // The account itself is not locked: from another address it signs in.
    let elsewhere = app.anonymous_api_from("127.0.0.2".parse().expect("an address"));
    let token = elsewhere
        .post("/api/v1/auth/token", token_request(world.org, world.lone_coach, PASSWORD))
        .await;
    assert_eq!(token.status, 201, "{}", token.body);

    // And the window runs out.
    app.app.clock().advance(time::Duration::minutes(16));
    assert_eq!(app.browser().sign_in(world.org, world.lone_coach, PASSWORD).await.status, 303);
}

/// Thirty people signing in at the same moment each wait for a turn to hash (which bounds the
/// memory a burst takes) and all get in.
async fn a_burst_of_correct_sign_ins_waits_for_hashing_and_all_succeed(app: TestApp) {
    app.app.add_organisation("burst", "Burst Peer Services").await.expect("an organisation");
    let mut accounts = JoinSet::new();
    for n in 0..30 {
        let app = app.app.clone();
        accounts.spawn(async move {
            let account = NewAccount {
                organisation: "burst".into(),
                email: format!("coach{n}@burst.test"),
                display_name: None,
                password: PASSWORD.into(),
                roles: vec![Role::Coach],
                supervisor_email: None,
            };
            app.add_user(account).await.expect("an account, its password hashed in turn")
        });
    }
    assert_eq!(accounts.join_all().await.len(), 30);

    let sign_ins =
        (0..30).map(|n| token_request("burst", &format!("coach{n}@burst.test"), PASSWORD));
    let replies = all_at_once(&app.anonymous_api(), sign_ins.collect()).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
}

async fn signing_out_ends_the_session(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let session = browser.cookie("kindred_session").expect("signed in").to_owned();
    browser.get("/caseload").await;
    let out = browser.submit("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), Some("/login"));
    assert!(browser.cookie("kindred_session").is_none());
    // The old cookie, replayed, no longer works.
    browser.set_cookie("kindred_session", &session);
    assert_eq!(browser.get("/caseload").await.status, 303);
}

async fn api_tokens_authenticate_and_anything_else_is_refused(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let me = api.get("/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], world.coach);
    assert_eq!(me.json()["roles"], serde_json::json!(["coach"]));

    for reply in [
        app.anonymous_api().get("/api/v1/participants").await,
        api.with_token("kdr_garbage").get("/api/v1/participants").await,
        api.with_token(&format!("kdr_{}_{}", uuid::Uuid::new_v4().simple(), "a".repeat(64)))
            .get("/api/v1/me")
            .await,
    ] {
        assert_eq!(reply.status, 401);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
        assert_eq!(reply.json()["error"]["code"], "unauthenticated");
    }
    // A session cookie is not an API credential.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let anonymous =
        app.anonymous_api().post("/api/v1/participants", minimal_participant("Ana", "Reyes")).await;
    assert_eq!(anonymous.status, 401);
}

async fn pages_carry_security_headers_and_no_third_party_assets(app: TestApp) {
    let mut browser = app.browser();
    let login = browser.get("/login").await;
    let csp = login.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(login.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(login.header("cache-control"), Some("no-store"));
    assert!(
        !login.body.contains("http://") && !login.body.contains("https://"),
        "no external assets"
    );
    for asset in ["/assets/kindred.css", "/assets/htmx-2.0.11.min.js", "/assets/icon.svg"] {
        let reply = browser.get(asset).await;
        assert_eq!(reply.status, 200, "{asset}");
        assert!(reply.header("cache-control").is_some_and(|c| c.contains("max-age")));
    }
}
