//! Who a study analyses, loaded from the record: the allocation log (or, when arms are formed
//! by a component received, every eligible participant of the arms' programs), each with their
//! research record, dose, coach's qualifications and cost; the screening counts for the flow;
//! and, for the exports, who each member is in the record. Set-based: a handful of queries
//! whatever the study's size.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kindred_domain::ids::{ParticipantId, ProgramId, StudyId, UserId};
use kindred_domain::programs::CostSettings;
use kindred_domain::schedule::Schedule;
use kindred_domain::staff::{Certification, StaffProfile};
use kindred_domain::study::{Membership, StudyDefinition};
use kindred_domain::vocabulary::{ContactMode, ParticipantStatus, SupportKind};
use kindred_evaluation::assemble::StudyParticipant;
use kindred_evaluation::table::{CoachRecord, Dose};
use kindred_storage::{Among, Research, ResearchLoad};
use time::{Date, Duration};

use super::flow::Screening;
use super::{StudyView, load_view};
use crate::policy::StudyLead;
use crate::research::evaluation_records;
use crate::{App, Result};

impl App {
    /// The study and its analysed participants, as the analyses and the exports read them.
    pub(crate) async fn load_study_participants(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<(StudyView, Loaded)> {
        let actor = lead.actor();
        let scope = self.policy.scope::<Research>(actor)?;
        let mut session = actor.tenant().read().await?;
        let view = load_view(&mut session, study, true).await?;
        let allocations = session.study_allocations(&scope, study).await?;
        let load = session.research_load(Among::All(&scope)).await?;
        let schedules = session.schedules(None).await?;
        let profiles = session.staff_profiles().await?;
        let certifications = session.all_certifications().await?;
        let programs: BTreeSet<ProgramId> =
            load.participants.iter().filter_map(|r| r.enrolment.program_id).collect();
        let mut costs = BTreeMap::new();
        for program in programs {
            if let Some(stored) = session.program_definition(program).await? {
                costs.insert(program, stored.definition.costs);
            }
        }
        drop(session);
        let definition = &view.definition;
        let study_end = definition
            .enrolment
            .to
            .checked_add(Duration::days(i64::from(definition.follow_up_days)))
            .unwrap_or(Date::MAX);
        let cut_off = study_end.min(self.clock().today());
        // Who is in the study: the allocation log, or — when arms are formed by a component
        // received — every eligible participant of the arms' programs enrolled in the period,
        // their arm read from their contacts below.
        let members: Vec<(String, ParticipantId, Option<String>)> =
            match by_component_received(definition, &load) {
                Some(members) => members,
                None => allocations
                    .iter()
                    .map(|a| (format!("S{:04}", a.sequence), a.participant_id, Some(a.arm.clone())))
                    .collect(),
            };
        // Assessed for eligibility: the study's programs' participants enrolled in its period,
        // and anyone allocated besides (a randomised study enrols on the day, not by the
        // program's enrolment date).
        let mut assessed: BTreeSet<ParticipantId> = load
            .participants
            .iter()
            .filter(|r| {
                r.enrolment.program_id.is_some_and(|p| definition.program_ids.contains(&p))
                    && definition.enrolment.contains(r.enrolment.enrolled_on)
            })
            .map(|r| r.id)
            .collect();
        assessed.extend(members.iter().map(|m| m.1));
        let mut records = evaluation_records(&load, &assessed, &schedules, cut_off);
        // The day each was allocated: the log's, or their program enrolment's when the arm is
        // read from their contacts.
        let allocated_on: BTreeMap<ParticipantId, Date> =
            allocations.iter().map(|a| (a.participant_id, a.enrolled_at.date())).collect();
        let mut screening = Screening { assessed: assessed.len(), ..Screening::default() };
        let mut doses = Doses::of(&load);
        let qualifications =
            Qualifications { profiles: &profiles, certifications: &certifications };
        let mut coach_keys: BTreeMap<UserId, String> = BTreeMap::new();
        let coach_of: BTreeMap<ParticipantId, UserId> = load
            .participants
            .iter()
            .filter_map(|r| r.enrolment.coach_id.map(|c| (r.id, c)))
            .collect();
        let program_of: BTreeMap<ParticipantId, ProgramId> = load
            .participants
            .iter()
            .filter_map(|r| r.enrolment.program_id.map(|p| (r.id, p)))
            .collect();
        let reference_of: BTreeMap<ParticipantId, &str> =
            load.participants.iter().map(|r| (r.id, r.reference.as_str())).collect();
        let mut participants = Vec::with_capacity(members.len());
        let mut facts = Vec::with_capacity(members.len());
        for (key, id, arm) in members {
            let Some(record) = records.remove(&id) else { continue };
            let by_component = doses.by_component.remove(&id).unwrap_or_default();
            let arm = match arm {
                Some(arm) => arm,
                None => {
                    let unmet = record.unmet_eligibility(&definition.eligibility);
                    let arm = unmet
                        .is_empty()
                        .then(|| arm_by_component(definition, program_of.get(&id), &by_component))
                        .flatten();
                    let Some(arm) = arm else {
                        screening.excluded.push(if unmet.is_empty() {
                            vec!["received what no arm's component rule describes".to_owned()]
                        } else {
                            unmet
                        });
                        continue;
                    };
                    arm
                }
            };
            // Support counts from the allocation in a trial; in a cohort or pre-post study,
            // where people may be entered into the study long after they joined the program
            // (a retrospective comparison), from their enrolment in the program.
            let since = match definition.randomisation {
                Some(_) => allocated_on.get(&id).copied().unwrap_or(record.enrolled_on),
                None => record.enrolled_on,
            };
            screening.received.push(load.last_contact.get(&id).is_some_and(|day| *day >= since));
            let coach = coach_of.get(&id).map(|coach| {
                let next = coach_keys.len() + 1;
                let key = coach_keys.entry(*coach).or_insert_with(|| format!("coach {next}"));
                qualifications.of(*coach, key.clone(), record.enrolled_on)
            });
            let dose = doses.total.get(&id).copied().unwrap_or_default();
            let cost_cents = program_of.get(&id).and_then(|p| costs.get(p)).and_then(|c| {
                cost_of(c, dose, doses.by_mode.get(&id).map_or(&[][..], Vec::as_slice))
            });
            facts.push(MemberFacts {
                id,
                reference: reference_of.get(&id).map_or_else(String::new, |r| (*r).to_owned()),
                program_id: program_of.get(&id).copied(),
                coach_id: coach_of.get(&id).copied(),
            });
            participants.push(StudyParticipant {
                key,
                arm,
                record,
                coach,
                dose,
                dose_by_support_kind: doses.by_kind.remove(&id).unwrap_or_default(),
                dose_by_component: by_component,
                cost_cents,
            });
        }
        // Assessed but never allocated: the rules they do not meet, in the words enrolment
        // refuses them with.
        for record in records.values() {
            let mut reasons = Vec::new();
            if matches!(record.status, ParticipantStatus::Withdrawn) {
                reasons.push("has withdrawn".to_owned());
            }
            reasons.extend(record.unmet_eligibility(&definition.eligibility));
            if reasons.is_empty() {
                reasons.push("eligible, not enrolled in the study".to_owned());
            }
            screening.excluded.push(reasons);
        }
        Ok((view, Loaded { participants, facts, schedules, cut_off, screening }))
    }
}

/// When a study's arms are formed by a component received (or not): every participant of the
/// arms' programs enrolled in the study's period, keyed by their order of reference, with
/// their arm still to be read. `None` for studies whose members are the allocation log.
fn by_component_received(
    definition: &StudyDefinition,
    load: &ResearchLoad,
) -> Option<Vec<(String, ParticipantId, Option<String>)>> {
    let programs: BTreeSet<ProgramId> = definition
        .arms
        .iter()
        .filter_map(|arm| match &arm.membership {
            Some(Membership::Component { program_id, .. }) => Some(*program_id),
            _ => None,
        })
        .collect();
    if programs.is_empty() {
        return None;
    }
    let members = load
        .participants
        .iter()
        .filter(|r| {
            r.enrolment.program_id.is_some_and(|p| programs.contains(&p))
                && definition.enrolment.contains(r.enrolment.enrolled_on)
        })
        .enumerate()
        .map(|(n, r)| (format!("C{:04}", n + 1), r.id, None))
        .collect();
    Some(members)
}

/// The arm whose component rule the participant's contacts meet: a component is received
/// when at least one contact delivered it.
fn arm_by_component(
    definition: &StudyDefinition,
    program: Option<&ProgramId>,
    by_component: &[(String, Dose)],
) -> Option<String> {
    let program = program?;
    definition
        .arms
        .iter()
        .find(|arm| match &arm.membership {
            Some(Membership::Component { program_id, component, received }) => {
                let had = by_component.iter().any(|(name, d)| name == component && d.contacts > 0);
                program_id == program && had == *received
            }
            _ => false,
        })
        .map(|arm| arm.code.clone())
}

/// A study's analysed participants and what the exports need besides.
pub(crate) struct Loaded {
    pub participants: Vec<StudyParticipant>,
    /// One per participant, in the same order: who they are in the record.
    pub facts: Vec<MemberFacts>,
    /// Every program's follow-up schedule.
    pub schedules: HashMap<ProgramId, Schedule>,
    /// Nothing after this day is counted.
    pub cut_off: Date,
    pub(super) screening: Screening,
}

/// Who an analysed participant is in the record (never handed to the analyses).
#[derive(Debug, Clone)]
pub(crate) struct MemberFacts {
    pub id: ParticipantId,
    pub reference: String,
    pub program_id: Option<ProgramId>,
    pub coach_id: Option<UserId>,
}
/// The research load's doses, by participant.
struct Doses {
    total: BTreeMap<ParticipantId, Dose>,
    by_kind: BTreeMap<ParticipantId, Vec<(SupportKind, Dose)>>,
    by_component: BTreeMap<ParticipantId, Vec<(String, Dose)>>,
    by_mode: BTreeMap<ParticipantId, Vec<(ContactMode, Dose)>>,
}

impl Doses {
    fn of(load: &ResearchLoad) -> Self {
        let dose = |contacts: i64, minutes: i64| Dose {
            contacts: u32::try_from(contacts).unwrap_or(u32::MAX),
            minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
        };
        let mut doses = Self {
            total: BTreeMap::new(),
            by_kind: BTreeMap::new(),
            by_component: BTreeMap::new(),
            by_mode: BTreeMap::new(),
        };
        for d in &load.dose_totals {
            doses.total.insert(d.participant_id, dose(d.contacts, d.minutes));
        }
        for d in &load.dose_by_support_kind {
            doses
                .by_kind
                .entry(d.participant_id)
                .or_default()
                .push((d.key, dose(d.contacts, d.minutes)));
        }
        for d in &load.dose_by_component {
            doses
                .by_component
                .entry(d.participant_id)
                .or_default()
                .push((d.key.clone(), dose(d.contacts, d.minutes)));
        }
        for d in &load.dose_by_mode {
            doses
                .by_mode
                .entry(d.participant_id)
                .or_default()
                .push((d.key, dose(d.contacts, d.minutes)));
        }
        doses
    }
}

/// The cost of a participant's support in cents: staff time at the hourly cost, plus each
/// contact's cost by mode. `None` when the program sets no cost at all.
pub(crate) fn cost_of(
    costs: &CostSettings,
    total: Dose,
    by_mode: &[(ContactMode, Dose)],
) -> Option<i64> {
    if costs.hourly_staff_cost_cents.is_none() && costs.per_contact.is_empty() {
        return None;
    }
    let time =
        costs.hourly_staff_cost_cents.map_or(0, |hourly| hourly * i64::from(total.minutes) / 60);
    let contacts: i64 = by_mode
        .iter()
        .map(|(mode, dose)| costs.contact_cost(*mode).unwrap_or(0) * i64::from(dose.contacts))
        .sum();
    Some(time + contacts)
}

/// The coaches' qualifications, as the by-whom analysis reads them.
struct Qualifications<'a> {
    profiles: &'a [StaffProfile],
    certifications: &'a [Certification],
}

impl Qualifications<'_> {
    /// A coach's qualifications on the day a participant enrolled, under a key that names
    /// nobody.
    fn of(&self, coach: UserId, key: String, on: Date) -> CoachRecord {
        let profile = self.profiles.iter().find(|p| p.user_id == coach);
        let certified = self.certifications.iter().any(|c| {
            c.user_id == coach
                && c.issued_on.is_none_or(|issued| issued <= on)
                && c.expires_on.is_none_or(|expires| expires > on)
        });
        CoachRecord {
            key,
            months_in_recovery: profile
                .and_then(|p| p.recovery_start_date)
                .filter(|start| *start <= on)
                // The average month, so twelve of them make a year.
                .map(|start| (on - start).whole_days() as f64 / 30.436_875),
            certified: Some(certified),
            training_hours: profile.map(|p| f64::from(p.training_hours)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_staff_time_and_each_contact_by_mode() {
        let costs = CostSettings {
            hourly_staff_cost_cents: Some(3_000),
            per_contact: vec![(ContactMode::InPerson, 450)],
        };
        let total = Dose { contacts: 3, minutes: 90 };
        let by_mode = [
            (ContactMode::InPerson, Dose { contacts: 2, minutes: 60 }),
            (ContactMode::Phone, Dose { contacts: 1, minutes: 30 }),
        ];
        assert_eq!(cost_of(&costs, total, &by_mode), Some(4_500 + 900));
        assert_eq!(cost_of(&CostSettings::default(), total, &by_mode), None);
    }
}
