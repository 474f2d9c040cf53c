//! Follow-up rates of a program: completed within window ÷ due (see
//! [`kindred_domain::follow_up`]), overall, per time point, per coach and by month. Every
//! participant ever enrolled in the program counts, including those who left: funders count
//! them as due. Figures only, no names, so evaluators see them too.

mod cache;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kindred_domain::follow_up::{FollowUpRate, FollowUpStatus};
use kindred_domain::follow_up_log::{Evidence, statuses};
use kindred_domain::ids::{ProgramId, UserId};
use kindred_storage::{Among, Research, Scope, Session};
use time::Date;

use crate::policy::FiguresView;
use crate::{Actor, App, AppError, Result};

pub(crate) use cache::RatesCache;

/// The rate funders ask programs to reach.
pub const TARGET_RATE: f64 = 0.8;

/// A program's follow-up rates.
#[derive(Debug, Clone)]
pub struct FollowUpRates {
    pub program_id: ProgramId,
    pub today: Date,
    pub overall: FollowUpRate,
    /// (code, label, rate) in schedule order.
    pub by_time_point: Vec<(String, String, FollowUpRate)>,
    /// (coach, name, rate) by coach name; `None` when the actor may not see it.
    pub by_coach: Option<Vec<(Option<UserId>, String, FollowUpRate)>>,
    /// ((year, month), rate) for the month each time point settled: the month its window
    /// closed, or this month for one completed while its window is still open.
    pub by_month: Vec<((i32, u8), FollowUpRate)>,
}

impl App {
    /// A program's follow-up rates as of today: kept for the day while the program's
    /// follow-up version holds (see [`cache`]), computed again when it moved.
    pub async fn follow_up_rates(
        &self,
        actor: &Actor,
        program: ProgramId,
    ) -> Result<FollowUpRates> {
        let (scope, view) = self.policy.program_figures(actor)?;
        let today = self.clock().today();
        let key = (actor.org_id(), program);
        let mut session = actor.tenant().read().await?;
        session.program_definition(program).await?.ok_or(AppError::NotFound)?;
        // Read before the data, so what is kept is at least as new as its version.
        let version = session.follow_up_version(program).await?;
        let rates = match self.rates_cache.get(key, today, version) {
            Some(kept) => kept,
            None => {
                let rates = Arc::new(compute(&mut session, &scope, program, today).await?);
                self.rates_cache.put(key, today, version, Arc::clone(&rates));
                rates
            }
        };
        drop(session);
        let mut rates = FollowUpRates::clone(&rates);
        if view != FiguresView::ByCoach {
            rates.by_coach = None;
        }
        Ok(rates)
    }
}

/// Every figure of a program's rates, by coach included (the caller hides what the actor's
/// view does not show).
async fn compute<M>(
    session: &mut Session<M>,
    scope: &Scope<Research>,
    program: ProgramId,
    today: Date,
) -> Result<FollowUpRates> {
    let schedule = session.schedules(Some(program)).await?.remove(&program).unwrap_or_default();
    let subjects = session.follow_up_rate_subjects(scope, program).await?;
    let evidence = session.follow_up_evidence(Among::All(scope)).await?;
    let coach_names: HashMap<UserId, String> =
        session.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let none = Evidence::default();
    let mut overall = FollowUpRate::default();
    let mut by_point: BTreeMap<usize, FollowUpRate> = BTreeMap::new();
    let mut by_coach: BTreeMap<(String, Option<UserId>), FollowUpRate> = BTreeMap::new();
    let mut by_month: BTreeMap<(i32, u8), FollowUpRate> = BTreeMap::new();
    for subject in &subjects {
        let e = evidence.get(&subject.participant_id).unwrap_or(&none);
        let coach = subject
            .coach_id
            .and_then(|id| coach_names.get(&id).cloned())
            .unwrap_or_else(|| "No coach".into());
        for (i, point) in statuses(&schedule, subject.enrolled_on, e, today).iter().enumerate() {
            overall.add(point.status);
            by_point.entry(i).or_default().add(point.status);
            by_coach.entry((coach.clone(), subject.coach_id)).or_default().add(point.status);
            let counted = matches!(
                point.status,
                FollowUpStatus::CompletedInWindow
                    | FollowUpStatus::CompletedLate
                    | FollowUpStatus::Missed
            );
            if counted {
                let settled = point.window.closes_on.min(today);
                let month = (settled.year(), u8::from(settled.month()));
                by_month.entry(month).or_default().add(point.status);
            }
        }
    }
    Ok(FollowUpRates {
        program_id: program,
        today,
        overall,
        by_time_point: schedule
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let rate = by_point.remove(&i).unwrap_or_default();
                (p.time_point.code.clone(), p.time_point.label.clone(), rate)
            })
            .collect(),
        by_coach: Some(by_coach.into_iter().map(|((name, id), rate)| (id, name, rate)).collect()),
        by_month: by_month.into_iter().collect(),
    })
}
