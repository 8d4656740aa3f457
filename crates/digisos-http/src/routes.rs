//! The domain routes under `/v1`, and [`domain_app`] which assembles the whole server
//! (tokens from the programme, readiness from the store, gauges from the read model).
//!
//! Every handler extracts, builds a core `Command`, sends it to the writer and maps the
//! outcome; access is decided by the core (`Programme::incident_for` answers `None` for a
//! foreign incident, which is a 404 like a missing one; `principal::can_audit` and
//! `principal::can_read_reports` guard the programme-wide reads with 403).

pub mod audit;
pub mod incidents;
pub mod optional;
pub mod reference;
pub mod register;
pub mod reports;
pub mod transitions;

pub use optional::OptionalJson;
pub use transitions::{CallOffAction, TimeEntryAction, Transition};

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use digisos_core::incident::IncidentId;
use digisos_core::ledger::LimitKey;
use digisos_core::principal::Principal as CorePrincipal;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::etag::etag_header;
use crate::metrics::Gauge;
use crate::problem::ApiError;
use crate::state::{AppState, HttpConfig, Infra, Readiness, ReadinessCheck, ReadinessFuture};
use crate::tokens::{ProgrammeTokens, core_principal};
use crate::writer::ServiceHandle;

/// The router state of the domain API.
pub type Api = AppState<ServiceHandle>;

/// Default and largest page size of list endpoints.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size of list endpoints.
pub const MAX_LIMIT: usize = 500;

/// Every domain route, documented for `/openapi.json`.
pub fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(register::list_bodies))
        .routes(routes!(register::get_body))
        .routes(routes!(register::import_register))
        .routes(routes!(register::eligibility))
        .routes(routes!(reference::contract))
        .routes(routes!(reference::lots))
        .routes(routes!(reference::utilisation))
        .routes(routes!(reference::deadline))
        .routes(routes!(reference::holidays))
        .routes(routes!(incidents::report, incidents::list))
        .routes(routes!(incidents::get_incident))
        .routes(routes!(incidents::events))
        .routes(routes!(incidents::sla))
        .routes(routes!(incidents::duties, incidents::record_duty))
        .routes(routes!(transitions::transition))
        .routes(routes!(transitions::call_off))
        .routes(routes!(
            transitions::submit_time_entry,
            transitions::time_entries
        ))
        .routes(routes!(transitions::review_time_entry))
        .routes(routes!(audit::export))
        .routes(routes!(audit::verify))
        .routes(routes!(reports::utilisation_report))
        .routes(routes!(reports::sla_report))
        .routes(routes!(reports::incidents_report))
        .routes(routes!(reports::duties_report))
        .routes(routes!(reports::ocds_report))
}

/// The complete server over a started writer: programme-backed tokens, the writer's
/// durable idempotency records, readiness = the store answers, gauges from the read
/// model.
pub fn domain_app(handle: ServiceHandle, config: HttpConfig) -> Router {
    let infra = Infra::new(
        config,
        Arc::new(ProgrammeTokens::new(handle.clone())),
        handle.idempotency(),
        Arc::new(StoreReadiness(handle.clone())),
    );
    let gauges = handle.clone();
    infra
        .metrics()
        .register_gauges(Arc::new(move || domain_gauges(&gauges)));
    crate::app(AppState::new(infra, handle), routes())
}

/// `/readyz`: the store answers a read.
#[derive(Debug)]
struct StoreReadiness(ServiceHandle);

impl Readiness for StoreReadiness {
    fn check(&self) -> ReadinessFuture<'_> {
        Box::pin(async move {
            let result = self.0.ping().await;
            vec![ReadinessCheck {
                name: "store reachable".into(),
                ok: result.is_ok(),
                detail: result.err().map(|e| e.to_string()),
            }]
        })
    }
}

/// Open incidents, SLA breaches and budget used per lot, sampled at scrape time.
fn domain_gauges(handle: &ServiceHandle) -> Vec<Gauge> {
    let read = handle.read();
    let p = read.programme();
    let open = p
        .incidents()
        .values()
        .filter(|i| !i.state().is_terminal())
        .count();
    let breaches = p
        .incidents()
        .values()
        .flat_map(|i| &i.clocks)
        .filter(|c| c.clock.breached_at().is_some())
        .count();
    let lots = p
        .ledger()
        .utilisation()
        .into_iter()
        .filter_map(|row| match row.key {
            LimitKey::Lot(lot) => {
                let used = row.posted.amount() + row.reserved.amount();
                let value = rust_decimal::prelude::ToPrimitive::to_f64(&used).unwrap_or(f64::NAN);
                Some((vec![("lot".to_owned(), lot.to_string())], value))
            }
            _ => None,
        })
        .collect();
    vec![
        Gauge {
            name: "digisos_open_incidents".into(),
            help: "Incidents not closed, rejected, withdrawn or cancelled.".into(),
            samples: vec![(vec![], open as f64)],
        },
        Gauge {
            name: "digisos_sla_breaches".into(),
            help: "SLA clocks breached, over all incidents and providers.".into(),
            samples: vec![(vec![], breaches as f64)],
        },
        Gauge {
            name: "digisos_budget_used_eur".into(),
            help: "Net amount posted plus reserved per lot (dashboards only).".into(),
            samples: lots,
        },
    ]
}

/// The core principal of the caller.
pub(crate) fn who(caller: &Principal) -> Result<CorePrincipal, ApiError> {
    core_principal(caller)
}

/// Parses an incident id from the path; an id that cannot exist is simply not found.
pub(crate) fn incident_id(text: &str) -> Result<IncidentId, ApiError> {
    IncidentId::new(text).map_err(|_| ApiError::NotFound)
}

/// `ETag` (and optionally `Location`) headers of an incident response.
pub(crate) fn incident_headers(version: u64, location: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let (name, value) = etag_header(version);
    headers.insert(name, value);
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(header::LOCATION, loc);
    }
    headers
}

/// Clamps a requested page size.
pub(crate) fn page_size(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}
