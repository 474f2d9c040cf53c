//! Safety flags: an answer that needs the supervisor now (PHQ-9 item 9 above "Not at all")
//! opens an urgent task, due today, for the coach's supervisor — or a manager when the coach
//! has no supervisor (or the participant has no coach). The task is opened once per flag per
//! assessment: the first save that raises it, not every later save.

use kindred_domain::audit::AuditAction;
use kindred_domain::instruments::{InstrumentDefinition, ScoreResult};
use kindred_domain::vocabulary::Role;
use kindred_storage::{Grant, RecordWork, Session, Write};
use time::{Date, OffsetDateTime};

use crate::audit::entry;
use crate::{Actor, Result};

/// Opens an urgent task for each urgent flag in `result` not already in `already_raised`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise(
    tx: &mut Session<Write>,
    actor: &Actor,
    grant: &Grant<RecordWork>,
    definition: &InstrumentDefinition,
    result: &ScoreResult,
    already_raised: &[String],
    today: Date,
    now: OffsetDateTime,
) -> Result<()> {
    let new_flags: Vec<_> =
        result.urgent_flags().filter(|flag| !already_raised.contains(&flag.code)).collect();
    if new_flags.is_empty() {
        return Ok(());
    }
    let facts = grant.facts();
    let assignee = match facts.coach_supervisor_id() {
        Some(supervisor) => Some(supervisor),
        None => tx
            .users()
            .await?
            .into_iter()
            .find(|user| user.active && user.roles.has(Role::Manager))
            .map(|manager| manager.id),
    };
    let Some(assignee) = assignee else {
        tracing::error!(participant = %facts.id(), "urgent flag with nobody to assign it to");
        return Ok(());
    };
    for flag in new_flags {
        let title = format!(
            "Urgent: {} {} answered above 0 for {} — follow the safety protocol today",
            definition.short_name,
            flag.item,
            facts.reference()
        );
        let task = tx.insert_urgent_task(grant, assignee, &title, today, now).await?;
        let detail = format!("{}: urgent task for flag {}", facts.reference(), flag.code);
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "task", Some(task.to_string()), detail),
        )
        .await?;
    }
    Ok(())
}
