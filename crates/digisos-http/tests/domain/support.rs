//! A world for the domain router tests: the example NRW contract and register in an
//! in-memory store, a fixed clock at Thursday 2 October 2025 20:00 Berlin, one token per
//! role (plus a foreign body and a foreign provider).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::ids::ProviderId;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_http::auth::{Token, TokenId, TokenStore};
use digisos_http::clock::FixedClock;
use digisos_http::tokens::ProgrammeTokens;
use digisos_http::{HttpConfig, Role, ServiceHandle, domain_app};
use digisos_store::ProgrammeLog;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const CONTRACT: &str = include_str!("../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../examples/nrw/register.csv");

/// Köln: the body of the incidents in these tests (lot 1, Rheinland).
pub(crate) const KOELN: &str = "05315000";
/// Olpe: a body whose incidents the Köln token must never see.
pub(crate) const OLPE: &str = "05966";

/// Thursday 2 October 2025, 20:00 in Berlin.
pub(crate) fn t0() -> DateTime<Utc> {
    chrono_tz::Europe::Berlin
        .with_ymd_and_hms(2025, 10, 2, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum As {
    Coordinator,
    Body,
    ForeignBody,
    Provider,
    ForeignProvider,
    Auditor,
}

impl As {
    pub(crate) const ALL: [As; 6] = [
        As::Coordinator,
        As::Body,
        As::ForeignBody,
        As::Provider,
        As::ForeignProvider,
        As::Auditor,
    ];
}

pub(crate) struct World {
    pub(crate) router: Router,
    pub(crate) handle: ServiceHandle,
    pub(crate) clock: FixedClock,
    url: String,
    tokens: Vec<(As, Token, TokenId)>,
}

impl World {
    pub(crate) fn new() -> World {
        World::open("memory:")
    }

    /// The world over the store at `url` (the contract and register adopted, tokens
    /// issued).
    pub(crate) fn open(url: &str) -> World {
        let mut service = Service::open(ProgrammeLog::open(url).unwrap()).unwrap();
        let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
        let import = digisos_core::register::csv::parse(REGISTER).unwrap();
        let at = t0() - chrono::TimeDelta::days(30);
        let coordinator = Principal::coordinator();
        for command in [
            Command::AdoptContract(Box::new(spec)),
            Command::ImportRegister {
                source: "register.csv".into(),
                import,
            },
        ] {
            service
                .execute(&command, &coordinator, at)
                .unwrap()
                .unwrap();
        }
        let clock = FixedClock::new(t0());
        let handle = ServiceHandle::start(service, Arc::new(clock.clone())).unwrap();
        let store = ProgrammeTokens::new(handle.clone());
        let provider = |id: &str| Some(ProviderId::new(id).unwrap());
        let issue = |role, body: Option<&str>, provider| {
            let (token, record) = store
                .issue(role, body.map(str::to_owned), provider, "test")
                .unwrap();
            (token, record.principal.token_id().clone())
        };
        let tokens = [
            (As::Coordinator, issue(Role::Coordinator, None, None)),
            (As::Body, issue(Role::Body, Some(KOELN), None)),
            (As::ForeignBody, issue(Role::Body, Some(OLPE), None)),
            (
                As::Provider,
                issue(Role::Provider, None, provider("rheinwacht")),
            ),
            (
                As::ForeignProvider,
                issue(Role::Provider, None, provider("westfalen-cert")),
            ),
            (As::Auditor, issue(Role::Auditor, None, None)),
        ]
        .into_iter()
        .map(|(who, (token, id))| (who, token, id))
        .collect();
        World {
            router: domain_app(handle.clone(), HttpConfig::default()),
            handle,
            clock,
            url: url.to_owned(),
            tokens,
        }
    }

    /// Stops the writer (a planned stop) and starts a new server over the same store,
    /// with the same clock and tokens.
    pub(crate) fn restart(self) -> World {
        self.handle.shutdown();
        let World {
            router,
            handle,
            clock,
            url,
            tokens,
        } = self;
        drop((router, handle));
        let service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
        let handle = ServiceHandle::start(service, Arc::new(clock.clone())).unwrap();
        World {
            router: domain_app(handle.clone(), HttpConfig::default()),
            handle,
            clock,
            url,
            tokens,
        }
    }

    pub(crate) fn token(&self, who: As) -> &Token {
        &self.tokens.iter().find(|(w, ..)| *w == who).unwrap().1
    }

    pub(crate) fn token_id(&self, who: As) -> &TokenId {
        &self.tokens.iter().find(|(w, ..)| *w == who).unwrap().2
    }

    /// The store's url.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) async fn call(
        &self,
        who: Option<As>,
        method: &str,
        uri: &str,
        body: &str,
    ) -> Answer {
        self.call_with(who, method, uri, body, &[]).await
    }

    pub(crate) async fn call_with(
        &self,
        who: Option<As>,
        method: &str,
        uri: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut b = Request::builder().method(method).uri(uri);
        if !body.is_empty() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(who) = who {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.token(who).expose_secret()),
            );
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body.to_owned())).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Köln reports a ransomware incident; returns its id.
    pub(crate) async fn report(&self, who: As, body_key: &str) -> String {
        let a = self
            .call(Some(who), "POST", "/v1/incidents", &report_body(body_key))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_str().unwrap().to_owned()
    }

    /// Reports, triages (critical, lot 1) and dispatches 5 person-days: with rheinwacht.
    pub(crate) async fn dispatched(&self) -> String {
        let id = self.report(As::Body, KOELN).await;
        self.ok(
            As::Coordinator,
            &format!("/v1/incidents/{id}/triage"),
            r#"{"severity":"critical","lot":"los-1-rheinland"}"#,
        )
        .await;
        let a = self
            .ok(
                As::Coordinator,
                &format!("/v1/incidents/{id}/dispatch"),
                r#"{"estimate":{"person_days":"5"}}"#,
            )
            .await;
        assert_eq!(a.json()["provider"], "rheinwacht");
        id
    }

    /// POSTs and asserts 2xx.
    pub(crate) async fn ok(&self, who: As, uri: &str, body: &str) -> Answer {
        let a = self.call(Some(who), "POST", uri, body).await;
        assert!(a.status.is_success(), "{uri}: {} {}", a.status, a.text());
        a
    }
}

#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Asserts a problem+json with this status and type; returns it.
    pub(crate) fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(
            self.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let p = self.json();
        assert_eq!(p["type"], format!("/problems/{slug}"), "{p}");
        p
    }
}

/// The body of `POST /v1/incidents`: a ransomware incident of `body_key`.
pub(crate) fn report_body(body_key: &str) -> String {
    serde_json::json!({
        "body": body_key,
        "title": "Ransomware: Fachverfahren verschlüsselt",
        "category": "ransomware",
        "aware_at": (t0() - chrono::TimeDelta::minutes(30)).to_rfc3339(),
        "personal_data": true,
        "on_site_needed": true,
    })
    .to_string()
}
