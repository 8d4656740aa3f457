//! `OptionalJson<T>`: a JSON body that may be left out entirely (actions without
//! parameters such as `accept`); an empty body is `T::default()`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::json::{BodyLimit, DEFAULT_BODY_LIMIT, check_json_content_type, parse_json};
use crate::problem::ApiError;

/// A JSON request body that defaults when empty; otherwise exactly like `ApiJson`
/// (415 without a JSON content type, 413 past the limit, 400 malformed, 422 wrong shape).
#[derive(Debug, Clone, Default)]
pub struct OptionalJson<T>(pub T);

impl<T, S> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit }
            } else {
                ApiError::BadRequest(format!("could not read the request body: {rejection}"))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        check_json_content_type(&headers)?;
        parse_json(&bytes).map(OptionalJson)
    }
}
