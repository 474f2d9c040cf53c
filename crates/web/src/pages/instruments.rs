//! The instrument library page: every instrument the organisation can give, with what it
//! measures, its scales, and — always visible — its licence terms and citation (DAST-10 may
//! be used only non-commercially and with credit to its author, so the credit is shown).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kindred_app::assessments::InstrumentSource;
use kindred_domain::instruments::LicenceStatus;

use super::Chrome;
use crate::AppState;
use crate::charts::trajectory::number;
use crate::error::PageError;
use crate::extract::SignedIn;

#[derive(Template, WebTemplate)]
#[template(path = "instruments.html")]
struct LibraryPage {
    chrome: Option<Chrome>,
    instruments: Vec<Card>,
}

struct Card {
    code: String,
    name: String,
    title: String,
    version: String,
    description: String,
    items: usize,
    scales: Vec<String>,
    licence_summary: String,
    licence_terms: String,
    licence_status: &'static str,
    licence_source: Option<String>,
    citation: String,
    caveats: Vec<String>,
    imported: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let listings = state.app.instruments(&signed_in.actor).await?;
    let instruments = listings
        .into_iter()
        .map(|l| {
            let s = l.summary;
            Card {
                code: s.code,
                name: s.short_name,
                title: s.title,
                version: s.version,
                description: s.description,
                items: s.item_count,
                scales: s
                    .scales
                    .iter()
                    .map(|sc| format!("{} ({}–{})", sc.title, number(sc.min), number(sc.max)))
                    .collect(),
                licence_summary: s.licence.summary,
                licence_terms: s.licence.terms,
                licence_status: match s.licence.status {
                    LicenceStatus::Verified => "Terms confirmed from the rights holder",
                    LicenceStatus::Uncertain => {
                        "Terms from secondary sources only: check before relying on them"
                    }
                    LicenceStatus::KindredAuthored => "Written by Kindred",
                },
                licence_source: s.licence.source,
                citation: s.citation,
                caveats: s.caveats,
                imported: l.source == InstrumentSource::Organisation,
            }
        })
        .collect();
    Ok(LibraryPage { chrome: Chrome::new(&signed_in, "/instruments"), instruments }.into_response())
}
