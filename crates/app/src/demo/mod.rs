//! A realistic synthetic organisation for `kindred demo`: programs from Kindred's templates,
//! staff with their qualifications, a caseload per coach, consents on file, appointments and
//! the tasks the protocols make. Seeded, so every demo is the same.

use kindred_domain::consent::ConsentInput;
use kindred_domain::participant::ParticipantInput;
use kindred_domain::user::User;
use kindred_domain::vocabulary::{
    ConsentPurpose, DisclosureItem, Gender, Housing, JusticeInvolvement, PrimarySubstance,
    ReferralSource, Role, Setting, TreatmentPhase, Vocabulary, YesNoUnknown,
};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Duration;

mod contacts;
mod follow_up;
mod programs;
mod referrals;
mod studies;

use kindred_domain::consent::Consent;
use kindred_domain::ids::ParticipantId;
use kindred_domain::tasks::Task;
use kindred_storage::{
    Among, FollowUpSubject, Identified, ParticipantQuery, ParticipantSummary, SeeWork, Tenant,
};

use crate::admin::NewAccount;
use crate::{Actor, App, AppError, Result};

/// The password of every demo account (printed by `kindred demo`).
pub const DEMO_PASSWORD: &str = "recovery-demo-2026";
pub const DEMO_ORGANISATION: &str = "riverside";

/// A demo account to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub roles: String,
}

const GIVEN_NAMES: &[&str] = &[
    "Aaliyah", "Marcus", "Dana", "Luis", "Keisha", "Tyler", "Rosa", "Jamal", "Brittany", "Andre",
    "Megan", "Carlos", "Tasha", "Kevin", "Ashley", "Devon", "Maria", "Jordan", "Crystal", "Shawn",
    "Nicole", "Ramon", "Heather", "Darnell", "Amber", "Trevor", "Latoya", "Cody", "Yolanda", "Eli",
];
const FAMILY_NAMES: &[&str] = &[
    "Johnson",
    "Martinez",
    "Nguyen",
    "Williams",
    "Okafor",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
    "Green",
];
const RECIPIENTS: &[&str] = &[
    "Eastside Housing Trust",
    "County Outpatient Services",
    "Harbor Medical Clinic",
    "Second Chance Employment",
];

/// Fills a new organisation with staff, programs, participants and consents.
pub async fn populate(app: &App, participants: usize, seed: u64) -> Result<Vec<DemoLogin>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    app.add_organisation(DEMO_ORGANISATION, "Riverside Recovery Community").await?;

    let staff: [(&str, &str, &[Role], Option<&str>); 8] = [
        ("admin", "Alex Admin", &[Role::Admin], None),
        ("manager", "Morgan Reyes", &[Role::Manager], None),
        ("supervisor", "Sam Okafor", &[Role::Supervisor, Role::Coach], None),
        ("coach.jamie", "Jamie Lee", &[Role::Coach], Some("supervisor")),
        ("coach.rico", "Rico Santos", &[Role::Coach], Some("supervisor")),
        ("coach.tess", "Tess Moran", &[Role::Coach], Some("supervisor")),
        ("evaluator", "Evan Price", &[Role::Evaluator], None),
        ("assessor", "Ari Novak", &[Role::ResearchAssessor], None),
    ];
    let mut logins = Vec::new();
    let mut coaches: Vec<User> = Vec::new();
    let mut staff_users: Vec<User> = Vec::new();
    for (local, name, roles, supervisor) in staff {
        let email = format!("{local}@riverside.example");
        let user = app
            .add_user(NewAccount {
                organisation: DEMO_ORGANISATION.into(),
                email: email.clone(),
                display_name: Some(name.into()),
                password: DEMO_PASSWORD.into(),
                roles: roles.to_vec(),
                supervisor_email: supervisor.map(|s| format!("{s}@riverside.example")),
            })
            .await?;
        let role_names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        logins.push(DemoLogin { email, roles: role_names.join(", ") });
        if user.roles.has(Role::Coach) {
            coaches.push(user.clone());
        }
        staff_users.push(user);
    }

    let tenant = app.database.tenant(
        app.database
            .organisation_by_slug(
                &kindred_domain::org::OrgSlug::parse(DEMO_ORGANISATION)
                    .map_err(|e| crate::AppError::Internal(e.into()))?,
            )
            .await?
            .ok_or(crate::AppError::NotFound)?
            .id,
    );
    let demo_programs = programs::create(app, &tenant, &staff_users).await?;
    let today = app.clock().today();
    for index in 0..participants {
        let coach = &coaches[index % coaches.len()];
        let actor = Actor::new(coach.clone(), tenant.clone());
        let born = today - Duration::days(rng.random_range(19 * 365..66 * 365));
        let enrolled = today - Duration::days(rng.random_range(0..365));
        let gender = *[Gender::Woman, Gender::Man, Gender::Man, Gender::Woman, Gender::NonBinary]
            .choose(&mut rng)
            .unwrap_or(&Gender::NotSaid);
        let code = |v: &dyn Fn() -> &'static str| Some(v().to_owned());
        let input = ParticipantInput {
            given_name: GIVEN_NAMES.choose(&mut rng).map(|s| (*s).to_owned()),
            family_name: FAMILY_NAMES.choose(&mut rng).map(|s| (*s).to_owned()),
            date_of_birth: Some(born.to_string()),
            phone: Some(format!(
                "555-01{:02}-{:04}",
                rng.random_range(0..100),
                rng.random_range(0..10_000)
            )),
            program_id: demo_programs.program_for(coach.id, &mut rng).map(|p| p.to_string()),
            enrolled_on: Some(enrolled.to_string()),
            setting: code(&|| pick::<Setting>(index, 0)),
            referral_source: code(&|| pick::<ReferralSource>(index, 1)),
            treatment_phase: code(&|| pick::<TreatmentPhase>(index, 2)),
            gender: Some(gender.code().to_owned()),
            primary_substance: code(&|| pick::<PrimarySubstance>(index, 3)),
            co_occurring_mental_disorder: code(&|| pick::<YesNoUnknown>(index, 4)),
            housing: code(&|| pick::<Housing>(index, 5)),
            justice_involvement: code(&|| pick::<JusticeInvolvement>(index, 6)),
            pregnant: Some(
                if gender == Gender::Woman && index % 9 == 0 { "yes" } else { "no" }.into(),
            ),
            veteran: code(&|| pick::<YesNoUnknown>(index, 7)),
            ..Default::default()
        };
        let enrolled = app.enrol(&actor, &input, true).await?;
        if rng.random_bool(0.6) {
            let consent = ConsentInput {
                disclose: vec![
                    DisclosureItem::Participation.code().into(),
                    DisclosureItem::Referrals.code().into(),
                ],
                recipient: RECIPIENTS.choose(&mut rng).map(|s| (*s).to_owned()),
                purpose: Some(ConsentPurpose::Referral.code().into()),
                signed_on: Some(enrolled.participant.enrolment.enrolled_on.to_string()),
                expires_on: Some((today + Duration::days(rng.random_range(30..365))).to_string()),
                notes: None,
            };
            let recorded = app.record_consent(&actor, enrolled.participant.id, &consent).await?;
            if rng.random_bool(0.1) {
                app.revoke_consent(
                    &actor,
                    enrolled.participant.id,
                    recorded.id,
                    Some("Participant asked to stop sharing"),
                )
                .await?;
            }
        }
    }
    referrals::populate(app, &tenant, &mut rng).await?;
    programs::appointments_and_overrides(app, &tenant, &staff_users, &demo_programs, &mut rng)
        .await?;
    contacts::populate(app, &tenant, &mut rng).await?;
    // Before the follow-up, so the studies' participants are followed up like everyone.
    let member = |local: &str| {
        let email = format!("{local}@riverside.example");
        staff_users
            .iter()
            .find(|u| u.email.as_str() == email)
            .map(|u| Actor::new(u.clone(), tenant.clone()))
            .ok_or(AppError::NotFound)
    };
    let (coach, evaluator) = (member("supervisor")?, member("evaluator")?);
    let assessor = member("assessor")?;
    let study_staff =
        studies::StudyStaff { coach: &coach, evaluator: &evaluator, assessor: &assessor };
    let blinded = studies::populate(app, &study_staff, &demo_programs, &mut rng).await?;
    let measurers = follow_up::Measurers { staff: &staff_users, assessor: &assessor, blinded };
    follow_up::populate(app, &tenant, &measurers, &mut rng).await?;
    Ok(logins)
}

/// A spread of terms across participants: deterministic, and every term appears.
fn pick<V: Vocabulary>(index: usize, salt: usize) -> &'static str {
    let terms = V::ALL;
    terms[(index * 7 + salt * 3 + index / terms.len()) % terms.len()].code()
}

// The demo reads back what it generated to decide what to generate next: the system's own
// reads (through the policy's system scope), not a person's, so they are not audited.

/// Every participant of the demo organisation.
async fn all_participants(app: &App, tenant: &Tenant) -> Result<Vec<ParticipantSummary>> {
    let scope = app.policy.system_scope::<Identified>(tenant.org_id());
    let query =
        ParticipantQuery { status: None, search: None, limit: 100_000, offset: 0, count_up_to: 0 };
    Ok(tenant.read().await?.participants(&scope, &query).await?.0)
}

/// A participant's tasks.
async fn tasks_of(app: &App, tenant: &Tenant, participant: ParticipantId) -> Result<Vec<Task>> {
    let mut session = tenant.read().await?;
    let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
    let grant = app.policy.system_grant::<SeeWork>(&facts);
    Ok(session.tasks_of_participant(&grant).await?)
}

/// A participant's consents.
async fn consents_of(
    app: &App,
    tenant: &Tenant,
    participant: ParticipantId,
) -> Result<Vec<Consent>> {
    let mut session = tenant.read().await?;
    let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
    let grant = app.policy.system_grant::<SeeWork>(&facts);
    Ok(session.consents(&grant).await?)
}

/// Everyone followed up in a program.
async fn follow_up_subjects(app: &App, tenant: &Tenant) -> Result<Vec<FollowUpSubject>> {
    let scope = app.policy.system_scope::<SeeWork>(tenant.org_id());
    Ok(tenant.read().await?.follow_up_subjects(Among::All(&scope), None).await?)
}
