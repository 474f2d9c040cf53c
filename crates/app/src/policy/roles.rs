//! Role handles: the proof a role-only use case takes. Only the functions here make one, so a
//! use case that takes a [`Manager`] cannot be called by someone who is not a manager (the
//! lldap idea: an admin-capable handler exists only for an admin). And [`Capabilities`]: what
//! the navigation offers, from the same rules.

use kindred_domain::vocabulary::Role;
use kindred_storage::{Enrol, Identified, Research, SeeWork};

use super::{Permission, widest_reach};
use crate::{Actor, AppError, Result};

/// The role handles: only these functions make them, so a use case that takes one cannot be
/// called by someone without the role.
macro_rules! role_handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            actor: &'a Actor,
        }

        impl<'a> $name<'a> {
            pub fn actor(&self) -> &'a Actor {
                self.actor
            }
        }
    };
}

role_handle! {
    /// A program manager: programs, schedules, instrument and directory imports.
    Manager
}
role_handle! {
    /// A program manager importing participants and their records from a spreadsheet.
    Importer
}
role_handle! {
    /// A program manager exporting a whole program's records as FHIR, under each
    /// participant's consent.
    ProgramExporter
}
role_handle! {
    /// Someone who keeps the resource directory (a supervisor or a manager).
    Curator
}
role_handle! {
    /// Someone who reads the resource directory (coaches, supervisors, managers).
    DirectoryReader
}
role_handle! {
    /// An organisation admin reading the audit log.
    AuditReader
}
role_handle! {
    /// An evaluator running studies: defines them, opens them, reads the allocation log and
    /// re-derives it, locks and amends the analysis plan. Never enrols (see [`study_lead`]).
    StudyLead
}

role_handle! {
    /// A research assessor: records the follow-up assessments of blinded studies and lists
    /// whom to assess. Never sees an arm (see `policy::blinding`).
    BlindedAssessor
}

/// `actor` as a program manager.
pub fn manager(actor: &Actor) -> Result<Manager<'_>> {
    if actor.has_role(Role::Manager) {
        Ok(Manager { actor })
    } else {
        Err(AppError::Forbidden(
            "only program managers create and change programs, schedules, instruments and directory imports".into(),
        ))
    }
}

/// `actor` as an importer of spreadsheets: program managers only. An import enrols people
/// onto any caseload and records work for any participant, which is a manager's reach; admins
/// run the organisation but see no participant records, and the dry-run report shows the
/// rows' values, so they do not import either (a person who needs to holds both roles).
pub fn importer(actor: &Actor) -> Result<Importer<'_>> {
    if actor.has_role(Role::Manager) {
        Ok(Importer { actor })
    } else {
        Err(AppError::Forbidden(
            "only program managers import participants and their records from spreadsheets".into(),
        ))
    }
}

/// `actor` as an exporter of a whole program's records (FHIR): program managers only, as the
/// bundle spans every caseload of the program. One participant's bundle is for anyone who sees
/// their work (the policy's grant); either way only consenting participants go in.
pub fn program_exporter(actor: &Actor) -> Result<ProgramExporter<'_>> {
    if actor.has_role(Role::Manager) {
        Ok(ProgramExporter { actor })
    } else {
        Err(AppError::Forbidden(
            "only program managers export a whole program; a participant's coach can export that participant's record".into(),
        ))
    }
}

/// `actor` as a keeper of the resource directory.
pub fn curator(actor: &Actor) -> Result<Curator<'_>> {
    if actor.has_role(Role::Supervisor) || actor.has_role(Role::Manager) {
        Ok(Curator { actor })
    } else {
        Err(AppError::Forbidden(
            "only supervisors and managers change the resource directory; ask your supervisor to add a service"
                .into(),
        ))
    }
}

/// `actor` as a reader of the resource directory.
pub fn directory_reader(actor: &Actor) -> Result<DirectoryReader<'_>> {
    if [Role::Coach, Role::Supervisor, Role::Manager].into_iter().any(|r| actor.has_role(r)) {
        Ok(DirectoryReader { actor })
    } else {
        Err(AppError::Forbidden(
            "the resource directory is for coaches, supervisors and managers".into(),
        ))
    }
}

/// `actor` as a reader of the audit log.
pub fn audit_reader(actor: &Actor) -> Result<AuditReader<'_>> {
    if actor.has_role(Role::Admin) {
        Ok(AuditReader { actor })
    } else {
        Err(AppError::Forbidden("only organisation admins can read the audit log".into()))
    }
}

/// `actor` as the lead of the organisation's studies.
///
/// Evaluators only. Enrolment is kept apart from the allocation log on purpose: the person who
/// enrols (a coach, supervisor or manager who may edit the participant) never sees the log, the
/// seed or the next arm, and the evaluator who sees the log never chooses whom to enrol, so
/// nobody can use a partly filled block to steer a participant into an arm.
pub fn study_lead(actor: &Actor) -> Result<StudyLead<'_>> {
    if actor.has_role(Role::Evaluator) {
        Ok(StudyLead { actor })
    } else {
        Err(AppError::Forbidden(
            "only evaluators define studies, read their allocation logs and lock their plans"
                .into(),
        ))
    }
}

/// `actor` as a research assessor of the organisation's blinded studies.
pub fn blinded_assessor(actor: &Actor) -> Result<BlindedAssessor<'_>> {
    if actor.has_role(Role::ResearchAssessor) {
        Ok(BlindedAssessor { actor })
    } else {
        Err(AppError::Forbidden(
            "only research assessors see the list of blinded follow-up assessments".into(),
        ))
    }
}

/// Whose caseload the actor's participant list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseloadKind {
    Own,
    Team,
    Organisation,
    /// Research records only.
    Research,
}

/// What the actor's roles let them open: the pages and links offered (each use case checks
/// again when it runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub caseload: Option<CaseloadKind>,
    /// Due lists, the follow-up list, open referrals, contacts and group sessions.
    pub caseload_work: bool,
    pub enrol: bool,
    pub read_directory: bool,
    pub curate_directory: bool,
    pub manage_programs: bool,
    /// Importing participants and their records from spreadsheets.
    pub import_spreadsheets: bool,
    /// Programs' dashboards and funder reports.
    pub program_dashboard: bool,
    pub fidelity: bool,
    pub staff: bool,
    pub audit_log: bool,
    /// Assign a coach who does not meet a program's rules, with a reason.
    pub override_eligibility: bool,
    /// Read boundary concerns (which may name participants).
    pub boundary_concerns: bool,
    /// Change who supervises whom.
    pub assign_supervisors: bool,
    /// Define and run studies.
    pub lead_studies: bool,
    /// Record the follow-up assessments of blinded studies.
    pub assess_blinded: bool,
}

/// What `actor` may open.
pub fn capabilities(actor: &Actor) -> Capabilities {
    use kindred_storage::Reach;
    let reach = |action| widest_reach(actor, action);
    let caseload = match reach(Identified::ACTION) {
        Some(Reach::Coach(_)) => Some(CaseloadKind::Own),
        Some(Reach::Team(_)) => Some(CaseloadKind::Team),
        Some(Reach::Organisation) => Some(CaseloadKind::Organisation),
        None => reach(Research::ACTION).map(|_| CaseloadKind::Research),
    };
    Capabilities {
        caseload,
        caseload_work: reach(SeeWork::ACTION).is_some(),
        enrol: reach(Enrol::ACTION).is_some(),
        read_directory: directory_reader(actor).is_ok(),
        curate_directory: curator(actor).is_ok(),
        manage_programs: manager(actor).is_ok(),
        import_spreadsheets: importer(actor).is_ok(),
        program_dashboard: super::program_dashboard(actor).is_ok(),
        fidelity: super::fidelity(actor).is_ok(),
        staff: super::staff_list(actor).is_ok(),
        audit_log: audit_reader(actor).is_ok(),
        override_eligibility: super::override_eligibility(actor).is_ok(),
        boundary_concerns: super::boundary_concerns(actor).is_ok(),
        assign_supervisors: super::change_supervisor(actor).is_ok(),
        lead_studies: study_lead(actor).is_ok(),
        assess_blinded: blinded_assessor(actor).is_ok(),
    }
}
