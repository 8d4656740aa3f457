//! The HTTP bench's two clients against a minimal keep-alive server on loopback: both
//! count what the server answered, tell expected from unexpected statuses, and the open
//! loop offers the rate it was asked for.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use digisos_loadgen::httpbench::aio::{AsyncClient, Call};
use digisos_loadgen::httpbench::{Target, run_load};
use hyper::Method;

/// Serves `200 OK` with an empty body to every request on every connection; counts
/// the requests. Reads a `content-length` body if there is one.
fn server() -> (Target, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    // request line and headers, up to the blank line
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    count.fetch_add(1, Ordering::SeqCst);
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                    if out.write_all(answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let target = Target {
        base,
        token: "dsos_test".to_owned(),
    };
    (target, served)
}

fn call(expect: u16) -> impl Fn(usize) -> Option<Call> + Send + Sync + 'static {
    move |i| {
        Some(Call {
            method: if i % 2 == 0 {
                Method::GET
            } else {
                Method::POST
            },
            path: "/anything".to_owned(),
            body: (i % 2 == 1).then(|| bytes::Bytes::from_static(b"{\"a\":1}")),
            expect,
        })
    }
}

#[test]
fn the_event_loop_client_counts_every_answer_in_closed_loop() {
    let (target, served) = server();
    let client = AsyncClient::new(&target, 1).unwrap();
    let ok = client.run_load(4, Duration::from_millis(300), call(200));
    assert!(ok.requests > 20, "{ok}");
    assert_eq!(ok.failed, 0, "{ok}");
    let wrong = client.run_load(4, Duration::from_millis(200), call(201));
    assert!(wrong.requests > 0);
    assert_eq!(wrong.failed, wrong.requests, "every 200 is unexpected");
    assert_eq!(served.load(Ordering::SeqCst), ok.requests + wrong.requests);
}

#[test]
fn the_event_loop_client_offers_the_paced_rate() {
    let (target, _) = server();
    let client = AsyncClient::new(&target, 2).unwrap();
    let s = client.run_paced(8, Duration::from_secs(1), 200.0, call(200));
    assert!((190..=200).contains(&s.requests), "{s}");
    assert_eq!(s.failed, 0);
}

#[test]
fn the_paced_trace_has_every_request_in_due_order() {
    let (target, _) = server();
    let client = AsyncClient::new(&target, 1).unwrap();
    let (s, samples) = client.run_paced_traced(4, Duration::from_millis(500), 100.0, call(200));
    assert_eq!(samples.len(), s.requests);
    assert!((45..=50).contains(&samples.len()), "{s}");
    assert!(samples.iter().all(|x| x.ok));
    assert!(
        samples
            .windows(2)
            .all(|w| w[0].offset_micros <= w[1].offset_micros)
    );
    // request k is due at k / rate: 10 ms apart
    let last = samples.last().unwrap().offset_micros;
    assert!((440_000..500_000).contains(&last), "{last}");
}

#[test]
fn the_event_loop_client_stops_when_the_calls_run_out() {
    let (target, served) = server();
    let client = AsyncClient::new(&target, 1).unwrap();
    let s = client.run_load(8, Duration::from_secs(5), |i| {
        (i < 50).then(|| call(200)(i)).flatten()
    });
    assert_eq!(s.requests, 50);
    assert_eq!(served.load(Ordering::SeqCst), 50);
    assert!(s.elapsed < Duration::from_secs(5));
}

#[test]
fn the_thread_client_sends_the_same_calls() {
    let (target, served) = server();
    let s = run_load(2, Duration::from_millis(200), |agent, i| {
        Some(target.call(agent, &call(200)(i)?))
    });
    assert!(s.requests > 0);
    assert_eq!(s.failed, 0);
    assert_eq!(served.load(Ordering::SeqCst), s.requests);
}

#[test]
fn a_base_url_that_is_not_plain_http_is_refused() {
    let target = Target {
        base: "https://example.invalid".to_owned(),
        token: String::new(),
    };
    assert!(AsyncClient::new(&target, 1).is_err());
}
