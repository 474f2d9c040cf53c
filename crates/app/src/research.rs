//! The evaluator's research view: for every participant in the policy's research scope, the
//! de-identified record — baseline characteristics (age as a band, never a date of birth),
//! contact dose by support kind and program component, outcome events, assessment scores and
//! bands, and follow-up statuses. Never a name, date of birth, contact detail or free text:
//! storage's research load reads none of them. Every read is audited (record type
//! `research_record`), naming the participants shown.
//!
//! The same load feeds the study analyses: [`evaluation_records`] turns participants' rows into
//! the evaluation crate's `ParticipantRecord`s.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kindred_domain::audit::AuditAction;
use kindred_domain::follow_up_log::{Evidence, statuses};
use kindred_domain::ids::{ParticipantId, ProgramId, StudyId};
use kindred_domain::schedule::Schedule;
use kindred_domain::study::baseline_values;
use kindred_domain::vocabulary::{
    AppointmentKind, HospitalisationKind, OutcomeEventKind, ParticipantStatus, SupportKind,
    Vocabulary,
};
use kindred_evaluation::record::{AssessmentRecord, EventRecord, ParticipantRecord};
use kindred_storage::{Among, ResearchLoad};
use time::Date;

use crate::audit::entry;
use crate::studies::load_view;
use crate::{Actor, App, Result};

const RECORD: &str = "research_record";

/// One participant's research record, as the evaluator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchParticipant {
    pub id: ParticipantId,
    /// The record reference (`P-0042`), not a name.
    pub reference: String,
    pub program: Option<String>,
    pub enrolled_on: Date,
    pub status: ParticipantStatus,
    /// Baseline field code → value code (`age_band` → `25_34`); unrecorded fields absent.
    pub baseline: BTreeMap<String, String>,
    pub dose: ResearchDose,
    pub events: Vec<ResearchEventView>,
    pub assessments: Vec<ResearchScore>,
    /// (time point code, label, follow-up status code) in schedule order.
    pub follow_up: Vec<(String, String, &'static str)>,
    /// The last day they were seen (a contact, or a follow-up attempt that reached them).
    pub last_seen_on: Option<Date>,
    /// The studies they are enrolled in, by study title.
    pub studies: Vec<StudyArm>,
}

/// A participant's place in one study. The arm is shown only once the study's plan is
/// locked: before that, arms beside outcomes would show outcomes by arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyArm {
    pub study_id: StudyId,
    pub study_title: String,
    /// (arm code, arm name), when the plan is locked.
    pub arm: Option<(String, String)>,
}

/// Contacts and minutes, in total, by support kind and by program component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResearchDose {
    pub contacts: i64,
    pub minutes: i64,
    /// Kinds with at least one contact, in vocabulary order.
    pub by_support_kind: Vec<(SupportKind, i64, i64)>,
    /// (component name, contacts, minutes), by name.
    pub by_component: Vec<(String, i64, i64)>,
}

/// A dated outcome event without its detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchEventView {
    pub kind: OutcomeEventKind,
    pub occurred_on: Date,
    pub hospitalisation_kind: Option<HospitalisationKind>,
    pub appointment_kind: Option<AppointmentKind>,
}

/// A completed assessment's score and band.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchScore {
    pub instrument: String,
    pub time_point: Option<String>,
    pub administered_on: Date,
    pub score: Option<f64>,
    pub band: Option<String>,
}

impl App {
    /// The research records of every participant the actor's research scope covers (an
    /// evaluator's: the organisation), ordered by reference.
    pub async fn research_records(&self, actor: &Actor) -> Result<Vec<ResearchParticipant>> {
        let scope = self.policy.scope::<kindred_storage::Research>(actor)?;
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let load = session.research_load(Among::All(&scope)).await?;
        let schedules = session.schedules(None).await?;
        let evidence = session.follow_up_evidence(Among::All(&scope)).await?;
        let mut arms: BTreeMap<ParticipantId, Vec<StudyArm>> = BTreeMap::new();
        for summary in session.studies().await? {
            if summary.enrolled == 0 {
                continue;
            }
            let view = load_view(&mut session, summary.id, true).await?;
            let locked = view.plan_locked();
            for allocation in session.study_allocations(&scope, summary.id).await? {
                let arm = locked.then(|| {
                    let name = view.definition.arm(&allocation.arm).map(|a| a.name.clone());
                    (allocation.arm.clone(), name.unwrap_or_default())
                });
                arms.entry(allocation.participant_id).or_default().push(StudyArm {
                    study_id: summary.id,
                    study_title: summary.title.clone(),
                    arm,
                });
            }
        }
        drop(session);
        let none = Evidence::default();
        let mut shown = views(&load);
        for (view, record) in shown.iter_mut().zip(&load.participants) {
            view.studies = arms.remove(&record.id).unwrap_or_default();
            let Some(program) = record.enrolment.program_id else { continue };
            let Some(schedule) = schedules.get(&program) else { continue };
            let e = evidence.get(&record.id).unwrap_or(&none);
            view.follow_up = statuses(schedule, record.enrolment.enrolled_on, e, today)
                .into_iter()
                .map(|p| (p.code, p.label, p.status.code()))
                .collect();
        }
        let references: Vec<&str> = shown.iter().map(|p| p.reference.as_str()).collect();
        let detail = format!("research records: {} shown ({})", shown.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, RECORD, None, detail)).await?;
        Ok(shown)
    }
}

/// The views of every participant of a load, in its order, without follow-up statuses.
fn views(load: &ResearchLoad) -> Vec<ResearchParticipant> {
    let mut by_id: BTreeMap<ParticipantId, ResearchParticipant> = load
        .participants
        .iter()
        .map(|r| {
            let baseline = baseline_values(&r.enrolment, &r.baseline)
                .into_iter()
                .map(|(field, value)| (field.code().to_owned(), value))
                .collect();
            let view = ResearchParticipant {
                id: r.id,
                reference: r.reference.clone(),
                program: r.program_name.clone(),
                enrolled_on: r.enrolment.enrolled_on,
                status: r.enrolment.status,
                baseline,
                dose: ResearchDose::default(),
                events: Vec::new(),
                assessments: Vec::new(),
                follow_up: Vec::new(),
                studies: Vec::new(),
                last_seen_on: load.last_seen.get(&r.id).copied(),
            };
            (r.id, view)
        })
        .collect();
    for d in &load.dose_totals {
        if let Some(v) = by_id.get_mut(&d.participant_id) {
            (v.dose.contacts, v.dose.minutes) = (d.contacts, d.minutes);
        }
    }
    for d in &load.dose_by_support_kind {
        if let Some(v) = by_id.get_mut(&d.participant_id) {
            v.dose.by_support_kind.push((d.key, d.contacts, d.minutes));
        }
    }
    for d in &load.dose_by_component {
        if let Some(v) = by_id.get_mut(&d.participant_id) {
            v.dose.by_component.push((d.key.clone(), d.contacts, d.minutes));
        }
    }
    for e in &load.events {
        if let Some(v) = by_id.get_mut(&e.participant_id) {
            v.events.push(ResearchEventView {
                kind: e.kind,
                occurred_on: e.occurred_on,
                hospitalisation_kind: e.hospitalisation_kind,
                appointment_kind: e.appointment_kind,
            });
        }
    }
    for a in &load.assessments {
        if let Some(v) = by_id.get_mut(&a.participant_id) {
            v.assessments.push(ResearchScore {
                instrument: a.instrument_code.clone(),
                time_point: a.time_point_code.clone(),
                administered_on: a.administered_on,
                score: a.score,
                band: a.band.clone(),
            });
        }
    }
    load.participants
        .iter()
        .filter_map(|r| by_id.remove(&r.id))
        .map(|mut v| {
            v.dose.by_support_kind.sort_by_key(|(k, _, _)| *k);
            v.dose.by_component.sort();
            v
        })
        .collect()
}

/// The records, as the evaluation engine reads them, of the participants of `load` that are
/// in `wanted`: their research rows, their program's schedule and the study's end (the data
/// cut-off). One pass over each kind of row, so 10 000 participants cost no more than their
/// rows.
pub(crate) fn evaluation_records(
    load: &ResearchLoad,
    wanted: &BTreeSet<ParticipantId>,
    schedules: &HashMap<ProgramId, Schedule>,
    study_end: Date,
) -> BTreeMap<ParticipantId, ParticipantRecord> {
    let mut records: BTreeMap<ParticipantId, ParticipantRecord> = load
        .participants
        .iter()
        .filter(|r| wanted.contains(&r.id))
        .map(|r| {
            let schedule = r.enrolment.program_id.and_then(|p| schedules.get(&p));
            let record = ParticipantRecord {
                enrolled_on: r.enrolment.enrolled_on,
                status: r.enrolment.status,
                left_on: r.enrolment.left_on,
                baseline: baseline_values(&r.enrolment, &r.baseline),
                schedule: schedule
                    .map(|s| s.points.iter().map(|p| p.time_point.clone()).collect())
                    .unwrap_or_default(),
                assessments: Vec::new(),
                events: Vec::new(),
                last_follow_up_on: load.last_seen.get(&r.id).copied(),
                study_end,
            };
            (r.id, record)
        })
        .collect();
    for a in &load.assessments {
        if let Some(record) = records.get_mut(&a.participant_id) {
            record.assessments.push(AssessmentRecord {
                instrument: a.instrument_code.clone(),
                time_point: a.time_point_code.clone(),
                administered_on: a.administered_on,
                total: a.score,
                subscores: a.subscores.clone(),
                band: a.band.clone(),
                // Answers are small whole numbers: exact in f64.
                answers: a.answers.iter().map(|(k, v)| (k.clone(), *v as f64)).collect(),
            });
        }
    }
    for e in &load.events {
        if let Some(record) = records.get_mut(&e.participant_id) {
            record.events.push(EventRecord {
                kind: e.kind,
                on: e.occurred_on,
                hospitalisation: e.hospitalisation_kind,
                appointment: e.appointment_kind,
            });
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use kindred_storage::ResearchLoad;
    use time::macros::date;

    use super::*;

    #[test]
    fn a_participant_missing_from_the_load_has_no_record() {
        let load = ResearchLoad::default();
        let wanted = BTreeSet::from([ParticipantId::generate()]);
        let records = evaluation_records(&load, &wanted, &HashMap::new(), date!(2026 - 12 - 01));
        assert!(records.is_empty());
        assert!(views(&load).is_empty());
    }
}
