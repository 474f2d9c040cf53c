//! Staff accounts and their roles.

use std::collections::HashMap;

use kindred_domain::ids::UserId;
use kindred_domain::user::{EmailAddress, Roles, User};
use kindred_domain::vocabulary::{Role, Vocabulary};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// An account to create. The password is already hashed by the application layer.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: EmailAddress,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Roles,
    pub supervisor_id: Option<UserId>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    supervisor_id: Option<Uuid>,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    user_id: Uuid,
    role: String,
}

/// The user columns, followed by the rest of a query (a literal), as one `&'static str`.
macro_rules! select_user {
    ($rest:literal) => {
        concat!(
            "SELECT id, email, display_name, supervisor_id, active FROM users WHERE org_id = $1 ",
            $rest
        )
    };
}

impl<M> Session<M> {
    pub async fn user(&mut self, id: UserId) -> Result<Option<User>> {
        let row: Option<UserRow> = on_conn!(self.conn(), c => {
            c.query_as(select_user!("AND id = $2"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        match row {
            Some(row) => Ok(Some(self.with_roles(vec![row]).await?.remove(0))),
            None => Ok(None),
        }
    }

    /// The account with this email and its password hash, for logging in.
    pub async fn user_for_login(&mut self, email: &EmailAddress) -> Result<Option<(User, String)>> {
        #[derive(sqlx::FromRow)]
        struct LoginRow {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
        }
        let row: Option<LoginRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, email, display_name, supervisor_id, active, password_hash
                 FROM users WHERE org_id = $1 AND email = $2",
            )
            .bind(email.as_str())
            .fetch_optional(&mut *c)
            .await?
        });
        match row {
            Some(LoginRow { user, password_hash }) => {
                let user = self.with_roles(vec![user]).await?.remove(0);
                Ok(Some((user, password_hash)))
            }
            None => Ok(None),
        }
    }

    /// Every account of the organisation, by name.
    pub async fn users(&mut self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = on_conn!(self.conn(), c => {
            c.query_as(select_user!("ORDER BY display_name, id"))
                .fetch_all(&mut *c)
                .await?
        });
        self.with_roles(rows).await
    }

    async fn with_roles(&mut self, rows: Vec<UserRow>) -> Result<Vec<User>> {
        let org = self.org_id;
        let role_rows: Vec<RoleRow> = if rows.len() == 1 {
            let user_id = rows.first().map(|r| r.id).unwrap_or_default();
            on_conn!(self.conn(), c => {
                c.query_as("SELECT user_id, role FROM user_roles WHERE org_id = $1 AND user_id = $2")
                    .bind(user_id)
                    .fetch_all(&mut *c)
                    .await?
            })
        } else {
            on_conn!(self.conn(), c => {
                c.query_as("SELECT user_id, role FROM user_roles WHERE org_id = $1")
                    .fetch_all(&mut *c)
                    .await?
            })
        };
        let mut roles: HashMap<Uuid, Roles> = HashMap::new();
        for row in role_rows {
            let role: Role = decode_code(&row.role)?;
            let entry = roles.entry(row.user_id).or_default();
            *entry = entry.with(role);
        }
        rows.into_iter()
            .map(|row| {
                Ok(User {
                    org_id: org,
                    id: UserId(row.id),
                    email: EmailAddress::parse(&row.email).map_err(StorageError::Corrupt)?,
                    display_name: row.display_name,
                    roles: roles.get(&row.id).copied().unwrap_or_default(),
                    supervisor_id: row.supervisor_id.map(UserId),
                    active: row.active,
                })
            })
            .collect()
    }
}

impl Session<Write> {
    /// Creates an account with its roles. An email already in use is a conflict.
    pub async fn insert_user(&mut self, user: &NewUser, now: OffsetDateTime) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO users (org_id, id, email, display_name, password_hash, supervisor_id, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)",
            )
            .bind(user.id.0)
            .bind(user.email.as_str())
            .bind(&user.display_name)
            .bind(&user.password_hash)
            .bind(user.supervisor_id.map(|s| s.0))
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
            for role in user.roles.iter() {
                c.query("INSERT INTO user_roles (org_id, user_id, role) VALUES ($1, $2, $3)")
                    .bind(user.id.0)
                    .bind(role.code())
                    .execute(&mut *c)
                    .await?;
            }
        });
        Ok(())
    }

    pub async fn set_password_hash(&mut self, user: UserId, password_hash: &str) -> Result<()> {
        let done = on_conn!(self.conn(), c => {
            c.query("UPDATE users SET password_hash = $3 WHERE org_id = $1 AND id = $2")
                .bind(user.0)
                .bind(password_hash)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if done == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
