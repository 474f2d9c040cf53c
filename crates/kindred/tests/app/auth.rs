//! Signing in and out, sessions, CSRF, the login throttle and API tokens.

use crate::support::{PASSWORD, TestApp, minimal_participant, on_both_backends};

on_both_backends!(
    signing_in_sets_a_protected_session_cookie_and_opens_the_caseload,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    pages_send_people_without_a_session_to_sign_in,
    forms_without_the_right_csrf_token_are_refused_and_change_nothing,
    repeated_failures_slow_down_then_lock_sign_in_and_say_so,
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
