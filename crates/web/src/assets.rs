//! Static assets, embedded in the binary: no CDN, nothing to deploy beside it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("kindred.css", "text/css; charset=utf-8", include_bytes!("../assets/kindred.css")),
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/htmx-2.0.11.min.js"),
    ),
    ("icon.svg", "image/svg+xml", include_bytes!("../assets/icon.svg")),
];

/// The asset version in URLs (`/assets/kindred.css?v=…`), so a new release is never served a
/// stale cached stylesheet.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
