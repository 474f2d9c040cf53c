//! Kindred's web layer: server-rendered pages for people on phones, and the JSON API under
//! `/api/v1` with its OpenAPI document generated from the handlers.
//!
//! Handlers are thin: an extractor turns the request into an authenticated
//! [`kindred_app::Actor`] (session cookie for pages, bearer token for the API), the handler
//! calls one use case, and the result becomes a page or JSON. Authorisation, validation and
//! audit all happen in the use case.

mod api;
mod assets;
mod charts;
mod client_address;
mod error;
mod extract;
mod figure;
mod forms;
mod pages;
mod rate_chart;
pub mod report;
mod request_context;
mod security;
mod study_files;
mod upload_limit;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use kindred_app::App;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use api::dictionary_json;
pub use client_address::ClientAddresses;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    openapi_json: Arc<String>,
    client_addresses: ClientAddresses,
}

/// Requests larger than this are refused before they are read (forms and JSON are small).
const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The whole web application. Serve it with connect info
/// (`into_make_service_with_connect_info::<SocketAddr>()`, as [`serve`] does): sign-in needs
/// the client's address and refuses without it.
pub fn router(app: App, client_addresses: ClientAddresses) -> Router {
    let (api_routes, mut openapi) = api::router().split_for_parts();
    let (upload_api, upload_doc) = api::upload_router().split_for_parts();
    openapi.merge(upload_doc);
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    let state = AppState { app, openapi_json, client_addresses };
    let routes = Router::new()
        .merge(pages::router())
        .merge(api_routes)
        .route("/api/v1/openapi.json", get(openapi_document))
        .route("/assets/{file}", get(assets::serve))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Spreadsheet uploads carry their own, larger limit.
        .merge(pages::upload_router())
        .merge(upload_api);
    security::with_security_headers(routes)
        // A 500's cause is logged once, with the request's span, by the error module.
        .layer(
            TraceLayer::new_for_http().make_span_with(request_context::request_span).on_failure(()),
        )
        .layer(axum::middleware::from_fn(request_context::with_request_id))
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

async fn openapi_document(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi_json.as_str().to_owned())
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: App,
    client_addresses: ClientAddresses,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router(app, client_addresses).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}
