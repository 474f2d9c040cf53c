//! Fidelity figures for a supervisor, a manager, a coach or an evaluator: computed from the
//! record (protocol-step tasks, contacts, caseloads), with the definitions in
//! `kindred_domain::fidelity`.

use std::collections::BTreeMap;

use kindred_domain::fidelity::{Caseload, Dose, DoseProfile, StepTally, TimeToFirstContact};
use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::programs::templates::step_label;
use kindred_domain::user::User;
use kindred_domain::vocabulary::Role;
use kindred_storage::{
    Access, CoachFilter, DoseRow, FidelityScope, Research, Scope, SeeWork, Session, Tenant,
};
use time::{Date, Duration};

use crate::policy::{self, FidelityView};
use crate::programs::ProgramSummary;
use crate::{Actor, App, AppError, Result};

/// The period figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    Last30Days,
    #[default]
    Last90Days,
    LastYear,
    AllTime,
}

impl Period {
    pub const ALL: [Period; 4] =
        [Period::Last30Days, Period::Last90Days, Period::LastYear, Period::AllTime];

    pub fn code(self) -> &'static str {
        match self {
            Period::Last30Days => "30d",
            Period::Last90Days => "90d",
            Period::LastYear => "365d",
            Period::AllTime => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Last30Days => "Last 30 days",
            Period::Last90Days => "Last 90 days",
            Period::LastYear => "Last 12 months",
            Period::AllTime => "All time",
        }
    }

    pub fn from_code(code: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.code() == code)
    }

    /// `[from, to)` as dates, ending tomorrow so today counts.
    fn bounds(self, today: Date) -> (Option<Date>, Option<Date>) {
        let days = match self {
            Period::Last30Days => 30,
            Period::Last90Days => 90,
            Period::LastYear => 365,
            Period::AllTime => return (None, None),
        };
        (Some(today - Duration::days(days - 1)), Some(today + Duration::days(1)))
    }
}

/// The figures of one scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub caseload: Option<Caseload>,
    pub dose: DoseProfile,
    pub steps: StepTally,
    pub first_contact: TimeToFirstContact,
}

/// One coach's figures with their supervision record.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachFigures {
    pub coach_id: UserId,
    pub coach_name: String,
    pub figures: Figures,
    pub last_supervision: Option<Date>,
    pub open_concerns: u32,
}

/// One protocol step's outcomes across the scope.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFigures {
    pub code: String,
    pub name: String,
    pub tally: StepTally,
}

/// What a fidelity page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FidelityReport {
    pub view: FidelityView,
    pub program: Option<ProgramSummary>,
    pub period: Period,
    pub overall: Figures,
    /// Side by side, by name; empty for evaluators.
    pub coaches: Vec<CoachFigures>,
    /// Per protocol step, when one program is selected.
    pub steps: Vec<StepFigures>,
}

impl App {
    /// Fidelity for the actor's view of the organisation, optionally for one program.
    pub async fn fidelity(
        &self,
        actor: &Actor,
        program: Option<ProgramId>,
        period: Period,
    ) -> Result<FidelityReport> {
        let view = policy::fidelity(actor)?;
        let today = self.clock().today();
        let (from, to) = period.bounds(today);
        let filters = FidelityScope { program, from, to };
        let mut session = actor.tenant().read().await?;
        let program: Option<ProgramSummary> = match program {
            Some(id) => Some(session.program(id).await?.ok_or(AppError::NotFound)?.into()),
            None => None,
        };
        let coach_filter = match view {
            FidelityView::Team(me) => CoachFilter { coach: None, team_of: Some(me) },
            FidelityView::Own(me) => CoachFilter { coach: Some(me), team_of: None },
            FidelityView::ProgramsOnly | FidelityView::Organisation => CoachFilter::default(),
        };
        let (last_supervision, concerns) = if matches!(view, FidelityView::ProgramsOnly) {
            (Vec::new(), Vec::new())
        } else {
            let concerns = match policy::boundary_concerns(actor) {
                Ok(filter) => {
                    session
                        .boundary_concerns(
                            filter,
                            Some(kindred_domain::vocabulary::ConcernStatus::Open),
                        )
                        .await?
                }
                Err(_) => Vec::new(),
            };
            (session.last_supervision_dates(coach_filter).await?, concerns)
        };
        // People read a step's name, never its code; over every program, a code is named by
        // the first program (by name) that has the step, and a step no protocol holds any
        // longer by the templates (`step_label`).
        let programs = match &program {
            Some(p) => vec![p.id],
            None => session.programs().await?.into_iter().map(|p| p.id).collect(),
        };
        let mut step_names: BTreeMap<String, String> = BTreeMap::new();
        for id in programs {
            for step in session.protocol_steps(id).await? {
                step_names.entry(step.code).or_insert(step.name);
            }
        }
        let coaches = match view {
            FidelityView::ProgramsOnly => Vec::new(),
            _ => coaches_in_view(&mut session, view).await?,
        };
        // Not while holding a connection: the load takes three of the pool's own, and a request
        // that held one while waiting for more could starve with others doing the same.
        drop(session);
        // The participants the figures cover are those the actor's lists cover; evaluators
        // get the program's figures without a breakdown by coach.
        let raw = match view {
            FidelityView::ProgramsOnly => {
                let scope = self.policy.scope::<Research>(actor)?;
                Raw::load(actor.tenant(), &scope, &filters, today, Breakdown::Overall).await?
            }
            FidelityView::Organisation | FidelityView::Team(_) | FidelityView::Own(_) => {
                let scope = self.policy.scope::<SeeWork>(actor)?;
                Raw::load(actor.tenant(), &scope, &filters, today, Breakdown::ByCoach).await?
            }
        };

        let coach_figures = coaches
            .into_iter()
            .map(|coach| CoachFigures {
                figures: raw.figures(Some(coach.id)),
                last_supervision: last_supervision
                    .iter()
                    .find(|(c, _)| *c == coach.id)
                    .map(|(_, d)| *d),
                open_concerns: concerns.iter().filter(|c| c.coach_id == coach.id).count() as u32,
                coach_id: coach.id,
                coach_name: coach.display_name,
            })
            .collect();
        let steps = raw.step_breakdown(&step_names);
        Ok(FidelityReport {
            view,
            program,
            period,
            overall: raw.figures(None),
            coaches: coach_figures,
            steps,
        })
    }
}

/// The overall figures of one program over `[from, to)` for a scope the caller's policy gave
/// (the program dashboard), with the same definitions as the fidelity page.
pub(crate) async fn program_figures<A: Access>(
    actor: &Actor,
    scope: &Scope<A>,
    program: ProgramId,
    (from, to): (Date, Date),
    today: Date,
) -> Result<Figures> {
    let filters = FidelityScope { program: Some(program), from: Some(from), to: Some(to) };
    Ok(Raw::load(actor.tenant(), scope, &filters, today, Breakdown::Overall).await?.figures(None))
}

/// The coaches a view shows, by name.
async fn coaches_in_view<M>(session: &mut Session<M>, view: FidelityView) -> Result<Vec<User>> {
    let users = session.users().await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && u.roles.has(Role::Coach))
        .filter(|u| match view {
            FidelityView::Organisation => true,
            FidelityView::Team(me) => u.id == me || u.supervisor_id == Some(me),
            FidelityView::Own(me) => u.id == me,
            FidelityView::ProgramsOnly => false,
        })
        .collect())
}

/// The aggregated rows, kept per coach so one load serves the overall and per-coach figures.
struct Raw {
    steps: Vec<kindred_storage::StepRow>,
    totals: Vec<kindred_storage::DoseTotalRow>,
    kinds: Vec<DoseRow<kindred_domain::vocabulary::SupportKind>>,
    activities: Vec<DoseRow<kindred_domain::vocabulary::Activity>>,
    first_contacts: Vec<kindred_storage::FirstContactRow>,
    caseloads: Vec<kindred_storage::CaseloadRow>,
    participants_reached: i64,
    /// Participants each coach reached; empty when only the overall figures were loaded.
    reached_by_coach: Vec<(UserId, i64)>,
}

/// Which figures a load serves: the overall ones alone (a program's dashboard) need no
/// participants reached per coach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breakdown {
    Overall,
    ByCoach,
}

impl Raw {
    /// The seven aggregates on three connections at once, so a page waits about as long as
    /// the slowest group (steps, first contacts, pairs: ~15 ms each at 10 000 participants)
    /// rather than their sum. The caller holds no connection meanwhile.
    async fn load<A: Access>(
        tenant: &Tenant,
        scope: &Scope<A>,
        filters: &FidelityScope,
        today: Date,
        breakdown: Breakdown,
    ) -> Result<Raw> {
        // Each group takes one connection and holds no other while it waits for it, so the
        // pool cannot starve however many pages load at once.
        let steps_and_caseloads = async {
            let mut session = tenant.read().await?;
            let steps = session.fidelity_steps(scope, filters, today).await?;
            Ok::<_, AppError>((steps, session.fidelity_caseloads(scope, filters).await?))
        };
        let contacts_and_terms = async {
            let mut session = tenant.read().await?;
            let first_contacts = session.fidelity_first_contacts(scope, filters).await?;
            let kinds = session.fidelity_dose_by_support_kind(scope, filters).await?;
            let activities = session.fidelity_dose_by_activity(scope, filters).await?;
            Ok::<_, AppError>((first_contacts, kinds, activities))
        };
        let totals_and_reach = async {
            let mut session = tenant.read().await?;
            let totals = session.fidelity_dose_totals(scope, filters).await?;
            let reached = session.fidelity_participants_reached(scope, filters).await?;
            let by_coach = match breakdown {
                Breakdown::ByCoach => session.fidelity_reached_by_coach(scope, filters).await?,
                Breakdown::Overall => Vec::new(),
            };
            Ok::<_, AppError>((totals, reached, by_coach))
        };
        let (
            (steps, caseloads),
            (first_contacts, kinds, activities),
            (totals, reached, reached_by_coach),
        ) = tokio::try_join!(steps_and_caseloads, contacts_and_terms, totals_and_reach)?;
        Ok(Raw {
            steps,
            totals,
            kinds,
            activities,
            first_contacts,
            caseloads,
            participants_reached: reached,
            reached_by_coach,
        })
    }

    /// Figures for one coach, or (`None`) for everyone in scope.
    fn figures(&self, coach: Option<UserId>) -> Figures {
        let mine = |c: Option<UserId>| coach.is_none() || c == coach;
        let mut steps = StepTally::default();
        for row in self.steps.iter().filter(|s| mine(s.coach_id)) {
            steps.merge(row.tally);
        }
        let totals = self.totals.iter().filter(|t| mine(Some(t.coach_id)));
        let (contacts, minutes) =
            totals.fold((0i64, 0i64), |(c, m), t| (c + t.contacts, m + t.minutes));
        let reached: i64 =
            self.reached_by_coach.iter().filter(|(c, _)| mine(Some(*c))).map(|(_, n)| n).sum();
        let dose = DoseProfile {
            total: dose(contacts, minutes),
            by_support_kind: sum_by_key(self.kinds.iter().filter(|r| mine(Some(r.coach_id)))),
            by_activity: sum_by_key(self.activities.iter().filter(|r| mine(Some(r.coach_id)))),
            // Across coaches, a participant seen by two coaches is still one participant.
            participants_reached: clamp_u32(if coach.is_none() {
                self.participants_reached
            } else {
                reached
            }),
        };
        let first_contact = TimeToFirstContact::from_pairs(
            self.first_contacts
                .iter()
                .filter(|f| mine(f.coach_id))
                .map(|f| (f.enrolled_on, f.first_contact_at.map(|t| t.date()))),
        );
        let caseload_rows: Vec<_> =
            self.caseloads.iter().filter(|c| mine(Some(c.coach_id))).collect();
        let current: i64 = caseload_rows.iter().map(|c| c.participants).sum();
        let caseload = match coach {
            Some(_) => Some(Caseload {
                current: clamp_u32(current),
                target: common_target(&caseload_rows).map(clamp_u32),
            }),
            None => (current > 0).then(|| Caseload { current: clamp_u32(current), target: None }),
        };
        Figures { caseload, dose, steps, first_contact }
    }

    fn step_breakdown(&self, names: &BTreeMap<String, String>) -> Vec<StepFigures> {
        let mut by_code: BTreeMap<&str, StepTally> = BTreeMap::new();
        for s in &self.steps {
            by_code.entry(s.step_code.as_str()).or_default().merge(s.tally);
        }
        by_code
            .into_iter()
            .map(|(code, tally)| StepFigures {
                name: names.get(code).cloned().unwrap_or_else(|| step_label(code)),
                code: code.to_owned(),
                tally,
            })
            .collect()
    }
}

/// A coach's target: their programs' target when all their participants are in programs
/// sharing one target (a coach across programs with different targets has none).
fn common_target(rows: &[&kindred_storage::CaseloadRow]) -> Option<i64> {
    let first = rows.first()?.target?;
    rows.iter().all(|r| r.target == Some(first)).then_some(first)
}

fn clamp_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn dose(contacts: i64, minutes: i64) -> Dose {
    Dose { contacts: clamp_u32(contacts), minutes: clamp_u32(minutes) }
}

fn sum_by_key<'a, K: Copy + Ord + 'a>(
    rows: impl Iterator<Item = &'a DoseRow<K>>,
) -> Vec<(K, Dose)> {
    let mut sums: BTreeMap<K, (i64, i64)> = BTreeMap::new();
    for row in rows {
        let entry = sums.entry(row.key).or_default();
        entry.0 += row.contacts;
        entry.1 += row.minutes;
    }
    sums.into_iter().map(|(key, (contacts, minutes))| (key, dose(contacts, minutes))).collect()
}
