//! The HTTP load generator behind `digisos-httpbench`: bounded load over loopback against
//! a running `digisos serve` — N keep-alive connections for a fixed duration, closed or
//! open loop, with latency percentiles. Two clients: one thread per connection (this
//! module, `ureq`) and one event loop for all connections ([`aio`], hyper).
//!
//! Used to compare the durable call-off endpoint (`POST /v1/incidents/{id}/dispatch`, one
//! group-committed SQLite write per request) with the no-op `/healthz` of the same server.

pub mod aio;
pub mod stats;

pub use stats::{Summary, percentile};

use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Why the load generator stopped.
#[derive(Debug, thiserror::Error)]
pub enum HttpBenchError {
    /// A request failed at the transport level (connection refused, reset).
    #[error("{what}: {source}")]
    Transport {
        /// The request.
        what: String,
        /// The client's error.
        source: ureq::Error,
    },
    /// The server answered something unexpected while preparing the load.
    #[error("{what}: unexpected answer {status}: {body}")]
    Unexpected {
        /// The request.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The body (shortened).
        body: String,
    },
}

/// A server and the bearer token (coordinator) to call it with.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub base: String,
    /// Secret of a coordinator token.
    pub token: String,
}

/// A keep-alive client that reports every status as an answer (no error for 4xx/5xx).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Target {
    /// POSTs JSON; returns the status and the body. Fails only on transport errors.
    pub fn post(
        &self,
        agent: &ureq::Agent,
        path: &str,
        body: &Value,
    ) -> Result<(u16, String), HttpBenchError> {
        let res = agent
            .post(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .send(body.to_string());
        read(res, path)
    }

    /// Sends a [`aio::Call`] with the thread-per-connection client; `true` if the answer
    /// had the expected status. Fails only on transport errors.
    pub fn call(&self, agent: &ureq::Agent, call: &aio::Call) -> Result<bool, HttpBenchError> {
        let url = format!("{}{}", self.base, call.path);
        let (status, _) = match &call.body {
            Some(body) => read(
                agent
                    .post(url)
                    .header("authorization", format!("Bearer {}", self.token))
                    .header("content-type", "application/json")
                    .send(&body[..]),
                &call.path,
            )?,
            None => read(
                agent
                    .get(url)
                    .header("authorization", format!("Bearer {}", self.token))
                    .call(),
                &call.path,
            )?,
        };
        Ok(status == call.expect)
    }

    /// GETs without a token; returns the status and the body.
    pub fn get(&self, agent: &ureq::Agent, path: &str) -> Result<(u16, String), HttpBenchError> {
        read(agent.get(format!("{}{path}", self.base)).call(), path)
    }
}

fn read(
    res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    what: &str,
) -> Result<(u16, String), HttpBenchError> {
    let transport = |source| HttpBenchError::Transport {
        what: what.to_owned(),
        source,
    };
    let mut res = res.map_err(transport)?;
    let mut text = String::new();
    res.body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .map_err(|e| transport(ureq::Error::Io(e)))?;
    Ok((res.status().as_u16(), text))
}

/// Reports and triages `count` incidents of `body` in `lot` with `connections` threads;
/// returns their ids in the order they were reported (each can take exactly one
/// dispatch), so that the load dispatches them in that order, as a hotline works through
/// its triaged incidents. Fails on the first answer that is not a success.
pub fn prepare(
    target: &Target,
    count: usize,
    connections: usize,
    body: &str,
    lot: &str,
) -> Result<Vec<String>, HttpBenchError> {
    let next = AtomicUsize::new(0);
    let aware_at = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    let report = json!({"body": body, "title": "Lasttest", "category": "other",
        "aware_at": aware_at.to_rfc3339()});
    let triage = json!({"severity": "critical", "lot": lot});
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..connections.max(1))
            .map(|_| {
                s.spawn(|| {
                    let agent = agent();
                    let mut ids = Vec::new();
                    while next.fetch_add(1, Ordering::Relaxed) < count {
                        let (status, text) = target.post(&agent, "/v1/incidents", &report)?;
                        let id = serde_json::from_str::<Value>(&text)
                            .ok()
                            .and_then(|v| v["id"].as_str().map(str::to_owned));
                        let Some(id) = id.filter(|_| status == 201) else {
                            return Err(unexpected("report", status, &text));
                        };
                        let path = format!("/v1/incidents/{id}/triage");
                        let (status, text) = target.post(&agent, &path, &triage)?;
                        if status != 200 {
                            return Err(unexpected("triage", status, &text));
                        }
                        ids.push(id);
                    }
                    Ok(ids)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for w in workers {
            match w.join() {
                Ok(ids) => all.extend(ids?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        // ids are numbered (`INC-000042`): shorter first, then by text, is report order
        all.sort_unstable_by(|a: &String, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        Ok(all)
    })
}

fn unexpected(what: &str, status: u16, body: &str) -> HttpBenchError {
    HttpBenchError::Unexpected {
        what: what.to_owned(),
        status,
        body: body.chars().take(300).collect(),
    }
}

/// Open-loop load at a fixed offered `rate` (requests per second over all
/// `connections`): request `k` is due at `start + k / rate` and goes to thread
/// `k % connections`, which sends it when due (or at once, if the thread is late).
/// Latency counts from the due time, not from the send, so a stalled server is charged
/// for the requests it held up (no coordinated omission). Stops at `duration` or when
/// `request` answers `None`.
pub fn run_paced<F>(connections: usize, duration: Duration, rate: f64, request: F) -> Summary
where
    F: Fn(&ureq::Agent, usize) -> Option<Result<bool, HttpBenchError>> + Sync,
{
    let connections = connections.max(1);
    let interval = Duration::from_secs_f64(1.0 / rate.max(1e-3));
    let start = Instant::now();
    let deadline = start + duration;
    let per_thread: Vec<(Vec<u32>, usize)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..connections)
            .map(|thread| {
                let request = &request;
                s.spawn(move || {
                    let agent = agent();
                    let mut latencies = Vec::new();
                    let mut failed = 0;
                    let mut k = thread;
                    loop {
                        let due = start + interval.mul_f64(k as f64);
                        if due >= deadline {
                            break;
                        }
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let Some(outcome) = request(&agent, k) else {
                            break;
                        };
                        let micros = u32::try_from(due.elapsed().as_micros()).unwrap_or(u32::MAX);
                        latencies.push(micros);
                        if !matches!(outcome, Ok(true)) {
                            failed += 1;
                        }
                        k += connections;
                    }
                    (latencies, failed)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let elapsed = start.elapsed();
    let failed = per_thread.iter().map(|(_, f)| f).sum();
    let mut latencies: Vec<u32> = per_thread.into_iter().flat_map(|(l, _)| l).collect();
    latencies.sort_unstable();
    Summary::new(&latencies, failed, elapsed)
}

/// Latency of the durable write itself on the disk under `dir`: `rounds` times, append
/// 4 KiB to a scratch file and `fsync` it (what a commit in WAL mode with
/// `synchronous=FULL` waits for at least once). Returns the sorted latencies in
/// microseconds; the file is removed.
pub fn fsync_probe(dir: &std::path::Path, rounds: usize) -> std::io::Result<Vec<u32>> {
    use std::io::Write;
    let path = dir.join("digisos-httpbench-fsync.probe");
    let mut file = std::fs::File::create(&path)?;
    let block = [0x5au8; 4096];
    let mut latencies = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        file.write_all(&block)?;
        let t = Instant::now();
        file.sync_all()?;
        latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    drop(file);
    std::fs::remove_file(&path)?;
    latencies.sort_unstable();
    Ok(latencies)
}

/// Closed-loop load: `connections` threads each send `request(agent, i)` back to back
/// (with `i` a global sequence number) until `duration` has passed or `request` answers
/// `None` (nothing left to send). `request` returns whether the answer was the expected
/// one. Transport errors count as failures.
pub fn run_load<F>(connections: usize, duration: Duration, request: F) -> Summary
where
    F: Fn(&ureq::Agent, usize) -> Option<Result<bool, HttpBenchError>> + Sync,
{
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let deadline = start + duration;
    let per_thread: Vec<(Vec<u32>, usize)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..connections.max(1))
            .map(|_| {
                s.spawn(|| {
                    let agent = agent();
                    let mut latencies = Vec::new();
                    let mut failed = 0;
                    while Instant::now() < deadline {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let sent = Instant::now();
                        let Some(outcome) = request(&agent, i) else {
                            break;
                        };
                        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
                        latencies.push(micros);
                        if !matches!(outcome, Ok(true)) {
                            failed += 1;
                        }
                    }
                    (latencies, failed)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let elapsed = start.elapsed();
    let failed = per_thread.iter().map(|(_, f)| f).sum();
    let mut latencies: Vec<u32> = per_thread.into_iter().flat_map(|(l, _)| l).collect();
    latencies.sort_unstable();
    Summary::new(&latencies, failed, elapsed)
}
