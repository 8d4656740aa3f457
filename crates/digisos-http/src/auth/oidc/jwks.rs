//! The identity provider's signing keys: a JWKS document (RFC 7517) read from a file or
//! fetched from a URL, reduced to the keys digisos accepts.
//!
//! A key is kept only if it has a `kid`, is meant for signatures (`use` absent or `sig`)
//! and is of a kind with an accepted algorithm: RSA (RS256, PS256), EC P-256 (ES256) or
//! OKP Ed25519 (EdDSA). A key whose `alg` names one algorithm admits only that one.
//! Other keys (encryption keys, HMAC secrets, other curves) are skipped and logged, so
//! that a provider publishing more than digisos uses still works.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::net::IpAddr;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// Largest JWKS document accepted from a URL or file (a provider's set is a few KiB).
pub const JWKS_SIZE_LIMIT: u64 = 1024 * 1024;
/// Longest a JWKS fetch may take, connecting included.
pub const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a JWKS document could not be read, fetched or used.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The file could not be read.
    #[error("cannot read the JWKS file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The URL is not https (plain http is allowed to loopback addresses only).
    #[error("the JWKS URL {0} must use https (plain http only to localhost or a loopback address)")]
    Insecure(String),
    /// The URL could not be fetched.
    #[error("cannot fetch the JWKS from {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// Why (transport error or HTTP status).
        reason: String,
    },
    /// The document is not a JWKS or holds no usable key.
    #[error("the JWKS from {origin} is not usable: {reason}")]
    Invalid {
        /// The file or URL.
        origin: String,
        /// What is wrong.
        reason: String,
    },
}

/// One accepted signing key.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) decoding: DecodingKey,
    /// The algorithms this key may verify (non-empty).
    pub(crate) algorithms: Vec<Algorithm>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

/// The accepted keys of one JWKS document, by `kid`.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: BTreeMap<String, Key>,
}

impl KeySet {
    /// The key named `kid`.
    pub(crate) fn get(&self, kid: &str) -> Option<&Key> {
        self.keys.get(kid)
    }

    /// The ids of the accepted keys, in order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Parses a JWKS document; `origin` (file or URL) names it in errors and logs. Fails
    /// if it is not a JWKS or none of its keys is usable.
    pub fn parse(json: &str, origin: &str) -> Result<KeySet, JwksError> {
        let invalid = |reason: String| JwksError::Invalid {
            origin: origin.to_owned(),
            reason,
        };
        let doc: Document =
            serde_json::from_str(json).map_err(|e| invalid(format!("not a JWKS document: {e}")))?;
        let mut keys = BTreeMap::new();
        for (i, raw) in doc.keys.into_iter().enumerate() {
            let jwk: RawJwk = match serde_json::from_value(raw) {
                Ok(jwk) => jwk,
                Err(e) => {
                    tracing::warn!(%origin, index = i, error = %e, "JWKS key skipped: unreadable");
                    continue;
                }
            };
            let kid = jwk.kid.clone().unwrap_or_default();
            match accept(&jwk) {
                Ok(_) if keys.contains_key(&kid) => {
                    tracing::warn!(%origin, %kid, "JWKS key skipped: a key with this kid came earlier");
                }
                Ok(key) => {
                    keys.insert(kid, key);
                }
                Err(why) => {
                    tracing::warn!(%origin, index = i, %kid, reason = why, "JWKS key skipped")
                }
            }
        }
        if keys.is_empty() {
            return Err(invalid(
                "no usable signature key (need a kid and RSA for RS256/PS256, EC P-256 for \
                 ES256 or OKP Ed25519 for EdDSA)"
                    .to_owned(),
            ));
        }
        Ok(KeySet { keys })
    }

    /// Reads and parses a JWKS file.
    pub fn read_file(path: &std::path::Path) -> Result<KeySet, JwksError> {
        let origin = path.display().to_string();
        let file_error = |source| JwksError::File {
            path: origin.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(file_error)?;
        let mut text = String::new();
        file.take(JWKS_SIZE_LIMIT + 1)
            .read_to_string(&mut text)
            .map_err(file_error)?;
        if text.len() as u64 > JWKS_SIZE_LIMIT {
            return Err(JwksError::Invalid {
                origin,
                reason: format!("larger than {JWKS_SIZE_LIMIT} bytes"),
            });
        }
        KeySet::parse(&text, &origin)
    }

    /// Fetches and parses a JWKS over HTTP (blocking; at most [`JWKS_FETCH_TIMEOUT`]).
    /// Call it from a thread that may block (`spawn_blocking` inside a runtime).
    pub fn fetch(url: &str) -> Result<KeySet, JwksError> {
        check_url(url)?;
        let fetch_error = |reason: String| JwksError::Fetch {
            url: url.to_owned(),
            reason,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(JWKS_FETCH_TIMEOUT))
            .max_redirects(0)
            .build()
            .into();
        let mut response = agent
            .get(url)
            .header("accept", "application/json, application/jwk-set+json")
            .call()
            .map_err(|e| fetch_error(e.to_string()))?;
        let text = response
            .body_mut()
            .with_config()
            .limit(JWKS_SIZE_LIMIT)
            .read_to_string()
            .map_err(|e| fetch_error(e.to_string()))?;
        KeySet::parse(&text, url)
    }
}

/// Refuses URLs that are not `https://`, except `http://` to a loopback host (a local
/// proxy or a test server): a key set fetched in the clear could be swapped.
pub fn check_url(url: &str) -> Result<(), JwksError> {
    let insecure = || JwksError::Insecure(url.to_owned());
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    let rest = lower.strip_prefix("http://").ok_or_else(insecure)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(insecure());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback { Ok(()) } else { Err(insecure()) }
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK that matter here (RFC 7517 § 4, RFC 7518 § 6, RFC 8037 § 2).
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    alg: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// The key and its algorithms, or why the key is skipped.
fn accept(jwk: &RawJwk) -> Result<Key, &'static str> {
    if jwk.kid.as_deref().is_none_or(str::is_empty) {
        return Err("no kid");
    }
    if jwk.usage.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signature key (use is not sig)");
    }
    let member = |v: &Option<String>| v.clone().ok_or("a key member is missing");
    let (decoding, family): (DecodingKey, &[Algorithm]) =
        match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("RSA", _) => (
                DecodingKey::from_rsa_components(&member(&jwk.n)?, &member(&jwk.e)?)
                    .map_err(|_| "RSA modulus or exponent is not base64url")?,
                &[Algorithm::RS256, Algorithm::PS256],
            ),
            ("EC", Some("P-256")) => (
                DecodingKey::from_ec_components(&member(&jwk.x)?, &member(&jwk.y)?)
                    .map_err(|_| "EC coordinates are not base64url")?,
                &[Algorithm::ES256],
            ),
            ("OKP", Some("Ed25519")) => (
                DecodingKey::from_ed_components(&member(&jwk.x)?)
                    .map_err(|_| "Ed25519 key is not base64url")?,
                &[Algorithm::EdDSA],
            ),
            ("EC" | "OKP", _) => return Err("curve not accepted (only P-256 and Ed25519)"),
            _ => return Err("key type not accepted (only RSA, EC, OKP)"),
        };
    let algorithms: Vec<Algorithm> = match jwk.alg.as_deref() {
        None => family.to_vec(),
        Some(alg) => family
            .iter()
            .copied()
            .filter(|a| algorithm_name(*a) == alg)
            .collect(),
    };
    if algorithms.is_empty() {
        return Err("its alg is not accepted for its key type");
    }
    Ok(Key {
        decoding,
        algorithms,
    })
}

/// The JOSE name of an algorithm (`RS256`, …).
pub(crate) fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
    }
}
