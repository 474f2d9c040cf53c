//! Staff profiles: peer workers' qualifications, certifications and supervisors. The recovery
//! start date is withheld from anyone the policy does not show it to: it is removed here,
//! before a profile leaves the application layer.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{CertificationId, UserId};
use kindred_domain::staff::{Certification, CertificationInput, StaffProfile, StaffProfileInput};
use kindred_domain::user::User;
use kindred_domain::vocabulary::Role;
use kindred_storage::Session;

use crate::audit::entry;
use crate::policy::{self, StaffVisibility};
use crate::{Actor, App, AppError, Result};

/// A staff member as the actor may see them.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub user: User,
    /// What is recorded (an empty profile if nothing is); the recovery date is `None` unless
    /// `visibility` is `Full`.
    pub profile: StaffProfile,
    /// Whether a profile has been recorded at all.
    pub recorded: bool,
    pub certifications: Vec<Certification>,
    pub supervisor_name: Option<String>,
    pub visibility: StaffVisibility,
    /// Whether the actor may change the qualifications.
    pub can_edit: bool,
}

impl StaffMember {
    /// Whether the recovery date is shown (not whether one exists).
    pub fn shows_recovery_date(&self) -> bool {
        self.visibility == StaffVisibility::Full
    }
}

/// What is recorded about the organisation's staff, read once for a page.
struct Records {
    users: Vec<User>,
    profiles: Vec<StaffProfile>,
    certifications: Vec<Certification>,
}

impl Records {
    async fn read<M>(session: &mut Session<M>) -> Result<Self> {
        Ok(Self {
            users: session.users().await?,
            profiles: session.staff_profiles().await?,
            certifications: session.all_certifications().await?,
        })
    }

    /// `user` as `actor` may see them.
    fn member(&self, actor: &Actor, user: &User) -> Result<StaffMember> {
        let visibility = policy::view_staff_profile(actor, user)?;
        let stored = self.profiles.iter().find(|p| p.user_id == user.id);
        let mut profile = stored.cloned().unwrap_or_else(|| StaffProfile::empty(user.id));
        if visibility < StaffVisibility::Full {
            profile.recovery_start_date = None;
        }
        let mut certifications: Vec<Certification> =
            self.certifications.iter().filter(|c| c.user_id == user.id).cloned().collect();
        // Those that do not expire first, then the latest expiry.
        certifications
            .sort_by_key(|c| std::cmp::Reverse(c.expires_on.map_or(time::Date::MAX, |d| d)));
        let supervisor_name = user
            .supervisor_id
            .and_then(|s| self.users.iter().find(|u| u.id == s))
            .map(|s| s.display_name.clone());
        Ok(StaffMember {
            user: user.clone(),
            profile,
            recorded: stored.is_some(),
            certifications,
            supervisor_name,
            visibility,
            can_edit: policy::edit_staff_profile(actor, user).is_ok(),
        })
    }

    fn user(&self, id: UserId) -> Result<&User> {
        self.users.iter().find(|u| u.id == id).ok_or(AppError::NotFound)
    }
}

impl App {
    /// The staff profiles the actor may see, by name.
    pub async fn staff(&self, actor: &Actor) -> Result<Vec<StaffMember>> {
        let only = policy::staff_list(actor)?;
        let records = Records::read(&mut actor.tenant().read().await?).await?;
        let visible =
            |u: &&User| u.active && only.is_none_or(|me| u.id == me || u.supervisor_id == Some(me));
        let members = records
            .users
            .iter()
            .filter(visible)
            .map(|u| records.member(actor, u))
            .collect::<Result<Vec<_>>>()?;
        let detail = format!("listed {} staff profiles", members.len());
        self.audit_read(actor, entry(actor, AuditAction::List, "staff_profile", None, detail))
            .await?;
        Ok(members)
    }

    /// One staff member's profile, as much as the actor may see.
    pub async fn staff_member(&self, actor: &Actor, id: UserId) -> Result<StaffMember> {
        let records = Records::read(&mut actor.tenant().read().await?).await?;
        let found = records.member(actor, records.user(id)?)?;
        let detail = format!("{} ({})", found.user.email, found_detail(&found));
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "staff_profile", Some(id.to_string()), detail),
        )
        .await?;
        Ok(found)
    }

    /// Changes a staff member's qualifications (and, for admins, their supervisor).
    pub async fn update_staff_profile(
        &self,
        actor: &Actor,
        id: UserId,
        input: &StaffProfileInput,
    ) -> Result<StaffMember> {
        let today = self.clock().today();
        let mut tx = actor.tenant().write().await?;
        let users = tx.users().await?;
        let user = users.iter().find(|u| u.id == id).cloned().ok_or(AppError::NotFound)?;
        policy::edit_staff_profile(actor, &user)?;
        let current = tx.staff_profile(id).await?.unwrap_or_else(|| StaffProfile::empty(id));
        let change = current.apply_changes(input, user.supervisor_id, today)?;
        if let Some(supervisor) = change.supervisor.filter(|s| *s != user.supervisor_id) {
            let mut errors = FieldErrors::new();
            if let Err(refusal) = policy::change_supervisor(actor) {
                errors.add("supervisor_id", refusal);
            } else if let Some(supervisor) = supervisor {
                let valid = users
                    .iter()
                    .any(|u| u.id == supervisor && u.active && u.roles.has(Role::Supervisor));
                if !valid {
                    errors.add("supervisor_id", "is not an active supervisor of this organisation");
                }
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            tx.set_supervisor(id, supervisor).await?;
        }
        let now = self.clock().now();
        // Naming a supervisor alone records no qualifications.
        if change.changed.iter().any(|field| *field != "supervisor_id") {
            tx.save_staff_profile(&change.profile, now).await?;
        }
        let changed =
            if change.changed.is_empty() { "nothing".into() } else { change.changed.join(", ") };
        let detail = format!("{}: changed {changed}", user.email);
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "staff_profile", Some(id.to_string()), detail),
        )
        .await?;
        let records = Records::read(&mut tx).await?;
        let updated = records.member(actor, records.user(id)?)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Records a certification a staff member holds.
    pub async fn add_certification(
        &self,
        actor: &Actor,
        id: UserId,
        input: &CertificationInput,
    ) -> Result<Certification> {
        let mut tx = actor.tenant().write().await?;
        let user = tx.user(id).await?.ok_or(AppError::NotFound)?;
        policy::edit_staff_profile(actor, &user)?;
        let certification = Certification::parse(input, id, self.clock().today())?;
        let now = self.clock().now();
        tx.insert_certification(&certification, now).await?;
        let detail = format!("{}: certification {}", user.email, certification.name);
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "certification",
                Some(certification.id.to_string()),
                detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(certification)
    }

    /// Removes a certification recorded in error.
    pub async fn remove_certification(
        &self,
        actor: &Actor,
        id: UserId,
        certification: CertificationId,
    ) -> Result<()> {
        let mut tx = actor.tenant().write().await?;
        let user = tx.user(id).await?.ok_or(AppError::NotFound)?;
        policy::edit_staff_profile(actor, &user)?;
        let name = tx
            .certifications(id)
            .await?
            .into_iter()
            .find(|c| c.id == certification)
            .map(|c| c.name)
            .ok_or(AppError::NotFound)?;
        tx.delete_certification(id, certification).await?;
        let now = self.clock().now();
        let detail = format!("{}: removed certification {name}", user.email);
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Update,
                "certification",
                Some(certification.to_string()),
                detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's active supervisors (for choosing one).
    pub async fn supervisors(&self, actor: &Actor) -> Result<Vec<User>> {
        let users = actor.tenant().read().await?.users().await?;
        Ok(users.into_iter().filter(|u| u.active && u.roles.has(Role::Supervisor)).collect())
    }
}

fn found_detail(member: &StaffMember) -> &'static str {
    match member.visibility {
        StaffVisibility::Full => "with recovery date",
        StaffVisibility::Qualifications => "qualifications only",
    }
}
