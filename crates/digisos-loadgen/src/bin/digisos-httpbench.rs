//! digisos-httpbench: the HTTP benchmark behind BENCHMARKS.md (run it through
//! `scripts/bench-http.sh`). Against a running `digisos serve`, alternately for `--runs`
//! rounds: the no-op `GET /healthz` and the durable call-off `POST …/dispatch`, each with
//! `--connections` keep-alive connections for `--seconds`; prints one line per run and
//! the medians with the ratio. Then, open loop, both endpoints at a fixed offered rate
//! of `--paced-share` percent (default 50) of the call-off's median saturated rate,
//! latency counted from each request's due time, and again at `--target-share` percent
//! (default 30, the rate target) of the no-op's median saturated rate; and, with `--fsync-dir DIR` (the
//! server's data directory), the latency of one 4 KiB write + fsync on that disk — the
//! floor under any durable acknowledgement.
//!
//! With `--trace-dir DIR` (event-loop client only), every request of the open-loop
//! call-off runs is written to `DIR/paced-call-off-<n>.csv` (`offset_ms,latency_ms,ok`,
//! with the run's wall-clock start in a comment line), to see when a tail happened.
//!
//! `--client async` (the default) drives every connection from one event loop of
//! `--client-threads` threads (default 1); `--client threads` uses one thread per
//! connection, as the first rounds in BENCHMARKS.md did.
//!
//! `digisos-httpbench --url URL --token SECRET [--connections 64] [--seconds 10]
//!  [--runs 3] [--incidents 60000] [--body 05315000] [--lot los-1-rheinland]
//!  [--paced-share 50] [--target-share 30] [--fsync-dir DIR]
//!  [--client async|threads] [--client-threads 1] [--trace-dir DIR]`

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use digisos_loadgen::httpbench::aio::{AsyncClient, Call, Sample};
use digisos_loadgen::httpbench::stats::percentile;
use digisos_loadgen::httpbench::{
    HttpBenchError, Summary, Target, fsync_probe, prepare, run_load, run_paced,
};
use hyper::Method;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut flags = BTreeMap::new();
    for pair in args.chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                flags.insert(k.trim_start_matches("--").to_owned(), v.clone());
            }
            _ => {
                eprintln!("expected `--flag value` pairs, got {pair:?}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(url), Some(token)) = (flags.get("url"), flags.get("token")) else {
        eprintln!("usage: digisos-httpbench --url URL --token SECRET [--connections 64] …");
        return ExitCode::from(2);
    };
    let number = |name: &str, default: usize| -> Result<usize, String> {
        flags.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|e| format!("--{name} {v}: {e}"))
        })
    };
    let parsed = (|| {
        Ok::<_, String>((
            number("connections", 64)?,
            number("seconds", 10)?,
            number("runs", 3)?,
            number("incidents", 60_000)?,
            number("paced-share", 50)?,
            number("target-share", 30)?,
            number("client-threads", 1)?,
        ))
    })();
    let (connections, seconds, runs, incidents, paced_share, target_share, client_threads) =
        match parsed {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
    let target = Target {
        base: url.trim_end_matches('/').to_owned(),
        token: token.clone(),
    };
    let client = match flags.get("client").map_or("async", String::as_str) {
        "threads" => Client::Threads(target.clone()),
        "async" => match AsyncClient::new(&target, client_threads) {
            Ok(c) => Client::Async(c),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        other => {
            eprintln!("--client {other}: expected `async` or `threads`");
            return ExitCode::from(2);
        }
    };
    let body = flags.get("body").map_or("05315000", String::as_str);
    let lot = flags.get("lot").map_or("los-1-rheinland", String::as_str);
    let fsync_dir = flags.get("fsync-dir").map(std::path::PathBuf::from);
    let load = Load {
        connections,
        seconds,
        runs,
        incidents,
        paced_share,
        target_share,
    };
    let trace_dir = flags.get("trace-dir").map(std::path::PathBuf::from);
    match bench(
        &target,
        &client,
        &load,
        body,
        lot,
        fsync_dir.as_deref(),
        trace_dir.as_deref(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("digisos-httpbench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The client that sends the measured load (preparation always uses threads).
enum Client {
    Threads(Target),
    Async(AsyncClient),
}

impl Client {
    fn closed<F>(&self, connections: usize, duration: Duration, call: F) -> Summary
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        match self {
            Client::Threads(t) => run_load(connections, duration, |agent, i| {
                call(i).map(|c| t.call(agent, &c))
            }),
            Client::Async(a) => a.run_load(connections, duration, call),
        }
    }

    fn paced<F>(&self, connections: usize, duration: Duration, rate: f64, call: F) -> Summary
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        match self {
            Client::Threads(t) => run_paced(connections, duration, rate, |agent, k| {
                call(k).map(|c| t.call(agent, &c))
            }),
            Client::Async(a) => a.run_paced(connections, duration, rate, call),
        }
    }

    /// [`Client::paced`], with every request's sample when the client keeps them.
    fn paced_traced<F>(
        &self,
        connections: usize,
        duration: Duration,
        rate: f64,
        call: F,
    ) -> (Summary, Option<Vec<Sample>>)
    where
        F: Fn(usize) -> Option<Call> + Send + Sync + 'static,
    {
        match self {
            Client::Threads(_) => (self.paced(connections, duration, rate, call), None),
            Client::Async(a) => {
                let (s, samples) = a.run_paced_traced(connections, duration, rate, call);
                (s, Some(samples))
            }
        }
    }
}

/// Writes `samples` of a run started at `started` to `path` as CSV.
fn write_trace(
    path: &std::path::Path,
    started: chrono::DateTime<chrono::Utc>,
    samples: &[Sample],
) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "# started {}", started.to_rfc3339())?;
    writeln!(out, "offset_ms,latency_ms,ok")?;
    for s in samples {
        writeln!(
            out,
            "{:.3},{:.3},{}",
            s.offset_micros as f64 / 1000.0,
            f64::from(s.latency_micros) / 1000.0,
            u8::from(s.ok)
        )?;
    }
    out.flush()
}

/// `GET /healthz`, the no-op.
fn noop(_: usize) -> Option<Call> {
    Some(Call {
        method: Method::GET,
        path: "/healthz".to_owned(),
        body: None,
        expect: 200,
    })
}

/// `POST /v1/incidents/{id}/dispatch` of the `i`-th prepared incident after `offset`.
fn dispatch(ids: &Arc<Vec<String>>, offset: usize) -> impl Fn(usize) -> Option<Call> + use<> {
    // ten cents, so that 1.5M call-offs fit under the body's yearly limit (150,000.00)
    let body = bytes::Bytes::from_static(br#"{"estimate":{"amount":"0.10"}}"#);
    let ids = ids.clone();
    move |i| {
        let id = ids.get(offset + i)?;
        Some(Call {
            method: Method::POST,
            path: format!("/v1/incidents/{id}/dispatch"),
            body: Some(body.clone()),
            expect: 200,
        })
    }
}

/// The shape of the load.
struct Load {
    connections: usize,
    seconds: usize,
    runs: usize,
    incidents: usize,
    /// Percent of the saturated call-off rate offered in the paced runs (0: none).
    paced_share: usize,
    /// Percent of the saturated no-op rate offered in the second paced runs — the rate
    /// target (0: none).
    target_share: usize,
}

fn bench(
    target: &Target,
    client: &Client,
    load: &Load,
    body: &str,
    lot: &str,
    fsync_dir: Option<&std::path::Path>,
    trace_dir: Option<&std::path::Path>,
) -> Result<(), HttpBenchError> {
    let Load {
        connections,
        seconds,
        runs,
        incidents,
        paced_share,
        target_share,
    } = *load;
    let duration = Duration::from_secs(seconds as u64);
    eprintln!("preparing {incidents} triaged incidents of {body} in {lot} …");
    let prepared = std::time::Instant::now();
    let ids = Arc::new(prepare(target, incidents, connections, body, lot)?);
    eprintln!("prepared in {:.1} s", prepared.elapsed().as_secs_f64());
    let mut used = 0;
    let mut note_used = |s: &Summary| {
        used += s.requests;
        if used >= ids.len() {
            eprintln!("warning: the prepared incidents ran out; raise --incidents");
        }
        used
    };
    let mut offset = 0;
    let (mut noop_runs, mut calloff_runs) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let s = client.closed(connections, duration, noop);
        println!("run {run} no-op    GET  /healthz            {s}");
        noop_runs.push(s);
        let s = client.closed(connections, duration, dispatch(&ids, offset));
        offset = note_used(&s);
        println!("run {run} call-off POST /v1/incidents/…/dispatch {s}");
        calloff_runs.push(s);
    }
    let (n, c) = (median(&noop_runs), median(&calloff_runs));
    println!(
        "median no-op    {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        n.0, n.1, n.2
    );
    println!(
        "median call-off {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        c.0, c.1, c.2
    );
    println!(
        "call-off / no-op rate: {:.1} % (target ≥ 30 %); call-off p99 {:.2} ms (target < 20 ms)",
        100.0 * c.0 / n.0,
        c.2
    );
    // Open loop at fixed offered rates: half the call-off's saturated rate, and the
    // rate target itself (30 % of the no-op's saturated rate) — the load at which the
    // p99 target is judged.
    let mut offered = Vec::new();
    if paced_share > 0 {
        offered.push((
            format!("{paced_share} % of call-off"),
            c.0 * paced_share as f64 / 100.0,
        ));
    }
    if target_share > 0 {
        offered.push((
            format!("{target_share} % of no-op"),
            n.0 * target_share as f64 / 100.0,
        ));
    }
    for (n, (label, rate)) in offered.into_iter().enumerate() {
        let s = client.paced(connections, duration, rate, noop);
        println!("paced {label}: no-op    GET  /healthz at {rate:.0} req/s offered: {s}");
        let started = chrono::Utc::now();
        let (s, samples) = client.paced_traced(connections, duration, rate, dispatch(&ids, offset));
        if let (Some(dir), Some(samples)) = (trace_dir, samples) {
            let path = dir.join(format!("paced-call-off-{}.csv", n + 1));
            match write_trace(&path, started, &samples) {
                Ok(()) => eprintln!("trace of {} requests in {}", samples.len(), path.display()),
                Err(e) => eprintln!("trace not written to {}: {e}", path.display()),
            }
        }
        offset = note_used(&s);
        println!("paced {label}: call-off POST …/dispatch at {rate:.0} req/s offered: {s}");
    }
    if let Some(dir) = fsync_dir {
        match fsync_probe(dir, 500) {
            Ok(l) => println!(
                "fsync of 4 KiB on the store's disk (500 rounds): p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms",
                percentile(&l, 50).as_secs_f64() * 1000.0,
                percentile(&l, 90).as_secs_f64() * 1000.0,
                percentile(&l, 99).as_secs_f64() * 1000.0
            ),
            Err(e) => eprintln!("fsync probe in {}: {e}", dir.display()),
        }
    }
    Ok(())
}

/// Medians of rate, p50 (ms) and p99 (ms) over runs.
fn median(runs: &[Summary]) -> (f64, f64, f64) {
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    (
        mid(runs.iter().map(|s| s.rate).collect()),
        mid(runs.iter().map(|s| s.p50.as_secs_f64() * 1000.0).collect()),
        mid(runs.iter().map(|s| s.p99.as_secs_f64() * 1000.0).collect()),
    )
}
