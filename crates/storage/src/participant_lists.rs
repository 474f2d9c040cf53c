//! Lists of participants: the caseload (identified, searched and ordered by the folded keys of
//! `search_keys.rs`), research records (by reference), and the enrolment's duplicate check.

use kindred_domain::ids::{ParticipantId, ProgramId, UserId};
use kindred_domain::participant::Identity;
use kindred_domain::vocabulary::{ParticipantStatus, Vocabulary};
use time::Date;
use uuid::Uuid;

use crate::Result;
use crate::access::{Enrol, Identified, Research, Scope};
use crate::participants::{IdentifiedRow, RecordRow, select_identified, select_record};
use crate::search_keys::{contains_pattern, sort_key};
use crate::session::{Session, on_conn, scoped_sql};

/// A page of a participant listing (within the scope it is run over).
#[derive(Debug, Clone)]
pub struct ParticipantQuery {
    pub status: Option<ParticipantStatus>,
    /// Matches name or reference anywhere in the text, folded as `kindred_domain::text::fold`
    /// folds (case, accents and compatibility forms do not matter).
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// The count stops here (a count that reaches it means "at least").
    pub count_up_to: i64,
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
    pub program_id: Option<ProgramId>,
    pub program_name: Option<String>,
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

/// The status and search binds of a listing (`$3`, `$4`).
fn listing_binds(query: &ParticipantQuery) -> (Option<&'static str>, Option<String>) {
    let search = query.search.as_deref().and_then(contains_pattern);
    (query.status.map(|s| s.code()), search)
}

impl<M> Session<M> {
    /// A page of identified participants in scope, by folded family then given name, and how
    /// many match (up to `count_up_to`).
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
                    listing_filter!("i.search_key"),
                    " ORDER BY i.sort_key, p.id LIMIT $5 OFFSET $6"
                ))
            };
        }
        macro_rules! count {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM participants p
                     JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = p.id
                     WHERE p.org_id = $1 AND ", $scope,
                    listing_filter!("i.search_key"),
                    " LIMIT $5) capped"
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
                .bind(status).bind(search.as_deref()).bind(query.count_up_to)
                .fetch_one(&mut *c)
                .await?;
            (rows, total)
        });
        let summaries = rows.into_iter().map(IdentifiedRow::into_summary).collect::<Result<_>>()?;
        Ok((summaries, total))
    }

    /// A page of research records in scope, by reference, and how many match (up to
    /// `count_up_to`; search matches the reference only; references are ASCII that storage
    /// makes, so `lower()` folds them as `fold` would).
    pub async fn research_records(
        &mut self,
        scope: &Scope<Research>,
        query: &ParticipantQuery,
    ) -> Result<(Vec<crate::ResearchRecord>, i64)> {
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
                    "SELECT COUNT(*) FROM (SELECT 1 FROM participants p WHERE p.org_id = $1 AND ",
                    $scope,
                    listing_filter!("lower(p.reference)"),
                    " LIMIT $5) capped"
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
                .bind(status).bind(search.as_deref()).bind(query.count_up_to)
                .fetch_one(&mut *c)
                .await?;
            (rows, total)
        });
        let records =
            rows.into_iter().map(RecordRow::into_research_record).collect::<Result<_>>()?;
        Ok((records, total))
    }

    /// An enrolled participant with the same date of birth and the same folded family and
    /// given name ("Élodie Dupont" and "ELODIE DUPONT" are likely one person), if any: the
    /// enrolment's duplicate check, which must see the whole organisation.
    pub async fn possible_duplicate(
        &mut self,
        scope: &Scope<Enrol>,
        identity: &Identity,
    ) -> Result<Option<(ParticipantId, String)>> {
        let name = sort_key(&identity.family_name, &identity.given_name);
        let row: Option<(Uuid, String)> = on_conn!(self.conn(), c => {
            c.scoped_query_as(
                "SELECT p.id, p.reference FROM participant_identities i
                 JOIN participants p ON p.org_id = $1 AND p.id = i.participant_id
                 WHERE i.org_id = $1 AND $2 IS NULL AND i.date_of_birth = $3
                   AND i.sort_key = $4
                 ORDER BY p.reference LIMIT 1",
                scope,
            )?
            .bind(identity.date_of_birth)
            .bind(&name)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|(id, reference)| (ParticipantId(id), reference)))
    }
}
