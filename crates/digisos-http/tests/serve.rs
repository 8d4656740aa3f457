//! The real server on a loopback port: answers, then shuts down gracefully.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use digisos_http::serve::serve;
use digisos_http::{AppState, HttpConfig, Infra};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use utoipa_axum::router::OpenApiRouter;

#[tokio::test]
async fn serves_on_loopback_and_shuts_down_on_signal() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = digisos_http::app(
        AppState::new(Infra::in_memory(HttpConfig::default()), ()),
        OpenApiRouter::new(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));

    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#"{"status":"ok"}"#), "{answer}");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}
