//! Who may do what: the one place Kindred decides authorisation.
//!
//! **How a use case gets its proof.** Storage will not read or write a participant's data
//! without a [`Grant`] (one participant, one kind of [`Access`]) and lists none without a
//! [`Scope`] (whose participants, for which access); only this module can make either, with
//! the database's one [`PolicyKey`]. So a use case on one participant loads the
//! [`ParticipantFacts`] (`session.participant_facts(id)`), asks
//! `self.policy.grant::<SeeWork>(actor, &facts)?` (or the access it needs) and passes the grant
//! to storage; a list asks `self.policy.scope::<SeeWork>(actor)?` and passes the scope. The
//! grant's type says what it allows, so asking for the wrong one does not compile, and
//! forgetting to ask leaves nothing to pass. Use cases only some roles may run (changing
//! programs, curating the directory, reading the audit log) take a role handle
//! ([`Manager`], [`Curator`], [`DirectoryReader`], [`AuditReader`]) that only the functions
//! here hand out. The web layer asks the use case what the actor may do (`may` flags) and
//! decides nothing itself.
//!
//! | action                         | coach          | supervisor          | manager | evaluator      | admin |
//! |--------------------------------|----------------|---------------------|---------|----------------|-------|
//! | list participants              | own caseload   | own + their coaches | all     | all, research  | –     |
//! | view a participant             | own caseload   | own + their coaches | all     | research only  | –     |
//! | enrol a participant            | yes (as coach) | yes                 | yes     | –              | –     |
//! | edit a participant             | own caseload   | own + their coaches | all     | –              | –     |
//! | assign a coach                 | themselves     | themselves + theirs | anyone  | –              | –     |
//! | view, record, revoke consents  | own caseload   | own + their coaches | all     | –              | –     |
//! | see and record work (plans, referrals, appointments, tasks, contacts, events, assessments, follow-up) | own caseload | own + their coaches | all | – | – |
//! | lists of that work (contacts, due lists, follow-up, referrals) | own caseload | own + their coaches | all | – | – |
//! | cancel a task                  | –              | own + their coaches | all     | –              | –     |
//! | record a follow-up exclusion   | –              | own + their coaches | all     | –              | –     |
//! | browse the audit log           | –              | –                   | –       | –              | yes   |
//! | see fidelity figures           | their own      | their team, by coach| all     | programs only  | –     |
//! | record supervision, concerns   | –              | for their coaches   | anyone  | –              | –     |
//! | read supervision sessions      | their own      | their team          | all     | –              | –     |
//! | read boundary concerns         | –              | their team          | all     | –              | –     |
//! | read the resource directory    | yes            | yes                 | yes     | –              | –     |
//! | add, edit, deactivate resources| –              | yes                 | yes     | –              | –     |
//! | import resources (HSDS)        | –              | –                   | yes     | –              | –     |
//! | import participants, contacts (CSV) | –         | –                   | yes     | –              | –     |
//! | export a participant (FHIR, under consent) | own caseload | own + their coaches | all | –       | –     |
//! | export a program (FHIR, under consent) | –      | –                   | yes     | –              | –     |
//! | override program eligibility   | –              | yes (with a reason) | yes     | –              | –     |
//! | a program's follow-up rates    | overall        | overall and by coach| by coach| overall        | –     |
//! | a program's dashboard, funder report | –        | –                   | yes     | –              | –     |
//! | create and change programs, schedules | –       | –                   | yes     | –              | –     |
//! | view programs and templates    | yes            | yes                 | yes     | yes            | yes   |
//! | list staff profiles            | own            | own + their coaches | all     | –              | all   |
//! | see a recovery start date      | own            | own + their coaches | –       | –              | all   |
//! | edit qualifications            | –              | their coaches       | –       | –              | all   |
//! | change who supervises whom     | –              | –                   | –       | –              | yes   |
//! | view the instrument library    | yes            | yes                 | yes     | yes            | yes   |
//! | import an instrument (FHIR)    | –              | –                   | yes     | –              | –     |
//! | view studies (design, arms)    | yes            | yes                 | yes     | yes            | –     |
//! | define, open, lock, amend a study | –           | –                   | –       | yes            | –     |
//! | enrol a participant in a study | own caseload   | own + their coaches | all     | –              | –     |
//! | see a participant's arm        | own caseload, after allocation | own + their coaches | all | research only | – |
//! | allocation log, counts by arm, re-derive | –    | –                   | –       | yes            | –     |
//! | export a study's data          | –              | –                   | –       | de-identified; identified only under every member's consent | – |
//!
//! Studies: enrolling someone in a study changes their record, so it takes the same grant as
//! editing it; the enrolling person learns the arm drawn and nothing else (never the seed,
//! the sequence or the next arm). The evaluator ([`StudyLead`]) sees the log and the counts
//! by arm, never chooses whom to enrol, and never sees names. A study whose plan blinds the
//! assessor has its follow-up assessments recorded by a research assessor, who never sees an
//! arm (see [`blinding`]).
//!
//! "Own caseload" is the participants a coach works with *now*: a participant moved to another
//! coach leaves the first coach's lists and pages at once, whoever wrote the rows. A
//! coach sees their own recovery start date (it is their own information) but cannot change
//! it; managers see certifications, training hours and employment, never the recovery date.
//!
//! "Research" means the de-identified research record: never names, date of birth or contact
//! details. Admins run the organisation but see no participant records (least privilege); a
//! person who needs both holds both roles. A user's roles add up: the widest grant wins.
//!
//! The resource directory is not participant data; coaches read it but do not change it: a
//! coach who finds a new service asks their supervisor, so the directory stays one curated list
//! that someone has checked is real and current. Importing a whole package is a manager's bulk
//! change.

use kindred_domain::ids::{OrgId, UserId};
use kindred_domain::user::User;
use kindred_domain::vocabulary::Role;
use kindred_storage::{
    Access, CancelTasks, Consents, Edit, Enrol, Exclude, Grant, Identified, ParticipantFacts,
    PolicyKey, Reach, RecordWork, Research, Scope, SeeWork,
};

use crate::{Actor, AppError, Result};

mod blinding;
pub mod export;
mod roles;
mod staff;

pub(crate) use blinding::{Blinding, Measurement, Measures, blinds};
pub use roles::{
    AuditReader, BlindedAssessor, Capabilities, CaseloadKind, Curator, DirectoryReader, Importer,
    Manager, ProgramExporter, StudyLead, audit_reader, blinded_assessor, capabilities, curator,
    directory_reader, importer, manager, program_exporter, study_lead,
};
pub use staff::{
    FidelityView, StaffVisibility, change_supervisor, edit_staff_profile, fidelity,
    filter_by_coach, staff_list, supervise, view_staff_profile,
};
pub(crate) use staff::{boundary_concerns, supervision_sessions};

/// What may be done to one participant's record: the storage access markers, named for the
/// policy's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantAction {
    /// See the research record.
    Research,
    /// See the identified record.
    View,
    /// Enrol new participants (a scope over the organisation).
    Enrol,
    /// Change the record itself.
    Edit,
    /// View, record or revoke consents.
    Consents,
    /// See the identified work recorded about the participant.
    SeeWork,
    /// Record that work.
    RecordWork,
    /// Cancel a task that no longer applies.
    CancelTasks,
    /// Take a time point out of the follow-up denominator.
    Exclude,
}

/// The policy's name for each storage access.
pub trait Permission: Access {
    const ACTION: ParticipantAction;
}

macro_rules! permissions {
    ($($access:ident => $action:ident),+ $(,)?) => {
        $(impl Permission for $access {
            const ACTION: ParticipantAction = ParticipantAction::$action;
        })+
    };
}

permissions! {
    Research => Research, Identified => View, Enrol => Enrol, Edit => Edit,
    Consents => Consents, SeeWork => SeeWork, RecordWork => RecordWork,
    CancelTasks => CancelTasks, Exclude => Exclude,
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
    if facts.coach_id().is_some() && facts.coach_id() == me {
        Relation::OwnCaseload
    } else if facts.coach_supervisor_id().is_some() && facts.coach_supervisor_id() == me {
        Relation::TeamCaseload
    } else {
        Relation::Elsewhere
    }
}

/// One role's grant for one action on a participant in a given relation: the table above.
fn grants(role: Role, relation: Relation, action: ParticipantAction) -> bool {
    use ParticipantAction::{CancelTasks, Enrol, Exclude, Research};
    use Relation::{OwnCaseload, TeamCaseload};
    match (role, relation, action) {
        (_, _, Enrol) => false,
        (Role::Manager, _, _) => true,
        (Role::Supervisor, OwnCaseload | TeamCaseload, _) => true,
        // Coaches close tasks by doing them, and do not take people out of their own rates.
        (Role::Coach, OwnCaseload, CancelTasks | Exclude) => false,
        (Role::Coach, OwnCaseload, _) => true,
        (Role::Evaluator, _, Research) => true,
        _ => false,
    }
}

/// Whose participants a role may list for an action: the widest first.
fn reach(role: Role, me: UserId, action: ParticipantAction) -> Option<Reach> {
    use ParticipantAction::{CancelTasks, Enrol, Exclude, Research};
    match (role, action) {
        (Role::Coach | Role::Supervisor | Role::Manager, Enrol) => Some(Reach::Organisation),
        (_, Enrol) => None,
        (Role::Manager, _) => Some(Reach::Organisation),
        (Role::Supervisor, _) => Some(Reach::Team(me)),
        (Role::Coach, CancelTasks | Exclude) => None,
        (Role::Coach, _) => Some(Reach::Coach(me)),
        (Role::Evaluator, Research) => Some(Reach::Organisation),
        _ => None,
    }
}

/// Why `action` was refused, for the person refused.
pub(crate) fn refusal(action: ParticipantAction) -> AppError {
    use ParticipantAction::*;
    AppError::Forbidden(match action {
        Research | View => {
            "only the participant's coach, their supervisor or a manager can see this record".into()
        }
        SeeWork => "only the participant's coach, their supervisor or a manager can see this work; evaluators see only the research record".into(),
        Enrol => "only coaches, supervisors and managers enrol participants".into(),
        CancelTasks => "only the coach's supervisor or a manager can cancel a task; a task closes when the work is recorded".into(),
        Exclude => "only the coach's supervisor or a manager records an administrative exclusion".into(),
        Edit | Consents | RecordWork => {
            "only the participant's coach, their supervisor or a manager can change this record"
                .into()
        }
    })
}

/// The widest list `actor` may have for `action`, if any.
fn widest_reach(actor: &Actor, action: ParticipantAction) -> Option<Reach> {
    let me = actor.user_id();
    // Organisation beats team beats own caseload.
    let rank = |reach: &Reach| match reach {
        Reach::Organisation => 2,
        Reach::Team(_) => 1,
        Reach::Coach(_) => 0,
    };
    actor.roles().iter().filter_map(|role| reach(role, me, action)).max_by_key(rank)
}

/// The policy, holding the one key that makes grants and scopes.
#[derive(Debug)]
pub struct Policy {
    key: PolicyKey,
}

/// A list the actor asks for instead of their widest ("my own caseload" for a manager).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListReach {
    /// The actor's own caseload and the tasks assigned to them.
    Mine,
    /// A supervisor's and their coaches'.
    Team,
    /// The whole organisation's.
    Organisation,
}

impl ListReach {
    pub const ALL: [ListReach; 3] = [ListReach::Mine, ListReach::Team, ListReach::Organisation];

    /// `mine`, `team`, `organisation`.
    pub fn code(self) -> &'static str {
        match self {
            ListReach::Mine => "mine",
            ListReach::Team => "team",
            ListReach::Organisation => "organisation",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reach| reach.code() == code.trim())
    }

    /// How a switch between lists names it.
    pub fn label(self) -> &'static str {
        match self {
            ListReach::Mine => "Mine",
            ListReach::Team => "My team",
            ListReach::Organisation => "Everyone",
        }
    }
}

impl Policy {
    pub(crate) fn new(key: PolicyKey) -> Self {
        Self { key }
    }

    /// `A` on this participant for `actor`, or the refusal.
    pub(crate) fn grant<A: Permission>(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
    ) -> Result<Grant<A>> {
        if self.allows(actor, facts, A::ACTION) {
            Ok(self.key.grant(facts))
        } else {
            Err(refusal(A::ACTION))
        }
    }

    /// Whether `actor` may do `action` to this participant (what a page offers).
    pub(crate) fn allows(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
        action: ParticipantAction,
    ) -> bool {
        let relation = relation(actor, facts);
        actor.roles().iter().any(|role| grants(role, relation, action))
    }

    /// Every participant `actor` may do `A` to, for a list.
    pub(crate) fn scope<A: Permission>(&self, actor: &Actor) -> Result<Scope<A>> {
        let reach = widest_reach(actor, A::ACTION).ok_or_else(|| list_refusal(A::ACTION))?;
        Ok(self.key.scope(actor.org_id(), reach))
    }

    /// The list the actor asks for, if they hold it: by default their widest; `Mine` is that
    /// scope narrowed to their own caseload and what is assigned to them (the user returned).
    pub(crate) fn scope_as<A: Permission>(
        &self,
        actor: &Actor,
        requested: Option<ListReach>,
    ) -> Result<(Scope<A>, Option<UserId>)> {
        let widest = widest_reach(actor, A::ACTION).ok_or_else(|| list_refusal(A::ACTION))?;
        let me = actor.user_id();
        let (reach, mine) = match (requested, widest) {
            (None, widest) => (widest, None),
            (Some(ListReach::Mine), widest) => (widest, Some(me)),
            (Some(ListReach::Team), _) if actor.has_role(Role::Supervisor) => {
                (Reach::Team(me), None)
            }
            (Some(ListReach::Team), _) => {
                return Err(AppError::Forbidden("only supervisors have a team list".into()));
            }
            (Some(ListReach::Organisation), Reach::Organisation) => (Reach::Organisation, None),
            (Some(ListReach::Organisation), _) => {
                return Err(AppError::Forbidden(
                    "only managers see the whole organisation's list".into(),
                ));
            }
        };
        Ok((self.key.scope(actor.org_id(), reach), mine))
    }

    /// The lists of `A` the actor may ask for, narrowest first.
    pub(crate) fn list_choices<A: Permission>(&self, actor: &Actor) -> Vec<ListReach> {
        ListReach::ALL
            .into_iter()
            .filter(|reach| self.scope_as::<A>(actor, Some(*reach)).is_ok())
            .collect()
    }

    /// The enrolment's own bookkeeping on the participant it has just created (coach
    /// history, protocol tasks), whoever the coach is: the [`Enrol`] scope is the proof.
    pub(crate) fn newly_enrolled(
        &self,
        _enrolling: &Scope<Enrol>,
        facts: &ParticipantFacts,
    ) -> Grant<Edit> {
        self.key.grant(facts)
    }

    /// The work an edit implies (protocol tasks re-dated, follow-up windows re-swept) is
    /// recorded under the edit's own grant, even when the edit moved the participant beyond the
    /// actor's caseload.
    pub(crate) fn follow_on_work(&self, edit: &Grant<Edit>) -> Grant<RecordWork> {
        self.key.grant(edit.facts())
    }

    /// The system's own work on an organisation's record (the follow-up sweep, demo data):
    /// every participant, any access. Only `follow_up_sweep` and `demo` use it (checked by
    /// `tests/system_grants.rs`); a use case acting for a person never does.
    pub(crate) fn system_scope<A: Permission>(&self, org_id: OrgId) -> Scope<A> {
        self.key.scope(org_id, Reach::Organisation)
    }

    /// The system's grant of `A` on one participant (see [`Policy::system_scope`]).
    pub(crate) fn system_grant<A: Permission>(&self, facts: &ParticipantFacts) -> Grant<A> {
        self.key.grant(facts)
    }
}

fn list_refusal(action: ParticipantAction) -> AppError {
    use ParticipantAction::*;
    AppError::Forbidden(match action {
        Research | View => "your role does not include participant records".into(),
        Enrol => "only coaches, supervisors and managers enrol participants".into(),
        CancelTasks | Exclude => "only supervisors and managers do this".into(),
        Edit | Consents | SeeWork | RecordWork => {
            "participants' work is identified; your role does not include it (evaluators see the research record)".into()
        }
    })
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

/// May `actor` assign a coach who does not meet the program's eligibility rules (giving a
/// reason)? Returns the refusal worded for the `coach_override_reason` field.
pub fn override_eligibility(actor: &Actor) -> std::result::Result<(), String> {
    if actor.has_role(Role::Supervisor) || actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err("only a supervisor or a manager can override a program's eligibility rules".into())
    }
}

/// How much of a program's figures (follow-up rates: counts, no names) an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiguresView {
    /// The program as a whole.
    Overall,
    /// Broken down by coach too.
    ByCoach,
}

impl Policy {
    /// A program's figures over every participant of the organisation, without names: for
    /// the program's follow-up rates, which funders count over everyone enrolled. Coaches and
    /// evaluators see them overall; supervisors and managers by coach too.
    pub(crate) fn program_figures(&self, actor: &Actor) -> Result<(Scope<Research>, FiguresView)> {
        let view = if actor.has_role(Role::Manager) || actor.has_role(Role::Supervisor) {
            FiguresView::ByCoach
        } else if actor.has_role(Role::Coach) || actor.has_role(Role::Evaluator) {
            FiguresView::Overall
        } else {
            return Err(AppError::Forbidden("your role does not include follow-up rates".into()));
        };
        Ok((self.key.scope(actor.org_id(), Reach::Organisation), view))
    }

    /// A program's dashboard and funder report: enrolment, dose, follow-up, fidelity,
    /// outcomes and cost over every participant of the program, without names. They are the
    /// program's management figures, so managers only: coaches and supervisors have their
    /// fidelity and follow-up pages, evaluators their studies, admins no participant figures.
    pub(crate) fn program_dashboard(&self, actor: &Actor) -> Result<Scope<Research>> {
        program_dashboard(actor)?;
        Ok(self.key.scope(actor.org_id(), Reach::Organisation))
    }
}

/// May `actor` see programs' dashboards and funder reports? (See [`Policy::program_dashboard`].)
pub(crate) fn program_dashboard(actor: &Actor) -> Result<()> {
    if actor.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only program managers see a program's dashboard and funder report".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use kindred_domain::ids::UserId;
    use kindred_domain::vocabulary::{Role, Vocabulary};
    use kindred_storage::Reach;

    use super::{ParticipantAction, Relation, grants, reach};
    use ParticipantAction::*;
    use Relation::*;

    const ROLES: &[Role] = Role::ALL;
    const RELATIONS: [Relation; 3] = [OwnCaseload, TeamCaseload, Elsewhere];
    const ACTIONS: [ParticipantAction; 8] =
        [Research, View, Edit, Consents, SeeWork, RecordWork, CancelTasks, Exclude];

    #[test]
    fn the_table_holds() {
        let expectations = [
            (Role::Coach, OwnCaseload, Edit, true),
            (Role::Coach, OwnCaseload, CancelTasks, false),
            (Role::Coach, OwnCaseload, Exclude, false),
            (Role::Coach, TeamCaseload, View, false),
            (Role::Coach, Elsewhere, Research, false),
            (Role::Supervisor, TeamCaseload, Consents, true),
            (Role::Supervisor, TeamCaseload, Exclude, true),
            (Role::Supervisor, Elsewhere, View, false),
            (Role::Manager, Elsewhere, Edit, true),
            (Role::Evaluator, Elsewhere, Research, true),
            (Role::Evaluator, OwnCaseload, View, false),
            (Role::Evaluator, Elsewhere, SeeWork, false),
            (Role::Admin, OwnCaseload, Research, false),
        ];
        for (role, relation, action, expected) in expectations {
            assert_eq!(
                grants(role, relation, action),
                expected,
                "{role:?} {relation:?} {action:?}"
            );
        }
    }

    /// Storage serves the identified record under any grant but `Research` (`Identifies`), so
    /// the policy must never grant another access to someone who may not see the identity;
    /// and anyone granted anything may see the research record.
    #[test]
    fn every_grant_but_research_comes_with_the_identity() {
        for &role in ROLES {
            for relation in RELATIONS {
                for action in ACTIONS {
                    if grants(role, relation, action) {
                        assert!(
                            grants(role, relation, Research),
                            "{role:?} {relation:?} {action:?}"
                        );
                        if action != Research {
                            assert!(
                                grants(role, relation, View),
                                "{role:?} {relation:?} {action:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// A list shows exactly the participants whose records the actor may open.
    #[test]
    fn each_list_covers_the_participants_the_table_grants() {
        let me = UserId(uuid::Uuid::nil());
        for &role in ROLES {
            for action in ACTIONS {
                let granted: Vec<bool> =
                    RELATIONS.iter().map(|relation| grants(role, *relation, action)).collect();
                let expected = match reach(role, me, action) {
                    None => vec![false, false, false],
                    Some(Reach::Coach(_)) => vec![true, false, false],
                    Some(Reach::Team(_)) => vec![true, true, false],
                    Some(Reach::Organisation) => vec![true, true, true],
                };
                assert_eq!(granted, expected, "{role:?} {action:?}");
            }
        }
    }
}
