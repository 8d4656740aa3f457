//! The remote backend: the HTTP API of a running `digisos serve`, called with a blocking
//! client and the bearer token (`--token` or `DIGISOS_TOKEN`). The server's clock and the
//! token's principal decide; problem+json answers become the CLI's exit codes.

use super::embedded::{body_not_found, not_found};
use super::requests::request;
use super::{AsOf, AuditReport, Backend, ClockView, Written};
use crate::CliError;
use crate::cmd::incident::view::{IncidentRow, IncidentView};
use chrono::{DateTime, NaiveDate, Utc};
use digisos_core::duties::DutyStatus;
use digisos_core::eligibility::Decision;
use digisos_core::incident::{IncidentCommand, IncidentId, IncidentState, Report, TimeEntryRecord};
use digisos_core::programme::{Programme, ProgrammeEvent};
use digisos_core::register::{Body, BodyKey, BodyKind, Import, Register, RegisterStats};
use digisos_core::reports::ocds::{OcidPrefix, ReleasePackage};
use digisos_core::reports::{DutiesReport, IncidentStatistics, SlaReport, UtilisationReport};
use digisos_core::service::Recorded;
use digisos_http::Problem;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Page size asked of list endpoints (the API's largest).
const PAGE: usize = 500;
/// How often a write is retried when someone else changed the incident in between.
const ATTEMPTS: usize = 3;

/// A bearer token; never printed (its `Debug` is redacted).
#[derive(Clone)]
pub(crate) struct Token(String);

impl Token {
    /// Wraps the secret.
    pub(crate) fn new(secret: String) -> Token {
        Token(secret)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Where the server is (`--server`) and the token to call it with.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    /// The base URL, e.g. `http://127.0.0.1:8080` (without a final `/`).
    pub(crate) url: String,
    /// The bearer token.
    pub(crate) token: Option<Token>,
}

/// The API client.
#[derive(Debug)]
pub(super) struct Remote {
    server: Server,
    agent: ureq::Agent,
    names: BTreeMap<String, Option<String>>,
}

/// The members of the API's incident representation a write needs.
#[derive(Debug, Deserialize)]
struct Head {
    id: IncidentId,
    version: u64,
    state: IncidentState,
    waiting_for_body: bool,
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    items: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EventItem {
    position: u64,
    event: ProgrammeEvent,
}

#[derive(Debug, Deserialize)]
struct Reading<T> {
    at: DateTime<Utc>,
    items: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct EligibilityAnswer {
    decision: Decision,
}

/// What to say when the API answers 404.
enum Missing<'a> {
    Incident(&'a IncidentId),
    Body(&'a BodyKey),
    Route,
}

impl Remote {
    /// A client of `server` (nothing is sent yet).
    pub(super) fn new(server: Server) -> Remote {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        Remote {
            server,
            agent: config.into(),
            names: BTreeMap::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    fn auth(&self) -> Option<String> {
        self.server
            .token
            .as_ref()
            .map(|t| format!("Bearer {}", t.0))
    }

    /// Sends a request; exit 3 when the server cannot be reached.
    fn send(
        &self,
        path: &str,
        body: Option<&Value>,
        if_match: Option<u64>,
    ) -> Result<ureq::http::Response<ureq::Body>, CliError> {
        let url = self.url(path);
        let result = match body {
            None => {
                let mut req = self.agent.get(&url);
                if let Some(auth) = self.auth() {
                    req = req.header("Authorization", auth);
                }
                req.call()
            }
            Some(body) => {
                let mut req = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/json");
                if let Some(auth) = self.auth() {
                    req = req.header("Authorization", auth);
                }
                if let Some(v) = if_match {
                    req = req.header("If-Match", digisos_http::etag::etag(v));
                }
                req.send(body.to_string())
            }
        };
        result.map_err(|e| {
            CliError::Store(format!(
                "cannot reach the server at {}: {e}; check --server and that `digisos serve` runs there",
                self.server.url
            ))
        })
    }

    /// Sends and decodes a JSON answer, mapping problem+json to exit codes.
    fn json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<&Value>,
        if_match: Option<u64>,
        missing: Missing<'_>,
    ) -> Result<T, CliError> {
        let response = self.send(path, body, if_match)?;
        self.answer(path, response, missing)
    }

    /// Decodes an answer: JSON on 2xx, else the problem mapped to an exit code.
    fn answer<T: DeserializeOwned>(
        &self,
        path: &str,
        mut response: ureq::http::Response<ureq::Body>,
        missing: Missing<'_>,
    ) -> Result<T, CliError> {
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| {
            CliError::Store(format!("reading the answer of {}: {e}", self.url(path)))
        })?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| {
                CliError::Store(format!(
                    "the server at {} answered {path} with unexpected JSON: {e}; are the CLI and the server the same version?",
                    self.server.url
                ))
            });
        }
        Err(self.problem(status, &text, missing))
    }

    /// Maps an error answer: 401/403 name the token, 404 what is missing, other 4xx the
    /// problem's detail (exit 1); 5xx is a server or store failure (exit 3).
    fn problem(&self, status: u16, text: &str, missing: Missing<'_>) -> CliError {
        let detail = serde_json::from_str::<Problem>(text)
            .map(|p| p.detail().to_string())
            .unwrap_or_else(|_| format!("HTTP {status}"));
        match status {
            401 | 403 => CliError::Rejected(format!(
                "{detail}; check your token (--token or DIGISOS_TOKEN) and its role"
            )),
            404 => match missing {
                Missing::Incident(id) => not_found(id, "your token"),
                Missing::Body(key) => body_not_found(key),
                Missing::Route => CliError::Rejected(format!(
                    "{detail}; is {} a digisos server of this version?",
                    self.server.url
                )),
            },
            400..=499 => CliError::Rejected(detail),
            _ => CliError::Store(format!(
                "the server at {} failed: {detail}",
                self.server.url
            )),
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str, missing: Missing<'_>) -> Result<T, CliError> {
        self.json(path, None, None, missing)
    }

    /// Follows `next_cursor` through every page of a list endpoint.
    fn all<T: DeserializeOwned>(&self, path: &str, query: &str) -> Result<Vec<T>, CliError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{path}?limit={PAGE}{query}");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={}", encode(c)));
            }
            let page: Page<T> = self.get(&url, Missing::Route)?;
            out.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    fn head(&self, id: &IncidentId) -> Result<Head, CliError> {
        self.get(&format!("/v1/incidents/{id}"), Missing::Incident(id))
    }

    /// The events of `id`'s stream from version `from` (exclusive) to `to` (inclusive).
    fn recorded(&mut self, id: &IncidentId, from: u64, to: u64) -> Result<Vec<Recorded>, CliError> {
        let events = self.events(id)?;
        let (from, to) = (from as usize, (to as usize).min(events.len()));
        Ok(events.get(from..to).map(<[_]>::to_vec).unwrap_or_default())
    }

    fn written(&mut self, before: u64, after: Head) -> Result<Written, CliError> {
        let recorded = self.recorded(&after.id, before, after.version)?;
        Ok(Written {
            state: Some(after.state),
            waiting_for_body: Some(after.waiting_for_body),
            incident: Some(after.id),
            recorded,
        })
    }

    fn name_of(&mut self, key: &str) -> Result<Option<String>, CliError> {
        if let Some(name) = self.names.get(key) {
            return Ok(name.clone());
        }
        let name = match key.parse::<BodyKey>() {
            Ok(k) => match self.body(&k) {
                Ok(b) => Some(b.name),
                Err(CliError::Rejected(_)) => None,
                Err(e) => return Err(e),
            },
            Err(_) => None,
        };
        self.names.insert(key.to_string(), name.clone());
        Ok(name)
    }

    fn export_reader(&self, since: u64) -> Result<impl std::io::Read, CliError> {
        let path = format!("/v1/audit/export?since={since}");
        let response = self.send(&path, None, None)?;
        let status = response.status().as_u16();
        let mut body = response.into_body();
        if !(200..300).contains(&status) {
            let text = body.read_to_string().unwrap_or_default();
            return Err(self.problem(status, &text, Missing::Route));
        }
        Ok(body.into_reader())
    }
}

/// Percent-encodes a query value (cursors are ids and keys; this keeps any byte safe).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Backend for Remote {
    fn report(&mut self, report: Report) -> Result<Written, CliError> {
        let body = json!({
            "body": report.body,
            "title": report.title,
            "description": report.description,
            "category": report.category,
            "aware_at": report.aware_at,
            "affected_services": report.affected_services,
            "personal_data": report.personal_data,
            "nis2": report.nis2,
            "on_site_needed": report.on_site_needed,
        });
        let head: Head = self.json("/v1/incidents", Some(&body), None, Missing::Route)?;
        self.written(0, head)
    }

    fn act(&mut self, id: &IncidentId, command: IncidentCommand) -> Result<Written, CliError> {
        let (suffix, body) = request(&command)?;
        let path = format!("/v1/incidents/{id}/{suffix}");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let before = self.head(id)?.version;
            let response = self.send(&path, Some(&body), Some(before))?;
            // 412: someone else changed the incident between our read and our write
            if response.status().as_u16() == 412 && attempt < ATTEMPTS {
                continue;
            }
            let after: Head = self.answer(&path, response, Missing::Incident(id))?;
            return self.written(before, after);
        }
    }

    fn incidents(
        &mut self,
        state: Option<IncidentState>,
        body: Option<&str>,
    ) -> Result<Vec<IncidentRow>, CliError> {
        let mut query = String::new();
        if let Some(s) = state {
            query.push_str(&format!("&state={}", s.as_str()));
        }
        if let Some(b) = body {
            query.push_str(&format!("&body={}", encode(b)));
        }
        let mut rows: Vec<IncidentRow> = self.all("/v1/incidents", &query)?;
        for row in &mut rows {
            row.body_name = self.name_of(&row.body)?;
        }
        Ok(rows)
    }

    fn incident(&mut self, id: &IncidentId) -> Result<IncidentView, CliError> {
        // the incident and its reservation, folded from its events by the core itself
        let mut programme = Programme::new();
        for r in self.events(id)? {
            programme.apply(&r.event);
        }
        let incident = programme
            .incidents()
            .get(id)
            .ok_or_else(|| not_found(id, "your token"))?;
        let reservation = incident
            .call_off
            .as_ref()
            .and_then(|c| programme.ledger().reservation(c));
        let name = self.name_of(&incident.body)?;
        Ok(IncidentView::new(incident, reservation, name))
    }

    fn events(&mut self, id: &IncidentId) -> Result<Vec<Recorded>, CliError> {
        let page: Page<EventItem> =
            self.get(&format!("/v1/incidents/{id}/events"), Missing::Incident(id))?;
        Ok(page
            .items
            .into_iter()
            .map(|e| Recorded {
                position: e.position,
                event: e.event,
            })
            .collect())
    }

    fn time_entries(&mut self, id: &IncidentId) -> Result<Vec<TimeEntryRecord>, CliError> {
        let page: Page<TimeEntryRecord> = self.get(
            &format!("/v1/incidents/{id}/time-entries"),
            Missing::Incident(id),
        )?;
        Ok(page.items)
    }

    fn clocks(&mut self, id: &IncidentId) -> Result<AsOf<ClockView>, CliError> {
        let r: Reading<ClockView> =
            self.get(&format!("/v1/incidents/{id}/sla"), Missing::Incident(id))?;
        Ok(AsOf {
            at: r.at,
            items: r.items,
        })
    }

    fn duties(&mut self, id: &IncidentId) -> Result<AsOf<DutyStatus>, CliError> {
        let r: Reading<DutyStatus> =
            self.get(&format!("/v1/incidents/{id}/duties"), Missing::Incident(id))?;
        Ok(AsOf {
            at: r.at,
            items: r.items,
        })
    }

    fn bodies(&mut self, kind: Option<BodyKind>) -> Result<Vec<Body>, CliError> {
        let query = kind.map_or_else(String::new, |k| format!("&kind={}", k.as_str()));
        self.all("/v1/bodies", &query)
    }

    fn body(&mut self, key: &BodyKey) -> Result<Body, CliError> {
        self.get(
            &format!("/v1/bodies/{}", encode(key.as_str())),
            Missing::Body(key),
        )
    }

    fn register_stats(&mut self) -> Result<RegisterStats, CliError> {
        let bodies = self.bodies(None)?;
        let mut register = Register::new();
        register
            .apply_import(Import {
                gebietsstand: None,
                bodies,
            })
            .map_err(|problems| {
                CliError::Store(format!(
                    "the server's register does not fold: {} problem(s)",
                    problems.len()
                ))
            })?;
        Ok(register.stats())
    }

    fn eligibility(
        &mut self,
        key: &BodyKey,
        on: NaiveDate,
        contract: Option<&Path>,
    ) -> Result<Decision, CliError> {
        if contract.is_some() {
            return Err(CliError::Usage(
                "--contract FILE works in embedded mode only; the server decides with the adopted contract's rules".into(),
            ));
        }
        let path = format!("/v1/eligibility/{}?on={on}", encode(key.as_str()));
        let answer: EligibilityAnswer = self.get(&path, Missing::Body(key))?;
        Ok(answer.decision)
    }

    fn utilisation_report(&mut self) -> Result<UtilisationReport, CliError> {
        self.get("/v1/reports/utilisation", Missing::Route)
    }

    fn sla_report(&mut self) -> Result<SlaReport, CliError> {
        self.get("/v1/reports/sla", Missing::Route)
    }

    fn incident_report(&mut self) -> Result<IncidentStatistics, CliError> {
        self.get("/v1/reports/incidents", Missing::Route)
    }

    fn duties_report(&mut self) -> Result<DutiesReport, CliError> {
        self.get("/v1/reports/duties", Missing::Route)
    }

    fn ocds_package(&mut self, prefix: &OcidPrefix) -> Result<ReleasePackage, CliError> {
        let path = format!("/v1/reports/ocds?ocid_prefix={}", encode(prefix.as_str()));
        self.get(&path, Missing::Route)
    }

    fn audit_verify(&mut self) -> Result<AuditReport, CliError> {
        self.get("/v1/audit/verify", Missing::Route)
    }

    fn audit_export(&mut self, since: u64, out: &mut dyn std::io::Write) -> Result<(), CliError> {
        let mut reader = self.export_reader(since)?;
        std::io::copy(&mut reader, out)
            .map(|_| ())
            .map_err(CliError::io("copying the audit export to stdout"))
    }
}
