//! Staff profiles (qualifications) and certifications, and who supervises whom.

use kindred_domain::ids::{CertificationId, UserId};
use kindred_domain::staff::{Certification, StaffProfile};
use kindred_domain::vocabulary::Vocabulary;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
struct ProfileRow {
    user_id: Uuid,
    recovery_start_date: Option<Date>,
    employment: String,
    training_hours: i32,
}

impl ProfileRow {
    fn into_profile(self) -> Result<StaffProfile> {
        Ok(StaffProfile {
            user_id: UserId(self.user_id),
            recovery_start_date: self.recovery_start_date,
            employment: decode_code(&self.employment)?,
            training_hours: self.training_hours,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CertificationRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    issued_on: Option<Date>,
    expires_on: Option<Date>,
}

impl From<CertificationRow> for Certification {
    fn from(row: CertificationRow) -> Self {
        Certification {
            id: CertificationId(row.id),
            user_id: UserId(row.user_id),
            name: row.name,
            issued_on: row.issued_on,
            expires_on: row.expires_on,
        }
    }
}

impl<M> Session<M> {
    /// A worker's profile, if one was recorded.
    pub async fn staff_profile(&mut self, user: UserId) -> Result<Option<StaffProfile>> {
        let row: Option<ProfileRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT user_id, recovery_start_date, employment, training_hours
                 FROM staff_profiles WHERE org_id = $1 AND user_id = $2",
            )
            .bind(user.0)
            .fetch_optional(&mut *c)
            .await?
        });
        row.map(ProfileRow::into_profile).transpose()
    }

    /// Every recorded profile.
    pub async fn staff_profiles(&mut self) -> Result<Vec<StaffProfile>> {
        let rows: Vec<ProfileRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT user_id, recovery_start_date, employment, training_hours
                 FROM staff_profiles WHERE org_id = $1",
            )
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(ProfileRow::into_profile).collect()
    }

    /// A worker's certifications, latest expiry first (no expiry first of all).
    pub async fn certifications(&mut self, user: UserId) -> Result<Vec<Certification>> {
        let rows: Vec<CertificationRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, user_id, name, issued_on, expires_on FROM certifications
                 WHERE org_id = $1 AND user_id = $2
                 ORDER BY CASE WHEN expires_on IS NULL THEN 0 ELSE 1 END, expires_on DESC, id",
            )
            .bind(user.0)
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows.into_iter().map(Certification::from).collect())
    }

    /// Every certification of the organisation.
    pub async fn all_certifications(&mut self) -> Result<Vec<Certification>> {
        let rows: Vec<CertificationRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, user_id, name, issued_on, expires_on FROM certifications
                 WHERE org_id = $1 ORDER BY user_id, expires_on",
            )
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows.into_iter().map(Certification::from).collect())
    }
}

impl Session<Write> {
    /// Records a worker's profile, creating it the first time.
    pub async fn save_staff_profile(
        &mut self,
        profile: &StaffProfile,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO staff_profiles (org_id, user_id, recovery_start_date, employment,
                    training_hours, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, user_id) DO UPDATE SET
                    recovery_start_date = excluded.recovery_start_date,
                    employment = excluded.employment,
                    training_hours = excluded.training_hours,
                    updated_at = excluded.updated_at",
            )
            .bind(profile.user_id.0)
            .bind(profile.recovery_start_date)
            .bind(profile.employment.code())
            .bind(profile.training_hours)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Sets (or clears) who supervises `user`.
    pub async fn set_supervisor(&mut self, user: UserId, supervisor: Option<UserId>) -> Result<()> {
        let updated = on_conn!(self.conn(), c => {
            c.query("UPDATE users SET supervisor_id = $3 WHERE org_id = $1 AND id = $2")
                .bind(user.0)
                .bind(supervisor.map(|s| s.0))
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }

    pub async fn insert_certification(
        &mut self,
        certification: &Certification,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO certifications (org_id, id, user_id, name, issued_on, expires_on, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(certification.id.0)
            .bind(certification.user_id.0)
            .bind(&certification.name)
            .bind(certification.issued_on)
            .bind(certification.expires_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Removes one of `user`'s certifications; not found if it is not theirs.
    pub async fn delete_certification(&mut self, user: UserId, id: CertificationId) -> Result<()> {
        let deleted = on_conn!(self.conn(), c => {
            c.query("DELETE FROM certifications WHERE org_id = $1 AND id = $2 AND user_id = $3")
                .bind(id.0)
                .bind(user.0)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if deleted == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
