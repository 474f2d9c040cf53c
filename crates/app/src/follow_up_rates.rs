//! Follow-up rates of a program: completed within window ÷ due (see
//! [`kindred_domain::follow_up`]), overall, per time point, per coach and by month. Every
//! participant ever enrolled in the program counts, including those who left: funders count
//! them as due. Figures only, no names, so evaluators see them too.

use std::collections::BTreeMap;

use kindred_domain::follow_up::{FollowUpRate, FollowUpStatus};
use kindred_domain::follow_up_log::{Evidence, statuses};
use kindred_domain::ids::{ProgramId, UserId};
use kindred_storage::Among;
use time::Date;

use crate::policy::FiguresView;
use crate::{Actor, App, AppError, Result};

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
    pub async fn follow_up_rates(
        &self,
        actor: &Actor,
        program: ProgramId,
    ) -> Result<FollowUpRates> {
        let (scope, view) = self.policy.program_figures(actor)?;
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        session.program_definition(program).await?.ok_or(AppError::NotFound)?;
        let schedule = session.schedules(Some(program)).await?.remove(&program).unwrap_or_default();
        let subjects = session.follow_up_subjects(Among::All(&scope), Some(program)).await?;
        let evidence = session.follow_up_evidence(Among::All(&scope)).await?;
        drop(session);
        let none = Evidence::default();
        let mut overall = FollowUpRate::default();
        let mut by_point: BTreeMap<usize, FollowUpRate> = BTreeMap::new();
        let mut by_coach: BTreeMap<(String, Option<UserId>), FollowUpRate> = BTreeMap::new();
        let mut by_month: BTreeMap<(i32, u8), FollowUpRate> = BTreeMap::new();
        for subject in &subjects {
            let e = evidence.get(&subject.participant_id).unwrap_or(&none);
            let coach = subject.coach_name.clone().unwrap_or_else(|| "No coach".into());
            for (i, point) in statuses(&schedule, subject.enrolled_on, e, today).iter().enumerate()
            {
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
            by_coach: (view == FiguresView::ByCoach)
                .then(|| by_coach.into_iter().map(|((name, id), rate)| (id, name, rate)).collect()),
            by_month: by_month.into_iter().collect(),
        })
    }
}
