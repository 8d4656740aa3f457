//! digisos-httpbench: the HTTP benchmark behind BENCHMARKS.md (run it through
//! `scripts/bench-http.sh`). Against a running `digisos serve`, alternately for `--runs`
//! rounds: the no-op `GET /healthz` and the durable call-off `POST …/dispatch`, each with
//! `--connections` keep-alive connections for `--seconds`; prints one line per run and
//! the medians with the ratio.
//!
//! `digisos-httpbench --url URL --token SECRET [--connections 64] [--seconds 10]
//!  [--runs 3] [--incidents 60000] [--body 05315000] [--lot los-1-rheinland]`

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use digisos_loadgen::httpbench::{HttpBenchError, Summary, Target, prepare, run_load};
use serde_json::json;

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
        ))
    })();
    let (connections, seconds, runs, incidents) = match parsed {
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
    let body = flags.get("body").map_or("05315000", String::as_str);
    let lot = flags.get("lot").map_or("los-1-rheinland", String::as_str);
    match bench(&target, connections, seconds, runs, incidents, body, lot) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("digisos-httpbench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(
    target: &Target,
    connections: usize,
    seconds: usize,
    runs: usize,
    incidents: usize,
    body: &str,
    lot: &str,
) -> Result<(), HttpBenchError> {
    let duration = Duration::from_secs(seconds as u64);
    eprintln!("preparing {incidents} triaged incidents of {body} in {lot} …");
    let prepared = std::time::Instant::now();
    let ids = prepare(target, incidents, connections, body, lot)?;
    eprintln!("prepared in {:.1} s", prepared.elapsed().as_secs_f64());
    let dispatch = json!({"estimate": {"amount": "1.00"}});
    let mut used = 0;
    let (mut noop, mut calloff) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let s = run_load(connections, duration, |agent, _| {
            Some(
                target
                    .get(agent, "/healthz")
                    .map(|(status, _)| status == 200),
            )
        });
        println!("run {run} no-op    GET  /healthz            {s}");
        noop.push(s);
        let offset = used;
        let s = run_load(connections, duration, |agent, i| {
            let id = ids.get(offset + i)?;
            let path = format!("/v1/incidents/{id}/dispatch");
            Some(
                target
                    .post(agent, &path, &dispatch)
                    .map(|(status, _)| status == 200),
            )
        });
        used += s.requests;
        if used >= ids.len() {
            eprintln!("warning: the prepared incidents ran out; raise --incidents");
        }
        println!("run {run} call-off POST /v1/incidents/…/dispatch {s}");
        calloff.push(s);
    }
    let (n, c) = (median(&noop), median(&calloff));
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
