//! What a study's data export reads beyond the research load: every contact of the research
//! scope, streamed (a million of them must not be held at once), the consents an identified
//! export relies on, and — only under an identified scope — the names and dates of birth it
//! adds.
//!
//! The contacts are read without their note or any other free text.

use futures_util::stream::{BoxStream, StreamExt};
use kindred_domain::consent::Consent;
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::vocabulary::{Activity, ContactFormat, ContactMode, Setting, SupportKind};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Among, Identified, Research, Scope};
use crate::consents::ConsentRow;
use crate::error::{decode_code, decode_optional_code};
use crate::session::{Conn, Session, among_sql, on_conn};
use crate::{Result, Timestamp};

/// One contact as an analysis reads it: when, how long, how and what was done; never its note.
#[derive(Debug, Clone, PartialEq)]
pub struct ResearchContact {
    pub participant_id: ParticipantId,
    pub coach_id: UserId,
    pub occurred_at: OffsetDateTime,
    pub minutes: i32,
    pub mode: ContactMode,
    pub format: ContactFormat,
    pub setting: Option<Setting>,
    /// The program component it delivered, when it named one.
    pub component: Option<String>,
    /// Part of a group session.
    pub in_group: bool,
    /// In vocabulary order.
    pub support_kinds: Vec<SupportKind>,
    /// In vocabulary order.
    pub activities: Vec<Activity>,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    participant_id: Uuid,
    coach_id: Uuid,
    occurred_at: Timestamp,
    minutes: i32,
    mode: String,
    format: String,
    setting: Option<String>,
    component: Option<String>,
    in_group: i32,
    support_kinds: Option<String>,
    activities: Option<String>,
}

impl ContactRow {
    fn decode(self) -> Result<ResearchContact> {
        Ok(ResearchContact {
            participant_id: ParticipantId(self.participant_id),
            coach_id: UserId(self.coach_id),
            occurred_at: self.occurred_at.0,
            minutes: self.minutes,
            mode: decode_code(&self.mode)?,
            format: decode_code(&self.format)?,
            setting: decode_optional_code(self.setting.as_deref())?,
            component: self.component,
            in_group: self.in_group != 0,
            support_kinds: codes(self.support_kinds.as_deref())?,
            activities: codes(self.activities.as_deref())?,
        })
    }
}

/// `a;b;c` (a `string_agg`) as vocabulary terms, in vocabulary order.
fn codes<V: kindred_domain::vocabulary::Vocabulary + Ord>(joined: Option<&str>) -> Result<Vec<V>> {
    let mut terms = joined
        .unwrap_or_default()
        .split(';')
        .filter(|code| !code.is_empty())
        .map(decode_code)
        .collect::<Result<Vec<V>>>()?;
    terms.sort();
    Ok(terms)
}

/// One participant's name and date of birth, for an identified export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportIdentity {
    pub participant_id: ParticipantId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
}

#[derive(sqlx::FromRow)]
struct IdentityRow {
    participant_id: Uuid,
    given_name: String,
    family_name: String,
    date_of_birth: Date,
}

impl<M> Session<M> {
    /// Every contact of the participants `among` covers, as a stream (the rows are decoded as
    /// they are read), in the order stored: sorting a million rows by participant would cost
    /// more than reading them. `CROSS JOIN` makes SQLite read the contacts in table order and
    /// look each participant up (1.5× faster at 1 M contacts than walking the participants
    /// and each one's contacts); PostgreSQL's planner is free to choose either way.
    pub fn research_contacts(
        &mut self,
        among: Among<'_, Research>,
    ) -> Result<BoxStream<'_, Result<ResearchContact>>> {
        let key = among.bound_to(self.org_id)?;
        // `string_agg` is in PostgreSQL and in SQLite since 3.44 (the bundled one is newer).
        macro_rules! contacts {
            ($filter:literal) => {
                concat!(
                    "SELECT x.participant_id, x.coach_id, x.occurred_at, x.minutes, x.mode,
                            x.format, x.setting, x.component,
                            CASE WHEN x.group_session_id IS NULL THEN 0 ELSE 1 END AS in_group,
                            (SELECT string_agg(k.kind, ';') FROM contact_support_kinds k
                             WHERE k.org_id = $1 AND k.contact_id = x.id) AS support_kinds,
                            (SELECT string_agg(a.activity, ';') FROM contact_activities a
                             WHERE a.org_id = $1 AND a.contact_id = x.id) AS activities
                     FROM contacts x CROSS JOIN participants p
                     WHERE x.org_id = $1 AND p.org_id = $1 AND p.id = x.participant_id AND ",
                    $filter
                )
            };
        }
        let sql = among_sql!(among, contacts);
        Ok(match self.conn() {
            Conn::Sqlite(c) => {
                let query = c.query_as::<ContactRow>(sql).bind(key);
                query.fetch(c.into_connection()).map(decoded).boxed()
            }
            Conn::Postgres(c) => {
                let query = c.query_as::<ContactRow>(sql).bind(key);
                query.fetch(c.into_connection()).map(decoded).boxed()
            }
        })
    }

    /// The consents of every participant of the research scope, without their notes: what an
    /// identified export checks before anything identified leaves.
    pub async fn research_consents(&mut self, scope: &Scope<Research>) -> Result<Vec<Consent>> {
        let key = scope.bound_to(self.org_id)?;
        macro_rules! consents {
            ($filter:literal) => {
                concat!(
                    "SELECT x.id, x.participant_id, x.disclose, x.recipient, x.purpose,
                            x.signed_on, x.expires_on, CAST(NULL AS TEXT) AS notes, x.recorded_by,
                            x.recorded_at, x.revoked_at, x.revoked_by,
                            CAST(NULL AS TEXT) AS revocation_reason
                     FROM consents x
                     JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ",
                    $filter,
                    " ORDER BY x.participant_id, x.recorded_at, x.id"
                )
            };
        }
        let sql = among_sql!(Among::All(scope), consents);
        let rows: Vec<ConsentRow> = on_conn!(self.conn(), c => {
            c.query_as(sql).bind(key).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Consent::try_from).collect()
    }

    /// The names and dates of birth of every participant of an identified scope.
    pub async fn export_identities(
        &mut self,
        scope: &Scope<Identified>,
    ) -> Result<Vec<ExportIdentity>> {
        let key = scope.bound_to(self.org_id)?;
        macro_rules! identities {
            ($filter:literal) => {
                concat!(
                    "SELECT x.participant_id, x.given_name, x.family_name, x.date_of_birth
                     FROM participant_identities x
                     JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ",
                    $filter
                )
            };
        }
        let sql = among_sql!(Among::All(scope), identities);
        let rows: Vec<IdentityRow> = on_conn!(self.conn(), c => {
            c.query_as(sql).bind(key).fetch_all(&mut *c).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ExportIdentity {
                participant_id: ParticipantId(r.participant_id),
                given_name: r.given_name,
                family_name: r.family_name,
                date_of_birth: r.date_of_birth,
            })
            .collect())
    }
}

fn decoded(row: std::result::Result<ContactRow, sqlx::Error>) -> Result<ResearchContact> {
    row?.decode()
}
