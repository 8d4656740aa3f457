//! RFC 9457 problem details (`application/problem+json`) and the adapter's one error type.
//!
//! Every error response of the API is a [`Problem`]. Handlers return
//! `Result<_, ApiError>`; [`problem_for`] is the ONE table that decides status codes and
//! problem types. Core rejections enter through [`DomainProblem`] and
//! [`ApiError::Rejection`], so the domain mapping also lives in one place (the
//! `DomainProblem` impls written next to this module), never in a handler.
//!
//! Body errors are split the way axum splits them: JSON that cannot be parsed
//! (syntax, truncation, invalid UTF-8) is `400 /problems/malformed-json`; JSON that parses
//! but has the wrong shape (wrong type, missing or unknown field) is
//! `422 /problems/invalid-body`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail object.
///
/// Build one with [`Problem::new`] and the `with_*` methods; the type URI is always
/// `/problems/<slug>`, a stable identifier clients may switch on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(
    description = "RFC 9457 problem details; further members (extensions) carry machine-readable data"
)]
pub struct Problem {
    /// Stable problem type, `/problems/<slug>`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    type_uri: String,
    /// Short, human-readable summary of the problem type; the same for every occurrence.
    title: String,
    /// HTTP status code of this occurrence.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// Human-readable explanation of this occurrence.
    detail: String,
    /// URI reference identifying this occurrence, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    /// Extension members (for example `limit`, `remaining`, `pointer`).
    #[serde(flatten)]
    #[schema(ignore)]
    extra: Map<String, Value>,
}

impl Problem {
    /// Creates a problem of type `/problems/<slug>`; `detail` starts as the title.
    pub fn new(status: StatusCode, slug: &str, title: &str) -> Self {
        Problem {
            type_uri: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: title.to_owned(),
            instance: None,
            extra: Map::new(),
        }
    }

    /// Sets the occurrence-specific explanation.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Sets the `instance` URI reference.
    #[must_use]
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    /// Adds one extension member; the reserved members (`type`, `title`, `status`,
    /// `detail`, `instance`) are never overwritten.
    #[must_use]
    pub fn with_extra(mut self, key: &str, value: impl Into<Value>) -> Self {
        if !matches!(key, "type" | "title" | "status" | "detail" | "instance") {
            self.extra.insert(key.to_owned(), value.into());
        }
        self
    }

    /// Adds every member of `extra` (see [`Problem::with_extra`]).
    #[must_use]
    pub fn with_extras(self, extra: Map<String, Value>) -> Self {
        extra
            .into_iter()
            .fold(self, |p, (k, v)| p.with_extra(&k, v))
    }

    /// The type URI, `/problems/<slug>`.
    pub fn type_uri(&self) -> &str {
        &self.type_uri
    }

    /// The summary of the problem type.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The HTTP status (500 if the stored code were ever invalid).
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The human-readable explanation of this occurrence.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The extension members.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body,
        )
            .into_response()
    }
}

/// A core rejection that knows its problem type. Implement it once per core rejection
/// enum, next to this module: that impl is the mapping table from core to HTTP.
///
/// `Display` (thiserror) provides the `detail`; it must not contain secrets.
pub trait DomainProblem: std::fmt::Display {
    /// HTTP status of the rejection (mostly 409 or 422; 404 for foreign objects).
    fn status(&self) -> StatusCode;
    /// Stable slug, e.g. `call-off-limit-exceeded` → `/problems/call-off-limit-exceeded`.
    fn slug(&self) -> &'static str;
    /// Summary of the problem type, the same for every occurrence.
    fn title(&self) -> &'static str;
    /// Extension members, e.g. `{"limit": "50000.00", "remaining": "1200.00"}`.
    fn extra(&self) -> Map<String, Value> {
        Map::new()
    }
}

/// A core rejection, already translated by its [`DomainProblem`] impl.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainRejection {
    /// HTTP status.
    pub status: StatusCode,
    /// Problem slug.
    pub slug: &'static str,
    /// Problem title.
    pub title: &'static str,
    /// Occurrence detail.
    pub detail: String,
    /// Extension members.
    pub extra: Map<String, Value>,
}

/// Why a request was not authenticated (all answer 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header that is not `Bearer <token>`.
    Malformed,
    /// A well-formed token that is unknown or revoked (deliberately not told apart).
    Invalid,
    /// A JWT that OIDC did not accept, and why (the reason never contains the token).
    Jwt(crate::auth::oidc::JwtRejection),
}

impl AuthFailure {
    /// The problem's detail, also the challenge's `error_description`.
    pub fn detail(&self) -> String {
        match self {
            AuthFailure::Missing => "missing bearer token in the Authorization header".into(),
            AuthFailure::Malformed => "the Authorization header is not `Bearer <token>`".into(),
            AuthFailure::Invalid => "the bearer token is unknown or revoked".into(),
            AuthFailure::Jwt(why) => why.to_string(),
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 § 3): no error code without
    /// credentials, `invalid_request` for a malformed header, `invalid_token` otherwise,
    /// with the detail as `error_description`.
    pub fn challenge(&self) -> HeaderValue {
        let code = match self {
            AuthFailure::Missing => return HeaderValue::from_static("Bearer"),
            AuthFailure::Malformed => "invalid_request",
            AuthFailure::Invalid | AuthFailure::Jwt(_) => "invalid_token",
        };
        // A quoted-string of printable ASCII without `"` and `\` (RFC 6750 § 3).
        let description: String = self
            .detail()
            .chars()
            .map(|c| match c {
                '"' | '\\' => '\'',
                c if c == ' ' || c.is_ascii_graphic() => c,
                _ => '?',
            })
            .collect();
        HeaderValue::from_str(&format!(
            r#"Bearer error="{code}", error_description="{description}""#
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(r#"Bearer error="invalid_token""#))
    }
}

/// Every failure of the HTTP adapter. Map to a response only through [`problem_for`]
/// (which `IntoResponse` does).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid bearer token.
    #[error("not authenticated: {0:?}")]
    Unauthorized(AuthFailure),
    /// Authenticated, but the role may not do this.
    #[error("the caller's role may not perform this request")]
    Forbidden,
    /// No such resource, or not visible to the caller (foreign objects answer 404).
    #[error("resource not found")]
    NotFound,
    /// The route exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// `If-Match` does not match the current entity tag.
    #[error("if-match {given} does not match the current version {current}")]
    PreconditionFailed {
        /// The `If-Match` value sent.
        given: String,
        /// The current entity tag.
        current: String,
    },
    /// `If-Match` is required on this route and was absent.
    #[error("if-match header required")]
    PreconditionRequired,
    /// The `Idempotency-Key` was used before with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    /// The `Idempotency-Key` header is empty, too long or not visible ASCII.
    #[error("invalid idempotency key: {0}")]
    IdempotencyKeyInvalid(String),
    /// A request with the same `Idempotency-Key` is still being processed.
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInProgress,
    /// The request with this `Idempotency-Key` may have been executed, but its response
    /// was lost (the server stopped between the commit and recording the response).
    #[error(
        "a request with this idempotency key may have been executed, but its response was \
         lost when the server stopped; read the resource to see whether it took effect \
         before retrying with a new key"
    )]
    IdempotencyOutcomeUnknown,
    /// The body exceeds the configured limit.
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not `application/json` (or `+json`).
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// The body is not parseable JSON (syntax, truncation, invalid UTF-8); 400.
    #[error("malformed json: {detail}")]
    MalformedJson {
        /// What is wrong, from the parser.
        detail: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The JSON parses but does not fit the schema (wrong type, missing or unknown
    /// field, out-of-range number); 422.
    #[error("invalid body at {pointer}: {detail}")]
    InvalidBody {
        /// What is wrong.
        detail: String,
        /// JSON pointer to the offending member (`""` for the root).
        pointer: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// Any other malformed request (bad path or query parameter, unreadable body).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request took longer than the configured timeout.
    #[error("request timed out")]
    Timeout,
    /// The event store cannot be reached; retry later.
    #[error("store unavailable: {0}")]
    StoreUnavailable(String),
    /// A readiness check failed (`/readyz`).
    #[error("not ready")]
    NotReady(Vec<crate::state::ReadinessCheck>),
    /// A bug or an unexpected failure. The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// A core rejection. THE place where domain rejections enter the HTTP mapping.
    #[error("{}", .0.detail)]
    Rejection(DomainRejection),
}

impl ApiError {
    /// Wraps a core rejection (also available as `?` through `From`).
    pub fn rejection<R: DomainProblem + ?Sized>(r: &R) -> Self {
        ApiError::Rejection(DomainRejection {
            status: r.status(),
            slug: r.slug(),
            title: r.title(),
            detail: r.to_string(),
            extra: r.extra(),
        })
    }
}

impl<R: DomainProblem> From<R> for ApiError {
    fn from(r: R) -> Self {
        ApiError::rejection(&r)
    }
}

/// THE mapping table from adapter failures to problem types.
pub fn problem_for(err: &ApiError) -> Problem {
    use ApiError as E;
    use StatusCode as S;
    match err {
        E::Unauthorized(why) => Problem::new(S::UNAUTHORIZED, "unauthorized", "Unauthorized")
            .with_detail(why.detail()),
        E::Forbidden => Problem::new(S::FORBIDDEN, "forbidden", "Forbidden")
            .with_detail(err.to_string()),
        E::NotFound => Problem::new(S::NOT_FOUND, "not-found", "Not found")
            .with_detail("no such resource"),
        E::MethodNotAllowed => {
            Problem::new(S::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed")
                .with_detail("the resource does not support this method; see the Allow header")
        }
        E::PreconditionFailed { current, .. } => {
            Problem::new(S::PRECONDITION_FAILED, "precondition-failed", "Precondition failed")
                .with_detail(err.to_string())
                .with_extra("current_etag", current.clone())
        }
        E::PreconditionRequired => Problem::new(
            S::PRECONDITION_REQUIRED,
            "precondition-required",
            "Precondition required",
        )
        .with_detail("send If-Match with the entity tag of the version you read"),
        E::IdempotencyKeyReused => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
        )
        .with_detail("this Idempotency-Key was already used for a different request"),
        E::IdempotencyKeyInvalid(_) => Problem::new(
            S::BAD_REQUEST,
            "invalid-idempotency-key",
            "Invalid idempotency key",
        )
        .with_detail(err.to_string()),
        E::IdempotencyInProgress => Problem::new(
            S::CONFLICT,
            "idempotency-request-in-progress",
            "Request in progress",
        )
        .with_detail(err.to_string()),
        E::IdempotencyOutcomeUnknown => Problem::new(
            S::CONFLICT,
            "idempotency-outcome-unknown",
            "Outcome of the request unknown",
        )
        .with_detail(err.to_string()),
        E::PayloadTooLarge { limit } => {
            Problem::new(S::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large")
                .with_detail(err.to_string())
                .with_extra("limit", *limit)
        }
        E::UnsupportedMediaType(_) => Problem::new(
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
        )
        .with_detail(err.to_string()),
        E::MalformedJson { detail, line, column } => {
            Problem::new(S::BAD_REQUEST, "malformed-json", "Malformed JSON")
                .with_detail(detail.clone())
                .with_extra("line", *line)
                .with_extra("column", *column)
        }
        E::InvalidBody { detail, pointer, line, column } => {
            Problem::new(S::UNPROCESSABLE_ENTITY, "invalid-body", "Invalid request body")
                .with_detail(detail.clone())
                .with_extra("pointer", pointer.clone())
                .with_extra("line", *line)
                .with_extra("column", *column)
        }
        E::BadRequest(detail) => {
            Problem::new(S::BAD_REQUEST, "bad-request", "Bad request").with_detail(detail.clone())
        }
        E::Timeout => Problem::new(S::SERVICE_UNAVAILABLE, "timeout", "Request timed out")
            .with_detail("the request took too long; it may or may not have taken effect, retry with the same Idempotency-Key"),
        E::StoreUnavailable(_) => {
            Problem::new(S::SERVICE_UNAVAILABLE, "store-unavailable", "Store unavailable")
                .with_detail("the event store cannot be reached; retry later")
        }
        E::NotReady(checks) => {
            Problem::new(S::SERVICE_UNAVAILABLE, "not-ready", "Not ready")
                .with_detail("a readiness check failed; see `checks`")
                .with_extra("checks", serde_json::to_value(checks).unwrap_or_default())
        }
        E::Internal(_) => Problem::new(S::INTERNAL_SERVER_ERROR, "internal", "Internal error")
            .with_detail("an unexpected error occurred; it has been logged"),
        E::Rejection(r) => Problem::new(r.status, r.slug, r.title)
            .with_detail(r.detail.clone())
            .with_extras(r.extra.clone()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(msg) | ApiError::StoreUnavailable(msg) = &self {
            tracing::error!(error = %msg, "request failed");
        }
        let mut res = problem_for(&self).into_response();
        if let ApiError::Unauthorized(why) = &self {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, why.challenge());
        }
        res
    }
}

#[cfg(test)]
#[path = "problem/tests.rs"]
mod tests;
