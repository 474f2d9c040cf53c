//! Staff records, supervision and fidelity views: who may see and change a coach's profile,
//! supervise them, and whose figures a fidelity page shows. These decide on users, not
//! participants, so they take the subject rather than a grant.

use kindred_domain::ids::UserId;
use kindred_domain::user::User;
use kindred_domain::vocabulary::Role;
use kindred_storage::CoachFilter;

use crate::{Actor, AppError, Result};

/// Whose fidelity figures an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FidelityView {
    /// Every coach of the organisation, side by side.
    Organisation,
    /// A supervisor's coaches (and the supervisor's own caseload), side by side.
    Team(UserId),
    /// One coach's own figures.
    Own(UserId),
    /// Program-level figures without a breakdown by coach (evaluators).
    ProgramsOnly,
}

pub fn fidelity(actor: &Actor) -> Result<FidelityView> {
    let me = actor.user_id();
    if actor.has_role(Role::Manager) {
        Ok(FidelityView::Organisation)
    } else if actor.has_role(Role::Supervisor) {
        Ok(FidelityView::Team(me))
    } else if actor.has_role(Role::Coach) {
        Ok(FidelityView::Own(me))
    } else if actor.has_role(Role::Evaluator) {
        Ok(FidelityView::ProgramsOnly)
    } else {
        Err(AppError::Forbidden("your role does not include fidelity figures".into()))
    }
}

/// May `actor` record supervision sessions and boundary concerns about `coach`?
pub fn supervise(actor: &Actor, coach: &User) -> std::result::Result<(), String> {
    if !coach.roles.has(Role::Coach) {
        return Err("is not a coach of this organisation".into());
    }
    if actor.has_role(Role::Manager)
        || (actor.has_role(Role::Supervisor) && coach.supervisor_id == Some(actor.user_id()))
    {
        Ok(())
    } else {
        Err("is not one of the coaches you supervise".into())
    }
}

/// Whose supervision sessions `actor` may read.
pub(crate) fn supervision_sessions(actor: &Actor) -> Result<CoachFilter> {
    let me = actor.user_id();
    if actor.has_role(Role::Manager) {
        Ok(CoachFilter::default())
    } else if actor.has_role(Role::Supervisor) {
        Ok(CoachFilter { coach: None, team_of: Some(me) })
    } else if actor.has_role(Role::Coach) {
        Ok(CoachFilter { coach: Some(me), team_of: None })
    } else {
        Err(AppError::Forbidden("your role does not include supervision records".into()))
    }
}

/// Whose boundary concerns `actor` may read (they may name participants: supervisors and
/// managers only).
pub(crate) fn boundary_concerns(actor: &Actor) -> Result<CoachFilter> {
    if actor.has_role(Role::Manager) {
        Ok(CoachFilter::default())
    } else if actor.has_role(Role::Supervisor) {
        Ok(CoachFilter { coach: None, team_of: Some(actor.user_id()) })
    } else {
        Err(AppError::Forbidden("only supervisors and managers see boundary concerns".into()))
    }
}

/// How much of a staff member's profile the actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaffVisibility {
    /// Employment, certifications, training hours and supervisor.
    Qualifications,
    /// The recovery start date too.
    Full,
}

/// May `actor` see `subject`'s staff profile, and how much of it?
pub fn view_staff_profile(actor: &Actor, subject: &User) -> Result<StaffVisibility> {
    let me = actor.user_id();
    let supervises = actor.has_role(Role::Supervisor) && subject.supervisor_id == Some(me);
    if actor.has_role(Role::Admin) || supervises || subject.id == me {
        Ok(StaffVisibility::Full)
    } else if actor.has_role(Role::Manager) {
        Ok(StaffVisibility::Qualifications)
    } else {
        Err(AppError::Forbidden(
            "only the person, their supervisor, managers and admins can see a staff profile".into(),
        ))
    }
}

/// May `actor` change `subject`'s qualifications (recovery date, certifications, hours)?
pub fn edit_staff_profile(actor: &Actor, subject: &User) -> Result<()> {
    let supervises =
        actor.has_role(Role::Supervisor) && subject.supervisor_id == Some(actor.user_id());
    if actor.has_role(Role::Admin) || supervises {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the person's supervisor or an admin can change their qualifications".into(),
        ))
    }
}

/// May `actor` change who supervises whom? Returns the refusal worded for the field.
pub fn change_supervisor(actor: &Actor) -> std::result::Result<(), String> {
    if actor.has_role(Role::Admin) {
        Ok(())
    } else {
        Err("only an admin can change who supervises someone".into())
    }
}

/// Which staff profiles `actor` may list: `None` for the whole organisation, or the people
/// they may see (themselves and whom they supervise).
pub fn staff_list(actor: &Actor) -> Result<Option<UserId>> {
    if actor.has_role(Role::Admin) || actor.has_role(Role::Manager) {
        Ok(None)
    } else if actor.has_role(Role::Supervisor) || actor.has_role(Role::Coach) {
        Ok(Some(actor.user_id()))
    } else {
        Err(AppError::Forbidden("your role does not include staff profiles".into()))
    }
}

/// May `actor` narrow a list of participants' work to what `coach` did? Only to themselves, a
/// supervisor to their coaches, a manager to anyone: the list is still the actor's own scope.
pub fn filter_by_coach(actor: &Actor, coach: &User) -> Result<()> {
    let me = actor.user_id();
    let theirs = actor.has_role(Role::Supervisor) && coach.supervisor_id == Some(me);
    if actor.has_role(Role::Manager) || coach.id == me || theirs {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "you can list your own contacts, and a supervisor their coaches'".into(),
        ))
    }
}
