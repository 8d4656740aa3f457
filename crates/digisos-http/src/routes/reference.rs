//! Reference data: the contract in force, its lots and utilisation, and the business
//! calendars (deadline and closed days are one-line core calls).

use axum::extract::{Query, State};
use chrono::{DateTime, TimeDelta, Utc};
use digisos_core::ids::CalendarId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Api;
use crate::auth::Caller;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::{
    ClosedDayView, ContractView, DeadlineView, HolidaysView, LotList, LotView, UtilisationList,
    UtilisationRowView,
};

/// The framework contract in force.
#[utoipa::path(get, path = "/v1/contract", tag = "contract", security(("bearer" = [])),
    responses((status = 200, description = "The contract", body = ContractView),
        (status = 404, description = "No contract adopted yet", body = Problem, content_type = "application/problem+json")))]
pub async fn contract(
    State(state): State<Api>,
    _caller: Caller,
) -> Result<ApiJson<ContractView>, ApiError> {
    let read = state.service.read();
    let contract = read.programme().contract().ok_or(ApiError::NotFound)?;
    Ok(ApiJson(ContractView::from(contract)))
}

/// The lots of the contract in force, in contract order.
#[utoipa::path(get, path = "/v1/contract/lots", tag = "contract", security(("bearer" = [])),
    responses((status = 200, description = "The lots", body = LotList),
        (status = 404, description = "No contract adopted yet", body = Problem, content_type = "application/problem+json")))]
pub async fn lots(State(state): State<Api>, _caller: Caller) -> Result<ApiJson<LotList>, ApiError> {
    let read = state.service.read();
    let contract = read.programme().contract().ok_or(ApiError::NotFound)?;
    Ok(ApiJson(LotList {
        items: contract.lots.iter().map(LotView::from).collect(),
    }))
}

/// Utilisation of every limit (contract, lots, body-years, call-offs).
#[utoipa::path(get, path = "/v1/contract/utilisation", tag = "contract", security(("bearer" = [])),
    responses((status = 200, description = "One row per limit", body = UtilisationList)))]
pub async fn utilisation(State(state): State<Api>, _caller: Caller) -> ApiJson<UtilisationList> {
    let read = state.service.read();
    let rows = read.programme().ledger().utilisation();
    ApiJson(UtilisationList {
        items: rows.into_iter().map(UtilisationRowView::from).collect(),
    })
}

/// `GET /v1/calendar/deadline` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// When the window starts (RFC 3339).
    #[param(value_type = String, format = DateTime)]
    start: DateTime<Utc>,
    /// The window in minutes of open time.
    minutes: u32,
    /// Calendar id (default `nrw-business`).
    calendar: Option<String>,
}

fn calendar_id(name: Option<&str>) -> Result<CalendarId, ApiError> {
    CalendarId::new(name.unwrap_or("nrw-business")).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// The deadline of a window in a business calendar.
#[utoipa::path(get, path = "/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The deadline", body = DeadlineView),
        (status = 404, description = "Unknown calendar", body = Problem, content_type = "application/problem+json")))]
pub async fn deadline(
    State(state): State<Api>,
    _caller: Caller,
    Query(q): Query<DeadlineQuery>,
) -> Result<ApiJson<DeadlineView>, ApiError> {
    let id = calendar_id(q.calendar.as_deref())?;
    let read = state.service.read();
    let cal = read
        .programme()
        .calendars()
        .get(&id)
        .ok_or(ApiError::NotFound)?;
    let due = cal.deadline(q.start, TimeDelta::minutes(i64::from(q.minutes)));
    Ok(ApiJson(DeadlineView {
        calendar: id,
        start: q.start,
        minutes: q.minutes,
        deadline: due,
    }))
}

/// `GET /v1/calendar/holidays` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidayQuery {
    /// The year.
    year: i32,
    /// Calendar id (default `nrw-business`).
    calendar: Option<String>,
}

/// The closed days of a calendar in a year.
#[utoipa::path(get, path = "/v1/calendar/holidays", tag = "calendar", params(HolidayQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Closed days, by date", body = HolidaysView),
        (status = 404, description = "Unknown calendar", body = Problem, content_type = "application/problem+json")))]
pub async fn holidays(
    State(state): State<Api>,
    _caller: Caller,
    Query(q): Query<HolidayQuery>,
) -> Result<ApiJson<HolidaysView>, ApiError> {
    let id = calendar_id(q.calendar.as_deref())?;
    let read = state.service.read();
    let cal = read
        .programme()
        .calendars()
        .get(&id)
        .ok_or(ApiError::NotFound)?;
    let items = cal
        .closed_days(q.year)
        .into_iter()
        .map(ClosedDayView::from)
        .collect();
    Ok(ApiJson(HolidaysView {
        calendar: id,
        year: q.year,
        items,
    }))
}
