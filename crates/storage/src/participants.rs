//! Participants: the research record (`participants`) and, apart from it, the identity
//! (`participant_identities`). Identified queries join the two; research queries never touch
//! the identity table.

use kindred_domain::ids::{ParticipantId, ProgramId, UserId};
use kindred_domain::participant::{Baseline, Enrolment, Identity, NewParticipant, Participant};
use kindred_domain::user::EmailAddress;
use kindred_domain::vocabulary::{ParticipantStatus, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{
    Access, Edit, Enrol, Grant, Identified, Identifies, ParticipantFacts, Research, Scope,
};
use crate::error::{decode_code, decode_optional_code};
use crate::session::{Session, Write, on_conn, scoped_sql};
use crate::{Result, StorageError, Timestamp};

/// A page of a participant listing (within the scope it is run over).
#[derive(Debug, Clone)]
pub struct ParticipantQuery {
    pub status: Option<ParticipantStatus>,
    /// Matches name or reference, case-insensitively, anywhere in the text.
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One line of a caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantSummary {
    pub id: ParticipantId,
    pub reference: String,
    pub display_name: String,
    pub status: ParticipantStatus,
    pub enrolled_on: Date,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub program_name: Option<String>,
}

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
struct RecordRow {
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
}

#[derive(sqlx::FromRow)]
struct IdentifiedRow {
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
         p.justice_involvement, p.pregnant, p.veteran, p.version"
    };
}

/// Research records: participants `p` with their program, then the rest of the query (which
/// continues the `WHERE`, starting with `AND`).
macro_rules! select_record {
    ($rest:expr) => {
        concat!(
            "SELECT ",
            record_columns!(),
            " FROM participants p
             LEFT JOIN programs g ON g.org_id = $1 AND g.id = p.program_id
             WHERE p.org_id = $1 ",
            $rest
        )
    };
}

/// Identified records: the research record plus identity and coach.
macro_rules! select_identified {
    ($rest:expr) => {
        concat!(
            "SELECT ",
            record_columns!(),
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

/// The listing filters after the scope: `$3` status, `$4` LIKE pattern on `$search`.
macro_rules! listing_filter {
    ($search_expression:expr) => {
        concat!(
            " AND ($3 IS NULL OR p.status = $3) AND ($4 IS NULL OR ",
            $search_expression,
            " LIKE $4 ESCAPE '\\')"
        )
    };
}

/// What identified listings search: names, preferred name and reference.
macro_rules! identified_search {
    () => {
        "lower(i.family_name || ' ' || i.given_name || ' ' || COALESCE(i.preferred_name, '') || ' ' || p.reference)"
    };
}

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

/// Binds an identity as `$3` … `$8` (after org and participant id, in insert and update).
macro_rules! bind_identity {
    ($query:expr, $i:expr) => {
        $query
            .bind(&$i.given_name)
            .bind(&$i.family_name)
            .bind($i.preferred_name.as_deref())
            .bind($i.date_of_birth)
            .bind($i.phone.as_deref())
            .bind($i.email.as_ref().map(EmailAddress::as_str))
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

    fn into_research_record(self) -> Result<ResearchRecord> {
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

    fn into_summary(self) -> Result<ParticipantSummary> {
        let display_name = self.identity()?.display_name();
        Ok(ParticipantSummary {
            id: ParticipantId(self.record.id),
            status: decode_code(&self.record.status)?,
            enrolled_on: self.record.enrolled_on,
            coach_id: self.record.coach_id.map(UserId),
            reference: self.record.reference,
            display_name,
            coach_name: self.coach_name,
            program_name: self.record.program_name,
        })
    }
}

/// A LIKE pattern matching `text` anywhere, with the user's `%`, `_` and `\` taken literally
/// (unescaped, a search for `%` would scan and match everything).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The status and search binds of a listing (`$3`, `$4`).
fn listing_binds(query: &ParticipantQuery) -> (Option<&'static str>, Option<String>) {
    let search = query.search.as_deref().filter(|s| !s.trim().is_empty()).map(contains_pattern);
    (query.status.map(|s| s.code()), search)
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

impl<M> Session<M> {
    /// What the policy decides on about a participant (no identity, no health data), or
    /// `None` if there is no such participant in this organisation.
    pub async fn participant_facts(
        &mut self,
        id: ParticipantId,
    ) -> Result<Option<ParticipantFacts>> {
        let org_id = self.org_id;
        let row: Option<FactsRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT p.id, p.reference, p.coach_id, u.supervisor_id AS coach_supervisor_id,
                        p.program_id, p.status
                 FROM participants p LEFT JOIN users u ON u.org_id = $1 AND u.id = p.coach_id
                 WHERE p.org_id = $1 AND p.id = $2",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
        });
        row.map(|r| {
            Ok(ParticipantFacts {
                org_id,
                id: ParticipantId(r.id),
                status: decode_code(&r.status)?,
                reference: r.reference,
                coach_id: r.coach_id.map(UserId),
                coach_supervisor_id: r.coach_supervisor_id.map(UserId),
                program_id: r.program_id.map(ProgramId),
            })
        })
        .transpose()
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

    /// A page of identified participants in scope, by family name, and the total matching.
    pub async fn participants(
        &mut self,
        scope: &Scope<Identified>,
        query: &ParticipantQuery,
    ) -> Result<(Vec<ParticipantSummary>, i64)> {
        let (status, search) = listing_binds(query);
        macro_rules! page {
            ($scope:literal) => {
                select_identified!(concat!(
                    "AND ",
                    $scope,
                    listing_filter!(identified_search!()),
                    " ORDER BY i.family_name, i.given_name, p.id LIMIT $5 OFFSET $6"
                ))
            };
        }
        macro_rules! count {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(*) FROM participants p
                     JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = p.id
                     WHERE p.org_id = $1 AND ", $scope,
                    listing_filter!(identified_search!())
                )
            };
        }
        let (rows, total): (Vec<IdentifiedRow>, i64) = on_conn!(self.conn(), c => {
            let rows = c.scoped_query_as(scoped_sql!(scope, page), scope)?
                .bind(status).bind(search.as_deref())
                .bind(query.limit).bind(query.offset)
                .fetch_all(&mut *c)
                .await?;
            let total: i64 = c.scoped_query_scalar(scoped_sql!(scope, count), scope)?
                .bind(status).bind(search.as_deref())
                .fetch_one(&mut *c)
                .await?;
            (rows, total)
        });
        let summaries = rows.into_iter().map(IdentifiedRow::into_summary).collect::<Result<_>>()?;
        Ok((summaries, total))
    }

    /// A page of research records in scope, by reference, and the total matching (search
    /// matches the reference only).
    pub async fn research_records(
        &mut self,
        scope: &Scope<Research>,
        query: &ParticipantQuery,
    ) -> Result<(Vec<ResearchRecord>, i64)> {
        let (status, search) = listing_binds(query);
        macro_rules! page {
            ($scope:literal) => {
                select_record!(concat!(
                    "AND ",
                    $scope,
                    listing_filter!("lower(p.reference)"),
                    " ORDER BY p.reference LIMIT $5 OFFSET $6"
                ))
            };
        }
        macro_rules! count {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(*) FROM participants p WHERE p.org_id = $1 AND ",
                    $scope,
                    listing_filter!("lower(p.reference)")
                )
            };
        }
        let (rows, total): (Vec<RecordRow>, i64) = on_conn!(self.conn(), c => {
            let rows = c.scoped_query_as(scoped_sql!(scope, page), scope)?
                .bind(status).bind(search.as_deref())
                .bind(query.limit).bind(query.offset)
                .fetch_all(&mut *c)
                .await?;
            let total: i64 = c.scoped_query_scalar(scoped_sql!(scope, count), scope)?
                .bind(status).bind(search.as_deref())
                .fetch_one(&mut *c)
                .await?;
            (rows, total)
        });
        let records =
            rows.into_iter().map(RecordRow::into_research_record).collect::<Result<_>>()?;
        Ok((records, total))
    }

    /// An enrolled participant with the same name and date of birth, if any (for the
    /// enrolment's duplicate check, which must see the whole organisation).
    pub async fn possible_duplicate(
        &mut self,
        scope: &Scope<Enrol>,
        identity: &Identity,
    ) -> Result<Option<(ParticipantId, String)>> {
        let row: Option<(Uuid, String)> = on_conn!(self.conn(), c => {
            c.scoped_query_as(
                "SELECT p.id, p.reference FROM participant_identities i
                 JOIN participants p ON p.org_id = $1 AND p.id = i.participant_id
                 WHERE i.org_id = $1 AND $2 IS NULL AND i.date_of_birth = $3
                   AND lower(i.family_name) = lower($4) AND lower(i.given_name) = lower($5)
                 LIMIT 1",
                scope,
            )?
            .bind(identity.date_of_birth)
            .bind(&identity.family_name)
            .bind(&identity.given_name)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|(id, reference)| (ParticipantId(id), reference)))
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
                    preferred_name, date_of_birth, phone, email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.0);
            bind_identity!(insert, i).execute(&mut *c).await?;
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
        let updated = on_conn!(self.conn(), c => {
            let update = c.granted_query(
                "UPDATE participants SET program_id = $4, enrolled_on = $5, setting = $6,
                    referral_source = $7, treatment_phase = $8, coach_id = $9, status = $10,
                    age_band = $11, gender = $12, primary_substance = $13,
                    co_occurring_mental_disorder = $14, housing = $15, justice_involvement = $16,
                    pregnant = $17, veteran = $18, version = version + 1, updated_at = $19
                 WHERE org_id = $1 AND id = $2 AND version = $3",
                grant,
            )?
            .bind(p.version);
            let updated =
                bind_record!(update, e, b).bind(Timestamp(now)).execute(&mut *c).await?.rows_affected();
            if updated == 1 {
                let update = c.granted_query(
                    "UPDATE participant_identities SET given_name = $3, family_name = $4,
                        preferred_name = $5, date_of_birth = $6, phone = $7, email = $8
                     WHERE org_id = $1 AND participant_id = $2",
                    grant,
                )?;
                bind_identity!(update, i).execute(&mut *c).await?;
            }
            updated
        });
        if updated == 1 {
            Ok(participant.version + 1)
        } else {
            Err(StorageError::Conflict("the participant was changed by someone else".into()))
        }
    }
}
