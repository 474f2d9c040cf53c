//! Participants: the research record (`participants`) and, apart from it, the identity
//! (`participant_identities`). Identified queries join the two; research queries never touch
//! the identity table. Listings are in `participant_lists.rs`; every identity written here
//! carries its search and sort keys (`search_keys.rs`).

use kindred_domain::ids::{OrgId, ParticipantId, ProgramId, StudyId, UserId};
use kindred_domain::participant::{Baseline, Enrolment, Identity, NewParticipant, Participant};
use kindred_domain::user::EmailAddress;
use kindred_domain::vocabulary::Vocabulary;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Access, Edit, Enrol, Grant, Identifies, ParticipantFacts, Scope};
use crate::error::{decode_code, decode_optional_code};
use crate::participant_lists::ParticipantSummary;
use crate::search_keys::IdentityKeys;
use crate::session::{Session, Write, on_conn};
use crate::{Conflict, Result, StorageError, Timestamp};

/// A participant with what the policy and the participant page need about their coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredParticipant {
    pub participant: Participant,
    pub coach_name: Option<String>,
    pub coach_supervisor_id: Option<UserId>,
    pub program_name: Option<String>,
}

/// The de-identified research record: no names, date of birth or contact details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchRecord {
    pub id: ParticipantId,
    pub reference: String,
    pub enrolment: Enrolment,
    pub baseline: Baseline,
    pub program_name: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RecordRow {
    id: Uuid,
    reference: String,
    program_id: Option<Uuid>,
    program_name: Option<String>,
    enrolled_on: Date,
    setting: Option<String>,
    referral_source: Option<String>,
    treatment_phase: Option<String>,
    coach_id: Option<Uuid>,
    status: String,
    age_band: String,
    gender: Option<String>,
    primary_substance: Option<String>,
    co_occurring_mental_disorder: String,
    housing: Option<String>,
    justice_involvement: Option<String>,
    pregnant: String,
    veteran: String,
    version: i64,
    left_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdentifiedRow {
    #[sqlx(flatten)]
    record: RecordRow,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    date_of_birth: Date,
    phone: Option<String>,
    email: Option<String>,
    coach_name: Option<String>,
    coach_supervisor_id: Option<Uuid>,
}

/// The research-record columns (of participants `p` and programs `g`).
macro_rules! record_columns {
    () => {
        "p.id, p.reference, p.program_id, g.name AS program_name, p.enrolled_on, p.setting,
         p.referral_source, p.treatment_phase, p.coach_id, p.status, p.age_band, p.gender,
         p.primary_substance, p.co_occurring_mental_disorder, p.housing,
         p.justice_involvement, p.pregnant, p.veteran, p.version, p.left_on"
    };
}

pub(crate) use record_columns;

/// Research records: participants `p` with their program, then the rest of the query (which
/// continues the `WHERE`, starting with `AND`).
macro_rules! select_record {
    ($rest:expr) => {
        concat!(
            "SELECT ",
            $crate::participants::record_columns!(),
            " FROM participants p
             LEFT JOIN programs g ON g.org_id = $1 AND g.id = p.program_id
             WHERE p.org_id = $1 ",
            $rest
        )
    };
}

pub(crate) use select_record;

/// Identified records: the research record plus identity and coach.
macro_rules! select_identified {
    ($rest:expr) => {
        concat!(
            "SELECT ",
            $crate::participants::record_columns!(),
            ", i.given_name, i.family_name, i.preferred_name, i.date_of_birth, i.phone, i.email,
               c.display_name AS coach_name, c.supervisor_id AS coach_supervisor_id
             FROM participants p
             LEFT JOIN programs g ON g.org_id = $1 AND g.id = p.program_id
             JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = p.id
             LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id
             WHERE p.org_id = $1 ",
            $rest
        )
    };
}

pub(crate) use select_identified;

/// Binds an enrolment and baseline as `$4` … `$18` (the order both the insert and the
/// update list them in).
macro_rules! bind_record {
    ($query:expr, $e:expr, $b:expr) => {
        $query
            .bind($e.program_id.map(|v| v.0))
            .bind($e.enrolled_on)
            .bind($e.setting.map(|v| v.code()))
            .bind($e.referral_source.map(|v| v.code()))
            .bind($e.treatment_phase.map(|v| v.code()))
            .bind($e.coach_id.map(|v| v.0))
            .bind($e.status.code())
            .bind($b.age_band.code())
            .bind($b.gender.map(|v| v.code()))
            .bind($b.primary_substance.map(|v| v.code()))
            .bind($b.co_occurring_mental_disorder.code())
            .bind($b.housing.map(|v| v.code()))
            .bind($b.justice_involvement.map(|v| v.code()))
            .bind($b.pregnant.code())
            .bind($b.veteran.code())
    };
}

/// Binds an identity as `$3` … `$8` and its search and sort keys as `$9`, `$10` (after org
/// and participant id, in insert and update): the keys are written with the names they fold,
/// in the same statement, so they cannot drift apart.
macro_rules! bind_identity {
    ($query:expr, $i:expr, $keys:expr) => {
        $query
            .bind(&$i.given_name)
            .bind(&$i.family_name)
            .bind($i.preferred_name.as_deref())
            .bind($i.date_of_birth)
            .bind($i.phone.as_deref())
            .bind($i.email.as_ref().map(EmailAddress::as_str))
            .bind($keys.search)
            .bind($keys.sort)
    };
}

impl RecordRow {
    fn enrolment(&self) -> Result<Enrolment> {
        Ok(Enrolment {
            program_id: self.program_id.map(ProgramId),
            enrolled_on: self.enrolled_on,
            setting: decode_optional_code(self.setting.as_deref())?,
            referral_source: decode_optional_code(self.referral_source.as_deref())?,
            treatment_phase: decode_optional_code(self.treatment_phase.as_deref())?,
            coach_id: self.coach_id.map(UserId),
            status: decode_code(&self.status)?,
            left_on: self.left_on,
        })
    }

    fn baseline(&self) -> Result<Baseline> {
        Ok(Baseline {
            age_band: decode_code(&self.age_band)?,
            gender: decode_optional_code(self.gender.as_deref())?,
            primary_substance: decode_optional_code(self.primary_substance.as_deref())?,
            co_occurring_mental_disorder: decode_code(&self.co_occurring_mental_disorder)?,
            housing: decode_optional_code(self.housing.as_deref())?,
            justice_involvement: decode_optional_code(self.justice_involvement.as_deref())?,
            pregnant: decode_code(&self.pregnant)?,
            veteran: decode_code(&self.veteran)?,
        })
    }

    pub(crate) fn into_research_record(self) -> Result<ResearchRecord> {
        Ok(ResearchRecord {
            id: ParticipantId(self.id),
            enrolment: self.enrolment()?,
            baseline: self.baseline()?,
            reference: self.reference,
            program_name: self.program_name,
        })
    }
}

impl IdentifiedRow {
    fn identity(&self) -> Result<Identity> {
        Ok(Identity {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            preferred_name: self.preferred_name.clone(),
            date_of_birth: self.date_of_birth,
            phone: self.phone.clone(),
            email: self
                .email
                .as_deref()
                .map(EmailAddress::parse)
                .transpose()
                .map_err(StorageError::Corrupt)?,
        })
    }

    fn into_stored(self) -> Result<StoredParticipant> {
        let participant = Participant {
            id: ParticipantId(self.record.id),
            reference: self.record.reference.clone(),
            identity: self.identity()?,
            enrolment: self.record.enrolment()?,
            baseline: self.record.baseline()?,
            version: self.record.version,
        };
        Ok(StoredParticipant {
            participant,
            coach_name: self.coach_name,
            coach_supervisor_id: self.coach_supervisor_id.map(UserId),
            program_name: self.record.program_name,
        })
    }

    pub(crate) fn into_summary(self) -> Result<ParticipantSummary> {
        let display_name = self.identity()?.display_name();
        Ok(ParticipantSummary {
            id: ParticipantId(self.record.id),
            status: decode_code(&self.record.status)?,
            enrolled_on: self.record.enrolled_on,
            coach_id: self.record.coach_id.map(UserId),
            reference: self.record.reference,
            display_name,
            coach_name: self.coach_name,
            program_id: self.record.program_id.map(ProgramId),
            program_name: self.record.program_name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    id: Uuid,
    reference: String,
    coach_id: Option<Uuid>,
    coach_supervisor_id: Option<Uuid>,
    program_id: Option<Uuid>,
    status: String,
}

impl FactsRow {
    fn into_facts(self, org_id: OrgId) -> Result<ParticipantFacts> {
        Ok(ParticipantFacts {
            org_id,
            id: ParticipantId(self.id),
            status: decode_code(&self.status)?,
            reference: self.reference,
            coach_id: self.coach_id.map(UserId),
            coach_supervisor_id: self.coach_supervisor_id.map(UserId),
            program_id: self.program_id.map(ProgramId),
        })
    }
}

/// The facts' query, for the participants `$filter` picks.
macro_rules! select_facts {
    ($filter:literal) => {
        concat!(
            "SELECT p.id, p.reference, p.coach_id, u.supervisor_id AS coach_supervisor_id,
                    p.program_id, p.status
             FROM participants p LEFT JOIN users u ON u.org_id = $1 AND u.id = p.coach_id
             WHERE p.org_id = $1 ",
            $filter
        )
    };
}

impl<M> Session<M> {
    /// What the policy decides on about a participant (no identity, no health data), or
    /// `None` if there is no such participant in this organisation.
    pub async fn participant_facts(
        &mut self,
        id: ParticipantId,
    ) -> Result<Option<ParticipantFacts>> {
        let row: Option<FactsRow> = on_conn!(self.conn(), c => {
            c.query_as(select_facts!("AND p.id = $2"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(|r| r.into_facts(self.org_id)).transpose()
    }

    /// The facts of the participant with this reference (the program's own, unique in the
    /// organisation): how a spreadsheet import finds who a row is about.
    pub async fn participant_facts_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<ParticipantFacts>> {
        let row: Option<FactsRow> = on_conn!(self.conn(), c => {
            c.query_as(select_facts!("AND p.reference = $2"))
                .bind(reference)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(|r| r.into_facts(self.org_id)).transpose()
    }

    /// The facts of every participant allocated in a study, by reference (who is in it, never
    /// their arm): for the policy to decide on each.
    pub async fn participant_facts_in_study(
        &mut self,
        study: StudyId,
    ) -> Result<Vec<ParticipantFacts>> {
        let rows: Vec<FactsRow> = on_conn!(self.conn(), c => {
            c.query_as(select_facts!(
                "AND p.id IN (SELECT a.participant_id FROM study_allocations a
                              WHERE a.org_id = $1 AND a.study_id = $2)
                 ORDER BY p.reference"
            ))
            .bind(study.0)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(|r| r.into_facts(self.org_id)).collect()
    }

    /// The facts of every participant enrolled in a program, by reference: for the policy to
    /// decide on each before a program-wide export reads their records.
    pub async fn participant_facts_in_program(
        &mut self,
        program: ProgramId,
    ) -> Result<Vec<ParticipantFacts>> {
        let rows: Vec<FactsRow> = on_conn!(self.conn(), c => {
            c.query_as(select_facts!("AND p.program_id = $2 ORDER BY p.reference"))
                .bind(program.0)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter().map(|r| r.into_facts(self.org_id)).collect()
    }

    /// The identified participant, with their coach.
    pub async fn participant<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<StoredParticipant> {
        let row: IdentifiedRow = on_conn!(self.conn(), c => {
            c.granted_query_as(select_identified!("AND p.id = $2"), grant)?
                .fetch_one(&mut *c)
                .await?
        });
        row.into_stored()
    }

    /// The research record alone.
    pub async fn research_record<A: Access>(&mut self, grant: &Grant<A>) -> Result<ResearchRecord> {
        let row: RecordRow = on_conn!(self.conn(), c => {
            c.granted_query_as(select_record!("AND p.id = $2"), grant)?
                .fetch_one(&mut *c)
                .await?
        });
        row.into_research_record()
    }
}

impl Session<Write> {
    /// The next value of a per-organisation counter (1, 2, 3…).
    pub async fn next_counter(&mut self, name: &str) -> Result<i64> {
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar(
                "INSERT INTO org_counters (org_id, name, last_value) VALUES ($1, $2, 1)
                 ON CONFLICT (org_id, name) DO UPDATE SET last_value = org_counters.last_value + 1
                 RETURNING last_value",
            )
            .bind(name)
            .fetch_one(&mut *c)
            .await?
        }))
    }

    pub async fn insert_participant(
        &mut self,
        scope: &Scope<Enrol>,
        id: ParticipantId,
        reference: &str,
        new: &NewParticipant,
        now: OffsetDateTime,
    ) -> Result<()> {
        scope.bound_to(self.org_id)?;
        let (e, b, i) = (&new.enrolment, &new.baseline, &new.identity);
        let keys = IdentityKeys::of(reference, i);
        on_conn!(self.conn(), c => {
            let insert = c.query(
                "INSERT INTO participants (org_id, id, reference, program_id, enrolled_on, setting,
                    referral_source, treatment_phase, coach_id, status, age_band, gender,
                    primary_substance, co_occurring_mental_disorder, housing, justice_involvement,
                    pregnant, veteran, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18, 1, $19, $19)",
            )
            .bind(id.0)
            .bind(reference);
            bind_record!(insert, e, b).bind(Timestamp(now)).execute(&mut *c).await?;
            let insert = c.query(
                "INSERT INTO participant_identities (org_id, participant_id, given_name, family_name,
                    preferred_name, date_of_birth, phone, email, search_key, sort_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id.0);
            bind_identity!(insert, i, keys).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Saves `participant` (the granted one) if it is still at `participant.version`; bumps
    /// the version. A version that moved on means someone else saved first: a conflict,
    /// nothing written.
    pub async fn update_participant(
        &mut self,
        grant: &Grant<Edit>,
        participant: &Participant,
        now: OffsetDateTime,
    ) -> Result<i64> {
        let (p, e, b, i) =
            (participant, &participant.enrolment, &participant.baseline, &participant.identity);
        let keys = IdentityKeys::of(&p.reference, i);
        let updated = on_conn!(self.conn(), c => {
            let update = c.granted_query(
                "UPDATE participants SET program_id = $4, enrolled_on = $5, setting = $6,
                    referral_source = $7, treatment_phase = $8, coach_id = $9, status = $10,
                    age_band = $11, gender = $12, primary_substance = $13,
                    co_occurring_mental_disorder = $14, housing = $15, justice_involvement = $16,
                    pregnant = $17, veteran = $18, version = version + 1, updated_at = $19,
                    left_on = $20
                 WHERE org_id = $1 AND id = $2 AND version = $3",
                grant,
            )?
            .bind(p.version);
            let updated =
                bind_record!(update, e, b)
                    .bind(Timestamp(now))
                    .bind(e.left_on)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
            if updated == 1 {
                let update = c.granted_query(
                    "UPDATE participant_identities SET given_name = $3, family_name = $4,
                        preferred_name = $5, date_of_birth = $6, phone = $7, email = $8,
                        search_key = $9, sort_key = $10
                     WHERE org_id = $1 AND participant_id = $2",
                    grant,
                )?;
                bind_identity!(update, i, keys).execute(&mut *c).await?;
            }
            updated
        });
        if updated == 1 {
            Ok(participant.version + 1)
        } else {
            Err(StorageError::Conflict(Conflict::Changed))
        }
    }
}
