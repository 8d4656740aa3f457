//! Test keys and token minting for the OIDC tests. The keys under
//! `tests/fixtures/oidc/` are test-only keys (see the README there).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use digisos_http::auth::oidc::{KeySet, KeySource, Oidc, OidcConfig};
use digisos_http::clock::Clock;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub(crate) const ISSUER: &str = "https://idp.example.test/realms/digisos";
pub(crate) const AUDIENCE: &str = "digisos-api";

pub(crate) const JWKS: &str = include_str!("../fixtures/oidc/jwks.json");
pub(crate) const JWKS_ROTATED: &str = include_str!("../fixtures/oidc/jwks-rotated.json");
/// The public key of `rsa-1` in PEM, as an attacker would use it as an HMAC secret.
pub(crate) const RSA_1_PUBLIC_PEM: &[u8] = include_bytes!("../fixtures/oidc/rsa-1.pub.pem");

/// A signing key of the fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signer {
    /// RSA 2048, published in both JWKS documents as `rsa-1` (no `alg`: RS256 and PS256).
    Rsa1,
    /// RSA 2048, published only in the rotated JWKS as `rsa-2` (RS256).
    Rsa2,
    /// EC P-256, `ec-1` (ES256).
    Ec1,
    /// Ed25519, `ed-1` (EdDSA).
    Ed1,
}

impl Signer {
    pub(crate) fn kid(self) -> &'static str {
        match self {
            Signer::Rsa1 => "rsa-1",
            Signer::Rsa2 => "rsa-2",
            Signer::Ec1 => "ec-1",
            Signer::Ed1 => "ed-1",
        }
    }

    pub(crate) fn key(self) -> EncodingKey {
        match self {
            Signer::Rsa1 => EncodingKey::from_rsa_der(include_bytes!("../fixtures/oidc/rsa-1.der")),
            Signer::Rsa2 => EncodingKey::from_rsa_der(include_bytes!("../fixtures/oidc/rsa-2.der")),
            Signer::Ec1 => EncodingKey::from_ec_der(include_bytes!("../fixtures/oidc/ec-1.der")),
            Signer::Ed1 => EncodingKey::from_ed_der(include_bytes!("../fixtures/oidc/ed-1.der")),
        }
    }

    /// The algorithm this key signs with by default.
    pub(crate) fn alg(self) -> Algorithm {
        match self {
            Signer::Rsa1 | Signer::Rsa2 => Algorithm::RS256,
            Signer::Ec1 => Algorithm::ES256,
            Signer::Ed1 => Algorithm::EdDSA,
        }
    }
}

/// Claims of a valid token for `role` issued at `now`, valid for 5 minutes.
pub(crate) fn claims(now: DateTime<Utc>, role: &str) -> Value {
    let t = now.timestamp();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "f3b1c2d4-0000-4000-8000-000000000001",
        "iat": t,
        "nbf": t,
        "exp": t + 300,
        "digisos_role": role,
    })
}

/// `claims` with the members of `extra` set (a `null` removes the member).
pub(crate) fn with(mut claims: Value, extra: Value) -> Value {
    let map = claims.as_object_mut().expect("claims are an object");
    for (k, v) in extra.as_object().expect("extra is an object") {
        if v.is_null() {
            map.remove(k);
        } else {
            map.insert(k.clone(), v.clone());
        }
    }
    claims
}

/// A JWT signed by `signer` with its default algorithm and kid.
pub(crate) fn sign(signer: Signer, claims: &Value) -> String {
    sign_with(signer, signer.alg(), Some(signer.kid()), claims)
}

/// A JWT signed by `signer` with `alg` and `kid`.
pub(crate) fn sign_with(
    signer: Signer,
    alg: Algorithm,
    kid: Option<&str>,
    claims: &Value,
) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &signer.key()).expect("signing with a test key")
}

/// The validator over the fixture JWKS (a file source) with `clock`.
pub(crate) fn oidc(clock: Arc<dyn Clock>) -> Oidc {
    let keys = KeySet::parse(JWKS, "jwks.json").expect("the fixture JWKS parses");
    Oidc::with_keys(
        OidcConfig::new(ISSUER, AUDIENCE),
        KeySource::File("jwks.json".into()),
        keys,
        clock,
    )
}
