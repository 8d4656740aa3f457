//! Unit tests of the problem mapping table.

use super::*;

#[derive(Debug, thiserror::Error)]
#[error("call-off of {amount} exceeds the remaining {remaining}")]
struct LimitExceeded {
    amount: &'static str,
    remaining: &'static str,
}

impl DomainProblem for LimitExceeded {
    fn status(&self) -> StatusCode {
        StatusCode::CONFLICT
    }
    fn slug(&self) -> &'static str {
        "call-off-limit-exceeded"
    }
    fn title(&self) -> &'static str {
        "Call-off limit exceeded"
    }
    fn extra(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("remaining".into(), self.remaining.into());
        m.insert("status".into(), 200.into()); // reserved: must be ignored
        m
    }
}

#[test]
fn table_gives_status_and_type_for_every_variant() {
    let cases: Vec<(ApiError, u16, &str)> = vec![
        (
            ApiError::Unauthorized(AuthFailure::Missing),
            401,
            "unauthorized",
        ),
        (ApiError::Forbidden, 403, "forbidden"),
        (ApiError::NotFound, 404, "not-found"),
        (ApiError::MethodNotAllowed, 405, "method-not-allowed"),
        (
            ApiError::PreconditionFailed {
                given: "\"v1\"".into(),
                current: "\"v2\"".into(),
            },
            412,
            "precondition-failed",
        ),
        (ApiError::PreconditionRequired, 428, "precondition-required"),
        (
            ApiError::IdempotencyKeyReused,
            422,
            "idempotency-key-reused",
        ),
        (
            ApiError::IdempotencyKeyInvalid("empty".into()),
            400,
            "invalid-idempotency-key",
        ),
        (
            ApiError::IdempotencyInProgress,
            409,
            "idempotency-request-in-progress",
        ),
        (
            ApiError::IdempotencyOutcomeUnknown,
            409,
            "idempotency-outcome-unknown",
        ),
        (
            ApiError::PayloadTooLarge { limit: 10 },
            413,
            "payload-too-large",
        ),
        (
            ApiError::UnsupportedMediaType("text/plain".into()),
            415,
            "unsupported-media-type",
        ),
        (
            ApiError::MalformedJson {
                detail: "eof".into(),
                line: 1,
                column: 2,
            },
            400,
            "malformed-json",
        ),
        (
            ApiError::InvalidBody {
                detail: "x".into(),
                pointer: "/a".into(),
                line: 1,
                column: 2,
            },
            422,
            "invalid-body",
        ),
        (ApiError::BadRequest("x".into()), 400, "bad-request"),
        (ApiError::Timeout, 503, "timeout"),
        (
            ApiError::StoreUnavailable("db down".into()),
            503,
            "store-unavailable",
        ),
        (ApiError::NotReady(vec![]), 503, "not-ready"),
        (ApiError::Internal("boom".into()), 500, "internal"),
    ];
    for (err, status, slug) in cases {
        let p = problem_for(&err);
        assert_eq!(p.status().as_u16(), status, "{err:?}");
        assert_eq!(p.type_uri(), format!("/problems/{slug}"), "{err:?}");
        assert!(!p.detail().is_empty(), "{err:?}");
    }
}

#[test]
fn internal_and_store_errors_never_leak_their_message() {
    for err in [
        ApiError::Internal("secret path /var/db".into()),
        ApiError::StoreUnavailable("secret path /var/db".into()),
    ] {
        let json = serde_json::to_string(&problem_for(&err)).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }
}

#[test]
fn domain_rejection_maps_through_its_trait_and_keeps_reserved_members() {
    let err: ApiError = LimitExceeded {
        amount: "10.00",
        remaining: "5.00",
    }
    .into();
    let p = problem_for(&err);
    assert_eq!(p.status(), StatusCode::CONFLICT);
    assert_eq!(p.type_uri(), "/problems/call-off-limit-exceeded");
    assert_eq!(p.detail(), "call-off of 10.00 exceeds the remaining 5.00");
    assert_eq!(p.extra().get("remaining"), Some(&Value::from("5.00")));
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["status"], 409);
    assert_eq!(json["remaining"], "5.00");
}

#[test]
fn unauthorized_response_carries_a_bearer_challenge_and_problem_media_type() {
    let res = ApiError::Unauthorized(AuthFailure::Invalid).into_response();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token", error_description="the bearer token is unknown or revoked""#
    );
    assert_eq!(res.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
}

#[test]
fn a_rejected_jwt_says_why_in_the_detail_and_the_challenge() {
    use crate::auth::oidc::JwtRejection;
    let why = JwtRejection::WrongAudience("digisos-api".into());
    let err = ApiError::Unauthorized(AuthFailure::Jwt(why));
    assert_eq!(
        problem_for(&err).detail(),
        "the JWT is not meant for audience digisos-api (aud)"
    );
    let res = err.into_response();
    assert_eq!(
        res.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token", error_description="the JWT is not meant for audience digisos-api (aud)""#
    );
    // A claim name with quotes, a backslash or non-ASCII text cannot break the header.
    let why = JwtRejection::MissingClaim("r\"ö\\le".into());
    let res = ApiError::Unauthorized(AuthFailure::Jwt(why)).into_response();
    assert_eq!(
        res.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token", error_description="the JWT has no r'?'le claim""#
    );
}
