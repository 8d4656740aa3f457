//! Incident routes: report, list, get, events, SLA clocks and reporting duties.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use digisos_core::duties::{DutyKind, Nis2Class};
use digisos_core::incident::{
    IncidentCategory, IncidentCommand, IncidentId, IncidentState, Report,
};
use digisos_core::programme::{Command, ProgrammeEvent};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{Api, incident_headers, incident_id, page_size, who};
use crate::auth::Caller;
use crate::etag::IfMatch;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::{self, ClockList, DutyList, DutyView, EventList, IncidentPage, IncidentView};

/// `POST /v1/incidents` body: the facts of a report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The affected body's register key (a body token may only report for itself).
    body: String,
    /// A short title.
    title: String,
    /// What happened, as far as known.
    #[serde(default)]
    description: String,
    /// `ransomware`, `malware`, `account_compromise`, `denial_of_service`, `data_breach`, `other`.
    #[schema(value_type = String)]
    category: IncidentCategory,
    /// When the body became aware (RFC 3339); reporting duties count from here.
    #[schema(value_type = String, format = DateTime)]
    aware_at: DateTime<Utc>,
    /// Services affected.
    #[serde(default)]
    affected_services: Vec<String>,
    /// Whether personal data is affected (GDPR duty).
    #[serde(default)]
    personal_data: bool,
    /// The body's NIS2 class (default `none`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    nis2: Nis2Class,
    /// Whether on-site help is needed.
    #[serde(default)]
    on_site_needed: bool,
}

/// Reports an incident; answers 201 with `Location` and `ETag`.
#[utoipa::path(post, path = "/v1/incidents", tag = "incidents", request_body = ReportRequest,
    security(("bearer" = [])),
    responses((status = 201, description = "Reported", body = IncidentView),
        (status = 422, description = "Unknown body, empty title, awareness in the future", body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<Api>,
    caller: Caller,
    ApiJson(req): ApiJson<ReportRequest>,
) -> Result<(StatusCode, HeaderMap, ApiJson<IncidentView>), ApiError> {
    let by = who(&caller.0)?;
    let report = Report {
        body: req.body,
        title: req.title,
        description: req.description,
        category: req.category,
        aware_at: req.aware_at,
        affected_services: req.affected_services,
        personal_data: req.personal_data,
        nis2: req.nis2,
        on_site_needed: req.on_site_needed,
    };
    let events = state
        .service
        .execute(Command::Report(report), by.clone(), None)
        .await?;
    let id = events
        .iter()
        .find_map(|r| match &r.event {
            ProgrammeEvent::Incident { id, .. } => Some(id.clone()),
            _ => None,
        })
        .ok_or_else(|| ApiError::Internal("a report recorded no incident event".into()))?;
    let read = state.service.read();
    let incident = read
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    let location = format!("/v1/incidents/{id}");
    Ok((
        StatusCode::CREATED,
        incident_headers(incident.version, Some(&location)),
        ApiJson(IncidentView::from(incident)),
    ))
}

/// `GET /v1/incidents` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// Only incidents in this state (`reported`, `dispatched`, …).
    #[param(value_type = Option<String>)]
    state: Option<IncidentState>,
    /// Only incidents of this body.
    body: Option<String>,
    /// The `next_cursor` of the previous page (an incident id).
    cursor: Option<String>,
    /// Page size (1–500, default 50).
    limit: Option<usize>,
}

/// The incidents the caller may see, by id, with cursor pagination.
#[utoipa::path(get, path = "/v1/incidents", tag = "incidents", params(IncidentQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of incidents", body = IncidentPage)))]
pub async fn list(
    State(state): State<Api>,
    caller: Caller,
    Query(q): Query<IncidentQuery>,
) -> Result<ApiJson<IncidentPage>, ApiError> {
    let by = who(&caller.0)?;
    let limit = page_size(q.limit);
    let cursor = q
        .cursor
        .as_deref()
        .map(IncidentId::new)
        .transpose()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let read = state.service.read();
    let mut matching = read
        .programme()
        .visible_incidents(&by)
        .filter(|i| q.state.is_none_or(|s| i.state() == s))
        .filter(|i| q.body.as_deref().is_none_or(|b| i.body == b))
        .filter(|i| cursor.as_ref().is_none_or(|c| &i.id > c));
    let page: Vec<_> = matching.by_ref().take(limit).collect();
    let next = matching.next().and(page.last()).map(|i| i.id.to_string());
    let items = page.into_iter().map(IncidentView::from).collect();
    Ok(ApiJson(IncidentPage {
        items,
        next_cursor: next,
    }))
}

/// One incident, with `ETag: "v<version>"`.
#[utoipa::path(get, path = "/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "The incident", body = IncidentView),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
pub async fn get_incident(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(&id)?;
    let read = state.service.read();
    let incident = read
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    Ok((
        incident_headers(incident.version, None),
        ApiJson(IncidentView::from(incident)),
    ))
}

/// Every event of one incident, in order, with log positions.
#[utoipa::path(get, path = "/v1/incidents/{id}/events", tag = "incidents",
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "The events", body = EventList),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
pub async fn events(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<EventList>, ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(&id)?;
    state
        .service
        .read()
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    let events = state.service.incident_events(id).await?;
    Ok(ApiJson(EventList {
        items: views::events(&events),
    }))
}

/// The SLA clocks of the incident's call-off at the server's now.
#[utoipa::path(get, path = "/v1/incidents/{id}/sla", tag = "incidents",
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "Clock status per provider and window", body = ClockList),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
pub async fn sla(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<ClockList>, ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(&id)?;
    let now = state.service.now();
    let read = state.service.read();
    let p = read.programme();
    let incident = p.incident_for(&id, &by).ok_or(ApiError::NotFound)?;
    Ok(ApiJson(ClockList {
        at: now,
        items: views::clocks(incident, now, p.calendars()),
    }))
}

/// The reporting duties (NIS2, GDPR) of the incident at the server's now.
#[utoipa::path(get, path = "/v1/incidents/{id}/duties", tag = "incidents",
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "Duty status", body = DutyList),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
pub async fn duties(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<DutyList>, ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(&id)?;
    let now = state.service.now();
    let read = state.service.read();
    let incident = read
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(DutyList {
        at: now,
        items: incident
            .duties
            .status(now)
            .into_iter()
            .map(DutyView::from)
            .collect(),
    }))
}

/// `POST /v1/incidents/{id}/duties` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyRequest {
    /// `nis2_early_warning`, `nis2_notification`, `nis2_final_report`, `gdpr_notification`.
    #[schema(value_type = String)]
    kind: DutyKind,
    /// When it was submitted to the authority (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    submitted_at: DateTime<Utc>,
    /// The submission's reference.
    reference: String,
}

/// Records that a reporting duty was submitted to the authority.
#[utoipa::path(post, path = "/v1/incidents/{id}/duties", tag = "incidents", request_body = DutyRequest,
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "The incident after the change", body = IncidentView),
        (status = 409, description = "Not applicable or already submitted", body = Problem, content_type = "application/problem+json")))]
pub async fn record_duty(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(req): ApiJson<DutyRequest>,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let command = IncidentCommand::RecordDutySubmission {
        kind: req.kind,
        submitted_at: req.submitted_at,
        reference: req.reference,
    };
    super::transitions::run(&state, &caller, &id, if_match, command).await
}
