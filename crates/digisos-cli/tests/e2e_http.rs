//! End to end over HTTP: the real `digisos` binary serves a temporary SQLite store on a
//! free loopback port; three tokens made with `digisos token create` drive one incident
//! from report to close, and the server is restarted (SIGTERM, start again on the same
//! data directory) in the middle — the incident, its ETag and the ledger survive. A
//! second server runs with OIDC flags and takes JWTs signed with the test keys.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Longest wait for the server to print its address, to become healthy, or to exit.
const STARTUP: Duration = Duration::from_secs(20);

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/nrw")
        .join(name)
}

/// A running `digisos serve`; killed on drop, so a failing assertion never leaks it.
struct Server {
    child: Option<Child>,
    base: String,
    pid: u32,
}

impl Server {
    /// Starts the server on port 0 and waits (bounded) until `/healthz` answers.
    fn start(data: &Path) -> Server {
        Server::start_with(data, &[])
    }

    /// [`Server::start`] with further `serve` arguments.
    fn start_with(data: &Path, extra: &[&str]) -> Server {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.join("server.log"))
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_digisos"))
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0", "--contract"])
            .arg(example("contract.toml"))
            .arg("--register")
            .arg(example("register.csv"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let pid = child.id();
        let stdout = child.stdout.take().unwrap();
        let mut server = Server {
            child: Some(child),
            base: String::new(),
            pid,
        };
        // Read the announced address in a thread so that a silent server cannot hang us;
        // the thread keeps draining stdout afterwards.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout);
            let mut first = String::new();
            let _ = lines.read_line(&mut first);
            let _ = tx.send(first);
            let _ = std::io::copy(&mut lines, &mut std::io::sink());
        });
        let line = rx.recv_timeout(STARTUP).expect("server printed no address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}; see server.log"));
        server.base = addr.to_owned();
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let agent = agent();
        let deadline = Instant::now() + STARTUP;
        loop {
            let ok = agent
                .get(format!("{}/healthz", self.base))
                .call()
                .is_ok_and(|r| r.status() == 200);
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "/healthz never answered 200");
            std::thread::sleep(Duration::from_millis(20)); // back-off between retries
        }
    }

    /// Sends SIGTERM and waits (bounded) for a graceful exit.
    fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(STARTUP) {
            Ok(status) => status.unwrap(),
            Err(_) => {
                let _ = Command::new("kill")
                    .args(["-KILL", &self.pid.to_string()])
                    .status();
                panic!("the server did not stop within {STARTUP:?} after SIGTERM");
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// One answer: status, ETag, body.
struct Answer {
    status: u16,
    etag: Option<String>,
    /// `Idempotent-Replayed: true` was set.
    replayed: bool,
    content_type: String,
    body: Value,
}

/// A client bound to one server and one token.
struct Client<'a> {
    agent: ureq::Agent,
    base: &'a str,
    token: &'a str,
}

impl Client<'_> {
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.send_if(method, path, body, None)
    }

    fn send_if(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Answer {
        let headers: Vec<(&str, &str)> = if_match.map(|t| ("if-match", t)).into_iter().collect();
        self.send_with(method, path, body, &headers)
    }

    fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let res = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("authorization", &auth).call(),
            ("POST", body) => {
                let mut req = self.agent.post(&url).header("authorization", &auth);
                for (name, value) in headers {
                    req = req.header(*name, *value);
                }
                match body {
                    Some(b) => req
                        .header("content-type", "application/json")
                        .send(b.to_string()),
                    None => req.send_empty(),
                }
            }
            _ => unreachable!("{method}"),
        };
        let mut res = res.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header("etag");
        let replayed = header("idempotent-replayed").is_some_and(|v| v == "true");
        let content_type = header("content-type").unwrap_or_default();
        let status = res.status().as_u16();
        let mut text = String::new();
        res.body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            etag,
            replayed,
            content_type,
            body,
        }
    }

    /// POSTs and asserts a 2xx; returns the answer.
    fn ok(&self, path: &str, body: Option<Value>) -> Answer {
        let a = self.send("POST", path, body.as_ref());
        assert!(
            (200..300).contains(&a.status),
            "POST {path}: {} {}",
            a.status,
            a.body
        );
        a
    }
}

/// `digisos token create` on the (stopped) data directory; returns the secret.
fn create_token(data: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_digisos"))
        .arg("--data")
        .arg(data)
        .args(["--json", "token", "create"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "token create {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    token
}

/// The ledger rows of lot 2 and the contract, as the API reports them.
fn ledger(c: &Client<'_>) -> Vec<Value> {
    let rows = c.send("GET", "/v1/contract/utilisation", None);
    assert_eq!(rows.status, 200, "{}", rows.body);
    rows.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            let key = r["key"].to_string();
            key.contains("contract") || key.contains("los-2-westfalen")
        })
        .cloned()
        .collect()
}

fn row_with<'v>(rows: &'v [Value], needle: &str) -> &'v Value {
    rows.iter()
        .find(|r| r["key"].to_string().contains(needle))
        .unwrap_or_else(|| panic!("no ledger row {needle} in {rows:?}"))
}

#[test]
fn an_incident_survives_a_restart_of_the_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let body_token = create_token(data, &["--role", "body", "--body", "05966"]);
    let provider_token = create_token(
        data,
        &["--role", "provider", "--provider", "westfalen-cert"],
    );
    let coordinator_token = create_token(data, &["--role", "coordinator"]);

    let server = Server::start(data);
    let client = |token| Client {
        agent: agent(),
        base: &server.base,
        token,
    };
    let (body, provider, coord) = (
        client(&body_token),
        client(&provider_token),
        client(&coordinator_token),
    );

    let aware = chrono::Utc::now() - chrono::TimeDelta::minutes(30);
    let report = json!({
        "body": "05966",
        "title": "Ransomware im Kreishaus",
        "category": "ransomware",
        "aware_at": aware.to_rfc3339(),
        "personal_data": true,
    });
    let key = [("idempotency-key", "report-kreishaus")];
    let a = body.send_with("POST", "/v1/incidents", Some(&report), &key);
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(!a.replayed);
    let reported = a.body.clone();
    assert_eq!(a.etag.as_deref(), Some("\"v1\""));
    let id = a.body["id"].as_str().unwrap().to_owned();
    let inc = format!("/v1/incidents/{id}");

    coord.ok(
        &format!("{inc}/triage"),
        Some(json!({"severity": "critical", "lot": "los-2-westfalen"})),
    );
    let a = coord.ok(
        &format!("{inc}/dispatch"),
        Some(json!({"estimate": {"person_days": "2"}})),
    );
    assert_eq!(a.body["provider"], "westfalen-cert", "{}", a.body);
    provider.ok(&format!("{inc}/accept"), None);
    provider.ok(&format!("{inc}/first-contact"), None);
    // A fixed Tuesday morning (no surcharge): 2 h × 160.00 = 320.00 net.
    let a = provider.ok(
        &format!("{inc}/time-entries"),
        Some(json!({
            "role": "incident_responder",
            "start": "2025-10-07T08:00:00Z",
            "end": "2025-10-07T10:00:00Z",
            "description": "Erstanalyse, Isolierung der Fileserver",
        })),
    );
    assert_eq!(a.status, 201);
    body.ok(&format!("{inc}/time-entries/1/approve"), None);

    let before = body.send("GET", &inc, None);
    assert_eq!(before.status, 200);
    let ledger_before = ledger(&coord);
    let lot = row_with(&ledger_before, "los-2-westfalen");
    assert_eq!(lot["posted"], "320.00", "{lot}");
    assert_eq!(lot["reserved"], "2240.00", "{lot}");

    // Restart: SIGTERM, graceful exit, start again on the same data directory.
    let status = server.stop();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let server = Server::start(data);
    let client = |token| Client {
        agent: agent(),
        base: &server.base,
        token,
    };
    let (body, provider, coord) = (
        client(&body_token),
        client(&provider_token),
        client(&coordinator_token),
    );
    // The report retried with its Idempotency-Key is replayed, not run again.
    let retry = body.send_with("POST", "/v1/incidents", Some(&report), &key);
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert!(retry.replayed, "replayed after the restart");
    assert_eq!(
        retry.body, reported,
        "the response stored before the restart"
    );
    let listed = coord.send("GET", "/v1/incidents", None);
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
    let after = body.send("GET", &inc, None);
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.etag, before.etag, "same version after the restart");
    assert_eq!(after.body, before.body, "same incident after the restart");
    assert_eq!(
        ledger(&coord),
        ledger_before,
        "same ledger after the restart"
    );
    let entries = body.send("GET", &format!("{inc}/time-entries"), None);
    assert_eq!(
        entries.body["items"][0]["state"], "approved",
        "{}",
        entries.body
    );

    // The ETag read before the restart is still the current version.
    let etag = before.etag.clone().unwrap();
    let a = provider.send_if("POST", &format!("{inc}/contain"), None, Some(&etag));
    assert_eq!(a.status, 200, "{}", a.body);
    let stale = provider.send_if("POST", &format!("{inc}/recover"), None, Some(&etag));
    assert_eq!(stale.status, 412, "{}", stale.body);
    provider.ok(&format!("{inc}/recover"), None);
    let closed = coord.ok(
        &format!("{inc}/close"),
        Some(json!({"final_report_ref": "KRO-2026-001"})),
    );
    assert_eq!(closed.body["state"], "closed", "{}", closed.body);

    let rows = ledger(&coord);
    let lot = row_with(&rows, "los-2-westfalen");
    assert_eq!(
        lot["posted"], "320.00",
        "closing keeps what was posted: {lot}"
    );
    assert_eq!(lot["reserved"], "0.00", "closing releases the rest: {lot}");

    let foreign = client(&body_token);
    let missing = foreign.send("GET", "/v1/incidents/INC-999999", None);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.content_type, "application/problem+json");

    let status = server.stop();
    assert!(status.success(), "{status:?}");
}

/// The test-only keys of the HTTP crate's OIDC tests (see the README next to them).
fn oidc_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../digisos-http/tests/fixtures/oidc")
        .join(name)
}

/// A JWT of the test issuer, signed with the test key `rsa-1`, valid for 5 minutes.
fn jwt(audience: &str, extra: Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": "https://sso.example.test/realms/digisos",
        "aud": audience,
        "sub": "user-e2e",
        "iat": now,
        "exp": now + 300,
    });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let key = std::fs::read(oidc_fixture("rsa-1.der")).unwrap();
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_der(&key),
    )
    .unwrap()
}

#[test]
fn the_real_server_accepts_jwts_of_the_configured_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = oidc_fixture("jwks.json");
    let server = Server::start_with(
        dir.path(),
        &[
            "--oidc-issuer",
            "https://sso.example.test/realms/digisos",
            "--oidc-audience",
            "digisos-api",
            "--oidc-jwks-file",
            jwks.to_str().unwrap(),
        ],
    );
    let coordinator = jwt("digisos-api", json!({ "digisos_role": "coordinator" }));
    let c = Client {
        agent: agent(),
        base: &server.base,
        token: &coordinator,
    };
    let a = c.send("GET", "/v1/audit/verify", None);
    assert_eq!(a.status, 200, "{}", a.body);

    let body = jwt(
        "digisos-api",
        json!({ "digisos_role": "body", "digisos_body": "05966" }),
    );
    let c = Client {
        agent: agent(),
        base: &server.base,
        token: &body,
    };
    assert_eq!(c.send("GET", "/v1/audit/verify", None).status, 403);

    let elsewhere = jwt("account", json!({ "digisos_role": "coordinator" }));
    let res = agent()
        .get(format!("{}/v1/contract", server.base))
        .header("authorization", &format!("Bearer {elsewhere}"))
        .call()
        .unwrap();
    assert_eq!(res.status(), 401);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        r#"Bearer error="invalid_token", error_description="the JWT is not meant for audience digisos-api (aud)""#
    );
    assert!(server.stop().success());
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    // the request lines are there …
    assert!(
        log.lines().any(|l| l.contains(r#""route":"/v1/contract""#)),
        "no request line in the server log: {log}"
    );
    // … and none holds a token
    for token in [&coordinator, &body, &elsewhere] {
        let (_, signature) = token.rsplit_once('.').unwrap();
        assert!(!log.contains(signature), "a JWT leaked into the server log");
    }
}
