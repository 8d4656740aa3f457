//! Entity tags from stream versions (`"v<version>"`) and `If-Match` preconditions.
//!
//! Handlers of versioned resources (incidents) send [`etag`] on reads and take
//! [`IfMatch`] on transitions. Prefer [`IfMatch::expected_version`] and let the store's
//! append check the version atomically; [`IfMatch::check`] is for callers that only
//! compare with a version they already hold.

use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

use crate::problem::ApiError;

/// The strong entity tag of a stream version: `"v7"`.
pub fn etag(version: u64) -> String {
    format!("\"v{version}\"")
}

/// The weak entity tag of a stream version (`W/"v7"`), for representations that are
/// semantically but not byte-for-byte equal (e.g. list views).
pub fn weak_etag(version: u64) -> String {
    format!("W/{}", etag(version))
}

/// An `ETag` response header for a stream version; add it to every versioned response.
pub fn etag_header(version: u64) -> (axum::http::HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&etag(version))
        .unwrap_or_else(|_| HeaderValue::from_static("\"v0\""));
    (ETAG, value)
}

/// The `If-Match` precondition of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match` header.
    Absent,
    /// `If-Match: *`: any current version.
    Any,
    /// The listed entity tags, as sent (weak tags never match, RFC 9110 §13.1.1).
    Tags(Vec<String>),
}

impl IfMatch {
    /// Parses the header(s); fails with [`ApiError::BadRequest`] on non-ASCII or empty
    /// values and on tags that are not quoted.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let mut tags = Vec::new();
        let mut any = false;
        for value in headers.get_all(IF_MATCH) {
            let text = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("If-Match is not visible ASCII".into()))?;
            for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if tag == "*" {
                    any = true;
                } else if is_entity_tag(tag) {
                    tags.push(tag.to_owned());
                } else {
                    return Err(ApiError::BadRequest(format!(
                        "If-Match value {tag:?} is not an entity tag such as \"v3\""
                    )));
                }
            }
        }
        Ok(match (any, tags.is_empty()) {
            (true, _) => IfMatch::Any,
            (false, true) if headers.contains_key(IF_MATCH) => {
                return Err(ApiError::BadRequest("If-Match is empty".into()));
            }
            (false, true) => IfMatch::Absent,
            (false, false) => IfMatch::Tags(tags),
        })
    }

    /// The version the client expects, when it sent exactly one strong `"v<n>"` tag; pass
    /// it to the store's append as the expected stream version.
    pub fn expected_version(&self) -> Option<u64> {
        match self {
            IfMatch::Tags(tags) if tags.len() == 1 => parse_version(&tags[0]),
            _ => None,
        }
    }

    /// Checks the precondition against the current version. Absent passes unless
    /// `required` (then [`ApiError::PreconditionRequired`], 428); a mismatch is
    /// [`ApiError::PreconditionFailed`] (412).
    pub fn check(&self, current: u64, required: bool) -> Result<(), ApiError> {
        let current_tag = etag(current);
        match self {
            IfMatch::Absent if required => Err(ApiError::PreconditionRequired),
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) if tags.contains(&current_tag) => Ok(()),
            IfMatch::Tags(tags) => Err(ApiError::PreconditionFailed {
                given: tags.join(", "),
                current: current_tag,
            }),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        IfMatch::from_headers(&parts.headers)
    }
}

fn is_entity_tag(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    opaque.len() >= 2
        && opaque.starts_with('"')
        && opaque.ends_with('"')
        && !opaque[1..opaque.len() - 1].contains('"')
}

fn parse_version(tag: &str) -> Option<u64> {
    tag.strip_prefix("\"v")?.strip_suffix('"')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(values: &[&str]) -> Result<IfMatch, ApiError> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_MATCH, v.parse().unwrap());
        }
        IfMatch::from_headers(&h)
    }

    #[test]
    fn tags_render() {
        assert_eq!(etag(7), "\"v7\"");
        assert_eq!(weak_etag(7), "W/\"v7\"");
        assert_eq!(etag_header(3).1, "\"v3\"");
    }

    #[test]
    fn check_table() {
        use ApiError as E;
        let cases: &[(&[&str], bool, u64, &str)] = &[
            (&[], false, 3, "ok"),
            (&[], true, 3, "428"),
            (&["*"], true, 3, "ok"),
            (&["\"v3\""], true, 3, "ok"),
            (&["\"v2\", \"v3\""], true, 3, "ok"),
            (&["\"v2\"", "\"v3\""], true, 3, "ok"),
            (&["\"v2\""], false, 3, "412"),
            (&["W/\"v3\""], false, 3, "412"),
        ];
        for (values, required, current, want) in cases {
            let got = match if_match(values).unwrap().check(*current, *required) {
                Ok(()) => "ok",
                Err(E::PreconditionRequired) => "428",
                Err(E::PreconditionFailed { .. }) => "412",
                Err(other) => panic!("{other:?}"),
            };
            assert_eq!(got, *want, "{values:?}");
        }
    }

    #[test]
    fn malformed_if_match_is_a_bad_request() {
        for v in ["v3", "\"v3", "", " , "] {
            assert!(
                matches!(if_match(&[v]), Err(ApiError::BadRequest(_))),
                "{v:?}"
            );
        }
    }

    #[test]
    fn expected_version_needs_one_strong_tag() {
        assert_eq!(if_match(&["\"v12\""]).unwrap().expected_version(), Some(12));
        assert_eq!(if_match(&["W/\"v12\""]).unwrap().expected_version(), None);
        assert_eq!(
            if_match(&["\"v1\", \"v2\""]).unwrap().expected_version(),
            None
        );
        assert_eq!(if_match(&["*"]).unwrap().expected_version(), None);
        assert_eq!(if_match(&[]).unwrap().expected_version(), None);
    }
}
