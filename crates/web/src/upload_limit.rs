//! The size limit of the spreadsheet upload routes (the page and the API), answered with the
//! import's own 413 — a page or the API's JSON — instead of a bare refusal.
//!
//! A body declared larger than the limit is read and dropped (up to [`DRAIN_BYTES`]) before
//! the answer: a client still writing its body when the server closes the connection never
//! sees the 413 (a browser shows "connection reset"), which is no answer at all.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kindred_app::AppError;
use kindred_app::import::UPLOAD_LIMIT_BYTES;

use crate::error::{ApiError, PageError};

/// The whole request: the file, a mapping and the form's few small fields.
pub const BODY_LIMIT_BYTES: usize = UPLOAD_LIMIT_BYTES + 64 * 1024;

/// How much of an oversized body is read to be able to answer; past it the connection closes.
const DRAIN_BYTES: usize = 4 * UPLOAD_LIMIT_BYTES;

pub async fn pages(request: Request, next: Next) -> Response {
    match refuse_oversized(request).await {
        Ok(request) => next.run(request).await,
        Err(error) => PageError(error).into_response(),
    }
}

pub async fn api(request: Request, next: Next) -> Response {
    match refuse_oversized(request).await {
        Ok(request) => next.run(request).await,
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The upload's refusal, wherever the limit is found (here, or by the extractor reading a
/// body sent without its length).
pub fn too_large() -> AppError {
    AppError::TooLarge(format!(
        "the file is larger than the {} MB an upload may be: split it into smaller files, or \
         import it with `kindred import csv`, which reads files of any size",
        UPLOAD_LIMIT_BYTES / (1024 * 1024)
    ))
}

async fn refuse_oversized(request: Request) -> Result<Request, AppError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT_BYTES) {
        drain(request.into_body()).await;
        return Err(too_large());
    }
    Ok(request)
}

async fn drain(body: Body) {
    let mut body = std::pin::pin!(body);
    let mut read = 0;
    while read <= DRAIN_BYTES {
        match std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |data| data.len()),
            _ => break,
        }
    }
}
