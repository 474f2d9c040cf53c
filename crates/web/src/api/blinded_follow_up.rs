//! The research assessor's list over the API: the open follow-up windows of the blinded
//! studies' participants, with what is needed to reach them — never an arm.

use axum::Json;
use axum::extract::State;
use kindred_app::blinded_follow_up::BlindedWindow;
use kindred_app::policy;
use kindred_domain::ids::{ParticipantId, StudyId};
use serde::Serialize;
use utoipa::ToSchema;

use super::follow_up::PointBody;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiCaller;

#[derive(Debug, Serialize, ToSchema)]
pub struct BlindedWindowBody {
    pub participant_id: ParticipantId,
    pub participant_reference: String,
    pub participant_name: String,
    pub phone: Option<String>,
    pub study_id: StudyId,
    pub study_title: String,
    pub time_point: PointBody,
}

impl From<&BlindedWindow> for BlindedWindowBody {
    fn from(w: &BlindedWindow) -> Self {
        Self {
            participant_id: w.participant_id,
            participant_reference: w.reference.clone(),
            participant_name: w.name.clone(),
            phone: w.phone.clone(),
            study_id: w.study_id,
            study_title: w.study_title.clone(),
            time_point: PointBody::from(&w.point),
        }
    }
}

/// Open follow-up windows of the participants of the organisation's blinded studies, soonest
/// closing first (research assessors). Record each with
/// `POST /api/v1/participants/{id}/assessments` at the window's time point.
#[utoipa::path(
    get, path = "/api/v1/blinded-follow-up", tag = "follow-up",
    responses((status = 200, body = Vec<BlindedWindowBody>), (status = 403, body = ErrorBody))
)]
pub async fn open_windows(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<BlindedWindowBody>>, ApiError> {
    let list = state.app.blinded_follow_up(&policy::blinded_assessor(&actor)?).await?;
    Ok(Json(list.open.iter().map(BlindedWindowBody::from).collect()))
}
