//! A small organisation to act in, and a second one that must stay out of sight.
//!
//! In `acme`: an admin, a manager, a supervisor (who also coaches), `coach` (supervised by the
//! supervisor), `lone_coach` (supervised by no one) and an evaluator. In `elsewhere`: a
//! manager and a coach.

use kindred_app::admin::NewAccount;
use kindred_domain::ids::UserId;
use kindred_domain::vocabulary::Role;

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

/// The people of both organisations (emails) and the ids tests need.
pub struct World {
    pub org: &'static str,
    pub other_org: &'static str,
    pub admin: &'static str,
    pub manager: &'static str,
    pub supervisor: &'static str,
    pub coach: &'static str,
    pub lone_coach: &'static str,
    pub evaluator: &'static str,
    pub other_manager: &'static str,
    pub other_coach: &'static str,
    pub supervisor_id: UserId,
    pub coach_id: UserId,
    pub lone_coach_id: UserId,
    pub other_coach_id: UserId,
}

impl TestApp {
    pub async fn world(&self) -> World {
        let app = &self.app;
        app.add_organisation("acme", "Acme Recovery").await.expect("acme");
        app.add_organisation("elsewhere", "Elsewhere Peer Services").await.expect("elsewhere");
        let add = |org: &str, email: &str, roles: &[Role], supervisor: Option<&str>| {
            let account = NewAccount {
                organisation: org.into(),
                email: email.into(),
                display_name: None,
                password: PASSWORD.into(),
                roles: roles.to_vec(),
                supervisor_email: supervisor.map(str::to_owned),
            };
            async move { app.add_user(account).await.expect("a user").id }
        };
        add("acme", "admin@acme.test", &[Role::Admin], None).await;
        add("acme", "manager@acme.test", &[Role::Manager], None).await;
        let supervisor_id =
            add("acme", "supervisor@acme.test", &[Role::Supervisor, Role::Coach], None).await;
        let coach_id =
            add("acme", "coach@acme.test", &[Role::Coach], Some("supervisor@acme.test")).await;
        let lone_coach_id = add("acme", "lone.coach@acme.test", &[Role::Coach], None).await;
        add("acme", "evaluator@acme.test", &[Role::Evaluator], None).await;
        add("elsewhere", "manager@elsewhere.test", &[Role::Manager], None).await;
        let other_coach_id = add("elsewhere", "coach@elsewhere.test", &[Role::Coach], None).await;
        World {
            org: "acme",
            other_org: "elsewhere",
            admin: "admin@acme.test",
            manager: "manager@acme.test",
            supervisor: "supervisor@acme.test",
            coach: "coach@acme.test",
            lone_coach: "lone.coach@acme.test",
            evaluator: "evaluator@acme.test",
            other_manager: "manager@elsewhere.test",
            other_coach: "coach@elsewhere.test",
            supervisor_id,
            coach_id,
            lone_coach_id,
            other_coach_id,
        }
    }
}

/// A participant body with the three required fields.
pub fn minimal_participant(given: &str, family: &str) -> serde_json::Value {
    serde_json::json!({"given_name": given, "family_name": family, "date_of_birth": "1988-06-15"})
}

/// A consent body that is valid today.
pub fn referral_consent(recipient: &str) -> serde_json::Value {
    serde_json::json!({
        "disclose": ["participation", "referrals"],
        "recipient": recipient,
        "purpose": "referral",
        "expires_on": "2099-12-31",
    })
}

/// Enrols a participant with the three required fields and returns their id.
pub async fn enrol(api: &super::Api, given: &str, family: &str) -> String {
    let reply = api.post("/api/v1/participants", minimal_participant(given, family)).await;
    assert_eq!(reply.status, 201, "enrolling {given} {family}: {}", reply.body);
    reply.json()["id"].as_str().expect("an id").to_owned()
}
