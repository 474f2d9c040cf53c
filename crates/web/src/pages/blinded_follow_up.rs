//! The research assessor's page: the blinded studies' open follow-up windows, soonest closing
//! first, each with a link to the assessment at its time point and to the follow-up record
//! (attempts to reach, locator). Nothing on it names an arm.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kindred_app::blinded_follow_up::BlindedWindow;
use kindred_app::policy;

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::SignedIn;

#[derive(Template, WebTemplate)]
#[template(path = "blinded_follow_up.html")]
struct ListPage {
    chrome: Option<Chrome>,
    studies: Vec<String>,
    windows: Vec<WindowRow>,
}

struct WindowRow {
    title: String,
    participant: String,
    phone: Option<String>,
    window: String,
    assess_href: String,
    record_href: String,
}

impl WindowRow {
    fn new(w: &BlindedWindow) -> Self {
        let id = w.participant_id;
        // One instrument at the time point opens its form; several, the choice among them.
        let instrument = match w.point.instruments.as_slice() {
            [one] => format!("&instrument={one}"),
            _ => String::new(),
        };
        Self {
            title: format!("{} follow-up · {}", w.point.label, w.study_title),
            participant: format!("{} ({})", w.name, w.reference),
            phone: w.phone.clone(),
            window: format!(
                "Closes {} (target {})",
                w.point.window.closes_on, w.point.window.due_on
            ),
            assess_href: format!(
                "/participants/{id}/assessments/new?program={}&time_point={}{instrument}",
                w.program_id, w.point.code
            ),
            record_href: format!("/participants/{id}/follow-up"),
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let list = state.app.blinded_follow_up(&policy::blinded_assessor(&signed_in.actor)?).await?;
    Ok(ListPage {
        chrome: Chrome::new(&signed_in, "/blinded-follow-up"),
        studies: list.studies.into_iter().map(|(_, title)| title).collect(),
        windows: list.open.iter().map(WindowRow::new).collect(),
    }
    .into_response())
}
