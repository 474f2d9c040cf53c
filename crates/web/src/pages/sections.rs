//! The sections of a participant's page beyond their details (consents, and the coach's work
//! as it is added: tasks, contacts, plan, appointments, referrals, events). Each feature
//! renders its own section; this list decides which appear and in what order.

use askama::Template;
use kindred_app::participants::ParticipantRecord;
use kindred_app::{App, AppError};

use super::appointments::appointments_section;
use super::consents::consents_section;
use super::contacts::contacts_section;
use super::outcome_events::events_section;
use super::recovery_plans::plan_section;
use super::referrals::referrals_section;
use super::tasks::due_section;
use crate::extract::SignedIn;

/// What a section needs to render itself.
pub struct SectionContext<'a> {
    pub app: &'a App,
    pub signed_in: &'a SignedIn,
    pub stored: &'a ParticipantRecord,
}

/// The rendered sections, in page order. A section the person may not see is left out.
pub async fn render(cx: &SectionContext<'_>) -> Result<Vec<String>, AppError> {
    let mut sections = Vec::new();
    sections.extend(due(cx).await?);
    sections.extend(contacts(cx).await?);
    sections.extend(follow_up(cx).await?);
    sections.extend(appointments(cx).await?);
    sections.extend(recovery_plan(cx).await?);
    sections.extend(assessments(cx).await?);
    sections.extend(referrals(cx).await?);
    sections.extend(outcome_events(cx).await?);
    sections.extend(consents(cx).await?);
    Ok(sections)
}

fn rendered(template: &impl Template) -> Result<String, AppError> {
    template.render().map_err(|e| AppError::Internal(format!("rendering a section: {e}").into()))
}

async fn consents(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.consents {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let list = cx.app.consents(actor, participant).await?;
    let section =
        consents_section(participant, list, &cx.signed_in.csrf_token, cx.app.clock().today());
    rendered(&section).map(Some)
}

async fn recovery_plan(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let goals = cx.app.recovery_plan(actor, participant).await?;
    let can_edit = cx.stored.may.record_work;
    rendered(&plan_section(participant, &goals, &cx.signed_in.csrf_token, can_edit)).map(Some)
}

async fn referrals(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let list = cx.app.referrals(actor, participant).await?;
    let can_edit = cx.stored.may.record_work;
    rendered(&referrals_section(participant, &list, &cx.signed_in.csrf_token, can_edit)).map(Some)
}

/// Open tasks first on the page: what the coach should do next.
async fn due(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let tasks = cx.app.participant_tasks(actor, participant).await?;
    let can_cancel = cx.stored.may.cancel_tasks;
    let today = cx.app.clock().today();
    rendered(&due_section(participant, tasks, &cx.signed_in.csrf_token, can_cancel, today))
        .map(Some)
}

async fn appointments(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let list = cx.app.appointments(actor, participant).await?;
    let today = cx.app.clock().today();
    rendered(&appointments_section(participant, list, &cx.signed_in.csrf_token, today)).map(Some)
}

/// Where each follow-up time point stands, linking to the follow-up page.
async fn follow_up(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.edit {
        return Ok(None);
    }
    let record = cx.app.follow_up(actor, cx.stored.participant.id).await?;
    rendered(&super::follow_up::summary_section(&record)).map(Some)
}

/// Assessments with their score trajectories.
async fn assessments(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let views = cx.app.participant_assessments(actor, participant).await?;
    let can_administer = cx.stored.may.record_work;
    rendered(&super::assessments::section(participant.to_string(), &views, can_administer))
        .map(Some)
}

/// The newest contacts, right after what is due: what was done last.
async fn contacts(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let filter = kindred_app::contacts::ContactFilter {
        participant: Some(participant),
        coach: None,
        page: 1,
    };
    let page = cx.app.contacts(actor, &filter).await?;
    rendered(&contacts_section(participant, &page)).map(Some)
}

async fn outcome_events(cx: &SectionContext<'_>) -> Result<Option<String>, AppError> {
    let actor = &cx.signed_in.actor;
    if !cx.stored.may.see_work {
        return Ok(None);
    }
    let participant = cx.stored.participant.id;
    let events = cx.app.outcome_events(actor, participant).await?;
    rendered(&events_section(participant, &events)).map(Some)
}
