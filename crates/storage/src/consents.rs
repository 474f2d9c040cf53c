//! Consents to disclose, per participant.

use kindred_domain::consent::{Consent, ConsentTerms, Revocation};
use kindred_domain::ids::{ConsentId, ParticipantId, UserId};
use kindred_domain::vocabulary::{DisclosureItem, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Consents, Grant, Identifies};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
pub(crate) struct ConsentRow {
    id: Uuid,
    participant_id: Uuid,
    disclose: String,
    recipient: String,
    purpose: String,
    signed_on: Date,
    expires_on: Date,
    notes: Option<String>,
    recorded_by: Uuid,
    recorded_at: Timestamp,
    revoked_at: Option<Timestamp>,
    revoked_by: Option<Uuid>,
    revocation_reason: Option<String>,
}

impl TryFrom<ConsentRow> for Consent {
    type Error = StorageError;
    fn try_from(row: ConsentRow) -> Result<Self> {
        let disclose = row
            .disclose
            .split(',')
            .filter(|code| !code.is_empty())
            .map(decode_code::<DisclosureItem>)
            .collect::<Result<Vec<_>>>()?;
        let revocation = match (row.revoked_at, row.revoked_by) {
            (Some(at), Some(by)) => {
                Some(Revocation { at: at.0, by: UserId(by), reason: row.revocation_reason })
            }
            _ => None,
        };
        Ok(Consent {
            id: ConsentId(row.id),
            participant_id: ParticipantId(row.participant_id),
            terms: ConsentTerms {
                disclose,
                recipient: row.recipient,
                purpose: decode_code(&row.purpose)?,
                signed_on: row.signed_on,
                expires_on: row.expires_on,
                notes: row.notes,
            },
            recorded_by: UserId(row.recorded_by),
            recorded_at: row.recorded_at.0,
            revocation,
        })
    }
}

macro_rules! select_consent {
    ($rest:literal) => {
        concat!(
            "SELECT id, participant_id, disclose, recipient, purpose, signed_on, expires_on, notes,
                    recorded_by, recorded_at, revoked_at, revoked_by, revocation_reason
             FROM consents WHERE org_id = $1 ",
            $rest
        )
    };
}

impl<M> Session<M> {
    /// A participant's consents, newest first.
    /// (Any grant that sees the identity will do: a referral checks them before sharing.)
    pub async fn consents<A: Identifies>(&mut self, grant: &Grant<A>) -> Result<Vec<Consent>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<ConsentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_consent!(
                "AND participant_id = $2 ORDER BY recorded_at DESC, id DESC"
            ))
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(Consent::try_from).collect()
    }

    /// One consent of the granted participant (a referral checks the one it shares under).
    pub async fn consent<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: ConsentId,
    ) -> Result<Option<Consent>> {
        let participant = grant.bound_to(self.org_id)?;
        let row: Option<ConsentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_consent!("AND id = $2 AND participant_id = $3"))
                .bind(id.0)
                .bind(participant)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(Consent::try_from).transpose()
    }
}

impl Session<Write> {
    /// Saves a consent of the granted participant (the consent's participant is the grant's).
    pub async fn insert_consent(
        &mut self,
        grant: &Grant<Consents>,
        consent: &Consent,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let terms = &consent.terms;
        let disclose: Vec<&str> = terms.disclose.iter().map(|d| d.code()).collect();
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO consents (org_id, id, participant_id, disclose, recipient, purpose,
                    signed_on, expires_on, notes, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(consent.id.0)
            .bind(participant)
            .bind(disclose.join(","))
            .bind(&terms.recipient)
            .bind(terms.purpose.code())
            .bind(terms.signed_on)
            .bind(terms.expires_on)
            .bind(terms.notes.as_deref())
            .bind(consent.recorded_by.0)
            .bind(Timestamp(consent.recorded_at))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Marks a consent revoked. Revoking twice is a conflict (the first revocation stands).
    pub async fn revoke_consent(
        &mut self,
        grant: &Grant<Consents>,
        id: ConsentId,
        by: UserId,
        reason: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE consents SET revoked_at = $3, revoked_by = $4, revocation_reason = $5
                 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL AND participant_id = $6",
            )
            .bind(id.0)
            .bind(Timestamp(at))
            .bind(by.0)
            .bind(reason)
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict("the consent is already revoked".into()))
        }
    }
}
