//! Operator tasks run from the command line (`kindred org add`, `kindred user add`): they act
//! as the operator of the deployment, not as a signed-in user, and are audited as such.

use kindred_domain::FieldErrors;
use kindred_domain::audit::{AuditAction, AuditEntry};
use kindred_domain::fields::required_text;
use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::org::{OrgSlug, Organisation};
use kindred_domain::user::{EmailAddress, NewPassword, Roles, User};
use kindred_domain::vocabulary::{Role, Vocabulary};
use kindred_storage::{Conflict, NewUser, Program, Tenant};

use crate::programs::ProgramSummary;

use crate::{App, AppError, Result};

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub organisation: String,
    pub email: String,
    /// Defaults to the part of the email before `@`.
    pub display_name: Option<String>,
    pub password: String,
    pub roles: Vec<Role>,
    /// The email of the supervisor, for coaches.
    pub supervisor_email: Option<String>,
}

fn operator_entry(
    action: AuditAction,
    record_type: &str,
    record_id: String,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        actor_id: None,
        actor_label: "operator (command line)".into(),
        action,
        record_type: record_type.into(),
        record_id: Some(record_id),
        detail,
    }
}

impl App {
    pub async fn add_organisation(&self, slug: &str, name: &str) -> Result<Organisation> {
        let mut errors = FieldErrors::new();
        let slug = errors.check("slug", OrgSlug::parse(slug));
        let name = errors.check("name", required_text(Some(name), 200));
        let (Some(slug), Some(name)) = (slug, name) else { return Err(errors.into()) };
        if self.database.organisation_by_slug(&slug).await?.is_some() {
            return Err(AppError::conflict(Conflict::OrganisationSlug));
        }
        Ok(self.database.create_organisation(&slug, &name, self.clock().now()).await?)
    }

    /// Whether an organisation with this short name exists.
    pub async fn organisation_exists(&self, slug: &str) -> Result<bool> {
        match OrgSlug::parse(slug) {
            Ok(slug) => Ok(self.database.organisation_by_slug(&slug).await?.is_some()),
            Err(_) => Ok(false),
        }
    }

    pub(crate) async fn tenant_by_slug(&self, slug: &str) -> Result<Tenant> {
        let slug = OrgSlug::parse(slug).map_err(|m| FieldErrors::single("organisation", m))?;
        let org = self.database.organisation_by_slug(&slug).await?.ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                "organisation",
                format!("there is no organisation {slug}"),
            ))
        })?;
        Ok(self.database.tenant(org.id))
    }

    pub async fn add_user(&self, account: NewAccount) -> Result<User> {
        let tenant = self.tenant_by_slug(&account.organisation).await?;
        let mut errors = FieldErrors::new();
        let email = errors.check("email", EmailAddress::parse(&account.email));
        let password = email
            .as_ref()
            .and_then(|e| errors.check("password", NewPassword::parse(&account.password, e)));
        let default_name = account.email.split('@').next().unwrap_or_default().to_owned();
        let display_name = errors.check(
            "display_name",
            required_text(Some(account.display_name.as_deref().unwrap_or(&default_name)), 100),
        );
        if account.roles.is_empty() {
            errors.add("roles", "give at least one role");
        }
        let mut session = tenant.read().await?;
        let mut supervisor_id = None;
        if let Some(supervisor_email) = &account.supervisor_email {
            let supervisor = match EmailAddress::parse(supervisor_email) {
                Ok(email) => session.user_for_login(&email).await?.map(|(user, _)| user),
                Err(_) => None,
            };
            match supervisor {
                Some(s) if s.roles.has(Role::Supervisor) => supervisor_id = Some(s.id),
                Some(_) => errors.add("supervisor", "is not a supervisor"),
                None => errors.add("supervisor", "there is no user with that email"),
            }
        }
        if let Some(email) = &email
            && session.user_for_login(email).await?.is_some()
        {
            return Err(AppError::conflict(Conflict::UserEmail));
        }
        drop(session);
        let (Some(email), Some(password), Some(display_name)) = (email, password, display_name)
        else {
            return Err(errors.into());
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let roles: Roles = account.roles.iter().copied().collect();
        let new = NewUser {
            id: UserId::generate(),
            email,
            display_name,
            password_hash: self.hash_password(password.expose().to_owned()).await?,
            roles,
            supervisor_id,
        };
        let now = self.clock().now();
        let mut tx = tenant.write().await?;
        tx.insert_user(&new, now).await?;
        let role_codes: Vec<&str> = new.roles.iter().map(Vocabulary::code).collect();
        let detail = format!("{} with roles {}", new.email, role_codes.join(", "));
        tx.append_audit(
            now,
            operator_entry(AuditAction::Create, "user", new.id.to_string(), detail),
        )
        .await?;
        let user = tx.user(new.id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn add_program(
        &self,
        organisation: &str,
        name: &str,
        description: &str,
    ) -> Result<ProgramSummary> {
        let tenant = self.tenant_by_slug(organisation).await?;
        let name = required_text(Some(name), 200).map_err(|m| FieldErrors::single("name", m))?;
        let program = Program {
            id: ProgramId::generate(),
            name,
            description: description.to_owned(),
            template_code: None,
            active: true,
        };
        let now = self.clock().now();
        let mut tx = tenant.write().await?;
        tx.insert_program(&program, now).await?;
        tx.append_audit(
            now,
            operator_entry(
                AuditAction::Create,
                "program",
                program.id.to_string(),
                program.name.clone(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(program.into())
    }
}
