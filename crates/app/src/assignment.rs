//! Assigning a coach: the program's eligibility rules checked against the coach's
//! qualifications, the supervisor's or manager's override, and the assignment history.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::fields::optional_text;
use kindred_domain::ids::{CoachAssignmentId, ProgramId, UserId};
use kindred_domain::staff::StaffProfile;
use kindred_storage::{CoachAssignment, Edit, Grant, Session, Write};
use time::{Date, OffsetDateTime};

use crate::audit::entry;
use crate::{Actor, Result, policy};

/// An assignment allowed although the coach does not meet the program's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EligibilityOverride {
    pub program_name: String,
    pub shortfalls: Vec<String>,
    pub reason: String,
}

/// Checks `coach` against `program`'s eligibility rules, adding any refusal to `errors`.
/// With a reason from someone allowed to override, an ineligible coach is accepted and the
/// override returned, to be recorded.
pub(crate) async fn check_eligibility<M>(
    session: &mut Session<M>,
    actor: &Actor,
    program: Option<ProgramId>,
    coach: Option<UserId>,
    override_reason: Option<&str>,
    today: Date,
    errors: &mut FieldErrors,
) -> Result<Option<EligibilityOverride>> {
    let reason =
        errors.check("coach_override_reason", optional_text(override_reason, 500)).flatten();
    let may_override = match (&reason, policy::override_eligibility(actor)) {
        (Some(_), Err(refusal)) => {
            errors.add("coach_override_reason", refusal);
            false
        }
        (reason, allowed) => reason.is_some() && allowed.is_ok(),
    };
    let (Some(program), Some(coach)) = (program, coach) else { return Ok(None) };
    let Some((program_name, rules)) = session.eligibility_rules(program).await? else {
        return Ok(None);
    };
    if rules.is_empty() {
        return Ok(None);
    }
    let profile = session.staff_profile(coach).await?.unwrap_or_else(|| StaffProfile::empty(coach));
    let certifications = session.certifications(coach).await?;
    let shortfalls = rules.shortfalls(&profile.qualifications(&certifications, today), today);
    if shortfalls.is_empty() {
        return Ok(None);
    }
    match reason {
        Some(reason) if may_override => {
            Ok(Some(EligibilityOverride { program_name, shortfalls, reason }))
        }
        _ => {
            errors.add(
                "coach_id",
                format!("does not meet {program_name}'s requirements: {}", shortfalls.join("; ")),
            );
            Ok(None)
        }
    }
}

/// Adds an entry to the participant's coach history (and audits an override).
pub(crate) async fn record_assignment(
    tx: &mut Session<Write>,
    grant: &Grant<Edit>,
    actor: &Actor,
    coach: Option<UserId>,
    eligibility_override: Option<EligibilityOverride>,
    now: OffsetDateTime,
) -> Result<()> {
    let assignment = CoachAssignment {
        id: CoachAssignmentId::generate(),
        participant_id: grant.participant(),
        coach_id: coach,
        assigned_by: actor.user_id(),
        assigned_at: now,
        override_reason: eligibility_override.as_ref().map(|o| o.reason.clone()),
    };
    tx.insert_coach_assignment(grant, &assignment).await?;
    if let Some(o) = eligibility_override {
        let detail = format!(
            "{}: {}'s eligibility rules overridden ({}); reason: {}",
            grant.facts().reference(),
            o.program_name,
            o.shortfalls.join("; "),
            o.reason
        );
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "coach_assignment",
                Some(assignment.id.to_string()),
                detail,
            ),
        )
        .await?;
    }
    Ok(())
}
