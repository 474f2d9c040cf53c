//! Demo recovery plans, the resource directory and referrals: goals across the life areas in
//! the participants' own words with a realistic spread of progress, a directory of about
//! twenty fictional local services (including the four organisations the demo's consents
//! name), and referrals in every state of the loop, some sharing under those consents.

use std::collections::HashMap;

use kindred_domain::ids::UserId;
use kindred_domain::recovery_plan::{GoalInput, StepInput};
use kindred_domain::referral::{ReferralInput, ReferralStatusInput};
use kindred_domain::resource::{Resource, ResourceInput};
use kindred_domain::vocabulary::{
    ConsentPurpose, DisclosureItem, GoalStatus, ParticipantStatus, ReferralStatus, Role, Vocabulary,
};
use kindred_storage::Tenant;
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};
use time::{Date, Duration};

use crate::{Actor, App, Result};

/// (organisation, service, category, address, city, phone, hours, description).
type Listing = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DIRECTORY: &[Listing] = &[
    (
        "Eastside Housing Trust",
        "Housing navigation",
        "Housing",
        "210 Market Street",
        "Riverside",
        "555-0140",
        "Mon–Fri 9:00–17:00",
        "Help with housing applications, documents and viewings.",
    ),
    (
        "Eastside Housing Trust",
        "Recovery residences",
        "Housing",
        "210 Market Street",
        "Riverside",
        "555-0141",
        "By appointment",
        "Places in certified recovery residences with peer support on site.",
    ),
    (
        "County Outpatient Services",
        "Intensive outpatient program",
        "Treatment",
        "15 City Hall Plaza",
        "Riverside",
        "555-0190",
        "Mon, Wed, Thu 17:30–20:30",
        "Nine hours a week of group and individual treatment.",
    ),
    (
        "County Outpatient Services",
        "Medication for opioid use disorder",
        "Treatment",
        "4400 North Road",
        "Northgate",
        "555-0195",
        "Weekdays 7:00–15:00, walk-ins until noon",
        "Buprenorphine and methadone with counselling; same-day starts.",
    ),
    (
        "County Outpatient Services",
        "Detox intake line",
        "Treatment",
        "15 City Hall Plaza",
        "Riverside",
        "555-0199",
        "Every day, 24 hours",
        "Screening and referral to withdrawal management.",
    ),
    (
        "Harbor Medical Clinic",
        "Primary care for new patients",
        "Health",
        "9 Harbor Way",
        "Riverside",
        "555-0120",
        "Mon–Sat 8:00–18:00",
        "A GP, check-ups and prescriptions; sliding-scale fees.",
    ),
    (
        "Harbor Medical Clinic",
        "Hepatitis C testing and treatment",
        "Health",
        "9 Harbor Way",
        "Riverside",
        "555-0121",
        "Tue and Thu 9:00–12:00",
        "Rapid testing and curative treatment.",
    ),
    (
        "Second Chance Employment",
        "Job readiness workshop",
        "Employment",
        "88 Dock Street",
        "Riverside",
        "555-0166",
        "Tue, Thu 10:00–14:00",
        "A four-week course: CVs, interviews, talking about gaps.",
    ),
    (
        "Second Chance Employment",
        "Supported job placement",
        "Employment",
        "88 Dock Street",
        "Riverside",
        "555-0167",
        "Mon–Fri 9:00–17:00",
        "Placement with employers who hire people in recovery.",
    ),
    (
        "Riverside Adult Learning",
        "GED preparation",
        "Education",
        "300 School Lane",
        "Riverside",
        "555-0150",
        "Mon and Wed 18:00–20:00",
        "Free classes and test fees covered.",
    ),
    (
        "Northgate Food Bank",
        "Weekly food parcels",
        "Food",
        "12 Mill Road",
        "Northgate",
        "555-0177",
        "Saturdays 10:00–13:00",
        "No referral needed; bring ID if you have it.",
    ),
    (
        "Riverside Legal Aid",
        "Record expungement clinic",
        "Legal",
        "44 Court Street",
        "Riverside",
        "555-0130",
        "First Monday of the month, 17:00–19:00",
        "Free advice on sealing and expunging records.",
    ),
    (
        "Riverside Legal Aid",
        "Benefits and ID help",
        "Benefits",
        "44 Court Street",
        "Riverside",
        "555-0131",
        "Wed 9:00–12:00",
        "Replacement ID, food assistance and disability claims.",
    ),
    (
        "Hope Street Recovery Community Center",
        "All-recovery meeting",
        "Mutual help",
        "5 Hope Street",
        "Riverside",
        "555-0110",
        "Daily 12:00 and 19:00",
        "Open to every pathway of recovery.",
    ),
    (
        "Hope Street Recovery Community Center",
        "Sober social nights",
        "Social",
        "5 Hope Street",
        "Riverside",
        "555-0110",
        "Fridays 18:00–21:00",
        "Games, food and music, substance-free.",
    ),
    (
        "SMART Recovery Riverside",
        "SMART Recovery meeting",
        "Mutual help",
        "Library meeting room, 2 Park Avenue",
        "Riverside",
        "555-0112",
        "Tuesdays 18:30",
        "Self-management and recovery training meetings.",
    ),
    (
        "Family Bridges",
        "Family recovery support group",
        "Family",
        "17 Elm Street",
        "Riverside",
        "555-0160",
        "Thursdays 18:00",
        "For partners, parents and children of people in recovery.",
    ),
    (
        "Riverside Mental Health Partners",
        "Counselling intake",
        "Mental health",
        "60 Bay Road",
        "Riverside",
        "555-0180",
        "Mon–Fri 8:30–16:30",
        "Assessment and counselling for anxiety, depression and trauma.",
    ),
    (
        "Riverside Transit",
        "Reduced fare pass",
        "Transport",
        "Central Station",
        "Riverside",
        "555-0105",
        "Mon–Fri 7:00–19:00",
        "Half-price travel with a benefits letter.",
    ),
    (
        "Northgate Harm Reduction",
        "Naloxone and syringe services",
        "Harm reduction",
        "3 Quay Lane",
        "Northgate",
        "555-0115",
        "Mon–Sat 10:00–18:00",
        "Naloxone, safer-use supplies and testing.",
    ),
];

/// (domain, the goal in the participant's words, steps).
const GOALS: &[(&str, &str, &[&str])] = &[
    (
        "housing",
        "Have my own place with my name on the lease",
        &[
            "Get a copy of my birth certificate",
            "Fill in the housing application",
            "Go to two viewings",
        ],
    ),
    (
        "housing",
        "Move out of the shelter before winter",
        &["Sign up for the housing list", "Save for a deposit"],
    ),
    (
        "substance_use",
        "Stay sober through my daughter's birthday",
        &["Go to a meeting the week before", "Plan who I'll call if it gets hard"],
    ),
    (
        "substance_use",
        "Cut down to weekends only",
        &["Track my use for two weeks", "Talk to the clinic about options"],
    ),
    (
        "health",
        "Get my teeth fixed",
        &["Find a dentist who takes Medicaid", "Book the first appointment"],
    ),
    ("health", "See a doctor about my liver", &["Register with the clinic", "Get the blood test"]),
    (
        "employment",
        "Get back to work at the docks",
        &["Update my CV", "Do the job readiness course", "Apply for three jobs"],
    ),
    (
        "employment",
        "Find a job I can do with my record",
        &["Ask about expungement", "Practise talking about the gap"],
    ),
    ("education", "Finish my GED", &["Enrol in the evening class", "Pass the maths section"]),
    (
        "relationships",
        "See my kids every weekend again",
        &["Call my sister about visits", "Go to the family group"],
    ),
    ("relationships", "Repair things with my mum", &["Write her a letter"]),
    (
        "justice",
        "Finish probation without a violation",
        &["Keep every probation appointment", "Pay the next fine instalment"],
    ),
    (
        "social_connectedness",
        "Have friends who don't use",
        &["Go to sober social night", "Join the Tuesday group"],
    ),
    (
        "self_empowerment",
        "Feel like I can handle a bad day",
        &["Learn one coping skill", "Keep a short journal"],
    ),
    (
        "self_empowerment",
        "Open a bank account and budget",
        &["Get an ID", "Open the account", "Make a monthly budget"],
    ),
];

/// Fills the directory, and gives participants plans and referrals. `rng` is the demo's
/// seeded generator, so the demo stays the same from run to run.
pub(super) async fn populate(app: &App, tenant: &Tenant, rng: &mut impl Rng) -> Result<()> {
    let users = tenant.read().await?.users().await?;
    let Some(manager) = users.iter().find(|u| u.roles.has(Role::Manager)) else {
        return Ok(());
    };
    let manager = Actor::new(manager.clone(), tenant.clone());
    let mut directory: Vec<Resource> = Vec::new();
    for (organisation, service, category, address, city, phone, hours, description) in DIRECTORY {
        let slug: String =
            organisation.to_lowercase().split_whitespace().collect::<Vec<_>>().join("");
        let input = ResourceInput {
            organisation_name: Some((*organisation).into()),
            service_name: Some((*service).into()),
            description: Some((*description).into()),
            category: Some((*category).into()),
            address: Some((*address).into()),
            city: Some((*city).into()),
            postal_code: Some("98101".into()),
            phone: Some((*phone).into()),
            email: Some(format!("intake@{slug}.example")),
            website: Some(format!("https://{slug}.example")),
            hours: Some((*hours).into()),
        };
        directory.push(app.create_resource(&crate::policy::curator(&manager)?, &input).await?);
    }

    let coaches: HashMap<UserId, Actor> = users
        .iter()
        .filter(|u| u.roles.has(Role::Coach))
        .map(|u| (u.id, Actor::new(u.clone(), tenant.clone())))
        .collect();
    let participants = super::all_participants(app, tenant).await?;
    let today = app.clock().today();
    for participant in participants {
        let Some(actor) = participant.coach_id.and_then(|c| coaches.get(&c)) else { continue };
        let since = participant.enrolled_on;
        let days = (today - since).whole_days().max(1);
        let goal_count = rng.random_range(1..=3);
        for (domain, title, steps) in GOALS.sample(rng, goal_count) {
            let input = GoalInput {
                domain: Some((*domain).into()),
                title: Some((*title).into()),
                target_on: rng
                    .random_bool(0.6)
                    .then(|| (today + Duration::days(rng.random_range(14..180))).to_string()),
                ..Default::default()
            };
            let goal = app.add_goal(actor, participant.id, &input).await?;
            let progress = rng.random_range(0..100);
            let (path, ticked): (&[GoalStatus], usize) = match progress {
                0..25 => (&[], 0),
                25..70 => (&[GoalStatus::InProgress], 1),
                70..90 => (&[GoalStatus::InProgress, GoalStatus::Achieved], steps.len()),
                _ => (&[GoalStatus::InProgress, GoalStatus::SetAside], 0),
            };
            for (index, description) in steps.iter().enumerate() {
                let step = StepInput {
                    description: Some((*description).into()),
                    done_on: (index < ticked).then(|| day_in(rng, since, days).to_string()),
                    ..Default::default()
                };
                app.add_goal_step(actor, participant.id, goal.id, &step).await?;
            }
            for status in path {
                let note = match status {
                    GoalStatus::SetAside => Some("Wants to focus on other things for now".into()),
                    GoalStatus::Achieved => Some("Celebrated at our check-in".into()),
                    _ => None,
                };
                let change =
                    GoalInput { status: Some(status.code().into()), note, ..Default::default() };
                app.update_goal(actor, participant.id, goal.id, &change).await?;
            }
        }

        if participant.status != ParticipantStatus::Active && rng.random_bool(0.5) {
            continue;
        }
        // Sharing only where a current referral consent names the organisation.
        let consents = super::consents_of(app, tenant, participant.id).await?;
        let covered = consents.iter().find(|c| {
            c.permits(
                DisclosureItem::Referrals,
                &c.terms.recipient,
                ConsentPurpose::Referral,
                today,
            )
        });
        let mut referrals: Vec<(&Resource, Vec<String>)> = Vec::new();
        if let Some(consent) = covered {
            let to = directory
                .iter()
                .filter(|r| {
                    r.details.organisation_name.eq_ignore_ascii_case(&consent.terms.recipient)
                })
                .collect::<Vec<_>>();
            if let Some(resource) = to.choose(rng) {
                let share = if rng.random_bool(0.5) {
                    vec![DisclosureItem::Referrals.code().to_owned()]
                } else {
                    vec![
                        DisclosureItem::Participation.code().into(),
                        DisclosureItem::Referrals.code().into(),
                    ]
                };
                referrals.push((resource, share));
            }
        }
        if rng.random_bool(0.6)
            && let Some(resource) = directory.choose(rng)
        {
            referrals.push((resource, Vec::new()));
        }
        for (resource, share) in referrals {
            let input = ReferralInput {
                resource_id: Some(resource.id.to_string()),
                made_on: Some(day_in(rng, since, days).to_string()),
                share,
                note: None,
            };
            let referral = app.make_referral(actor, participant.id, &input).await?;
            let path: &[(ReferralStatus, Option<&str>)] = match rng.random_range(0..100) {
                0..20 => &[],
                20..40 => &[(ReferralStatus::Accepted, Some("Intake booked"))],
                40..75 => &[
                    (ReferralStatus::Accepted, Some("Intake booked")),
                    (ReferralStatus::Attended, Some("Went; coach went along the first time")),
                ],
                75..88 => &[
                    (ReferralStatus::Accepted, None),
                    (
                        ReferralStatus::NotAttended,
                        Some("Missed it; will talk about what got in the way"),
                    ),
                ],
                _ => &[(ReferralStatus::Declined, Some("Waiting list closed"))],
            };
            for (status, note) in path {
                let change = ReferralStatusInput {
                    status: Some(status.code().into()),
                    note: note.map(str::to_owned),
                };
                app.move_referral(actor, participant.id, referral.id, &change).await?;
            }
        }
    }
    Ok(())
}

/// A day from `since` to `since + days`.
fn day_in(rng: &mut (impl Rng + ?Sized), since: Date, days: i64) -> Date {
    since + Duration::days(rng.random_range(0..=days))
}
