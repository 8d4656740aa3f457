//! The validator: accepted tokens make the right principal; every defect is a rejection
//! that says what is wrong.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use digisos_http::Role;
use digisos_http::auth::oidc::{JwksError, JwtRejection, KeySet, Oidc};
use digisos_http::auth::{Principal, TokenId};
use digisos_http::clock::FixedClock;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::support::{RSA_1_PUBLIC_PEM, Signer, claims, oidc, sign, sign_with, with};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap()
}

fn validator() -> (Oidc, FixedClock) {
    let clock = FixedClock::new(now());
    (oidc(Arc::new(clock.clone())), clock)
}

async fn check(oidc: &Oidc, token: &str) -> Result<Principal, JwtRejection> {
    oidc.validate(token).await
}

fn role_claims(role: &str) -> Value {
    let base = claims(now(), role);
    match role {
        "body" => with(base, json!({ "digisos_body": "05315000" })),
        "provider" => with(base, json!({ "digisos_provider": "rheinwacht" })),
        _ => base,
    }
}

#[tokio::test]
async fn rs256_es256_ps256_and_eddsa_tokens_make_the_principal_of_each_role() {
    let (oidc, _) = validator();
    for (signer, alg) in [
        (Signer::Rsa1, Algorithm::RS256),
        (Signer::Rsa1, Algorithm::PS256),
        (Signer::Ec1, Algorithm::ES256),
        (Signer::Ed1, Algorithm::EdDSA),
    ] {
        for (name, role) in [
            ("coordinator", Role::Coordinator),
            ("body", Role::Body),
            ("provider", Role::Provider),
            ("auditor", Role::Auditor),
        ] {
            let token = sign_with(signer, alg, Some(signer.kid()), &role_claims(name));
            let p = check(&oidc, &token)
                .await
                .unwrap_or_else(|e| panic!("{alg:?} {name}: {e}"));
            assert_eq!(p.role(), role, "{alg:?} {name}");
            assert_eq!(
                p.token_id(),
                &TokenId::new("oidc:f3b1c2d4-0000-4000-8000-000000000001")
            );
            assert_eq!(p.body(), (role == Role::Body).then_some("05315000"));
            assert_eq!(
                p.provider().map(|p| p.as_str()),
                (role == Role::Provider).then_some("rheinwacht")
            );
        }
    }
}

#[tokio::test]
async fn times_are_checked_against_the_apps_clock_with_a_minute_of_leeway() {
    let (oidc, clock) = validator();
    let token = sign(Signer::Rsa1, &claims(now(), "auditor"));
    // exp is now + 300 s: valid until exp + 60 s.
    clock.set(now() + TimeDelta::seconds(359));
    assert!(check(&oidc, &token).await.is_ok());
    clock.set(now() + TimeDelta::seconds(360));
    assert_eq!(
        check(&oidc, &token).await.unwrap_err(),
        JwtRejection::Expired("2025-10-02T18:05:00Z".into())
    );
    // nbf and iat are now: accepted from now - 60 s on.
    clock.set(now() - TimeDelta::seconds(60));
    assert!(check(&oidc, &token).await.is_ok());
    clock.set(now() - TimeDelta::seconds(61));
    assert_eq!(
        check(&oidc, &token).await.unwrap_err(),
        JwtRejection::NotYetValid("2025-10-02T18:00:00Z".into())
    );
    // iat in the future, without nbf.
    let later = with(claims(now(), "auditor"), json!({ "nbf": null }));
    let token = sign(Signer::Rsa1, &later);
    let err = check(&oidc, &token).await.unwrap_err();
    assert_eq!(
        err,
        JwtRejection::IssuedInFuture("2025-10-02T18:00:00Z".into())
    );
    assert_eq!(
        err.to_string(),
        "the JWT claims to be issued in the future, at 2025-10-02T18:00:00Z"
    );
}

#[tokio::test]
async fn a_token_without_exp_is_refused_and_fractional_times_are_read() {
    let (oidc, _) = validator();
    let no_exp = sign(
        Signer::Rsa1,
        &with(claims(now(), "auditor"), json!({ "exp": null })),
    );
    assert_eq!(
        check(&oidc, &no_exp).await.unwrap_err(),
        JwtRejection::MissingClaim("exp".into())
    );
    let text_exp = sign(
        Signer::Rsa1,
        &with(claims(now(), "auditor"), json!({ "exp": "tomorrow" })),
    );
    assert!(matches!(
        check(&oidc, &text_exp).await.unwrap_err(),
        JwtRejection::InvalidClaim { claim, .. } if claim == "exp"
    ));
    let fractional = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "auditor"),
            json!({ "exp": now().timestamp() as f64 + 30.5 }),
        ),
    );
    assert!(check(&oidc, &fractional).await.is_ok());
}

#[tokio::test]
async fn issuer_and_audience_must_match_exactly() {
    let (oidc, _) = validator();
    let base = claims(now(), "auditor");
    for iss in [
        json!("https://idp.example.test/realms/other"),
        json!("https://idp.example.test/realms/digisos/"),
        json!(["https://idp.example.test/realms/digisos"]),
    ] {
        let token = sign(Signer::Rsa1, &with(base.clone(), json!({ "iss": iss })));
        assert_eq!(
            check(&oidc, &token).await.unwrap_err(),
            JwtRejection::WrongIssuer("https://idp.example.test/realms/digisos".into()),
            "{iss}"
        );
    }
    for aud in [json!("account"), json!(["account", "digisos"]), json!(7)] {
        let token = sign(Signer::Rsa1, &with(base.clone(), json!({ "aud": aud })));
        let err = check(&oidc, &token).await.unwrap_err();
        assert_eq!(
            err,
            JwtRejection::WrongAudience("digisos-api".into()),
            "{aud}"
        );
        assert_eq!(
            err.to_string(),
            "the JWT is not meant for audience digisos-api (aud)"
        );
    }
    let token = sign(
        Signer::Rsa1,
        &with(base.clone(), json!({ "aud": ["account", "digisos-api"] })),
    );
    assert!(check(&oidc, &token).await.is_ok(), "aud as an array");
    let token = sign(Signer::Rsa1, &with(base, json!({ "aud": null })));
    assert_eq!(
        check(&oidc, &token).await.unwrap_err(),
        JwtRejection::MissingClaim("aud".into())
    );
}

#[tokio::test]
async fn an_unknown_kid_a_missing_kid_and_a_key_of_the_wrong_type_are_refused() {
    let (oidc, _) = validator();
    let c = claims(now(), "auditor");
    // rsa-2 is only in the rotated set; a file source is never re-read.
    let err = check(&oidc, &sign(Signer::Rsa2, &c)).await.unwrap_err();
    assert_eq!(err, JwtRejection::UnknownKey("rsa-2".into()));
    assert_eq!(
        err.to_string(),
        "the JWT is signed with key rsa-2, which the identity provider does not publish"
    );
    let no_kid = sign_with(Signer::Rsa1, Algorithm::RS256, None, &c);
    assert_eq!(
        check(&oidc, &no_kid).await.unwrap_err(),
        JwtRejection::NoKeyId
    );
    // An ES256 token naming the RSA key.
    let mismatched = sign_with(Signer::Ec1, Algorithm::ES256, Some("rsa-1"), &c);
    assert_eq!(
        check(&oidc, &mismatched).await.unwrap_err(),
        JwtRejection::KeyMismatch {
            kid: "rsa-1".into(),
            alg: "ES256".into()
        }
    );
}

#[tokio::test]
async fn a_tampered_token_or_a_signature_by_another_key_does_not_verify() {
    let (oidc, _) = validator();
    let token = sign(Signer::Rsa1, &claims(now(), "auditor"));
    let (head, sig) = token.rsplit_once('.').unwrap();
    // Another signature byte.
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    bytes[10] ^= 0x01;
    let tampered = format!("{head}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    let err = check(&oidc, &tampered).await.unwrap_err();
    assert_eq!(err, JwtRejection::BadSignature("rsa-1".into()));
    assert_eq!(
        err.to_string(),
        "the JWT signature does not verify with key rsa-1"
    );
    // Another payload (a coordinator role) under the original signature.
    let (header, _) = head.split_once('.').unwrap();
    let forged = URL_SAFE_NO_PAD.encode(claims(now(), "coordinator").to_string());
    let swapped = format!("{header}.{forged}.{sig}");
    assert_eq!(
        check(&oidc, &swapped).await.unwrap_err(),
        JwtRejection::BadSignature("rsa-1".into())
    );
    // Signed by rsa-2 but naming rsa-1.
    let other = sign_with(
        Signer::Rsa2,
        Algorithm::RS256,
        Some("rsa-1"),
        &claims(now(), "auditor"),
    );
    assert_eq!(
        check(&oidc, &other).await.unwrap_err(),
        JwtRejection::BadSignature("rsa-1".into())
    );
}

fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test]
async fn alg_none_is_refused_in_every_spelling() {
    let (oidc, _) = validator();
    for alg in ["none", "None", "NONE"] {
        let token = unsigned(
            &json!({ "alg": alg, "typ": "JWT", "kid": "rsa-1" }),
            &claims(now(), "coordinator"),
        );
        let err = check(&oidc, &token).await.unwrap_err();
        assert_eq!(err, JwtRejection::Unsigned, "{alg}");
        assert_eq!(err.to_string(), "unsigned JWTs (alg none) are not accepted");
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_as_secret_is_refused() {
    // The key-confusion attack: an HMAC "signed" with the published RSA key.
    let (oidc, _) = validator();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("rsa-1".into());
    let token = jsonwebtoken::encode(
        &header,
        &claims(now(), "coordinator"),
        &EncodingKey::from_secret(RSA_1_PUBLIC_PEM),
    )
    .unwrap();
    let err = check(&oidc, &token).await.unwrap_err();
    assert_eq!(err, JwtRejection::Algorithm("HS256".into()));
    assert_eq!(
        err.to_string(),
        "JWT algorithm HS256 is not accepted (only RS256, PS256, ES256, EdDSA)"
    );
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let mut header = Header::new(alg);
        header.kid = Some("rsa-1".into());
        let key = EncodingKey::from_secret(RSA_1_PUBLIC_PEM);
        let token = jsonwebtoken::encode(&header, &claims(now(), "coordinator"), &key).unwrap();
        assert!(
            matches!(
                check(&oidc, &token).await.unwrap_err(),
                JwtRejection::Algorithm(_)
            ),
            "{alg:?}"
        );
    }
    // An asymmetric algorithm outside the list.
    let rs512 = sign_with(
        Signer::Rsa1,
        Algorithm::RS512,
        Some("rsa-1"),
        &claims(now(), "coordinator"),
    );
    assert_eq!(
        check(&oidc, &rs512).await.unwrap_err(),
        JwtRejection::Algorithm("RS512".into())
    );
}

#[tokio::test]
async fn critical_header_extensions_and_garbage_are_refused() {
    let (oidc, _) = validator();
    let token = unsigned(
        &json!({ "alg": "RS256", "kid": "rsa-1", "crit": ["exp"] }),
        &claims(now(), "coordinator"),
    );
    assert_eq!(
        check(&oidc, &format!("{token}c2ln")).await.unwrap_err(),
        JwtRejection::Critical
    );
    for garbage in ["a.b.c", "..", "e30.e30.e30", "not a token"] {
        assert_eq!(
            check(&oidc, garbage).await.unwrap_err(),
            JwtRejection::Malformed,
            "{garbage}"
        );
    }
}

#[tokio::test]
async fn the_role_claim_must_be_present_and_one_of_the_four_roles() {
    let (oidc, _) = validator();
    let missing = with(claims(now(), "x"), json!({ "digisos_role": null }));
    let err = check(&oidc, &sign(Signer::Ec1, &missing))
        .await
        .unwrap_err();
    assert_eq!(err, JwtRejection::MissingClaim("digisos_role".into()));
    assert_eq!(err.to_string(), "the JWT has no digisos_role claim");
    for bad in [
        json!("admin"),
        json!("Coordinator"),
        json!(["coordinator"]),
        json!(1),
    ] {
        let token = sign(
            Signer::Ec1,
            &with(claims(now(), "x"), json!({ "digisos_role": bad })),
        );
        assert!(
            matches!(
                check(&oidc, &token).await.unwrap_err(),
                JwtRejection::InvalidClaim { claim, .. } if claim == "digisos_role"
            ),
            "{bad}"
        );
    }
    let err = check(&oidc, &sign(Signer::Ec1, &claims(now(), "superuser")))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWT claim digisos_role must be one of coordinator, body, provider, auditor"
    );
}

#[tokio::test]
async fn the_binding_claims_must_fit_the_role() {
    let (oidc, _) = validator();
    let body_without_key = sign(Signer::Rsa1, &claims(now(), "body"));
    let err = check(&oidc, &body_without_key).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the JWT's role body needs the claim digisos_body and no digisos_provider"
    );
    let provider_with_body = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "provider"),
            json!({ "digisos_provider": "rheinwacht", "digisos_body": "05315000" }),
        ),
    );
    assert!(matches!(
        check(&oidc, &provider_with_body).await.unwrap_err(),
        JwtRejection::Binding {
            role: "provider",
            ..
        }
    ));
    let coordinator_with_body = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "coordinator"),
            json!({ "digisos_body": "05315000" }),
        ),
    );
    assert_eq!(
        check(&oidc, &coordinator_with_body)
            .await
            .unwrap_err()
            .to_string(),
        "the JWT's role coordinator must carry neither digisos_body nor digisos_provider"
    );
    let bad_body = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "body"),
            json!({ "digisos_body": "Köln Rathaus" }),
        ),
    );
    assert!(matches!(
        check(&oidc, &bad_body).await.unwrap_err(),
        JwtRejection::InvalidClaim { claim, .. } if claim == "digisos_body"
    ));
    let bad_provider = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "provider"),
            json!({ "digisos_provider": "Rhein Wacht!" }),
        ),
    );
    assert!(matches!(
        check(&oidc, &bad_provider).await.unwrap_err(),
        JwtRejection::InvalidClaim { claim, .. } if claim == "digisos_provider"
    ));
}

#[tokio::test]
async fn claim_names_are_configurable() {
    let clock = FixedClock::new(now());
    let keys = KeySet::parse(crate::support::JWKS, "jwks.json").unwrap();
    let config = digisos_http::auth::oidc::OidcConfig {
        role_claim: "roles_digisos".into(),
        body_claim: "ags".into(),
        ..digisos_http::auth::oidc::OidcConfig::new(
            crate::support::ISSUER,
            crate::support::AUDIENCE,
        )
    };
    let oidc = Oidc::with_keys(
        config,
        digisos_http::auth::oidc::KeySource::File("jwks.json".into()),
        keys,
        Arc::new(clock),
    );
    let c = with(
        claims(now(), "x"),
        json!({ "digisos_role": null, "roles_digisos": "body", "ags": "05966" }),
    );
    let p = check(&oidc, &sign(Signer::Rsa1, &c)).await.unwrap();
    assert_eq!((p.role(), p.body()), (Role::Body, Some("05966")));
    let old_names = sign(Signer::Rsa1, &claims(now(), "coordinator"));
    assert_eq!(
        check(&oidc, &old_names).await.unwrap_err(),
        JwtRejection::MissingClaim("roles_digisos".into())
    );
}

#[tokio::test]
async fn the_subject_is_required_and_becomes_the_token_id() {
    let (oidc, _) = validator();
    let no_sub = sign(
        Signer::Rsa1,
        &with(claims(now(), "auditor"), json!({ "sub": null })),
    );
    assert_eq!(
        check(&oidc, &no_sub).await.unwrap_err(),
        JwtRejection::MissingClaim("sub".into())
    );
    let long = sign(
        Signer::Rsa1,
        &with(claims(now(), "auditor"), json!({ "sub": "x".repeat(256) })),
    );
    assert!(matches!(
        check(&oidc, &long).await.unwrap_err(),
        JwtRejection::InvalidClaim { claim, .. } if claim == "sub"
    ));
    let named = sign(
        Signer::Rsa1,
        &with(
            claims(now(), "auditor"),
            json!({ "sub": "hotline-auditor" }),
        ),
    );
    assert_eq!(
        check(&oidc, &named).await.unwrap().token_id().as_str(),
        "oidc:hotline-auditor"
    );
}

#[test]
fn a_jwks_keeps_only_usable_signature_keys() {
    let doc = json!({ "keys": [
        { "kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB" },
        { "kty": "oct", "kid": "hmac", "k": "c2VjcmV0" },
        { "kty": "EC", "kid": "p384", "crv": "P-384", "x": "AQAB", "y": "AQAB" },
        { "kty": "RSA", "n": "AQAB", "e": "AQAB" },
        { "kty": "RSA", "kid": "rs512", "alg": "RS512", "n": "AQAB", "e": "AQAB" },
        { "kty": "RSA", "kid": "ok", "alg": "RS256", "n": "AQAB", "e": "AQAB" },
        "not a key"
    ]});
    let keys = KeySet::parse(&doc.to_string(), "test").unwrap();
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["ok"]);
    let none = json!({ "keys": [{ "kty": "oct", "kid": "hmac", "k": "c2VjcmV0" }] });
    let err = KeySet::parse(&none.to_string(), "test").unwrap_err();
    assert!(matches!(err, JwksError::Invalid { .. }));
    assert!(err.to_string().contains("no usable signature key"), "{err}");
    assert!(matches!(
        KeySet::parse("{\"issuer\": \"x\"}", "test").unwrap_err(),
        JwksError::Invalid { .. }
    ));
}

#[test]
fn a_jwks_url_must_be_https_except_to_loopback() {
    use digisos_http::auth::oidc::jwks::check_url;
    for ok in [
        "https://idp.example.test/realms/digisos/protocol/openid-connect/certs",
        "http://127.0.0.1:8081/certs",
        "http://localhost/certs",
        "http://[::1]:9000/certs",
    ] {
        assert!(check_url(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://idp.example.test/certs",
        "http://127.0.0.1@idp.example.test/certs",
        "http://localhost.example.test/certs",
        "ftp://idp.example.test/certs",
        "idp.example.test/certs",
    ] {
        assert!(
            matches!(check_url(bad), Err(JwksError::Insecure(_))),
            "{bad}"
        );
    }
}

#[test]
fn a_missing_jwks_file_fails_with_its_path() {
    let err = KeySet::read_file(std::path::Path::new("/nonexistent/jwks.json")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read the JWKS file /nonexistent/jwks.json"),
        "{err}"
    );
}
