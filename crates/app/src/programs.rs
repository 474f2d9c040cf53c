//! Programs: the templates Kindred ships, and the organisation's programs made from them or
//! from scratch. Everyone signed in may read them (coaches need to know the protocol they
//! deliver); only managers create and change them.

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::templates::{self, ProgramTemplate};
use kindred_domain::programs::{ProgramDefinition, ProgramInput};
use kindred_domain::schedule::default_schedule;
use kindred_storage::{Conflict, Session};

use crate::audit::entry;
use crate::policy::Manager;
use crate::{Actor, App, AppError, Result};

/// A program as listed (for choosing one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSummary {
    pub id: ProgramId,
    pub name: String,
    pub description: String,
    pub template_code: Option<String>,
    pub active: bool,
}

impl From<kindred_storage::Program> for ProgramSummary {
    fn from(p: kindred_storage::Program) -> Self {
        let kindred_storage::Program { id, name, description, template_code, active } = p;
        Self { id, name, description, template_code, active }
    }
}

/// A line of the programs page: the program and how much is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramOverview {
    pub program: ProgramSummary,
    pub target_caseload: Option<i32>,
    pub step_count: i64,
    /// Participants active or stepped down in it.
    pub participant_count: i64,
}

impl From<kindred_storage::ProgramOverview> for ProgramOverview {
    fn from(o: kindred_storage::ProgramOverview) -> Self {
        Self {
            program: o.program.into(),
            target_caseload: o.target_caseload,
            step_count: o.step_count,
            participant_count: o.participant_count,
        }
    }
}

/// A program with everything that defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramDetail {
    pub id: ProgramId,
    pub definition: ProgramDefinition,
}

impl From<kindred_storage::StoredProgram> for ProgramDetail {
    fn from(p: kindred_storage::StoredProgram) -> Self {
        Self { id: p.id, definition: p.definition }
    }
}

impl App {
    /// The ten ready-made programs, each citing its study.
    pub fn program_templates(&self) -> &'static [ProgramTemplate] {
        templates::templates()
    }

    /// The organisation's programs with their step and participant counts.
    pub async fn program_overviews(&self, actor: &Actor) -> Result<Vec<ProgramOverview>> {
        let overviews = actor.tenant().read().await?.program_overviews().await?;
        Ok(overviews.into_iter().map(ProgramOverview::from).collect())
    }

    /// One program with everything that defines it.
    pub async fn program_detail(&self, actor: &Actor, id: ProgramId) -> Result<ProgramDetail> {
        let mut session = actor.tenant().read().await?;
        session.program_definition(id).await?.map(ProgramDetail::from).ok_or(AppError::NotFound)
    }

    /// Creates a program, from a template (`template_code`, its fields filling what the input
    /// leaves out) or from scratch.
    pub async fn create_program(
        &self,
        manager: &Manager<'_>,
        input: &ProgramInput,
    ) -> Result<ProgramDetail> {
        let actor = manager.actor();
        let definition = ProgramDefinition::create(input)?;
        let mut tx = actor.tenant().write().await?;
        check_name_is_free(&mut tx, &definition.name, None).await?;
        let id = ProgramId::generate();
        let now = self.clock().now();
        tx.insert_program_definition(id, &definition, now).await?;
        // A new program starts with the follow-up schedule its template (or any program)
        // usually needs; the manager changes it on the program page.
        tx.replace_schedule(id, &default_schedule(definition.template_code.as_deref())).await?;
        let detail = match &definition.template_code {
            Some(code) => format!("{} from template {code}", definition.name),
            None => format!("{} from scratch", definition.name),
        };
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "program", Some(id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(ProgramDetail { id, definition })
    }

    /// Changes the fields present in `input`; a list given replaces the whole list. Tasks
    /// already made from the protocol keep their dates.
    pub async fn update_program(
        &self,
        manager: &Manager<'_>,
        id: ProgramId,
        input: &ProgramInput,
    ) -> Result<ProgramDetail> {
        let actor = manager.actor();
        let mut tx = actor.tenant().write().await?;
        let current = tx.program_definition(id).await?.ok_or(AppError::NotFound)?;
        let next = current.definition.change(input)?;
        let changed = changed_parts(&current.definition, &next);
        if changed.is_empty() {
            return Ok(current.into());
        }
        if next.name != current.definition.name {
            check_name_is_free(&mut tx, &next.name, Some(id)).await?;
        }
        let now = self.clock().now();
        tx.update_program_definition(id, &next).await?;
        let detail = format!("{}: changed {}", next.name, changed.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "program", Some(id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(ProgramDetail { id, definition: next })
    }
}

/// Program names are unique in an organisation (ignoring case, so the lists stay readable;
/// the database's unique index catches two saves racing past this check, with the same sentence).
async fn check_name_is_free<M>(
    session: &mut Session<M>,
    name: &str,
    except: Option<ProgramId>,
) -> Result<()> {
    let taken = session
        .programs()
        .await?
        .into_iter()
        .any(|p| Some(p.id) != except && p.name.to_lowercase() == name.to_lowercase());
    if taken { Err(AppError::conflict(Conflict::ProgramName)) } else { Ok(()) }
}

fn changed_parts(before: &ProgramDefinition, after: &ProgramDefinition) -> Vec<&'static str> {
    let checks = [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("active", before.active != after.active),
        ("target caseload", before.target_caseload != after.target_caseload),
        ("eligibility", before.eligibility != after.eligibility),
        ("costs", before.costs != after.costs),
        ("components", before.components != after.components),
        ("protocol", before.protocol != after.protocol),
    ];
    checks.into_iter().filter(|(_, changed)| *changed).map(|(name, _)| name).collect()
}
