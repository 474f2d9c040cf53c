//! Who may do what: the one place Kindred decides authorisation. Use cases ask; handlers never
//! decide for themselves.
//!
//! | action                         | coach          | supervisor          | manager | evaluator      | admin |
//! |--------------------------------|----------------|---------------------|---------|----------------|-------|
//! | list participants              | own caseload   | own + their coaches | all     | all, research  | –     |
//! | view a participant             | own caseload   | own + their coaches | all     | research only  | –     |
//! | enrol a participant            | yes (as coach) | yes                 | yes     | –              | –     |
//! | edit a participant             | own caseload   | own + their coaches | all     | –              | –     |
//! | assign a coach                 | themselves     | themselves + theirs | anyone  | –              | –     |
//! | view, record, revoke consents  | own caseload   | own + their coaches | all     | –              | –     |
//! | browse the audit log           | –              | –                   | –       | –              | yes   |
//! | see fidelity figures           | their own      | their team, by coach| all     | programs only  | –     |
//! | record supervision, concerns   | –              | for their coaches   | anyone  | –              | –     |
//! | read supervision sessions      | their own      | their team          | all     | –              | –     |
//! | read boundary concerns         | –              | their team          | all     | –              | –     |
//! | see, change plans & referrals  | own caseload   | own + their coaches | all     | –              | –     |
//! | open-referral follow-up list   | own caseload   | own + their coaches | all     | –              | –     |
//! | read the resource directory    | yes            | yes                 | yes     | –              | –     |
//! | add, edit, deactivate resources| –              | yes                 | yes     | –              | –     |
//! | import resources (HSDS)        | –              | –                   | yes     | –              | –     |
//! | override program eligibility   | –              | yes (with a reason) | yes     | –              | –     |
//! | appointments, participant tasks| own caseload   | own + their coaches | all     | –              | –     |
//! | contacts, outcome events       | own caseload   | own + their coaches | all     | –              | –     |
//! | list contacts by coach         | their own      | own + their coaches | anyone  | –              | –     |
//! | follow-up record, locator      | own caseload   | own + their coaches | all     | –              | –     |
//! | record a follow-up exclusion   | –              | own + their coaches | all     | –              | –     |
//! | follow-up list (`/follow-up`)  | own            | team                | all     | –              | –     |
//! | a program's follow-up rates    | overall        | overall and by coach| by coach| overall        | –     |
//! | change a program's schedule    | –              | –                   | yes     | –              | –     |
//! | cancel a task                  | –              | own + their coaches | all     | –              | –     |
//! | due lists (`/tasks`)           | own            | own, or team        | all     | –              | –     |
//! | view programs and templates    | yes            | yes                 | yes     | yes            | yes   |
//! | create and change programs     | –              | –                   | yes     | –              | –     |
//! | list staff profiles            | own            | own + their coaches | all     | –              | all   |
//! | see a recovery start date      | own            | own + their coaches | –       | –              | all   |
//! | edit qualifications            | –              | their coaches       | –       | –              | all   |
//! | change who supervises whom     | –              | –                   | –       | –              | yes   |
//! | see, administer assessments    | own caseload   | own + their coaches | all     | –              | –     |
//! | view the instrument library    | yes            | yes                 | yes     | yes            | yes   |
//! | import an instrument (FHIR)    | –              | –                   | yes     | –              | –     |
//!
//! A coach sees their own recovery start date (it is their own information) but cannot change
//! it; managers see certifications, training hours and employment, never the recovery date.
//!
//! "Research" means the de-identified research record: never names, date of birth or contact
//! details. Admins run the organisation but see no participant records (least privilege); a
//! person who needs both holds both roles. A user's roles add up: the widest grant wins.
//!
//! Recovery plans, referrals, contacts and assessments are identified data (`SeeWork`,
//! `RecordWork`): evaluators, who see only the research record, see none of them. The resource directory is not participant data; coaches
//! read it but do not change it: a coach who finds a new service asks their supervisor, so the
//! directory stays one curated list that someone has checked is real and current. Importing a
//! whole package is a manager's bulk change.

use kindred_domain::ids::UserId;
use kindred_domain::user::User;
use kindred_domain::vocabulary::Role;
use kindred_storage::{CaseloadScope, CoachFilter};

use crate::{Actor, AppError, Result};

/// What may be done to one participant's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantAction {
    /// See the record (an evaluator: the research record only).
    View,
    /// Change the record itself.
    Edit,
    /// View, record or revoke consents.
    Consents,
    /// See the identified work recorded about the participant: plans, referrals, appointments,
    /// tasks, contacts, assessments.
    SeeWork,
    /// Record that work.
    RecordWork,
}

/// How much of a participant's record the actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    /// The research record only.
    Research,
    /// The identity too.
    Identified,
}

/// What the policy needs to know about a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipantFacts {
    pub coach_id: Option<UserId>,
    pub coach_supervisor_id: Option<UserId>,
}

/// How the actor stands to the participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    OwnCaseload,
    TeamCaseload,
    Elsewhere,
}

fn relation(actor: &Actor, facts: &ParticipantFacts) -> Relation {
    let me = Some(actor.user_id());
    if facts.coach_id.is_some() && facts.coach_id == me {
        Relation::OwnCaseload
    } else if facts.coach_supervisor_id.is_some() && facts.coach_supervisor_id == me {
        Relation::TeamCaseload
    } else {
        Relation::Elsewhere
    }
}

/// One role's grant for one action on a participant in a given relation.
fn grant(role: Role, relation: Relation, action: ParticipantAction) -> Option<Visibility> {
    use ParticipantAction::View;
    use Relation::{OwnCaseload, TeamCaseload};
    match (role, relation, action) {
        (Role::Manager, _, _) => Some(Visibility::Identified),
        (Role::Supervisor, OwnCaseload | TeamCaseload, _) => Some(Visibility::Identified),
        (Role::Coach, OwnCaseload, _) => Some(Visibility::Identified),
        (Role::Evaluator, _, View) => Some(Visibility::Research),
        _ => None,
    }
}

/// May `actor` do `action` to this participant, and how much may they see?
pub fn participant(
    actor: &Actor,
    facts: &ParticipantFacts,
    action: ParticipantAction,
) -> Result<Visibility> {
    let relation = relation(actor, facts);
    actor.roles().iter().filter_map(|role| grant(role, relation, action)).max().ok_or_else(|| {
        AppError::Forbidden(match action {
            ParticipantAction::View => {
                "only the participant's coach, their supervisor or a manager can see this record"
                    .into()
            }
            ParticipantAction::SeeWork => {
                "only the participant's coach, their supervisor or a manager can see this work; evaluators see only the research record"
                    .into()
            }
            ParticipantAction::Edit | ParticipantAction::Consents | ParticipantAction::RecordWork => {
                "only the participant's coach, their supervisor or a manager can change this record"
                    .into()
            }
        })
    })
}

/// Which participants `actor` may list, and how much of each they may see.
pub fn caseload(actor: &Actor) -> Result<(CaseloadScope, Visibility)> {
    let me = actor.user_id();
    if actor.has_role(Role::Manager) {
        Ok((CaseloadScope::Organisation, Visibility::Identified))
    } else if actor.has_role(Role::Supervisor) {
        Ok((CaseloadScope::Team(me), Visibility::Identified))
    } else if actor.has_role(Role::Coach) {
        Ok((CaseloadScope::Coach(me), Visibility::Identified))
    } else if actor.has_role(Role::Evaluator) {
        Ok((CaseloadScope::Organisation, Visibility::Research))
    } else {
        Err(AppError::Forbidden("your role does not include participant records".into()))
    }
}

/// May `actor` enrol participants?
pub fn enrol(actor: &Actor) -> Result<()> {
    if [Role::Coach, Role::Supervisor, Role::Manager].into_iter().any(|r| actor.has_role(r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only coaches, supervisors and managers enrol participants".into()))
    }
}

/// May `actor` make `coach` someone's coach? Returns the reason if not, worded for the
/// `coach_id` field.
pub fn assign_coach(actor: &Actor, coach: &User) -> std::result::Result<(), String> {
    if !coach.active || !coach.roles.has(Role::Coach) {
        return Err("is not an active coach of this organisation".into());
    }
    let own = coach.id == actor.user_id();
    let theirs = coach.supervisor_id == Some(actor.user_id());
    let allowed = actor.has_role(Role::Manager)
        || (actor.has_role(Role::Supervisor) && (own || theirs))
        || (actor.has_role(Role::Coach) && own);
    if allowed {
        Ok(())
    } else if actor.has_role(Role::Supervisor) {
        Err("is not one of the coaches you supervise".into())
    } else {
        Err("a coach can only take participants onto their own caseload".into())
    }
}

/// Whose open referrals `actor` follows up.
pub fn referral_follow_ups(actor: &Actor) -> Result<CaseloadScope> {
    match caseload(actor)? {
        (scope, Visibility::Identified) => Ok(scope),
        (_, Visibility::Research) => Err(AppError::Forbidden(
            "referrals are identified records; evaluators see only the research record".into(),
        )),
    }
}

/// May `actor` read the resource directory?
pub fn read_resources(actor: &Actor) -> Result<()> {
    if [Role::Coach, Role::Supervisor, Role::Manager].into_iter().any(|r| actor.has_role(r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the resource directory is for coaches, supervisors and managers".into(),
        ))
    }
}

/// May `actor` add, edit or deactivate resources?
pub fn manage_resources(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Supervisor) || actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only supervisors and managers change the resource directory; ask your supervisor to add a service"
                .into(),
        ))
    }
}

/// May `actor` import a whole HSDS package into the directory?
pub fn import_resources(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only managers import resource directories".into()))
    }
}

/// May `actor` read the audit log?
pub fn browse_audit(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only organisation admins can read the audit log".into()))
    }
}

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
pub fn supervision_sessions(actor: &Actor) -> Result<CoachFilter> {
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
pub fn boundary_concerns(actor: &Actor) -> Result<CoachFilter> {
    if actor.has_role(Role::Manager) {
        Ok(CoachFilter::default())
    } else if actor.has_role(Role::Supervisor) {
        Ok(CoachFilter { coach: None, team_of: Some(actor.user_id()) })
    } else {
        Err(AppError::Forbidden("only supervisors and managers see boundary concerns".into()))
    }
}

/// May `actor` assign a coach who does not meet the program's eligibility rules (giving a
/// reason)? Returns the refusal worded for the `coach_override_reason` field.
pub fn override_eligibility(actor: &Actor) -> std::result::Result<(), String> {
    if actor.has_role(Role::Supervisor) || actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err("only a supervisor or a manager can override a program's eligibility rules".into())
    }
}

/// May `actor` cancel one of this participant's tasks? Supervisors and managers decide that a
/// protocol step no longer applies; coaches close tasks by doing them.
pub fn cancel_task(actor: &Actor, facts: &ParticipantFacts) -> Result<()> {
    let relation = relation(actor, facts);
    let supervises = actor.has_role(Role::Supervisor)
        && matches!(relation, Relation::OwnCaseload | Relation::TeamCaseload);
    if actor.has_role(Role::Manager) || supervises {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the coach's supervisor or a manager can cancel a task; a task closes when the work is recorded".into(),
        ))
    }
}

/// Whose due tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskListScope {
    /// The actor's own caseload and the tasks assigned to them.
    Mine,
    /// A supervisor's and their coaches'.
    Team,
    /// The whole organisation's.
    Organisation,
}

/// The due list `actor` may see: the one asked for, or by default the widest they hold.
pub fn task_list(actor: &Actor, requested: Option<TaskListScope>) -> Result<CaseloadScope> {
    let me = actor.user_id();
    let works_with_participants =
        [Role::Coach, Role::Supervisor, Role::Manager].into_iter().any(|r| actor.has_role(r));
    let default = if actor.has_role(Role::Manager) {
        TaskListScope::Organisation
    } else if actor.has_role(Role::Supervisor) {
        TaskListScope::Team
    } else {
        TaskListScope::Mine
    };
    match requested.unwrap_or(default) {
        _ if !works_with_participants => {
            Err(AppError::Forbidden("your role does not include participants' tasks".into()))
        }
        TaskListScope::Mine => Ok(CaseloadScope::Coach(me)),
        TaskListScope::Team if actor.has_role(Role::Supervisor) => Ok(CaseloadScope::Team(me)),
        TaskListScope::Organisation if actor.has_role(Role::Manager) => {
            Ok(CaseloadScope::Organisation)
        }
        TaskListScope::Team => Err(AppError::Forbidden("only supervisors have a team list".into())),
        TaskListScope::Organisation => {
            Err(AppError::Forbidden("only managers see the whole organisation's tasks".into()))
        }
    }
}

/// May `actor` create and change programs?
pub fn manage_programs(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only program managers create and change programs".into()))
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

// The locator names people and places: identified data, so only those who see the identified
// record see it. An exclusion takes a participant out of the funder's denominator, so a
// supervisor decides it, not the coach whose rate it improves.

/// May `actor` record an administrative exclusion for this participant?
pub fn record_exclusion(actor: &Actor, facts: &ParticipantFacts) -> Result<()> {
    let supervises = actor.has_role(Role::Supervisor)
        && matches!(relation(actor, facts), Relation::OwnCaseload | Relation::TeamCaseload);
    if actor.has_role(Role::Manager) || supervises {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the coach's supervisor or a manager records an administrative exclusion".into(),
        ))
    }
}

/// Whose open follow-up windows `actor` sees on the follow-up list.
pub fn follow_up_list(actor: &Actor) -> Result<CaseloadScope> {
    match caseload(actor)? {
        (scope, Visibility::Identified) => Ok(scope),
        (_, Visibility::Research) => Err(AppError::Forbidden(
            "the follow-up list names participants; evaluators see the follow-up rates".into(),
        )),
    }
}

/// May `actor` see a program's follow-up rates, and broken down by coach?
pub fn follow_up_rates(actor: &Actor) -> Result<bool> {
    if actor.has_role(Role::Manager) || actor.has_role(Role::Supervisor) {
        Ok(true)
    } else if actor.has_role(Role::Coach) || actor.has_role(Role::Evaluator) {
        Ok(false)
    } else {
        Err(AppError::Forbidden("your role does not include follow-up rates".into()))
    }
}

/// May `actor` import an instrument (a FHIR Questionnaire) as the organisation's own? Like a
/// bulk resource import, it changes what everyone administers: a manager's decision.
pub fn import_instruments(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only a manager can add instruments to the organisation".into()))
    }
}

// Contacts carry a free-text note and name the participant: evaluators see none of them (the
// fidelity figures give them the dose without the record).

/// Whose contacts `actor` may list: `coach` when asked for (refused unless it is the actor,
/// one of their coaches, or anyone for a manager), else everyone the actor may see.
pub fn contact_list(actor: &Actor, coach: Option<&User>) -> Result<CoachFilter> {
    let me = actor.user_id();
    let manager = actor.has_role(Role::Manager);
    let supervisor = actor.has_role(Role::Supervisor);
    if !(manager || supervisor || actor.has_role(Role::Coach)) {
        return Err(AppError::Forbidden(
            "contacts are identified records with notes; your role does not include them".into(),
        ));
    }
    match coach {
        Some(coach)
            if manager || coach.id == me || (supervisor && coach.supervisor_id == Some(me)) =>
        {
            Ok(CoachFilter { coach: Some(coach.id), team_of: None })
        }
        Some(_) => Err(AppError::Forbidden(
            "you can list your own contacts, and a supervisor their coaches'".into(),
        )),
        None if manager => Ok(CoachFilter::default()),
        None if supervisor => Ok(CoachFilter { coach: None, team_of: Some(me) }),
        None => Ok(CoachFilter { coach: Some(me), team_of: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParticipantAction::*;
    use Relation::*;

    #[test]
    fn the_table_holds() {
        let expectations = [
            (Role::Coach, OwnCaseload, Edit, Some(Visibility::Identified)),
            (Role::Coach, TeamCaseload, View, None),
            (Role::Coach, Elsewhere, View, None),
            (Role::Supervisor, TeamCaseload, Consents, Some(Visibility::Identified)),
            (Role::Supervisor, Elsewhere, View, None),
            (Role::Manager, Elsewhere, Edit, Some(Visibility::Identified)),
            (Role::Evaluator, Elsewhere, View, Some(Visibility::Research)),
            (Role::Evaluator, OwnCaseload, Edit, None),
            (Role::Evaluator, Elsewhere, Consents, None),
            (Role::Admin, OwnCaseload, View, None),
        ];
        for (role, relation, action, expected) in expectations {
            assert_eq!(grant(role, relation, action), expected, "{role:?} {relation:?} {action:?}");
        }
    }
}
