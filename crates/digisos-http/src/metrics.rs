//! Prometheus text exposition: request counters and latency histograms per route
//! template, plus gauges supplied by callbacks at scrape time.
//!
//! Labels use the route template (`/v1/incidents/{id}`), never the raw path, so the
//! number of series stays bounded. Gauge values are `f64` because that is what
//! Prometheus stores; money gauges are for dashboards, never for accounting.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Label value for requests that matched no route (404 fallback).
pub const UNMATCHED_ROUTE: &str = "<unmatched>";

/// One gauge family sampled at scrape time, e.g. `digisos_open_incidents`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gauge {
    /// Metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); invalid names are skipped.
    pub name: String,
    /// One-line description.
    pub help: String,
    /// Samples: label pairs and value (e.g. `[("lot", "lot-1")]`, `12345.5`).
    pub samples: Vec<(Vec<(String, String)>, f64)>,
}

/// A callback that reports gauges when `/metrics` is scraped. Keep it cheap: read a
/// projection, do not replay the log.
pub type GaugeSource = Arc<dyn Fn() -> Vec<Gauge> + Send + Sync>;

/// The metrics registry of one server. Cheap to clone (shared inside).
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    gauges: Mutex<Vec<GaugeSource>>,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a gauge callback (open incidents, SLA breaches, budget used per lot).
    pub fn register_gauges(&self, source: GaugeSource) {
        lock(&self.inner.gauges).push(source);
    }

    /// Records one finished request. `route` must be a template, not a raw path.
    pub fn observe(&self, route: &str, method: &str, status: u16, latency: Duration) {
        *lock(&self.inner.requests)
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        let secs = latency.as_secs_f64();
        let mut latency = lock(&self.inner.latency);
        let h = latency
            .entry((route.to_owned(), method.to_owned()))
            .or_default();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Renders the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP http_requests_total HTTP requests by route template, method and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for ((route, method, status), n) in lock(&self.inner.requests).iter() {
            let labels = labels(&[
                ("route", route),
                ("method", method),
                ("status", &status.to_string()),
            ]);
            let _ = writeln!(out, "http_requests_total{labels} {n}");
        }
        out.push_str(
            "# HELP http_request_duration_seconds Request latency by route template and method.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((route, method), h) in lock(&self.inner.latency).iter() {
            for (bound, n) in LATENCY_BUCKETS.iter().zip(h.buckets) {
                let le = bound.to_string();
                let l = labels(&[("route", route), ("method", method), ("le", &le)]);
                let _ = writeln!(out, "http_request_duration_seconds_bucket{l} {n}");
            }
            let base = [("route", route.as_str()), ("method", method.as_str())];
            let l = labels(&[base[0], base[1], ("le", "+Inf")]);
            let _ = writeln!(out, "http_request_duration_seconds_bucket{l} {}", h.count);
            let l = labels(&base);
            let _ = writeln!(out, "http_request_duration_seconds_sum{l} {}", h.sum);
            let _ = writeln!(out, "http_request_duration_seconds_count{l} {}", h.count);
        }
        let sources: Vec<GaugeSource> = lock(&self.inner.gauges).clone();
        for gauge in sources.iter().flat_map(|source| source()) {
            if !valid_name(&gauge.name) {
                tracing::warn!(name = %gauge.name, "skipping gauge with an invalid metric name");
                continue;
            }
            let _ = writeln!(out, "# HELP {} {}", gauge.name, escape(&gauge.help, false));
            let _ = writeln!(out, "# TYPE {} gauge", gauge.name);
            for (pairs, value) in &gauge.samples {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let _ = writeln!(out, "{}{} {}", gauge.name, labels(&pairs), value);
            }
        }
        out
    }
}

/// Middleware that records every request under its route template. Install with
/// `axum::middleware::from_fn_with_state(metrics, track)` via `Router::layer`, so that
/// `MatchedPath` is set.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE.to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    metrics.observe(&route, &method, res.status().as_u16(), start.elapsed());
    res
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let body: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| valid_name(k) && !k.contains(':'))
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v, true)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn escape(s: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_by_route_template() {
        let m = Metrics::new();
        m.observe("/v1/incidents/{id}", "GET", 200, Duration::from_millis(3));
        m.observe("/v1/incidents/{id}", "GET", 200, Duration::from_millis(300));
        m.observe("/v1/incidents/{id}", "GET", 404, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(
            r#"http_requests_total{route="/v1/incidents/{id}",method="GET",status="200"} 2"#
        ));
        assert!(text.contains(r#"status="404"} 1"#));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{route="/v1/incidents/{id}",method="GET",le="0.005"} 2"#
        ));
        assert!(text.contains(r#"le="+Inf"} 3"#));
        assert!(text.contains(
            r#"http_request_duration_seconds_count{route="/v1/incidents/{id}",method="GET"} 3"#
        ));
    }

    #[test]
    fn gauges_are_sampled_at_scrape_time_and_escaped() {
        let m = Metrics::new();
        let calls = Arc::new(Mutex::new(0));
        let seen = calls.clone();
        m.register_gauges(Arc::new(move || {
            *lock(&seen) += 1;
            vec![
                Gauge {
                    name: "digisos_budget_used_eur".into(),
                    help: "Budget used per lot".into(),
                    samples: vec![(vec![("lot".into(), "a\"b\\c\nd".into())], 1234.5)],
                },
                Gauge {
                    name: "bad name".into(),
                    help: String::new(),
                    samples: vec![],
                },
            ]
        }));
        assert_eq!(*lock(&calls), 0);
        let text = m.render();
        assert_eq!(*lock(&calls), 1);
        assert!(text.contains("# TYPE digisos_budget_used_eur gauge"));
        assert!(
            text.contains(r#"digisos_budget_used_eur{lot="a\"b\\c\nd"} 1234.5"#),
            "{text}"
        );
        assert!(!text.contains("bad name"));
    }
}
