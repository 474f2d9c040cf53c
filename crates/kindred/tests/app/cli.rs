//! The operator's commands, run as the real `kindred` binary against the test's database.

use crate::support::{TestApp, on_both_backends};

on_both_backends!(an_operator_creates_an_organisation_and_its_first_admin_from_the_command_line);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn an_operator_creates_an_organisation_and_its_first_admin_from_the_command_line(
    app: TestApp,
) {
    let created =
        app.kindred(&["org", "add", "riverside", "--name", "Riverside Recovery Community"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(
        text(&created.stdout)
            .contains("Created organisation riverside (Riverside Recovery Community)")
    );

    let again = app.kindred(&["org", "add", "riverside", "--name", "Another"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));

    let short = app.kindred_with_input(
        &["user", "add", "--org", "riverside", "--email", "alex@riverside.org", "--role", "admin"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("password: must be at least 12 characters"),
        "{}",
        text(&short.stderr)
    );
    let bad_role = app.kindred_with_input(
        &["user", "add", "--org", "riverside", "--email", "alex@riverside.org", "--role", "boss"],
        "x\n",
    );
    assert!(
        text(&bad_role.stderr)
            .contains("role \"boss\" must be one of: coach, supervisor, manager, evaluator, research_assessor, admin")
    );

    let password = "a long admin passphrase";
    let added = app.kindred_with_input(
        &[
            "user",
            "add",
            "--org",
            "riverside",
            "--email",
            "Alex@Riverside.org",
            "--role",
            "admin",
            "--role",
            "manager",
            "--name",
            "Alex Admin",
        ],
        &format!("{password}\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains(
        "Created alex@riverside.org (Alex Admin) in riverside with roles manager, admin"
    ));

    // The new admin signs in over HTTP; the creation is in the audit log.
    let mut browser = app.browser();
    assert_eq!(browser.sign_in("riverside", "alex@riverside.org", password).await.status, 303);
    let audit = browser.get("/audit").await;
    assert!(
        audit.body.contains("operator (command line)")
            && audit.body.contains("alex@riverside.org with roles")
    );
}
