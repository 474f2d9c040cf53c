//! The demo organisation's programs (one from each template), its peer workers'
//! qualifications, and its participants' appointments. Tasks come from the protocols as the
//! participants are enrolled; an override and a cancelled task show those paths too.

use kindred_domain::appointments::AppointmentInput;
use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::programs::ProgramInput;
use kindred_domain::programs::templates::templates;
use kindred_domain::staff::{CertificationInput, StaffProfileInput};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{
    AppointmentKind, ParticipantStatus, Role, StepAnchor, TaskStatus, Vocabulary,
};
use kindred_storage::Tenant;
use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

use crate::{Actor, App, AppError, Result};

/// The organisation's own names for the programs it runs, by template.
const PROGRAM_NAMES: [(&str, &str); 10] = [
    ("ed_brief_intervention", "ED Bridge"),
    ("post_discharge_engagement", "After Discharge"),
    ("women_peer_case_management", "Sisters in Recovery"),
    ("community_companion", "Community Companions"),
    ("recovery_support_with_treatment", "Recovery Coaching with Treatment"),
    ("mobile_outreach", "Night Van"),
    ("rural_peer_counseling", "Rural Outreach Counseling"),
    ("housing_peer_support_community", "Riverside House Community"),
    ("reentry_peer_coaching", "Coming Home"),
    ("recovery_community_center", "Riverside Recovery Café"),
];

/// Who holds which qualifications: (email local part, months in recovery, training hours,
/// certified, volunteer). Relative to today, so who is eligible for what never drifts.
const QUALIFICATIONS: [(&str, i64, u32, bool, bool); 4] = [
    ("supervisor", 14 * 12, 160, true, false),
    ("coach.jamie", 9 * 12, 96, true, false),
    ("coach.rico", 20, 46, true, false),
    ("coach.tess", 8, 24, false, true),
];

/// The programs made, for choosing one a coach may deliver.
#[derive(Debug, Clone)]
pub struct DemoPrograms {
    programs: Vec<(ProgramId, String)>,
    /// For each coach, the programs whose eligibility rules they meet.
    eligible: Vec<(UserId, Vec<ProgramId>)>,
}

impl DemoPrograms {
    /// A program `coach` may deliver, at random (or none, for about one in twelve).
    pub fn program_for(&self, coach: UserId, rng: &mut ChaCha8Rng) -> Option<ProgramId> {
        if rng.random_ratio(1, 12) {
            return None;
        }
        let (_, programs) = self.eligible.iter().find(|(c, _)| *c == coach)?;
        programs.choose(rng).copied()
    }

    /// The program made from a template.
    pub fn of_template(&self, code: &str) -> Option<ProgramId> {
        let name = PROGRAM_NAMES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)?;
        self.programs.iter().find(|(_, n)| n == name).map(|(id, _)| *id)
    }
}

fn find<'a>(staff: &'a [User], local: &str) -> Result<&'a User> {
    staff
        .iter()
        .find(|u| u.email.as_str().split('@').next() == Some(local))
        .ok_or_else(|| AppError::Internal(format!("demo account {local} is missing").into()))
}

/// Creates a program from every template (as the manager) and records the coaches'
/// qualifications (as the admin).
pub(super) async fn create(app: &App, tenant: &Tenant, staff: &[User]) -> Result<DemoPrograms> {
    let manager = Actor::new(find(staff, "manager")?.clone(), tenant.clone());
    let admin = Actor::new(find(staff, "admin")?.clone(), tenant.clone());
    let today = app.clock().today();
    let mut programs = Vec::new();
    for template in templates() {
        let name =
            PROGRAM_NAMES.iter().find(|(code, _)| *code == template.code).map(|(_, name)| *name);
        let input = ProgramInput {
            template_code: Some(template.code.into()),
            name: name.map(str::to_owned),
            ..Default::default()
        };
        let program = app.create_program(&crate::policy::manager(&manager)?, &input).await?;
        programs.push((program.id, program.definition.name.clone()));
    }
    for (local, months, hours, certified, volunteer) in QUALIFICATIONS {
        let coach = find(staff, local)?;
        let input = StaffProfileInput {
            recovery_start_date: Some((today - Duration::days(months * 30 + 5)).to_string()),
            employment: Some(if volunteer { "volunteer" } else { "paid" }.into()),
            training_hours: Some(hours.to_string()),
            supervisor_id: None,
        };
        app.update_staff_profile(&admin, coach.id, &input).await?;
        let certification = CertificationInput {
            name: Some("Certified Peer Recovery Specialist".into()),
            issued_on: Some((today - Duration::days(400)).to_string()),
            expires_on: Some(
                (today + Duration::days(if certified { 330 } else { -35 })).to_string(),
            ),
        };
        // Tess's lapsed certification is on file but not current.
        app.add_certification(&admin, coach.id, &certification).await?;
    }
    let mut eligible = Vec::new();
    let mut session = tenant.read().await?;
    for coach in staff.iter().filter(|u| u.roles.has(Role::Coach)) {
        let profile = session.staff_profile(coach.id).await?;
        let certifications = session.certifications(coach.id).await?;
        let Some(profile) = profile else { continue };
        let qualifications = profile.qualifications(&certifications, today);
        let mut theirs = Vec::new();
        for (id, _) in &programs {
            let rules =
                session.eligibility_rules(*id).await?.map(|(_, rules)| rules).unwrap_or_default();
            if rules.shortfalls(&qualifications, today).is_empty() {
                theirs.push(*id);
            }
        }
        eligible.push((coach.id, theirs));
    }
    Ok(DemoPrograms { programs, eligible })
}

/// Appointments for the enrolled participants (with the escorts and rides they anchor and the
/// outcomes of those already past), an override of eligibility and a task cancelled by the
/// supervisor.
pub(super) async fn appointments_and_overrides(
    app: &App,
    tenant: &Tenant,
    staff: &[User],
    demo: &DemoPrograms,
    rng: &mut ChaCha8Rng,
) -> Result<()> {
    let supervisor = Actor::new(find(staff, "supervisor")?.clone(), tenant.clone());
    let today = app.clock().today();
    // The supervisor's team: their own caseload and their coaches'.
    let me = Some(supervisor.user_id());
    let in_team = |coach: Option<kindred_domain::ids::UserId>| {
        coach == me || staff.iter().any(|u| Some(u.id) == coach && u.supervisor_id == me)
    };
    let team: Vec<_> = super::all_participants(app, tenant)
        .await?
        .into_iter()
        .filter(|p| in_team(p.coach_id))
        .collect();
    for summary in &team {
        let program =
            demo.programs.iter().find(|(_, name)| Some(name) == summary.program_name.as_ref());
        let steps = match program {
            Some((id, _)) => tenant.read().await?.protocol_steps(*id).await?,
            None => Vec::new(),
        };
        let anchored_kind = steps
            .iter()
            .find(|s| s.anchor == StepAnchor::FirstAppointment)
            .and_then(|s| s.appointment_kind);
        let kind = match anchored_kind {
            Some(kind) => kind,
            None if rng.random_bool(0.4) => *[
                AppointmentKind::Medical,
                AppointmentKind::Court,
                AppointmentKind::Housing,
                AppointmentKind::Benefits,
            ]
            .choose(rng)
            .unwrap_or(&AppointmentKind::Other),
            None => continue,
        };
        let date = summary.enrolled_on + Duration::days(rng.random_range(4..28));
        let status = appointment_status(date, today, rng);
        let input = AppointmentInput {
            kind: Some(kind.code().into()),
            date: Some(date.to_string()),
            time: Some(format!(
                "{:02}:{:02}",
                rng.random_range(8..17),
                [0, 15, 30, 45][rng.random_range(0..4)]
            )),
            with_whom: Some(with_whom(kind).into()),
            place: None,
            status: Some(status.into()),
            note: (kind == AppointmentKind::SubstanceUseTreatment)
                .then(|| "Coach to drive; bring ID and insurance card".into()),
        };
        app.schedule_appointment(&supervisor, summary.id, &input).await?;
    }

    // Tess lacks ED Bridge's certification; the supervisor assigns her one participant anyway.
    if let (Some(first), Ok(tess), Some((ed_bridge, _))) = (
        team.iter().find(|p| p.status == ParticipantStatus::Active),
        find(staff, "coach.tess"),
        demo.programs.first(),
    ) {
        let change = kindred_domain::participant::ParticipantInput {
            program_id: Some(ed_bridge.to_string()),
            coach_id: Some(tess.id.to_string()),
            coach_override_reason: Some(
                "Only Spanish-speaking coach this month; certification exam booked".into(),
            ),
            ..Default::default()
        };
        app.update_participant(&supervisor, first.id, &change, None).await?;
        // The visit already happened elsewhere: the supervisor takes that step off the list.
        let tasks = super::tasks_of(app, tenant, first.id).await?;
        if let Some(task) = tasks.iter().find(|t| t.status == TaskStatus::Open) {
            let reason =
                Some("Brief intervention was done by the hospital's own peer before transfer");
            app.cancel_task(&supervisor, first.id, task.id, reason).await?;
        }
    }
    Ok(())
}

fn appointment_status(date: Date, today: Date, rng: &mut ChaCha8Rng) -> &'static str {
    if date > today {
        "scheduled"
    } else if rng.random_bool(0.7) {
        "attended"
    } else if rng.random_bool(0.7) {
        "missed"
    } else {
        "cancelled"
    }
}

fn with_whom(kind: AppointmentKind) -> &'static str {
    match kind {
        AppointmentKind::SubstanceUseTreatment => "County Outpatient Services",
        AppointmentKind::MentalHealth => "Riverside Behavioral Health",
        AppointmentKind::Medical => "Harbor Medical Clinic",
        AppointmentKind::Court => "Riverside County Drug Court",
        AppointmentKind::Housing => "Eastside Housing Trust",
        AppointmentKind::Benefits => "Social Services Office",
        AppointmentKind::Other => "Second Chance Employment",
    }
}
