//! The programme's reports and its OCDS export, computed by the core as of the server's
//! now. They span every body and provider, so the core lets only the coordinator and
//! the auditor read them (`principal::can_read_reports`); other roles get 403, like the
//! audit trail.

use axum::extract::{Query, State};
use digisos_core::principal::can_read_reports;
use digisos_core::reports::{
    self,
    ocds::{self, OcidPrefix},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Api, who};
use crate::auth::Caller;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::{
    DutiesReportView, IncidentStatisticsView, OcdsPackageView, SlaReportView, UtilisationReportView,
};

fn require_reports(caller: &Caller) -> Result<(), ApiError> {
    let by = who(&caller.0)?;
    can_read_reports(&by)
        .then_some(())
        .ok_or(ApiError::Forbidden)
}

/// Reserved, posted, released and remaining money per contract, lot, provider, contract
/// year and body-year, with the warning levels reached, as of the server's now.
#[utoipa::path(get, path = "/v1/reports/utilisation", tag = "reports", security(("bearer" = [])),
    responses((status = 200, description = "The utilisation report", body = UtilisationReportView),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn utilisation_report(
    State(state): State<Api>,
    caller: Caller,
) -> Result<ApiJson<UtilisationReportView>, ApiError> {
    require_reports(&caller)?;
    let now = state.service.now();
    let read = state.service.read();
    Ok(ApiJson(reports::utilisation(read.programme(), now).into()))
}

/// SLA attainment per provider and lot (clocks met, breached, running, cancelled; median
/// and p90 response times) and every breach, as of the server's now.
#[utoipa::path(get, path = "/v1/reports/sla", tag = "reports", security(("bearer" = [])),
    responses((status = 200, description = "The SLA attainment report", body = SlaReportView),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn sla_report(
    State(state): State<Api>,
    caller: Caller,
) -> Result<ApiJson<SlaReportView>, ApiError> {
    require_reports(&caller)?;
    let now = state.service.now();
    let read = state.service.read();
    Ok(ApiJson(reports::sla(read.programme(), now).into()))
}

/// Incident counts by state, severity, category and Regierungsbezirk, and MTTA and MTTR,
/// as of the server's now.
#[utoipa::path(get, path = "/v1/reports/incidents", tag = "reports", security(("bearer" = [])),
    responses((status = 200, description = "The incident statistics", body = IncidentStatisticsView),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn incidents_report(
    State(state): State<Api>,
    caller: Caller,
) -> Result<ApiJson<IncidentStatisticsView>, ApiError> {
    require_reports(&caller)?;
    let now = state.service.now();
    let read = state.service.read();
    Ok(ApiJson(
        reports::incident_statistics(read.programme(), now).into(),
    ))
}

/// The reporting duties (NIS2, GDPR) of every incident and in total: open, submitted,
/// submitted late, overdue, as of the server's now.
#[utoipa::path(get, path = "/v1/reports/duties", tag = "reports", security(("bearer" = [])),
    responses((status = 200, description = "The reporting-duty report", body = DutiesReportView),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json")))]
pub async fn duties_report(
    State(state): State<Api>,
    caller: Caller,
) -> Result<ApiJson<DutiesReportView>, ApiError> {
    require_reports(&caller)?;
    let now = state.service.now();
    let read = state.service.read();
    Ok(ApiJson(reports::duties(read.programme(), now).into()))
}

/// `GET /v1/reports/ocds` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OcdsQuery {
    /// Your registered ocid prefix: `ocds-` and six lowercase letters or digits
    /// (default `ocds-xxxxxx`, a placeholder to replace before publishing).
    #[param(example = "ocds-213czf")]
    ocid_prefix: Option<String>,
}

/// The framework contract and every call-off as an OCDS 1.1 release package, published
/// at the server's now (the same package `digisos export ocds` writes).
#[utoipa::path(get, path = "/v1/reports/ocds", tag = "reports", params(OcdsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The OCDS 1.1 release package", body = OcdsPackageView),
        (status = 400, description = "The ocid prefix is not `ocds-` and six lowercase letters or digits", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither coordinator nor auditor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No contract adopted yet: nothing to publish", body = Problem, content_type = "application/problem+json")))]
pub async fn ocds_report(
    State(state): State<Api>,
    caller: Caller,
    Query(q): Query<OcdsQuery>,
) -> Result<ApiJson<OcdsPackageView>, ApiError> {
    require_reports(&caller)?;
    let prefix = OcidPrefix::new(
        q.ocid_prefix
            .unwrap_or_else(|| ocds::PLACEHOLDER_PREFIX.to_owned()),
    )?;
    let now = state.service.now();
    let read = state.service.read();
    let package = ocds::export(read.programme(), &prefix, now)?;
    Ok(ApiJson(package.into()))
}
