//! The instrument library as an organisation sees it: the shipped instruments and the ones it
//! imported as FHIR SDC Questionnaires. Definitions are not participant data, so anyone signed
//! in may read them; importing is a manager's decision (see `policy::import_instruments`).

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::instruments::fhir::{questionnaire_from_fhir, questionnaire_to_fhir};
use kindred_domain::instruments::{
    InstrumentDefinition, InstrumentSummary, find, library, summary,
};
use serde_json::Value;

use super::definition;
use crate::audit::entry;
use crate::policy::Manager;
use crate::{Actor, App, AppError, Result};

/// Where an instrument comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstrumentSource {
    /// Shipped with Kindred, checked against its published source.
    Library,
    /// Imported by this organisation.
    Organisation,
}

impl InstrumentSource {
    pub fn code(self) -> &'static str {
        match self {
            InstrumentSource::Library => "library",
            InstrumentSource::Organisation => "organisation",
        }
    }
}

/// One instrument as listed.
#[derive(Debug, Clone)]
pub struct InstrumentListing {
    pub summary: InstrumentSummary,
    pub source: InstrumentSource,
}

impl App {
    /// Every instrument the organisation can administer: the library, then its own.
    pub async fn instruments(&self, actor: &Actor) -> Result<Vec<InstrumentListing>> {
        let mut session = actor.tenant().read().await?;
        let own = session.org_instruments().await?;
        let shipped = library()
            .iter()
            .map(|d| InstrumentListing { summary: summary(d), source: InstrumentSource::Library });
        let imported = own.iter().map(|d| InstrumentListing {
            summary: summary(d),
            source: InstrumentSource::Organisation,
        });
        Ok(shipped.chain(imported).collect())
    }

    /// One instrument's full definition.
    pub async fn instrument(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<(InstrumentDefinition, InstrumentSource)> {
        if let Some(shipped) = find(code) {
            return Ok((shipped.clone(), InstrumentSource::Library));
        }
        let mut session = actor.tenant().read().await?;
        let own = definition(&mut session, code).await?.ok_or(AppError::NotFound)?;
        Ok((own, InstrumentSource::Organisation))
    }

    /// One instrument as a FHIR R4 SDC `Questionnaire`.
    pub async fn instrument_questionnaire(&self, actor: &Actor, code: &str) -> Result<Value> {
        let (definition, _) = self.instrument(actor, code).await?;
        Ok(questionnaire_to_fhir(&definition))
    }

    /// Imports a FHIR `Questionnaire` (in Kindred's SDC mapping) as the organisation's own
    /// instrument. Its `id` becomes the code, which must not be a shipped instrument's or one
    /// already imported: answers always keep the definition they were given with.
    pub async fn import_instrument(
        &self,
        manager: &Manager<'_>,
        resource: &Value,
    ) -> Result<InstrumentDefinition> {
        let actor = manager.actor();
        let imported = questionnaire_from_fhir(resource)?;
        if find(&imported.code).is_some() {
            return Err(FieldErrors::single(
                "id",
                format!("{} is a shipped instrument; give your version its own id", imported.code),
            )
            .into());
        }
        if !valid_code(&imported.code) {
            return Err(FieldErrors::single(
                "id",
                "must be 1 to 40 lower-case letters, digits and hyphens",
            )
            .into());
        }
        let mut tx = actor.tenant().write().await?;
        let now = self.clock().now();
        tx.insert_org_instrument(&imported, actor.user_id(), now).await?;
        let detail = format!(
            "imported {} {} ({} items) from a FHIR Questionnaire",
            imported.short_name,
            imported.version,
            imported.items.len()
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "instrument", Some(imported.code.clone()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(imported)
    }
}

/// Codes appear in URLs (`/instruments/{code}`), so they stay URL-safe.
fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
