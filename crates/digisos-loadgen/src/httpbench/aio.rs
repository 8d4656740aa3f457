//! The event-driven load client: every connection is a task on one small tokio runtime
//! (one thread by default), speaking HTTP/1.1 over its own keep-alive TCP connection with
//! hyper's connection-level client.
//!
//! Why a second client: the thread-per-connection client ([`super::run_load`]) puts 64
//! runnable threads on the same cores as the server, and each answer waits for its
//! thread to be scheduled. That wait is the client's, not the server's, but it lands in
//! the latency. With one event loop, a wake-up reads every answer that has arrived, so
//! the figures are closer to what the server itself takes and the client costs less CPU
//! per request. Both clients report the same [`Summary`]; the bench runs either.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::{Summary, Target};

/// One request of a load: method, path, optional JSON body, and the status that counts
/// as success.
#[derive(Debug, Clone)]
pub struct Call {
    /// GET or POST.
    pub method: Method,
    /// Path and query, e.g. `/healthz`.
    pub path: String,
    /// JSON body (POST) or `None`.
    pub body: Option<Bytes>,
    /// The expected status.
    pub expect: u16,
}

/// One request of a run: when it was due (open loop) or sent (closed loop), counted
/// from the start of the run, how long its answer took, and whether it was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Microseconds from the start of the run to the request's due or send time.
    pub offset_micros: u64,
    /// Microseconds from then to the whole answer.
    pub latency_micros: u32,
    /// Whether the answer had the expected status.
    pub ok: bool,
}

/// Why the event-driven client could not start.
#[derive(Debug, thiserror::Error)]
pub enum AsyncClientError {
    /// The base URL is not `http://host:port`.
    #[error("the event-driven client needs a base URL like http://127.0.0.1:8080, got {0}")]
    BaseUrl(String),
    /// The tokio runtime could not be built.
    #[error("cannot start the client's runtime: {0}")]
    Runtime(std::io::Error),
}

/// The event-driven client for one target: `threads` runtime threads.
#[derive(Debug)]
pub struct AsyncClient {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    host: String,
    authorization: String,
}

/// Whether request `k` is due at a fixed time (open loop) or as soon as the last one
/// answered (closed loop).
#[derive(Debug, Clone, Copy)]
enum Pacing {
    Closed,
    Open { interval: Duration },
}

impl AsyncClient {
    /// A client for `target` on a runtime of `threads` threads (1: a single event loop).
    pub fn new(target: &Target, threads: usize) -> Result<AsyncClient, AsyncClientError> {
        let host = target
            .base
            .strip_prefix("http://")
            .map(|h| h.trim_end_matches('/'))
            .filter(|h| !h.contains('/'))
            .ok_or_else(|| AsyncClientError::BaseUrl(target.base.clone()))?;
        let addr = host
            .parse::<SocketAddr>()
            .map_err(|_| AsyncClientError::BaseUrl(target.base.clone()))?;
        let runtime = if threads <= 1 {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .enable_all()
                .build()
        }
        .map_err(AsyncClientError::Runtime)?;
        Ok(AsyncClient {
            runtime,
            addr,
            host: host.to_owned(),
            authorization: format!("Bearer {}", target.token),
        })
    }

    /// Closed loop: `connections` connections each send `call(i)` back to back (with `i`
    /// a global sequence number) until `duration` has passed or `call` answers `None`.
    /// Latency counts from the send. Transport errors count as failures and reconnect.
    pub fn run_load<F>(&self, connections: usize, duration: Duration, call: F) -> Summary
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        self.run(connections, duration, Pacing::Closed, call).0
    }

    /// Open loop at a fixed offered `rate` over all `connections`: request `k` is due at
    /// `start + k / rate` and goes to connection `k % connections`, which sends it when
    /// due (or at once, if it is late). Latency counts from the due time, so a stalled
    /// server is charged for the requests it held up (no coordinated omission). The
    /// runtime's timer has a resolution of 1 ms, so a send can be up to 1 ms late, and
    /// that is counted too.
    pub fn run_paced<F>(
        &self,
        connections: usize,
        duration: Duration,
        rate: f64,
        call: F,
    ) -> Summary
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        self.run_paced_traced(connections, duration, rate, call).0
    }

    /// [`AsyncClient::run_paced`], also returning every request as a [`Sample`] in the
    /// order they were due (to see when a tail happened, not only how long it was).
    pub fn run_paced_traced<F>(
        &self,
        connections: usize,
        duration: Duration,
        rate: f64,
        call: F,
    ) -> (Summary, Vec<Sample>)
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        let interval = Duration::from_secs_f64(1.0 / rate.max(1e-3));
        let (summary, mut samples) =
            self.run(connections, duration, Pacing::Open { interval }, call);
        samples.sort_unstable_by_key(|s| s.offset_micros);
        (summary, samples)
    }

    fn run<F>(
        &self,
        connections: usize,
        duration: Duration,
        pacing: Pacing,
        call: F,
    ) -> (Summary, Vec<Sample>)
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        let connections = connections.max(1);
        let call = std::sync::Arc::new(call);
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let start = Instant::now();
        let deadline = start + duration;
        let per_conn: Vec<Vec<Sample>> = self.runtime.block_on(async {
            let tasks: Vec<_> = (0..connections)
                .map(|conn| {
                    let conn_ctx = Connection {
                        addr: self.addr,
                        host: self.host.clone(),
                        authorization: self.authorization.clone(),
                    };
                    let call = call.clone();
                    let next = next.clone();
                    tokio::spawn(async move {
                        conn_ctx
                            .drive(conn, connections, start, deadline, pacing, &next, &*call)
                            .await
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(connections);
            for t in tasks {
                // a panicking task is a bug in the closure: count nothing for it
                all.push(t.await.unwrap_or_default());
            }
            all
        });
        let elapsed = start.elapsed();
        let samples: Vec<Sample> = per_conn.into_iter().flatten().collect();
        let failed = samples.iter().filter(|s| !s.ok).count();
        let mut latencies: Vec<u32> = samples.iter().map(|s| s.latency_micros).collect();
        latencies.sort_unstable();
        (Summary::new(&latencies, failed, elapsed), samples)
    }
}

/// What one connection task needs to reach the server.
struct Connection {
    addr: SocketAddr,
    host: String,
    authorization: String,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

impl Connection {
    async fn connect(&self) -> Option<Sender> {
        let stream = TcpStream::connect(self.addr).await.ok()?;
        stream.set_nodelay(true).ok()?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .ok()?;
        tokio::spawn(conn);
        Some(sender)
    }

    /// Sends one call; `true` if the answer had the expected status.
    async fn send(&self, sender: &mut Sender, call: Call) -> Result<bool, ()> {
        sender.ready().await.map_err(|_| ())?;
        let mut req = Request::builder()
            .method(call.method)
            .uri(call.path)
            .header(HOST, &self.host)
            .header(AUTHORIZATION, &self.authorization);
        if call.body.is_some() {
            req = req.header(CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(Full::new(call.body.unwrap_or_default()))
            .map_err(|_| ())?;
        let res = sender.send_request(req).await.map_err(|_| ())?;
        let ok = res.status().as_u16() == call.expect;
        res.into_body().collect().await.map_err(|_| ())?;
        Ok(ok)
    }

    #[allow(clippy::too_many_arguments)]
    async fn drive(
        &self,
        conn: usize,
        connections: usize,
        start: Instant,
        deadline: Instant,
        pacing: Pacing,
        next: &std::sync::atomic::AtomicUsize,
        call: &(dyn Fn(usize) -> Option<Call> + Send + Sync),
    ) -> Vec<Sample> {
        let mut samples = Vec::new();
        let mut sender = self.connect().await;
        let mut k = conn;
        loop {
            let (i, due) = match pacing {
                Pacing::Closed => {
                    if Instant::now() >= deadline {
                        break;
                    }
                    (
                        next.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                        None,
                    )
                }
                Pacing::Open { interval } => {
                    let due = start + interval.mul_f64(k as f64);
                    if due >= deadline {
                        break;
                    }
                    tokio::time::sleep_until(due.into()).await;
                    let i = k;
                    k += connections;
                    (i, Some(due))
                }
            };
            let Some(c) = call(i) else {
                break;
            };
            let from = due.unwrap_or_else(Instant::now);
            let outcome = match sender.as_mut() {
                Some(s) => self.send(s, c).await,
                None => Err(()),
            };
            samples.push(Sample {
                offset_micros: u64::try_from(from.duration_since(start).as_micros())
                    .unwrap_or(u64::MAX),
                latency_micros: u32::try_from(from.elapsed().as_micros()).unwrap_or(u32::MAX),
                ok: matches!(outcome, Ok(true)),
            });
            // a transport error costs the connection: open a new one
            if outcome.is_err() {
                sender = self.connect().await;
            }
        }
        samples
    }
}
