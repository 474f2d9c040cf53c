//! Programs an organisation delivers. (Protocols, templates and eligibility come with the
//! coach-work capability; the foundation needs the name to enrol into.)

use kindred_domain::ids::ProgramId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

/// A program as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Program {
    #[sqlx(try_from = "Uuid")]
    pub id: ProgramId,
    pub name: String,
    pub description: String,
}

impl<M> Session<M> {
    pub async fn programs(&mut self) -> Result<Vec<Program>> {
        let org = self.org_id.0;
        Ok(on_conn!(self.conn(), c => {
            sqlx::query_as("SELECT id, name, description FROM programs WHERE org_id = $1 ORDER BY name")
                .bind(org)
                .fetch_all(&mut *c)
                .await?
        }))
    }

    pub async fn program(&mut self, id: ProgramId) -> Result<Option<Program>> {
        let org = self.org_id.0;
        Ok(on_conn!(self.conn(), c => {
            sqlx::query_as("SELECT id, name, description FROM programs WHERE org_id = $1 AND id = $2")
                .bind(org)
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        }))
    }
}

impl Session<Write> {
    pub async fn insert_program(&mut self, program: &Program, now: OffsetDateTime) -> Result<()> {
        let org = self.org_id.0;
        on_conn!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO programs (org_id, id, name, description, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org)
            .bind(program.id.0)
            .bind(&program.name)
            .bind(&program.description)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
