//! An organisation's own instruments (`org_instruments`), imported from FHIR Questionnaires.
//! Stored whole as the definition's JSON; a definition that no longer parses is corrupt.

use kindred_domain::ids::UserId;
use kindred_domain::instruments::InstrumentDefinition;
use time::OffsetDateTime;

use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

fn parse(text: &str) -> Result<InstrumentDefinition> {
    serde_json::from_str(text)
        .map_err(|e| StorageError::Corrupt(format!("organisation instrument: {e}")))
}

impl<M> Session<M> {
    /// The organisation's own instrument with this code.
    pub async fn org_instrument(&mut self, code: &str) -> Result<Option<InstrumentDefinition>> {
        let text: Option<String> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT definition FROM org_instruments WHERE org_id = $1 AND code = $2")
                .bind(code)
                .fetch_optional(&mut *c)
                .await?
        });
        text.as_deref().map(parse).transpose()
    }

    /// Every instrument the organisation imported, by code.
    pub async fn org_instruments(&mut self) -> Result<Vec<InstrumentDefinition>> {
        let texts: Vec<String> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT definition FROM org_instruments WHERE org_id = $1 ORDER BY code")
                .fetch_all(&mut *c)
                .await?
        });
        texts.iter().map(|t| parse(t)).collect()
    }
}

impl Session<Write> {
    /// Stores an imported instrument. A code already imported is a conflict: a changed
    /// instrument is a new code, so stored answers always keep the definition they were
    /// given with.
    pub async fn insert_org_instrument(
        &mut self,
        definition: &InstrumentDefinition,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let text = serde_json::to_string(definition)
            .map_err(|e| StorageError::Corrupt(format!("organisation instrument: {e}")))?;
        let inserted = on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO org_instruments (org_id, code, version, definition, imported_by,
                    imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, code) DO NOTHING",
            )
            .bind(&definition.code)
            .bind(&definition.version)
            .bind(&text)
            .bind(by.0)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if inserted == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict(
                format!(
                    "an instrument with code {} was already imported; give the new one its own code",
                    definition.code
                )
                .into(),
            ))
        }
    }
}
