//! The JWKS URL: fetched at start (failing clearly), re-fetched for an unknown `kid` at
//! most once per minute of the app's clock, one fetch for many waiting requests, and the
//! old keys kept when a re-fetch fails. The identity provider is a local axum server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use digisos_http::auth::oidc::{
    JwksError, JwtRejection, KeySource, Oidc, OidcConfig, OidcSetupError,
};
use digisos_http::clock::FixedClock;

use crate::support::{AUDIENCE, ISSUER, JWKS, JWKS_ROTATED, Signer, claims, sign};

#[derive(Clone, Default)]
struct Idp {
    /// The document served; `None` answers 500.
    jwks: Arc<Mutex<Option<String>>>,
    hits: Arc<AtomicUsize>,
}

impl Idp {
    fn serve(&self, doc: Option<&str>) {
        *self.jwks.lock().unwrap() = doc.map(str::to_owned);
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn certs(State(idp): State<Idp>) -> Response {
    idp.hits.fetch_add(1, Ordering::SeqCst);
    let doc = idp.jwks.lock().unwrap().clone();
    match doc {
        Some(doc) => ([("content-type", "application/json")], doc).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Starts the identity provider on a free loopback port; returns its JWKS URL.
async fn start_idp(idp: &Idp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/realms/digisos/protocol/openid-connect/certs", get(certs))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/realms/digisos/protocol/openid-connect/certs")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap()
}

async fn load(url: String, clock: &FixedClock) -> Result<Oidc, OidcSetupError> {
    let clock = Arc::new(clock.clone());
    tokio::task::spawn_blocking(move || {
        Oidc::load(
            OidcConfig::new(ISSUER, AUDIENCE),
            KeySource::Url(url),
            clock,
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_kid_refetches_the_jwks_at_most_once_a_minute() {
    let idp = Idp::default();
    idp.serve(Some(JWKS));
    let url = start_idp(&idp).await;
    let clock = FixedClock::new(t0());
    let oidc = Arc::new(load(url, &clock).await.unwrap());
    assert_eq!(idp.hits(), 1, "fetched once at start");
    let known = sign(Signer::Rsa1, &claims(t0(), "auditor"));
    assert!(oidc.validate(&known).await.is_ok());
    assert_eq!(idp.hits(), 1, "a known kid fetches nothing");

    // The provider rotates: rsa-2 is new. Within a minute of the last fetch, no re-fetch.
    idp.serve(Some(JWKS_ROTATED));
    let rotated = sign(Signer::Rsa2, &claims(t0(), "auditor"));
    assert_eq!(
        oidc.validate(&rotated).await.unwrap_err(),
        JwtRejection::UnknownKey("rsa-2".into())
    );
    assert_eq!(idp.hits(), 1);

    // A minute later: one re-fetch, however many requests wait for it.
    clock.advance(TimeDelta::seconds(61));
    let rotated = sign(Signer::Rsa2, &claims(clock_now(&clock), "auditor"));
    let waiting: Vec<_> = (0..8)
        .map(|_| {
            let oidc = oidc.clone();
            let token = rotated.clone();
            tokio::spawn(async move { oidc.validate(&token).await })
        })
        .collect();
    for w in waiting {
        assert!(w.await.unwrap().is_ok());
    }
    assert_eq!(idp.hits(), 2, "one re-fetch for eight requests");
    assert_eq!(
        oidc.keys().kids().collect::<Vec<_>>(),
        ["ec-1", "ed-1", "rsa-1", "rsa-2"]
    );

    // Another unknown kid right after: refused without a fetch.
    let stranger = crate::support::sign_with(
        Signer::Rsa2,
        jsonwebtoken::Algorithm::RS256,
        Some("rsa-9"),
        &claims(clock_now(&clock), "auditor"),
    );
    assert_eq!(
        oidc.validate(&stranger).await.unwrap_err(),
        JwtRejection::UnknownKey("rsa-9".into())
    );
    assert_eq!(idp.hits(), 2);

    // A failing re-fetch keeps the keys it had.
    clock.advance(TimeDelta::seconds(61));
    idp.serve(None);
    assert!(matches!(
        oidc.validate(&stranger).await.unwrap_err(),
        JwtRejection::UnknownKey(_)
    ));
    assert_eq!(idp.hits(), 3);
    let still = sign(Signer::Rsa2, &claims(clock_now(&clock), "auditor"));
    assert!(oidc.validate(&still).await.is_ok());
}

fn clock_now(clock: &FixedClock) -> DateTime<Utc> {
    use digisos_http::clock::Clock as _;
    clock.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_fails_clearly_when_the_jwks_url_cannot_be_used() {
    let clock = FixedClock::new(t0());
    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{closed}/certs");
    let err = load(url.clone(), &clock).await.unwrap_err();
    assert!(
        matches!(&err, OidcSetupError::Jwks(JwksError::Fetch { .. })),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("cannot fetch the JWKS from {url}")),
        "{err}"
    );

    let idp = Idp::default();
    let url = start_idp(&idp).await;
    idp.serve(None);
    let err = load(url.clone(), &clock).await.unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    idp.serve(Some("<html>login</html>"));
    let err = load(url.clone(), &clock).await.unwrap_err();
    assert!(
        matches!(&err, OidcSetupError::Jwks(JwksError::Invalid { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a JWKS document"), "{err}");

    let err = load("http://idp.example.test/certs".into(), &clock)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OidcSetupError::Jwks(JwksError::Insecure(_))),
        "{err:?}"
    );
    let err = tokio::task::spawn_blocking(|| {
        Oidc::load(
            OidcConfig::new(ISSUER, " "),
            KeySource::File("unused.json".into()),
            Arc::new(FixedClock::new(t0())),
        )
    })
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.to_string(), "OIDC audience must not be empty");
}
