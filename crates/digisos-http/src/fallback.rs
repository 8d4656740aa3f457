//! The last line of "problem+json everywhere": the 404 fallback and a response mapper
//! that turns any other error response (axum's 405, tower-http's 413 and timeout, a
//! plain-text extractor rejection) into problem+json, keeping its headers (`Allow`).

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::problem::{ApiError, PROBLEM_JSON, Problem, problem_for};

/// Longest plain-text body of a 4xx response that is kept as the problem's detail.
const MAX_DETAIL: usize = 1024;

/// Fallback handler for unknown routes: `404 /problems/not-found`.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Response mapper: error responses that are not problem+json become problem+json.
/// Install with `axum::middleware::map_response(ensure_problem)` outside every layer
/// that can answer on its own (body limit, timeout).
pub async fn ensure_problem(res: Response) -> Response {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = match http_body_util::Limited::new(body, MAX_DETAIL)
        .collect()
        .await
    {
        Ok(collected) => String::from_utf8(collected.to_bytes().to_vec()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let problem = problem_for_status(status, text.trim());
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let body = problem.into_response().into_body();
    Response::from_parts(parts, Body::new(body))
}

/// The problem for a bare status. Known statuses go through the one table
/// ([`problem_for`]); others get a slug from their reason phrase. A short plain-text
/// body of a 4xx (an axum rejection message) becomes the detail; 5xx bodies are dropped.
fn problem_for_status(status: StatusCode, text: &str) -> Problem {
    let known = match status {
        StatusCode::NOT_FOUND => Some(ApiError::NotFound),
        StatusCode::METHOD_NOT_ALLOWED => Some(ApiError::MethodNotAllowed),
        StatusCode::PAYLOAD_TOO_LARGE => Some(ApiError::PayloadTooLarge { limit: 0 }),
        StatusCode::REQUEST_TIMEOUT => Some(ApiError::Timeout),
        StatusCode::UNAUTHORIZED => {
            Some(ApiError::Unauthorized(crate::problem::AuthFailure::Missing))
        }
        StatusCode::INTERNAL_SERVER_ERROR => Some(ApiError::Internal(String::new())),
        _ => None,
    };
    let problem = match known {
        Some(ApiError::PayloadTooLarge { .. }) => {
            Problem::new(status, "payload-too-large", "Payload too large")
                .with_detail("request body larger than the configured limit")
        }
        Some(err) => {
            let p = problem_for(&err);
            // Keep the status the inner layer chose (e.g. a 408 stays 408).
            Problem::new(status, slug_of(p.type_uri()), p.title()).with_detail(p.detail())
        }
        None => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let slug = reason.to_ascii_lowercase().replace([' ', '\''], "-");
            Problem::new(status, &slug, reason)
        }
    };
    if status.is_client_error() && !text.is_empty() && text.len() <= MAX_DETAIL {
        problem.with_detail(text)
    } else {
        problem
    }
}

fn slug_of(type_uri: &str) -> &str {
    type_uri.strip_prefix("/problems/").unwrap_or("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn problem_of(status: StatusCode, body: &'static str) -> (Response, serde_json::Value) {
        let res = ensure_problem((status, body).into_response()).await;
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            Response::from_parts(parts, Body::empty()),
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[tokio::test]
    async fn plain_error_responses_become_problems() {
        let (res, p) = problem_of(StatusCode::BAD_REQUEST, "Invalid URL: bad id").await;
        assert_eq!(res.headers()[CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(p["type"], "/problems/bad-request");
        assert_eq!(p["detail"], "Invalid URL: bad id");
        let (_, p) = problem_of(StatusCode::REQUEST_TIMEOUT, "").await;
        assert_eq!(p["type"], "/problems/timeout");
        assert_eq!(p["status"], 408);
        let (_, p) = problem_of(StatusCode::INTERNAL_SERVER_ERROR, "panic at db.rs:12").await;
        assert_eq!(p["type"], "/problems/internal");
        assert!(!p.to_string().contains("db.rs"));
        let (_, p) = problem_of(StatusCode::IM_A_TEAPOT, "").await;
        assert_eq!(p["type"], "/problems/i-m-a-teapot");
    }

    #[tokio::test]
    async fn success_and_problem_responses_pass_unchanged() {
        let ok = ensure_problem((StatusCode::OK, "fine").into_response()).await;
        assert_eq!(ok.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
        let p = ensure_problem(ApiError::Forbidden.into_response()).await;
        let bytes = p.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["type"], "/problems/forbidden");
    }
}
