//! The follow-up engine's storage: program schedules (`program_time_points` and
//! `program_time_point_instruments`), who is followed up (participants enrolled in a program),
//! the evidence for each time point (completed assessments, exclusions, attempts that reached
//! them) and the tasks made from it.

use std::collections::HashMap;

use kindred_domain::follow_up::{TimePoint, Window};
use kindred_domain::follow_up_log::Evidence;
use kindred_domain::ids::{ParticipantId, ProgramId, UserId};
use kindred_domain::participant::display_name;
use kindred_domain::schedule::{Schedule, ScheduledPoint};
use kindred_domain::vocabulary::{ParticipantStatus, TaskKind, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Access, Among, Grant, ParticipantFacts, RecordWork, Scope};
use crate::error::decode_code;
use crate::session::{Session, Write, among_sql, on_conn, scoped_sql};
use crate::{Result, Timestamp};

/// The assessments completed for a time point of the participant's current program, for the
/// participants `p` that `$filter` selects (one SQL text for every list of evidence).
macro_rules! evidence_completions {
    ($filter:expr) => {
        concat!(
            "SELECT a.participant_id, a.time_point_code, a.administered_on
             FROM assessments a
             JOIN participants p ON p.org_id = $1 AND p.id = a.participant_id
             WHERE a.org_id = $1 AND ",
            $filter,
            " AND a.status = 'completed' AND a.time_point_code IS NOT NULL
               AND a.program_id = p.program_id"
        )
    };
}
pub(crate) use evidence_completions;

/// The follow-up exclusions of the participants `p` that `$filter` selects.
macro_rules! evidence_exclusions {
    ($filter:expr) => {
        concat!(
            "SELECT x.participant_id, x.time_point_code, x.reason
             FROM follow_up_exclusions x
             JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
             WHERE x.org_id = $1 AND ",
            $filter
        )
    };
}
pub(crate) use evidence_exclusions;

/// Completions and exclusions as each participant's [`Evidence`] (without attempts).
pub(crate) fn evidence_from(
    completions: Vec<CompletionRow>,
    exclusions: Vec<ExclusionRow>,
) -> Result<HashMap<ParticipantId, Evidence>> {
    let mut evidence: HashMap<ParticipantId, Evidence> = HashMap::new();
    for row in completions {
        let e = evidence.entry(ParticipantId(row.participant_id)).or_default();
        e.completed_on.entry(row.time_point_code).or_default().push(row.administered_on);
    }
    for row in exclusions {
        let e = evidence.entry(ParticipantId(row.participant_id)).or_default();
        e.excluded.insert(row.time_point_code, decode_code(&row.reason)?);
    }
    Ok(evidence)
}

/// A participant followed up in their program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpSubject {
    pub participant_id: ParticipantId,
    pub reference: String,
    /// The participant's name, when the access sees identities.
    pub name: Option<String>,
    pub program_id: ProgramId,
    pub enrolled_on: Date,
    pub status: ParticipantStatus,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub coach_supervisor_id: Option<UserId>,
    /// What the policy decides on, for a grant on this participant.
    pub facts: ParticipantFacts,
}

/// What a program's follow-up rates need of a participant: when they enrolled (their windows)
/// and their coach (the rates by coach).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSubject {
    pub participant_id: ParticipantId,
    pub enrolled_on: Date,
    pub coach_id: Option<UserId>,
}

/// A task for one time point: the assessment to give, or the supervisor's escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePointTask {
    pub program_id: ProgramId,
    pub time_point_code: String,
    pub kind: TaskKind,
    /// `None`: the participant's coach (whoever that is when the work is done).
    pub assignee_id: Option<UserId>,
    pub title: String,
    pub window: Window,
}

/// How a time point's open tasks are settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// The assessment was completed on this day.
    Done(Date),
    /// The time point no longer needs the work (an administrative exclusion).
    Cancelled(String),
}

#[derive(sqlx::FromRow)]
struct PointRow {
    program_id: Uuid,
    code: String,
    label: String,
    target_day: i32,
    window_start_day: i32,
    window_end_day: i32,
}

#[derive(sqlx::FromRow)]
struct InstrumentRow {
    program_id: Uuid,
    time_point_code: String,
    instrument_code: String,
}

#[derive(sqlx::FromRow)]
struct SubjectRow {
    id: Uuid,
    reference: String,
    given_name: Option<String>,
    family_name: Option<String>,
    preferred_name: Option<String>,
    program_id: Uuid,
    enrolled_on: Date,
    status: String,
    coach_id: Option<Uuid>,
    coach_name: Option<String>,
    coach_supervisor_id: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CompletionRow {
    participant_id: Uuid,
    time_point_code: String,
    administered_on: Date,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExclusionRow {
    participant_id: Uuid,
    time_point_code: String,
    reason: String,
}

#[derive(sqlx::FromRow)]
struct ReachedRow {
    participant_id: Uuid,
    time_point_code: String,
    attempted_at: Timestamp,
}

impl<M> Session<M> {
    /// The schedule of each program (or of one), time points in order. A program without
    /// time points has an empty schedule.
    pub async fn schedules(
        &mut self,
        program: Option<ProgramId>,
    ) -> Result<HashMap<ProgramId, Schedule>> {
        let only = program.map(|p| p.0);
        let (points, instruments): (Vec<PointRow>, Vec<InstrumentRow>) = on_conn!(self.conn(), c => {
            let points = c.query_as(
                "SELECT program_id, code, label, target_day, window_start_day, window_end_day
                 FROM program_time_points WHERE org_id = $1 AND ($2 IS NULL OR program_id = $2)
                 ORDER BY program_id, position",
            ).bind(only)
            .fetch_all(&mut *c)
            .await?;
            let instruments = c.query_as(
                "SELECT program_id, time_point_code, instrument_code
                 FROM program_time_point_instruments
                 WHERE org_id = $1 AND ($2 IS NULL OR program_id = $2)
                 ORDER BY program_id, time_point_code, position",
            ).bind(only)
            .fetch_all(&mut *c)
            .await?;
            (points, instruments)
        });
        let mut of: HashMap<(Uuid, String), Vec<String>> = HashMap::new();
        for i in instruments {
            of.entry((i.program_id, i.time_point_code)).or_default().push(i.instrument_code);
        }
        let mut schedules: HashMap<ProgramId, Schedule> = HashMap::new();
        if let Some(p) = program {
            schedules.insert(p, Schedule::default());
        }
        for p in points {
            let instruments = of.remove(&(p.program_id, p.code.clone())).unwrap_or_default();
            schedules.entry(ProgramId(p.program_id)).or_default().points.push(ScheduledPoint {
                time_point: TimePoint {
                    code: p.code,
                    label: p.label,
                    target_day: p.target_day,
                    window_start_day: p.window_start_day,
                    window_end_day: p.window_end_day,
                },
                instruments,
            });
        }
        Ok(schedules)
    }

    /// Participants enrolled in a program among `among`, optionally of one program.
    pub async fn follow_up_subjects<A: Access>(
        &mut self,
        among: Among<'_, A>,
        program: Option<ProgramId>,
    ) -> Result<Vec<FollowUpSubject>> {
        let key = among.bound_to(self.org_id)?;
        // Names only for an access that sees identities; research figures never read them.
        macro_rules! identified {
            ($filter:literal) => {
                concat!(
                    "SELECT p.id, p.reference, i.given_name, i.family_name, i.preferred_name,
                            p.program_id, p.enrolled_on, p.status, p.coach_id,
                            c.display_name AS coach_name, c.supervisor_id AS coach_supervisor_id
                     FROM participants p
                     JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = p.id
                     LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id
                     WHERE p.org_id = $1 AND p.program_id IS NOT NULL
                       AND ($3 IS NULL OR p.program_id = $3) AND ", $filter,
                    " ORDER BY i.sort_key, p.id"
                )
            };
        }
        macro_rules! research {
            ($filter:literal) => {
                concat!(
                    "SELECT p.id, p.reference, NULL AS given_name, NULL AS family_name,
                            NULL AS preferred_name,
                            p.program_id, p.enrolled_on, p.status, p.coach_id,
                            c.display_name AS coach_name, c.supervisor_id AS coach_supervisor_id
                     FROM participants p
                     LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id
                     WHERE p.org_id = $1 AND p.program_id IS NOT NULL
                       AND ($3 IS NULL OR p.program_id = $3) AND ", $filter,
                    " ORDER BY p.reference"
                )
            };
        }
        let sql =
            if A::IDENTIFIED { among_sql!(among, identified) } else { among_sql!(among, research) };
        let rows: Vec<SubjectRow> = on_conn!(self.conn(), c => {
            c.query_as(sql)
                .bind(key)
                .bind(program.map(|p| p.0))
                .fetch_all(&mut *c)
                .await?
        });
        let org_id = self.org_id;
        rows.into_iter()
            .map(|r| {
                let name = match (&r.preferred_name, &r.given_name, &r.family_name) {
                    (preferred, Some(given), Some(family)) => {
                        Some(display_name(given, preferred.as_deref(), family))
                    }
                    _ => None,
                };
                let status = decode_code(&r.status)?;
                let facts = ParticipantFacts {
                    org_id,
                    id: ParticipantId(r.id),
                    reference: r.reference.clone(),
                    coach_id: r.coach_id.map(UserId),
                    coach_supervisor_id: r.coach_supervisor_id.map(UserId),
                    program_id: Some(ProgramId(r.program_id)),
                    status,
                };
                Ok(FollowUpSubject {
                    participant_id: ParticipantId(r.id),
                    name,
                    reference: r.reference,
                    program_id: ProgramId(r.program_id),
                    enrolled_on: r.enrolled_on,
                    status,
                    coach_id: r.coach_id.map(UserId),
                    coach_name: r.coach_name,
                    coach_supervisor_id: r.coach_supervisor_id.map(UserId),
                    facts,
                })
            })
            .collect()
    }

    /// The version of what `program`'s follow-up rates are computed from (migration
    /// `0019_fidelity_by_month`): it rises with every write they depend on; 0 before any.
    pub async fn follow_up_version(&mut self, program: ProgramId) -> Result<i64> {
        let version: Option<i64> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT version FROM follow_up_versions WHERE org_id = $1 AND program_id = $2",
            )
            .bind(program.0)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(version.unwrap_or(0))
    }

    /// Every participant of `program` in `scope`, for its follow-up rates: three columns read
    /// from `participants_by_enrolment` alone, in no order, so ten thousand cost a few
    /// milliseconds.
    pub async fn follow_up_rate_subjects<A: Access>(
        &mut self,
        scope: &Scope<A>,
        program: ProgramId,
    ) -> Result<Vec<RateSubject>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.id, p.enrolled_on, p.coach_id FROM participants p
                     WHERE p.org_id = $1 AND p.program_id = $3 AND ",
                    $scope
                )
            };
        }
        let rows: Vec<(Uuid, Date, Option<Uuid>)> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(program.0)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, enrolled_on, coach)| RateSubject {
                participant_id: ParticipantId(id),
                enrolled_on,
                coach_id: coach.map(UserId),
            })
            .collect())
    }

    /// The evidence of the participants among `among`: assessments completed for a time point
    /// of their current program, exclusions, and the attempts that reached them.
    pub async fn follow_up_evidence<A: Access>(
        &mut self,
        among: Among<'_, A>,
    ) -> Result<HashMap<ParticipantId, Evidence>> {
        let key = among.bound_to(self.org_id)?;
        macro_rules! completions {
            ($filter:literal) => {
                evidence_completions!($filter)
            };
        }
        macro_rules! exclusions {
            ($filter:literal) => {
                evidence_exclusions!($filter)
            };
        }
        macro_rules! reached {
            ($filter:literal) => {
                concat!(
                    "SELECT a.participant_id, a.time_point_code, a.attempted_at
                     FROM contact_attempts a
                     JOIN participants p ON p.org_id = $1 AND p.id = a.participant_id
                     WHERE a.org_id = $1 AND ",
                    $filter,
                    " AND a.time_point_code IS NOT NULL AND a.outcome IN ('reached', 'scheduled')"
                )
            };
        }
        let (completions, exclusions, reached): (
            Vec<CompletionRow>,
            Vec<ExclusionRow>,
            Vec<ReachedRow>,
        ) = on_conn!(self.conn(), c => {
            let completions = c.query_as(among_sql!(among, completions)).bind(key)
                .fetch_all(&mut *c)
                .await?;
            let exclusions = c.query_as(among_sql!(among, exclusions)).bind(key)
                .fetch_all(&mut *c)
                .await?;
            let reached = c.query_as(among_sql!(among, reached)).bind(key)
                .fetch_all(&mut *c)
                .await?;
            (completions, exclusions, reached)
        });
        let mut evidence = evidence_from(completions, exclusions)?;
        for row in reached {
            let e = evidence.entry(ParticipantId(row.participant_id)).or_default();
            e.reached_on.entry(row.time_point_code).or_default().push(row.attempted_at.0.date());
        }
        Ok(evidence)
    }
}

impl Session<Write> {
    /// Replaces a program's schedule. Exclusions, attempts and assessments keep their time
    /// point codes; a code dropped from the schedule simply stops being followed up.
    pub async fn replace_schedule(
        &mut self,
        program: ProgramId,
        schedule: &Schedule,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query("DELETE FROM program_time_point_instruments WHERE org_id = $1 AND program_id = $2").bind(program.0).execute(&mut *c).await?;
            c.query("DELETE FROM program_time_points WHERE org_id = $1 AND program_id = $2").bind(program.0).execute(&mut *c).await?;
            for (position, point) in schedule.points.iter().enumerate() {
                let tp = &point.time_point;
                c.query(
                    "INSERT INTO program_time_points (org_id, program_id, code, position, label,
                        target_day, window_start_day, window_end_day)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                ).bind(program.0).bind(&tp.code).bind(position as i32).bind(&tp.label)
                .bind(tp.target_day).bind(tp.window_start_day).bind(tp.window_end_day)
                .execute(&mut *c).await?;
                for (i, instrument) in point.instruments.iter().enumerate() {
                    c.query(
                        "INSERT INTO program_time_point_instruments (org_id, program_id,
                            time_point_code, instrument_code, position)
                         VALUES ($1, $2, $3, $4, $5)",
                    ).bind(program.0).bind(&tp.code).bind(instrument).bind(i as i32)
                    .execute(&mut *c).await?;
                }
            }
        });
        Ok(())
    }

    /// Makes the task unless one of its kind already exists for that time point (whatever
    /// its state: a done or cancelled one is not made again). An open assessment task takes
    /// the window's current dates (the enrolment date or the schedule was corrected); an
    /// escalation keeps the day it was raised. Returns whether a task was made or re-dated.
    pub async fn ensure_time_point_task(
        &mut self,
        grant: &Grant<RecordWork>,
        task: &TimePointTask,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let participant = grant.bound_to(self.org_id)?;
        let w = &task.window;
        let made = on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO tasks (org_id, id, participant_id, kind, program_id, time_point_code,
                    assignee_id, title, opens_on, due_on, closes_on, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)
                 ON CONFLICT (org_id, participant_id, program_id, time_point_code, kind)
                    WHERE time_point_code IS NOT NULL
                 DO UPDATE SET title = excluded.title, opens_on = excluded.opens_on,
                    due_on = excluded.due_on, closes_on = excluded.closes_on
                 WHERE tasks.status = 'open' AND tasks.kind = 'assessment'
                   AND (tasks.opens_on <> excluded.opens_on OR tasks.due_on <> excluded.due_on
                        OR tasks.closes_on <> excluded.closes_on OR tasks.title <> excluded.title)",
            )
            .bind(kindred_domain::ids::TaskId::generate().0)
            .bind(participant)
            .bind(task.kind.code())
            .bind(task.program_id.0)
            .bind(&task.time_point_code)
            .bind(task.assignee_id.map(|a| a.0))
            .bind(&task.title)
            .bind(w.opens_on)
            .bind(w.due_on)
            .bind(w.closes_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(made == 1)
    }

    /// Cancels open follow-up tasks (of one participant, or all) that no longer apply: the
    /// participant moved to another program, or the time point left the schedule.
    pub async fn cancel_stale_time_point_tasks(
        &mut self,
        among: Among<'_, RecordWork>,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let key = among.bound_to(self.org_id)?;
        macro_rules! sql {
            ($filter:literal) => {
                concat!(
                    "UPDATE tasks SET status = 'cancelled', cancelled_at = $3,
                        cancel_reason = 'no longer on the participant''s follow-up schedule'
                     WHERE org_id = $1 AND status = 'open' AND time_point_code IS NOT NULL
                       AND participant_id IN (SELECT p.id FROM participants p
                                              WHERE p.org_id = $1 AND ", $filter, ")
                       AND (NOT EXISTS (SELECT 1 FROM participants q
                                        WHERE q.org_id = $1 AND q.id = tasks.participant_id
                                          AND q.program_id = tasks.program_id)
                            OR NOT EXISTS (SELECT 1 FROM program_time_points tp
                                           WHERE tp.org_id = $1
                                             AND tp.program_id = tasks.program_id
                                             AND tp.code = tasks.time_point_code))"
                )
            };
        }
        Ok(on_conn!(self.conn(), c => {
            c.query(among_sql!(among, sql))
            .bind(key)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        }))
    }

    /// Closes a time point's open tasks of `kind`, or of every kind (the assessment and any
    /// escalation). Returns how many.
    pub async fn settle_time_point_tasks(
        &mut self,
        grant: &Grant<RecordWork>,
        program: ProgramId,
        time_point_code: &str,
        kind: Option<TaskKind>,
        settle: &Settle,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let participant = grant.bound_to(self.org_id)?;
        let at = Some(Timestamp(now));
        let (status, done_on, done_at, cancelled_at, reason) = match settle {
            Settle::Done(day) => ("done", Some(*day), at, None, None),
            Settle::Cancelled(reason) => ("cancelled", None, None, at, Some(reason.as_str())),
        };
        Ok(on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = $5, completed_on = $6, completed_at = $7,
                    cancelled_at = $8, cancel_reason = $9
                 WHERE org_id = $1 AND participant_id = $2 AND program_id = $3
                   AND time_point_code = $4 AND status = 'open' AND ($10 IS NULL OR kind = $10)",
            )
            .bind(participant)
            .bind(program.0)
            .bind(time_point_code)
            .bind(status)
            .bind(done_on)
            .bind(done_at)
            .bind(cancelled_at)
            .bind(reason)
            .bind(kind.map(|k| k.code()))
            .execute(&mut *c)
            .await?
            .rows_affected()
        }))
    }
}
