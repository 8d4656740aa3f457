//! `ApiJson<T>`: the JSON body extractor and responder of the API, with problem+json
//! rejections that say exactly what is wrong (line, column, JSON pointer).
//!
//! Use it instead of `axum::Json` in every handler. Give request types
//! `#[serde(deny_unknown_fields)]` so unknown members are rejected, not ignored.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::problem::ApiError;

/// Default request body limit (1 MiB) when the app did not configure one.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The request body limit in force, put into request extensions by [`crate::app::app`]
/// so that rejections can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

/// A JSON request body or response body.
///
/// As an extractor it fails with [`ApiError::UnsupportedMediaType`] (415) unless the
/// `Content-Type` is `application/json` or `application/*+json`, with
/// [`ApiError::PayloadTooLarge`] (413) past the body limit, with
/// [`ApiError::MalformedJson`] (400) for unparseable input and with
/// [`ApiError::InvalidBody`] (422) for well-formed JSON of the wrong shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_json_content_type(req.headers())?;
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
        parse_json(&bytes).map(ApiJson)
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Parses a JSON document into `T`, classifying failures as [`ApiError::MalformedJson`]
/// or [`ApiError::InvalidBody`] with position and JSON pointer. Trailing data after the
/// document is malformed JSON.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let pointer = pointer_of(err.path());
        classify(err.inner(), pointer)
    })?;
    de.end().map_err(|err| classify(&err, String::new()))?;
    Ok(value)
}

fn classify(err: &serde_json::Error, pointer: String) -> ApiError {
    let (line, column) = (err.line(), err.column());
    let detail = strip_position(&err.to_string());
    match err.classify() {
        Category::Data => ApiError::InvalidBody {
            detail: if pointer.is_empty() {
                detail
            } else {
                format!("{pointer}: {detail}")
            },
            pointer,
            line,
            column,
        },
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson {
            detail: if err.is_eof() {
                format!("truncated JSON: {detail}")
            } else {
                detail
            },
            line,
            column,
        },
    }
}

/// serde_json appends " at line L column C"; the problem carries them as members.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Turns serde_path_to_error's path into an RFC 6901 JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// Fails unless `Content-Type` is `application/json` or `application/<x>+json`
/// (parameters such as `charset=utf-8` allowed).
pub fn check_json_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::UnsupportedMediaType(
            "missing Content-Type, expected application/json".into(),
        ));
    };
    let text = value.to_str().unwrap_or("");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if ok {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type `{}`, expected application/json",
            text.chars().take(100).collect::<String>()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        qty: u32,
    }

    #[test]
    fn classifies_and_locates_errors() {
        let cases: &[(&[u8], &str, &str)] = &[
            (br#"{"name": "a", "#, "malformed-json", ""),
            (br#"{"name": "a" "items": []}"#, "malformed-json", ""),
            (b"{\"name\": \"\xff\", \"items\": []}", "malformed-json", ""),
            (br#"{"name": "a", "items": []} x"#, "malformed-json", ""),
            (br#"{"name": 5, "items": []}"#, "invalid-body", "/name"),
            (
                br#"{"name": "a", "items": [{"qty": -1}]}"#,
                "invalid-body",
                "/items/0/qty",
            ),
            (
                br#"{"name": "a", "items": [{"qty": 1e999}]}"#,
                "malformed-json",
                "",
            ),
            (
                br#"{"name": "a", "items": [], "x": 1}"#,
                "invalid-body",
                "/x",
            ),
            (br#"{"name": "a"}"#, "invalid-body", ""),
        ];
        for (input, slug, pointer) in cases {
            let err = parse_json::<Body>(input).unwrap_err();
            let p = crate::problem::problem_for(&err);
            assert_eq!(p.type_uri(), format!("/problems/{slug}"), "{err:?}");
            if *slug == "invalid-body" {
                assert_eq!(p.extra()["pointer"], *pointer, "{err:?}");
            }
            assert!(p.extra()["line"].as_u64().is_some(), "{err:?}");
        }
    }

    #[test]
    fn content_type_table() {
        for (ct, ok) in [
            (Some("application/json"), true),
            (Some("application/json; charset=utf-8"), true),
            (Some("application/merge-patch+json"), true),
            (Some("text/plain"), false),
            (Some("application/jsonx"), false),
            (None, false),
        ] {
            let mut h = HeaderMap::new();
            if let Some(ct) = ct {
                h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            }
            assert_eq!(check_json_content_type(&h).is_ok(), ok, "{ct:?}");
        }
    }
}
