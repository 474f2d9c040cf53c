//! Group sessions (`group_sessions`); each attendee's contact is written by
//! [`Session::insert_contact`] with the session's id.

use kindred_domain::contact::ContactFields;
use kindred_domain::ids::{GroupSessionId, UserId};
use kindred_domain::vocabulary::Vocabulary;
use time::OffsetDateTime;

use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

impl Session<Write> {
    pub async fn insert_group_session(
        &mut self,
        id: GroupSessionId,
        facilitator: UserId,
        topic: &str,
        fields: &ContactFields,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO group_sessions (org_id, id, facilitator_id, occurred_at, minutes,
                    topic, mode, setting, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.0)
            .bind(facilitator.0)
            .bind(Timestamp(fields.occurred_at))
            .bind(fields.minutes)
            .bind(topic)
            .bind(fields.mode.code())
            .bind(fields.setting.map(|s| s.code()))
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
