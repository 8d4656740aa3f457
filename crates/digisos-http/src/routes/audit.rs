//! The audit trail: export the hash-chained log as JSON Lines and verify its chain
//! (coordinator and auditor).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use digisos_core::principal::can_audit;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Api, who};
use crate::auth::Caller;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::VerifyView;

/// Events read from the store per round trip.
const EXPORT_PAGE: usize = 10_000;

/// `GET /v1/audit/export` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only events after this log position (default 0: everything).
    since: Option<u64>,
}

fn require_audit(caller: &Caller) -> Result<(), ApiError> {
    let by = who(&caller.0)?;
    can_audit(&by).then_some(()).ok_or(ApiError::Forbidden)
}

/// The stored events after `since`, one JSON object per line, with their hashes.
#[utoipa::path(get, path = "/v1/audit/export", tag = "audit", params(ExportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "JSON Lines", body = String, content_type = "application/x-ndjson"),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<Api>,
    caller: Caller,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    require_audit(&caller)?;
    let mut since = q.since.unwrap_or(0);
    let mut out = String::new();
    loop {
        let page = state.service.export(since, EXPORT_PAGE).await?;
        for e in &page {
            let line = serde_json::to_string(e).map_err(|e| ApiError::Internal(e.to_string()))?;
            out.push_str(&line);
            out.push('\n');
        }
        match page.last() {
            Some(last) if page.len() == EXPORT_PAGE => since = last.position,
            _ => break,
        }
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}

/// Walks the whole hash chain; `intact: false` names the first broken position.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, description = "The verification report", body = VerifyView),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(state): State<Api>,
    caller: Caller,
) -> Result<ApiJson<VerifyView>, ApiError> {
    require_audit(&caller)?;
    let report = state.service.verify().await?;
    Ok(ApiJson(VerifyView::from(report)))
}
