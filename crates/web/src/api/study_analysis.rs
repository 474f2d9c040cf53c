//! A study's results over the API (evaluators): before the plan is locked, pooled follow-up
//! only; after, every analysis the plan names, as the evaluation engine serialises it (each
//! result names its method, n analysed and n missing per arm, and the analysis version). The
//! analysed table and request can be fetched too, so anyone can recompute the numbers.

use axum::Json;
use axum::extract::State;
use kindred_app::policy;
use kindred_app::studies::{PooledFollowUp, StudyResults};
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
