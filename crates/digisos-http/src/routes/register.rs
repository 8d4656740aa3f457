//! Register routes: list, search and get bodies, import (coordinator), eligibility.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use digisos_core::eligibility::RuleSet;
use digisos_core::programme::{Command, Rejection};
use digisos_core::register::gv100ad::Gv100Options;
use digisos_core::register::{BodyKey, BodyKind};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{Api, page_size, who};
use crate::auth::Caller;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::{BodyPage, BodyView, DecisionView, EligibilityView, ImportView};

/// Filters of `GET /v1/bodies`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BodyQuery {
    /// Only bodies of this kind (e.g. `gemeinde`, `kreis`).
    kind: Option<String>,
    /// Case-insensitive part of the name, or a key prefix.
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size (1–500, default 50).
    limit: Option<usize>,
}

/// Lists and searches the register, ordered by key.
#[utoipa::path(get, path = "/v1/bodies", tag = "register", params(BodyQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of bodies", body = BodyPage),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json")))]
pub async fn list_bodies(
    State(state): State<Api>,
    _caller: Caller,
    Query(query): Query<BodyQuery>,
) -> Result<ApiJson<BodyPage>, ApiError> {
    let kind: Option<BodyKind> = query
        .kind
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: digisos_core::register::KindError| ApiError::BadRequest(e.to_string()))?;
    let needle = query.q.as_deref().map(str::to_lowercase);
    let limit = page_size(query.limit);
    let read = state.service.read();
    let mut matching = read
        .programme()
        .register()
        .bodies()
        .filter(|b| kind.is_none_or(|k| b.kind == k))
        .filter(|b| {
            needle
                .as_deref()
                .is_none_or(|n| b.name.to_lowercase().contains(n) || b.key.as_str().starts_with(n))
        })
        .filter(|b| query.cursor.as_deref().is_none_or(|c| b.key.as_str() > c));
    let items: Vec<BodyView> = matching.by_ref().take(limit).map(BodyView::from).collect();
    let next_cursor = match matching.next() {
        Some(_) => items.last().map(|b| b.key.as_str().to_owned()),
        None => None,
    };
    Ok(ApiJson(BodyPage { items, next_cursor }))
}

/// One body of the register.
#[utoipa::path(get, path = "/v1/bodies/{key}", tag = "register",
    params(("key" = String, Path, description = "AGS or registry id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The body", body = BodyView),
        (status = 404, description = "Not in the register", body = Problem, content_type = "application/problem+json")))]
pub async fn get_body(
    State(state): State<Api>,
    _caller: Caller,
    Path(key): Path<String>,
) -> Result<ApiJson<BodyView>, ApiError> {
    let key: BodyKey = key.parse().map_err(|_| ApiError::NotFound)?;
    let read = state.service.read();
    let body = read
        .programme()
        .register()
        .get(&key)
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(BodyView::from(body)))
}

/// The format of a register import.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// The project's CSV (companies, Landschaftsverbände, state authorities).
    Csv,
    /// Destatis GV100AD fixed-width records (Land NRW only).
    Gv100ad,
}

/// `POST /v1/register/imports` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The file format.
    format: ImportFormat,
    /// The file's text.
    content: String,
    /// Where the data comes from (default: the format name).
    #[serde(default)]
    source: Option<String>,
}

/// Imports bodies into the register, all or nothing (coordinator).
#[utoipa::path(post, path = "/v1/register/imports", tag = "register", request_body = ImportRequest,
    security(("bearer" = [])),
    responses((status = 201, description = "Imported", body = ImportView),
        (status = 422, description = "Invalid import, every problem listed", body = Problem, content_type = "application/problem+json")))]
pub async fn import_register(
    State(state): State<Api>,
    caller: Caller,
    ApiJson(req): ApiJson<ImportRequest>,
) -> Result<(StatusCode, ApiJson<ImportView>), ApiError> {
    let by = who(&caller.0)?;
    let parsed = match req.format {
        ImportFormat::Csv => digisos_core::register::csv::parse(req.content.as_bytes()),
        ImportFormat::Gv100ad => digisos_core::register::gv100ad::parse(
            req.content.as_bytes(),
            &Gv100Options {
                land: "05".parse().ok(),
            },
        ),
    };
    let import =
        parsed.map_err(|e| ApiError::rejection(&Rejection::InvalidImport(e.to_problems())))?;
    let bodies = import.bodies.len();
    let source = req.source.unwrap_or_else(|| match req.format {
        ImportFormat::Csv => "csv via api".into(),
        ImportFormat::Gv100ad => "gv100ad via api".into(),
    });
    let events = state
        .service
        .execute(Command::ImportRegister { source, import }, by, None)
        .await?;
    let position = events.last().map(|r| r.position);
    Ok((
        StatusCode::CREATED,
        ApiJson(ImportView { bodies, position }),
    ))
}

/// `GET /v1/eligibility/{key}` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// The date to decide for (default: today in Europe/Berlin).
    #[param(value_type = Option<String>, format = Date)]
    on: Option<NaiveDate>,
}

/// Whether a body may call off help on a date, with every reason.
#[utoipa::path(get, path = "/v1/eligibility/{key}", tag = "register",
    params(("key" = String, Path, description = "AGS or registry id"), EligibilityQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The decision, explained", body = EligibilityView)))]
pub async fn eligibility(
    State(state): State<Api>,
    _caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<EligibilityQuery>,
) -> Result<ApiJson<EligibilityView>, ApiError> {
    let key: BodyKey = key.parse().map_err(|_| ApiError::NotFound)?;
    let on = query.on.unwrap_or_else(|| {
        state
            .service
            .now()
            .with_timezone(&chrono_tz::Europe::Berlin)
            .date_naive()
    });
    let read = state.service.read();
    let p = read.programme();
    let default_rules = RuleSet::nrw_default();
    let rules = p.contract().map_or(&default_rules, |c| &c.eligibility);
    let decision = rules.decide(p.register(), &key, on);
    Ok(ApiJson(EligibilityView {
        on,
        decision: DecisionView::from(decision),
    }))
}
