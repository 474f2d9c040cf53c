//! Sessions and API tokens, stored only as SHA-256 hashes. (The login throttle is in
//! `login_throttle.rs`.)

use kindred_domain::ids::{ApiTokenId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

/// A live browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// A live API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: String,
    pub expires_at: OffsetDateTime,
}

impl<M> Session<M> {
    /// The unexpired session with this token hash, if its user is still active.
    pub async fn browser_session(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<SessionRecord>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            user_id: Uuid,
            csrf_token: String,
            expires_at: Timestamp,
        }
        let row: Option<Row> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT s.user_id, s.csrf_token, s.expires_at
                 FROM sessions s JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
                 WHERE s.org_id = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND u.active",
            )
            .bind(token_hash)
            .bind(Timestamp(now))
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|r| SessionRecord {
            user_id: UserId(r.user_id),
            csrf_token: r.csrf_token,
            expires_at: r.expires_at.0,
        }))
    }

    /// The unexpired, unrevoked API token with this hash, if its user is still active.
    pub async fn api_token(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<ApiTokenRecord>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            user_id: Uuid,
            name: String,
            expires_at: Timestamp,
        }
        let row: Option<Row> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT t.id, t.user_id, t.name, t.expires_at
                 FROM api_tokens t JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id
                 WHERE t.org_id = $1 AND t.token_hash = $2 AND t.expires_at > $3
                   AND t.revoked_at IS NULL AND u.active",
            )
            .bind(token_hash)
            .bind(Timestamp(now))
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|r| ApiTokenRecord {
            id: ApiTokenId(r.id),
            user_id: UserId(r.user_id),
            name: r.name,
            expires_at: r.expires_at.0,
        }))
    }
}

impl Session<Write> {
    pub async fn insert_browser_session(
        &mut self,
        token_hash: &[u8],
        user: UserId,
        csrf_token: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO sessions (org_id, token_hash, user_id, csrf_token, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(csrf_token)
            .bind(Timestamp(now))
            .bind(Timestamp(expires_at))
            .execute(&mut *c)
            .await?;
            // Housekeeping on login rather than on a timer: sessions only pile up as people log in.
            c.query("DELETE FROM sessions WHERE org_id = $1 AND expires_at <= $2")
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_browser_session(&mut self, token_hash: &[u8]) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query("DELETE FROM sessions WHERE org_id = $1 AND token_hash = $2")
                .bind(token_hash)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        token: &ApiTokenRecord,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO api_tokens (org_id, id, user_id, name, token_hash, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(token.id.0)
            .bind(token.user_id.0)
            .bind(&token.name)
            .bind(token_hash)
            .bind(Timestamp(now))
            .bind(Timestamp(token.expires_at))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
