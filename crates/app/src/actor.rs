//! The authenticated caller. Only [`crate::auth`] can make one, and it carries the only handle
//! on its organisation's data, so "which tenant?" is answered once, at sign-in.

use kindred_domain::ids::{OrgId, UserId};
use kindred_domain::user::{Roles, User};
use kindred_domain::vocabulary::Role;
use kindred_storage::Tenant;

/// Someone signed in, acting within their organisation.
#[derive(Debug, Clone)]
pub struct Actor {
    user: User,
    tenant: Tenant,
}

impl Actor {
    pub(crate) fn new(user: User, tenant: Tenant) -> Self {
        Self { user, tenant }
    }

    pub fn user_id(&self) -> UserId {
        self.user.id
    }

    pub fn org_id(&self) -> OrgId {
        self.user.org_id
    }

    pub fn display_name(&self) -> &str {
        &self.user.display_name
    }

    pub fn email(&self) -> &str {
        self.user.email.as_str()
    }

    pub fn roles(&self) -> Roles {
        self.user.roles
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user.roles.has(role)
    }

    pub(crate) fn user(&self) -> &User {
        &self.user
    }

    pub(crate) fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}
