//! A study's results over the API (evaluators): before the plan is locked, pooled follow-up
//! only; after, every analysis the plan names, as the evaluation engine serialises it (each
//! result names its method, n analysed and n missing per arm, and the analysis version). The
//! analysed table and request can be fetched too, so anyone can recompute the numbers; and
//! the study's flow, counts only.

use axum::Json;
use axum::extract::State;
use kindred_app::policy;
use kindred_app::studies::{FlowCounts, PooledFollowUp, StudyResults};
use kindred_domain::ids::StudyId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiPath};

/// A study's results: `state` says which of `pooled` and `analysis` is present.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsBody {
    pub study_id: StudyId,
    /// `pooled` (the plan is not locked: nothing by arm) or `analysed`.
    pub state: String,
    /// Nothing after this day (ISO 8601) is counted.
    pub data_cut_off: String,
    /// The plan analysed (SHA-256), once locked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pooled: Option<PooledBody>,
    /// The analyses (`StudyAnalysis` of the evaluation engine): arms, and per outcome its
    /// sample per arm, comparison, subgroups, by-coach and dose–response analyses; the
    /// propensity weighting of a quasi-experimental study; the cost analyses.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<serde_json::Value>,
}

/// Follow-up of the whole study, all arms together.
#[derive(Debug, Serialize, ToSchema)]
pub struct PooledBody {
    pub enrolled: usize,
    pub outcomes: Vec<PooledOutcomeBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PooledOutcomeBody {
    pub code: String,
    pub name: String,
    pub observed: usize,
    pub missing: usize,
}

impl From<PooledFollowUp> for PooledBody {
    fn from(p: PooledFollowUp) -> Self {
        Self {
            enrolled: p.enrolled,
            outcomes: p
                .outcomes
                .into_iter()
                .map(|o| PooledOutcomeBody {
                    code: o.code,
                    name: o.name,
                    observed: o.observed,
                    missing: o.missing,
                })
                .collect(),
        }
    }
}

/// The analysed table (one row per participant under a key that names nobody) and the
/// analysis request the locked plan maps to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisTableBody {
    #[schema(value_type = Object)]
    pub table: serde_json::Value,
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value)
        .map_err(|e| ApiError::from(kindred_app::AppError::Internal(Box::new(e))))
}

/// The study's results (evaluators; audited): pooled follow-up until the plan is locked,
/// then every analysis it names. The same record gives the same JSON.
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/analysis", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = ResultsBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn results(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<ResultsBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let body = match state.app.study_results(&lead, id).await? {
        StudyResults::Pooled(pooled) => ResultsBody {
            study_id: id,
            state: "pooled".into(),
            data_cut_off: pooled.data_cut_off.to_string(),
            plan_hash: None,
            pooled: Some(pooled.into()),
            analysis: None,
        },
        StudyResults::Analysed(analysed) => ResultsBody {
            study_id: id,
            state: "analysed".into(),
            data_cut_off: analysed.data_cut_off.to_string(),
            plan_hash: Some(analysed.plan_hash.clone()),
            pooled: None,
            analysis: Some(json(&analysed.analysis)?),
        },
    };
    Ok(Json(body))
}

/// The analysed table and request of a locked study (evaluators; audited), to recompute the
/// analyses elsewhere. 409 before the plan is locked.
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/analysis/table", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = AnalysisTableBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn table(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<AnalysisTableBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let assembled = state.app.study_analysis_table(&lead, id).await?;
    Ok(Json(AnalysisTableBody {
        table: json(&assembled.table)?,
        request: json(&assembled.request)?,
    }))
}

/// A study's flow, counts only (never a participant): pooled until the plan is locked, then
/// by arm, each arm's analysed counts the primary outcome's sample as the analysis reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowBody {
    pub study_id: StudyId,
    /// `pooled` (the plan is not locked: nothing by arm) or `by_arm`.
    pub state: String,
    /// Nothing after this day (ISO 8601) is counted.
    pub data_cut_off: String,
    /// Participants of the study's programs enrolled in its period, and anyone allocated.
    pub assessed: usize,
    /// Assessed but not allocated.
    pub excluded: usize,
    /// Why, with how many each; a participant meeting several reasons counts under each.
    pub exclusions: Vec<ExclusionBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_outcome: Option<String>,
    /// All arms together.
    pub total: FlowCountsBody,
    /// Per arm, once the plan is locked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arms: Option<Vec<ArmFlowBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExclusionBody {
    pub reason: String,
    pub count: usize,
}

/// Allocated = followed + lost + withdrew.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowCountsBody {
    pub allocated: usize,
    /// At least one contact on or after the day of allocation (in a trial) or of enrolment
    /// in the program (in a cohort or pre-post study).
    pub received: usize,
    /// Still active, stepped down or completed at the data cut-off.
    pub followed: usize,
    pub lost: usize,
    pub withdrew: usize,
    /// Analysed for the primary outcome.
    pub analysed: usize,
    /// The primary outcome missing.
    pub missing: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArmFlowBody {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: FlowCountsBody,
}

impl From<FlowCounts> for FlowCountsBody {
    fn from(c: FlowCounts) -> Self {
        Self {
            allocated: c.allocated,
            received: c.received,
            followed: c.followed,
            lost: c.lost,
            withdrew: c.withdrew,
            analysed: c.analysed,
            missing: c.missing,
        }
    }
}

/// The study's CONSORT-style flow (evaluators; audited): assessed, excluded with reasons,
/// allocated, received the support, lost and withdrew, analysed. Counts only; pooled until
/// the plan is locked.
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/flow", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = FlowBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn flow(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<FlowBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let flow = state.app.study_flow(&lead, id).await?;
    Ok(Json(FlowBody {
        study_id: id,
        state: if flow.arms.is_some() { "by_arm" } else { "pooled" }.into(),
        data_cut_off: flow.data_cut_off.to_string(),
        assessed: flow.assessed,
        excluded: flow.excluded,
        exclusions: flow
            .exclusions
            .into_iter()
            .map(|(reason, count)| ExclusionBody { reason, count })
            .collect(),
        primary_outcome: flow.primary_outcome,
        total: flow.total.into(),
        arms: flow.arms.map(|arms| {
            arms.into_iter()
                .map(|a| ArmFlowBody { code: a.code, name: a.name, counts: a.counts.into() })
                .collect()
        }),
    }))
}
