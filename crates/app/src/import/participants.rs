//! Participant rows: a person enrolled as the enrolment form would enrol them, under the
//! program's own `reference` instead of a generated one.

use std::collections::HashMap;

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::ParticipantId;
use kindred_domain::participant::{NewParticipant, Participant, ParticipantInput};
use kindred_domain::vocabulary::{
    Gender, Housing, JusticeInvolvement, ParticipantStatus, PrimarySubstance, ReferralSource,
    Setting, TreatmentPhase, YesNoUnknown,
};
use kindred_storage::{Enrol, Identified, Scope, Session, Write};
use time::{Date, OffsetDateTime};

use super::Field;
use super::csv_reader::{Row, Table};
use super::pass::Checked;
use super::values::{Directory, RowCheck};
use crate::assignment::{EligibilityOverride, check_eligibility, record_assignment};
use crate::audit::entry;
use crate::policy::{self, Policy};
use crate::{Actor, Result, follow_up_sweep, protocol_tasks};

/// The columns, named as the API names the fields. `enrolled_on` is required here (the form
/// defaults it to today, which a second import tomorrow would see as a change).
pub(super) const FIELDS: &[Field] = &[
    Field { name: "reference", required: true },
    Field { name: "given_name", required: true },
    Field { name: "family_name", required: true },
    Field { name: "preferred_name", required: false },
    Field { name: "date_of_birth", required: true },
    Field { name: "phone", required: false },
    Field { name: "email", required: false },
    Field { name: "program_id", required: false },
    Field { name: "enrolled_on", required: true },
    Field { name: "setting", required: false },
    Field { name: "referral_source", required: false },
    Field { name: "treatment_phase", required: false },
    Field { name: "coach_id", required: false },
    Field { name: "coach_override_reason", required: false },
    Field { name: "status", required: false },
    Field { name: "gender", required: false },
    Field { name: "primary_substance", required: false },
    Field { name: "co_occurring_mental_disorder", required: false },
    Field { name: "housing", required: false },
    Field { name: "justice_involvement", required: false },
    Field { name: "pregnant", required: false },
    Field { name: "veteran", required: false },
];

/// The longest reference a program may use (theirs are short codes, like Kindred's `P-0042`).
const REFERENCE_MAX: usize = 40;

/// A participant to enrol.
pub(super) struct NewRow {
    reference: String,
    participant: NewParticipant,
    eligibility: Option<EligibilityOverride>,
}

pub(super) struct Participants<'a> {
    policy: &'a Policy,
    actor: &'a Actor,
    enrolling: Scope<Enrol>,
    today: Date,
    directory: Directory,
    /// Each reference seen in the file, and its row: a second row for one person is a problem.
    seen: HashMap<String, u64>,
    /// The highest `P-<n>` reference imported, to keep the enrolment counter past it.
    highest_counter: i64,
}

impl<'a> Participants<'a> {
    pub(super) async fn load<M>(
        session: &mut Session<M>,
        policy: &'a Policy,
        actor: &'a Actor,
        today: Date,
    ) -> Result<Self> {
        let enrolling = policy.scope::<Enrol>(actor)?;
        let directory = Directory::new(session.programs().await?, session.users().await?);
        Ok(Self {
            policy,
            actor,
            enrolling,
            today,
            directory,
            seen: HashMap::new(),
            highest_counter: 0,
        })
    }

    pub(super) async fn check<M>(
        &mut self,
        session: &mut Session<M>,
        table: &Table,
        row: &Row,
    ) -> Result<Checked<NewRow>> {
        let mut check = RowCheck::new(table, row);
        let reference = self.reference(&mut check, row.number);
        let input = self.input(&mut check);
        let parsed = NewParticipant::parse(&input, self.today, None);
        let participant = match parsed {
            Ok(participant) => Some(participant),
            Err(errors) => {
                check.field_errors(&errors);
                None
            }
        };
        let (Some(reference), Some(participant), true) =
            (reference, participant, check.problems.is_empty())
        else {
            return Ok(Checked::Problems(check.problems));
        };
        if let Some(facts) = session.participant_facts_by_reference(&reference).await? {
            let grant = self.policy.grant::<Identified>(self.actor, &facts)?;
            let stored = session.participant(&grant).await?.participant;
            let differ = differences(&stored, &participant);
            if differ.is_empty() {
                return Ok(Checked::Unchanged);
            }
            check.add(
                "reference",
                format!(
                    "is already in Kindred with other values ({}): an import adds people and \
                     never overwrites them; change them in Kindred, or make the row match",
                    differ.join(", ")
                ),
            );
            return Ok(Checked::Problems(check.problems));
        }
        let enrolment = &participant.enrolment;
        let mut errors = FieldErrors::new();
        let eligibility = check_eligibility(
            session,
            self.actor,
            enrolment.program_id,
            enrolment.coach_id,
            input.coach_override_reason.as_deref(),
            self.today,
            &mut errors,
        )
        .await?;
        if !errors.is_empty() {
            check.field_errors(&errors);
            return Ok(Checked::Problems(check.problems));
        }
        if let Some(n) = reference.strip_prefix("P-").and_then(|n| n.parse::<i64>().ok()) {
            self.highest_counter = self.highest_counter.max(n);
        }
        Ok(Checked::New(NewRow { reference, participant, eligibility }))
    }

    /// Enrols the row's participant as the enrolment form would: coach history, protocol
    /// tasks, follow-up windows and an audit entry.
    pub(super) async fn write(
        &mut self,
        tx: &mut Session<Write>,
        row: NewRow,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<()> {
        let id = ParticipantId::generate();
        tx.insert_participant(&self.enrolling, id, &row.reference, &row.participant, now).await?;
        let detail = format!("{} (CSV import)", row.reference);
        let audit =
            entry(self.actor, AuditAction::Create, "participant", Some(id.to_string()), detail);
        tx.append_audit(now, audit).await?;
        let facts = tx.participant_facts(id).await?.ok_or(crate::AppError::NotFound)?;
        let grant = self.policy.newly_enrolled(&self.enrolling, &facts);
        let coach = row.participant.enrolment.coach_id;
        record_assignment(tx, &grant, self.actor, coach, row.eligibility, now).await?;
        let stored = tx.participant(&grant).await?;
        protocol_tasks::follow_participant(tx, &grant, None, &stored.participant, now).await?;
        follow_up_sweep::sweep_one(tx, &self.policy.follow_on_work(&grant), today, now).await?;
        Ok(())
    }

    /// Keeps the enrolment counter past the imported `P-<n>` references.
    pub(super) async fn finish(&mut self, tx: &mut Session<Write>) -> Result<()> {
        if self.highest_counter > 0 {
            tx.raise_counter("participant", self.highest_counter).await?;
        }
        Ok(())
    }

    fn reference(&mut self, check: &mut RowCheck<'_>, number: u64) -> Option<String> {
        let Some(reference) = check.text("reference") else {
            check.add("reference", "is required: the program's own reference for this person");
            return None;
        };
        if reference.chars().count() > REFERENCE_MAX || reference.chars().any(char::is_control) {
            check.add("reference", format!("must be at most {REFERENCE_MAX} plain characters"));
            return None;
        }
        if let Some(first) = self.seen.get(&reference) {
            check.add("reference", format!("appears twice in this file (first on row {first})"));
            return None;
        }
        self.seen.insert(reference.clone(), number);
        Some(reference)
    }

    /// The row as the enrolment form's input: terms as codes, program and coach as ids.
    fn input(&self, check: &mut RowCheck<'_>) -> ParticipantInput {
        let program_id =
            check.get("program_id").and_then(|named| match self.directory.program(named) {
                Ok(program) if program.active => Some(program.id.to_string()),
                Ok(program) => {
                    check.add(
                        "program_id",
                        format!("{} is not enrolling participants", program.name),
                    );
                    None
                }
                Err(reason) => {
                    check.add("program_id", reason);
                    None
                }
            });
        let coach_id = check.get("coach_id").and_then(|named| {
            let assignable = self.directory.coach(named).and_then(|coach| {
                policy::assign_coach(self.actor, coach).map(|()| coach.id.to_string())
            });
            assignable.map_err(|reason| check.add("coach_id", reason)).ok()
        });
        ParticipantInput {
            given_name: check.text("given_name"),
            family_name: check.text("family_name"),
            preferred_name: check.text("preferred_name"),
            date_of_birth: check.text("date_of_birth"),
            phone: check.text("phone"),
            email: check.text("email"),
            program_id,
            enrolled_on: check.text("enrolled_on"),
            setting: check.term::<Setting>("setting"),
            referral_source: check.term::<ReferralSource>("referral_source"),
            treatment_phase: check.term::<TreatmentPhase>("treatment_phase"),
            coach_id,
            coach_override_reason: check.text("coach_override_reason"),
            status: check.term::<ParticipantStatus>("status"),
            left_on: None,
            gender: check.term::<Gender>("gender"),
            primary_substance: check.term::<PrimarySubstance>("primary_substance"),
            co_occurring_mental_disorder: check
                .term::<YesNoUnknown>("co_occurring_mental_disorder"),
            housing: check.term::<Housing>("housing"),
            justice_involvement: check.term::<JusticeInvolvement>("justice_involvement"),
            pregnant: check.term::<YesNoUnknown>("pregnant"),
            veteran: check.term::<YesNoUnknown>("veteran"),
        }
    }
}

/// The fields in which a stored participant differs from the row's.
fn differences(stored: &Participant, row: &NewParticipant) -> Vec<&'static str> {
    let (a, b) = (&stored.identity, &row.identity);
    let (e, f) = (&stored.enrolment, &row.enrolment);
    let (x, y) = (&stored.baseline, &row.baseline);
    [
        ("given_name", a.given_name == b.given_name),
        ("family_name", a.family_name == b.family_name),
        ("preferred_name", a.preferred_name == b.preferred_name),
        ("date_of_birth", a.date_of_birth == b.date_of_birth),
        ("phone", a.phone == b.phone),
        ("email", a.email == b.email),
        ("program_id", e.program_id == f.program_id),
        ("enrolled_on", e.enrolled_on == f.enrolled_on),
        ("setting", e.setting == f.setting),
        ("referral_source", e.referral_source == f.referral_source),
        ("treatment_phase", e.treatment_phase == f.treatment_phase),
        ("coach_id", e.coach_id == f.coach_id),
        ("status", e.status == f.status),
        ("gender", x.gender == y.gender),
        ("primary_substance", x.primary_substance == y.primary_substance),
        (
            "co_occurring_mental_disorder",
            x.co_occurring_mental_disorder == y.co_occurring_mental_disorder,
        ),
        ("housing", x.housing == y.housing),
        ("justice_involvement", x.justice_involvement == y.justice_involvement),
        ("pregnant", x.pregnant == y.pregnant),
        ("veteran", x.veteran == y.veteran),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(field, _)| field)
    .collect()
}
