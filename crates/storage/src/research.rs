//! The research record of many participants at once, for the evaluator's research view and
//! the study analyses: the de-identified participant rows, completed assessments, dated
//! outcome events, the dose of support (by support kind, program component and mode) and the
//! last day each was seen.
//!
//! Every query is set-based — one per kind of row over the whole set, never one per
//! participant. The dose and the last contact are read from per-participant rollups
//! (migration `0015_participant_dose`, kept exact by triggers on every contact write), so a
//! study of 10 000 participants reads one row per participant and key, not their million
//! contacts. Nothing here reads the identity table, a note or any other free text.

use std::collections::BTreeMap;

use kindred_domain::ids::ParticipantId;
use kindred_domain::vocabulary::{
    AppointmentKind, ContactMode, HospitalisationKind, OutcomeEventKind, SupportKind,
};
use time::Date;
use uuid::Uuid;

use crate::access::{Among, Research};
use crate::error::{decode_code, decode_optional_code};
use crate::participants::{RecordRow, select_record};
use crate::session::{Session, among_sql, on_conn};
use crate::{ResearchRecord, Result, StorageError, Timestamp};

/// A completed assessment as the research record holds it (no flags, no administrator).
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchAssessment {
    pub participant_id: ParticipantId,
    pub instrument_code: String,
    pub time_point_code: Option<String>,
    pub administered_on: Date,
    pub score: Option<f64>,
    pub subscores: BTreeMap<String, Option<f64>>,
    pub band: Option<String>,
    /// Item id → answer (small whole numbers).
    pub answers: BTreeMap<String, i64>,
}

/// A dated outcome event, without its free-text detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchEvent {
    pub participant_id: ParticipantId,
    pub kind: OutcomeEventKind,
    pub occurred_on: Date,
    pub hospitalisation_kind: Option<HospitalisationKind>,
    /// For an appointment's attended or missed event: the appointment's kind.
    pub appointment_kind: Option<AppointmentKind>,
}

/// Contacts and minutes of one participant (for one key: a support kind, component or mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchDose<K> {
    pub participant_id: ParticipantId,
    pub key: K,
    pub contacts: i64,
    pub minutes: i64,
}

/// Everything the research record holds about a set of participants.
#[derive(Debug, Clone, Default)]
pub struct ResearchLoad {
    /// Ordered by reference.
    pub participants: Vec<ResearchRecord>,
    pub assessments: Vec<ResearchAssessment>,
    pub events: Vec<ResearchEvent>,
    pub dose_totals: Vec<ResearchDose<()>>,
    /// A contact with two kinds counts toward both.
    pub dose_by_support_kind: Vec<ResearchDose<SupportKind>>,
    /// Contacts that named a component, by its name.
    pub dose_by_component: Vec<ResearchDose<String>>,
    pub dose_by_mode: Vec<ResearchDose<ContactMode>>,
    /// The last day each participant was seen: their last contact, or the last follow-up
    /// attempt that reached them.
    pub last_seen: BTreeMap<ParticipantId, Date>,
    /// The day of each participant's last contact (follow-up attempts not counted).
    pub last_contact: BTreeMap<ParticipantId, Date>,
}

#[derive(sqlx::FromRow)]
struct AssessmentRow {
    participant_id: Uuid,
    instrument_code: String,
    time_point_code: Option<String>,
    administered_on: Date,
    score: Option<f64>,
    subscores: Option<String>,
    band: Option<String>,
    answers: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    participant_id: Uuid,
    kind: String,
    occurred_on: Date,
    hospitalisation_kind: Option<String>,
    appointment_kind: Option<String>,
}

/// A row of a dose query: participant, key, contacts, minutes.
type DoseTuple<K> = (Uuid, K, i64, i64);

/// A row of the totals: participant, contacts, minutes, last contact.
type TotalsTuple = (Uuid, i64, i64, Option<Timestamp>);

/// Rows of `$table` `x` (with its `$columns`) of participants `p` in the set.
macro_rules! of_set {
    ($columns:literal, $from:literal, $filter:literal, $rest:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM ",
            $from,
            " JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
             WHERE x.org_id = $1 AND ",
            $filter,
            " ",
            $rest
        )
    };
}

impl<M> Session<M> {
    /// The research record of every participant `among` covers (one granted participant, or
    /// the policy's research scope).
    pub async fn research_load(&mut self, among: Among<'_, Research>) -> Result<ResearchLoad> {
        let key = among.bound_to(self.org_id)?;
        macro_rules! records {
            ($filter:literal) => {
                select_record!(concat!("AND ", $filter, " ORDER BY p.reference"))
            };
        }
        macro_rules! assessments {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, x.instrument_code, x.time_point_code, x.administered_on,
                     x.score, x.subscores, x.band, x.answers",
                    "assessments x",
                    $filter,
                    "AND x.status = 'completed' ORDER BY x.participant_id, x.administered_on, x.id"
                )
            };
        }
        macro_rules! events {
            ($filter:literal) => {
                concat!(
                    "SELECT x.participant_id, x.kind, x.occurred_on, x.hospitalisation_kind,
                            a.kind AS appointment_kind
                     FROM outcome_events x
                     JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     LEFT JOIN appointments a ON a.org_id = $1 AND a.id = x.appointment_id
                     WHERE x.org_id = $1 AND ",
                    $filter,
                    " ORDER BY x.participant_id, x.occurred_on, x.id"
                )
            };
        }
        // Rollup rows whose counts fell to zero (every contact edited away) are skipped.
        macro_rules! totals {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, x.contacts, x.minutes, x.last_contact_at",
                    "participant_dose_totals x",
                    $filter,
                    "AND x.contacts <> 0 ORDER BY x.participant_id"
                )
            };
        }
        macro_rules! by_kind {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, x.kind, x.contacts, x.minutes",
                    "participant_dose_support_kinds x",
                    $filter,
                    "AND x.contacts <> 0 ORDER BY x.participant_id, x.kind"
                )
            };
        }
        macro_rules! by_component {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, x.component, x.contacts, x.minutes",
                    "participant_dose_components x",
                    $filter,
                    "AND x.contacts <> 0 ORDER BY x.participant_id, x.component"
                )
            };
        }
        macro_rules! by_mode {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, x.mode, x.contacts, x.minutes",
                    "participant_dose_modes x",
                    $filter,
                    "AND x.contacts <> 0 ORDER BY x.participant_id, x.mode"
                )
            };
        }
        macro_rules! last_reached {
            ($filter:literal) => {
                of_set!(
                    "x.participant_id, MAX(x.attempted_at)",
                    "contact_attempts x",
                    $filter,
                    "AND x.outcome = 'reached' GROUP BY x.participant_id"
                )
            };
        }
        let sql = [
            among_sql!(among, records),
            among_sql!(among, assessments),
            among_sql!(among, events),
            among_sql!(among, totals),
            among_sql!(among, by_kind),
            among_sql!(among, by_component),
            among_sql!(among, by_mode),
            among_sql!(among, last_reached),
        ];
        #[allow(clippy::type_complexity, reason = "one tuple of the eight result sets")]
        let (records, assessments, events, totals, kinds, components, modes, reached): (
            Vec<RecordRow>,
            Vec<AssessmentRow>,
            Vec<EventRow>,
            Vec<TotalsTuple>,
            Vec<DoseTuple<String>>,
            Vec<DoseTuple<String>>,
            Vec<DoseTuple<String>>,
            Vec<(Uuid, Timestamp)>,
        ) = on_conn!(self.conn(), c => {
            (
                c.query_as(sql[0]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[1]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[2]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[3]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[4]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[5]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[6]).bind(key).fetch_all(&mut *c).await?,
                c.query_as(sql[7]).bind(key).fetch_all(&mut *c).await?,
            )
        });
        let mut last_seen: BTreeMap<ParticipantId, Date> = BTreeMap::new();
        let contacted = totals.iter().filter_map(|(id, _, _, at)| Some((*id, (*at)?)));
        let last_contact: BTreeMap<ParticipantId, Date> =
            contacted.clone().map(|(id, at)| (ParticipantId(id), at.0.date())).collect();
        for (id, at) in contacted.chain(reached) {
            let day = last_seen.entry(ParticipantId(id)).or_insert(at.0.date());
            *day = (*day).max(at.0.date());
        }
        Ok(ResearchLoad {
            participants: records
                .into_iter()
                .map(RecordRow::into_research_record)
                .collect::<Result<_>>()?,
            assessments: assessments
                .into_iter()
                .map(AssessmentRow::decode)
                .collect::<Result<_>>()?,
            events: events.into_iter().map(EventRow::decode).collect::<Result<_>>()?,
            dose_totals: totals.into_iter().map(|(id, n, m, _)| dose(id, (), n, m)).collect(),
            dose_by_support_kind: decode_doses(kinds)?,
            dose_by_component: components
                .into_iter()
                .map(|(id, k, n, m)| dose(id, k, n, m))
                .collect(),
            dose_by_mode: decode_doses(modes)?,
            last_seen,
            last_contact,
        })
    }
}

fn dose<K>(id: Uuid, key: K, contacts: i64, minutes: i64) -> ResearchDose<K> {
    ResearchDose { participant_id: ParticipantId(id), key, contacts, minutes }
}

fn decode_doses<K: kindred_domain::vocabulary::Vocabulary>(
    rows: Vec<DoseTuple<String>>,
) -> Result<Vec<ResearchDose<K>>> {
    rows.into_iter().map(|(id, key, n, m)| Ok(dose(id, decode_code(&key)?, n, m))).collect()
}

impl AssessmentRow {
    fn decode(self) -> Result<ResearchAssessment> {
        let corrupt = |e: serde_json::Error| StorageError::Corrupt(format!("assessment: {e}"));
        Ok(ResearchAssessment {
            participant_id: ParticipantId(self.participant_id),
            instrument_code: self.instrument_code,
            time_point_code: self.time_point_code,
            administered_on: self.administered_on,
            score: self.score,
            subscores: match &self.subscores {
                Some(text) => serde_json::from_str(text).map_err(corrupt)?,
                None => BTreeMap::new(),
            },
            band: self.band,
            answers: serde_json::from_str(&self.answers).map_err(corrupt)?,
        })
    }
}

impl EventRow {
    fn decode(self) -> Result<ResearchEvent> {
        Ok(ResearchEvent {
            participant_id: ParticipantId(self.participant_id),
            kind: decode_code(&self.kind)?,
            occurred_on: self.occurred_on,
            hospitalisation_kind: decode_optional_code(self.hospitalisation_kind.as_deref())?,
            appointment_kind: decode_optional_code(self.appointment_kind.as_deref())?,
        })
    }
}
