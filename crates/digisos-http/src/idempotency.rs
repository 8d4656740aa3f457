//! `Idempotency-Key` for POST requests: a retried request gets the stored response, a
//! reused key with a different request gets `422 /problems/idempotency-key-reused`.
//!
//! Keys are scoped per token: two callers may use the same key independently. The
//! fingerprint is SHA-256 over method, path with query, body and token id. Responses
//! with status below 500 are stored and replayed (with `Idempotent-Replayed: true`);
//! 5xx responses are forgotten so that a retry runs again (unless the command may have
//! been executed: see [`durable`]). Requests without a valid token are not recorded
//! (they fail authentication in the handler).
//!
//! [`InMemoryIdempotencyStore`] forgets everything at a restart (tests, demos);
//! [`DurableIdempotencyStore`], which `digisos serve` uses, writes its records with the
//! commands' events and keeps them 24 hours.

mod durable;

pub(crate) use durable::record_key;
pub use durable::{
    CAPACITY, DurableIdempotencyStore, NAMESPACE, PRUNE_EVERY, RETENTION, pending_record,
};

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, LOCATION};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

use crate::auth::{TokenId, authenticate_request};
use crate::json::{BodyLimit, DEFAULT_BODY_LIMIT};
use crate::problem::ApiError;
use crate::state::Infra;

/// The request header carrying the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header set on replayed responses.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 255;

/// Where a key lives: the token that used it and the key text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopedKey {
    /// The caller's token.
    pub token: TokenId,
    /// The `Idempotency-Key` value.
    pub key: String,
}

/// SHA-256 (hex) of method, path, body and caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub String);

/// A response kept for replay: status, the headers that matter, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// `Content-Type`, `Location` and `ETag`, when present.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body bytes.
    pub body: Bytes,
}

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Unknown key, now recorded as in flight: run the request.
    Proceed,
    /// Same key, same request, finished: replay this.
    Replay(StoredResponse),
    /// Same key, other request.
    Mismatch,
    /// Same key, same request, still running.
    InProgress,
    /// Same key, same request, whose command may have been executed but whose response
    /// was lost (the server stopped in between): never run it again.
    OutcomeUnknown,
}

tokio::task_local! {
    /// The key of the request being handled, set by the middleware around the handler,
    /// so that the writer can record it with the command (see [`in_flight`]).
    static IN_FLIGHT: (ScopedKey, Fingerprint);
}

/// The `Idempotency-Key` (with its request's fingerprint) of the request this task is
/// handling, if it carries one that [`IdempotencyStore::begin`] let proceed.
pub fn in_flight() -> Option<(ScopedKey, Fingerprint)> {
    IN_FLIGHT.try_with(Clone::clone).ok()
}

/// Storage of idempotency records. Implementations must be cheap (called inside the
/// request path); a durable one should write the record with the command's events.
pub trait IdempotencyStore: Send + Sync + fmt::Debug {
    /// Looks the key up and, if unknown, records it as in flight with `fingerprint`.
    fn begin(&self, key: &ScopedKey, fingerprint: &Fingerprint) -> Begin;
    /// Stores the response of an in-flight key.
    fn complete(&self, key: &ScopedKey, response: StoredResponse);
    /// Forgets an in-flight key (the request failed with 5xx or was cancelled).
    fn abandon(&self, key: &ScopedKey);
}

#[derive(Debug, Clone)]
enum Entry {
    InFlight(Fingerprint),
    Done(Fingerprint, StoredResponse),
}

/// An [`IdempotencyStore`] in memory holding at most `capacity` keys; the oldest key is
/// evicted first.
#[derive(Debug)]
pub struct InMemoryIdempotencyStore {
    capacity: usize,
    inner: Mutex<(HashMap<ScopedKey, Entry>, VecDeque<ScopedKey>)>,
}

impl InMemoryIdempotencyStore {
    /// A store for at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        InMemoryIdempotencyStore {
            capacity: capacity.max(1),
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.lock().0.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<ScopedKey, Entry>, VecDeque<ScopedKey>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl IdempotencyStore for InMemoryIdempotencyStore {
    fn begin(&self, key: &ScopedKey, fingerprint: &Fingerprint) -> Begin {
        let mut guard = self.lock();
        let (map, order) = &mut *guard;
        match map.get(key) {
            Some(Entry::InFlight(f) | Entry::Done(f, _)) if f != fingerprint => Begin::Mismatch,
            Some(Entry::InFlight(_)) => Begin::InProgress,
            Some(Entry::Done(_, res)) => Begin::Replay(res.clone()),
            None => {
                while map.len() >= self.capacity {
                    match order.pop_front() {
                        Some(old) => map.remove(&old),
                        None => break,
                    };
                }
                map.insert(key.clone(), Entry::InFlight(fingerprint.clone()));
                order.push_back(key.clone());
                Begin::Proceed
            }
        }
    }

    fn complete(&self, key: &ScopedKey, response: StoredResponse) {
        let mut guard = self.lock();
        if let Some(entry) = guard.0.get_mut(key)
            && let Entry::InFlight(f) = entry
        {
            *entry = Entry::Done(f.clone(), response);
        }
    }

    fn abandon(&self, key: &ScopedKey) {
        let mut guard = self.lock();
        let (map, order) = &mut *guard;
        if matches!(map.get(key), Some(Entry::InFlight(_))) {
            map.remove(key);
            order.retain(|k| k != key);
        }
    }
}

/// Computes the fingerprint of a request.
pub fn fingerprint(
    method: &Method,
    path_and_query: &str,
    body: &[u8],
    token: &TokenId,
) -> Fingerprint {
    let mut h = Sha256::new();
    for part in [
        method.as_str().as_bytes(),
        path_and_query.as_bytes(),
        token.as_str().as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(body);
    Fingerprint(hex::encode(h.finalize()))
}

/// Middleware enforcing idempotency on POST requests that carry the header. Install with
/// `axum::middleware::from_fn_with_state(infra, idempotency)` inside the body limit.
pub async fn idempotency(State(infra): State<Infra>, req: Request, next: Next) -> Response {
    match run(infra, req, next).await {
        Ok(res) | Err(res) => res,
    }
}

async fn run(infra: Infra, req: Request, next: Next) -> Result<Response, Response> {
    let Some(raw_key) = req.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return Ok(next.run(req).await);
    };
    if req.method() != Method::POST {
        return Ok(next.run(req).await);
    }
    let key = validate_key(&raw_key).map_err(IntoResponse::into_response)?;
    let Ok(principal) = authenticate_request(req.headers(), &infra).await else {
        return Ok(next.run(req).await);
    };
    let limit = req
        .extensions()
        .get::<BodyLimit>()
        .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(principal.clone()); // `Caller` reuses it
    let bytes = body
        .collect()
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit }.into_response())?
        .to_bytes();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let fp = fingerprint(&parts.method, path, &bytes, principal.token_id());
    let scoped = ScopedKey {
        token: principal.token_id().clone(),
        key,
    };
    let store = infra.idempotency();
    match store.begin(&scoped, &fp) {
        Begin::Mismatch => return Err(ApiError::IdempotencyKeyReused.into_response()),
        Begin::InProgress => return Err(ApiError::IdempotencyInProgress.into_response()),
        Begin::OutcomeUnknown => {
            return Err(ApiError::IdempotencyOutcomeUnknown.into_response());
        }
        Begin::Replay(stored) => return Ok(replay(stored)),
        Begin::Proceed => {}
    }
    let guard = AbandonOnDrop {
        store,
        key: Some(scoped.clone()),
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    let res = IN_FLIGHT.scope((scoped, fp), next.run(req)).await;
    if res.status().is_server_error() {
        return Ok(res); // guard abandons the key
    }
    let (parts, body) = res.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(ApiError::Internal("response body failed".into()).into_response()),
    };
    let headers = [CONTENT_TYPE, LOCATION, ETAG]
        .into_iter()
        .filter_map(|name| parts.headers.get(&name).map(|v| (name, v.clone())))
        .collect();
    guard.complete(StoredResponse {
        status: parts.status,
        headers,
        body: body.clone(),
    });
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn validate_key(raw: &HeaderValue) -> Result<String, ApiError> {
    let text = raw
        .to_str()
        .map_err(|_| ApiError::IdempotencyKeyInvalid("not visible ASCII".into()))?;
    if text.is_empty() || text.len() > MAX_KEY_LEN {
        return Err(ApiError::IdempotencyKeyInvalid(format!(
            "must be 1-{MAX_KEY_LEN} characters, got {}",
            text.len()
        )));
    }
    Ok(text.to_owned())
}

fn replay(stored: StoredResponse) -> Response {
    let mut res = Response::new(Body::from(stored.body));
    *res.status_mut() = stored.status;
    for (name, value) in stored.headers {
        res.headers_mut().insert(name, value);
    }
    res.headers_mut()
        .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    res
}

struct AbandonOnDrop<'a> {
    store: &'a dyn IdempotencyStore,
    key: Option<ScopedKey>,
}

impl AbandonOnDrop<'_> {
    fn complete(mut self, response: StoredResponse) {
        if let Some(key) = self.key.take() {
            self.store.complete(&key, response);
        }
    }
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.store.abandon(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> ScopedKey {
        ScopedKey {
            token: TokenId::new("t"),
            key: k.into(),
        }
    }
    fn fp(s: &str) -> Fingerprint {
        fingerprint(&Method::POST, "/v1/x", s.as_bytes(), &TokenId::new("t"))
    }
    fn stored() -> StoredResponse {
        StoredResponse {
            status: StatusCode::CREATED,
            headers: vec![],
            body: Bytes::from("{}"),
        }
    }

    #[test]
    fn begin_complete_replay_mismatch() {
        let s = InMemoryIdempotencyStore::new(10);
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::Proceed);
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::InProgress);
        assert_eq!(s.begin(&key("a"), &fp("2")), Begin::Mismatch);
        s.complete(&key("a"), stored());
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::Replay(stored()));
        assert_eq!(s.begin(&key("a"), &fp("2")), Begin::Mismatch);
        s.abandon(&key("a")); // finished keys are not abandoned
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::Replay(stored()));
    }

    #[test]
    fn abandoned_keys_run_again_and_capacity_is_bounded() {
        let s = InMemoryIdempotencyStore::new(2);
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::Proceed);
        s.abandon(&key("a"));
        assert_eq!(s.begin(&key("a"), &fp("1")), Begin::Proceed);
        for k in ["b", "c", "d"] {
            assert_eq!(s.begin(&key(k), &fp("1")), Begin::Proceed);
            assert!(s.len() <= 2);
        }
        assert_eq!(
            s.begin(&key("a"), &fp("1")),
            Begin::Proceed,
            "oldest was evicted"
        );
    }

    #[test]
    fn fingerprint_separates_every_part() {
        let t = TokenId::new("t");
        let base = fingerprint(&Method::POST, "/a", b"x", &t);
        assert_ne!(base, fingerprint(&Method::PUT, "/a", b"x", &t));
        assert_ne!(base, fingerprint(&Method::POST, "/b", b"x", &t));
        assert_ne!(base, fingerprint(&Method::POST, "/a", b"y", &t));
        assert_ne!(
            base,
            fingerprint(&Method::POST, "/a", b"x", &TokenId::new("u"))
        );
        assert_ne!(
            fingerprint(&Method::POST, "/ab", b"", &t),
            fingerprint(&Method::POST, "/a", b"b", &t)
        );
    }
}
