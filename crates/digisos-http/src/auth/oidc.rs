//! OIDC: JWT access tokens of the Land's identity provider as bearer tokens (optional,
//! `digisos serve --oidc-issuer …`; see `docs/oidc.md`).
//!
//! A bearer value of three dot-separated segments goes to [`Oidc::validate`] when OIDC is
//! enabled; every other value (and every value when it is not) is an opaque `dsos_`
//! token. Validation, in this order:
//!
//! 1. header: `alg` one of RS256, PS256, ES256, EdDSA (never `none`, never HS*, so a
//!    public key can never serve as an HMAC secret), no `crit`, a `kid`;
//! 2. key: the JWKS key of that `kid` (an unknown `kid` re-fetches a JWKS URL, at most
//!    once per [`REFETCH_INTERVAL`] by the app's clock), whose type fits `alg`;
//! 3. signature (jsonwebtoken over ring);
//! 4. times against the app's [`Clock`] with [`LEEWAY`]: `exp` required, `nbf` and
//!    `iat` honoured (the library's own system-time checks are off);
//! 5. `iss` equal to the issuer, `aud` (string or array) containing the audience;
//! 6. `sub` (the principal's token id is `oidc:<sub>`), and the role, body and provider
//!    claims, which must make a valid [`Principal`].
//!
//! Every failure is a [`JwtRejection`], answered 401 with its text as the detail. No
//! text contains the token; the `kid` and `alg` shown are cut short and made printable.

pub mod jwks;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use digisos_core::ids::ProviderId;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

pub use jwks::{JwksError, KeySet};

use crate::auth::{Principal, Role, TokenId};
use crate::clock::Clock;
use jwks::{Key, algorithm_name};

/// Clock skew tolerated for `exp`, `nbf` and `iat`.
pub const LEEWAY: TimeDelta = TimeDelta::seconds(60);
/// Shortest time between two fetches of a JWKS URL (an unknown `kid` within it is
/// simply unknown).
pub const REFETCH_INTERVAL: TimeDelta = TimeDelta::seconds(60);
/// Longest accepted JWT, in bytes.
pub const MAX_JWT_LEN: usize = 16 * 1024;
/// Prefix of the token id of an OIDC caller: `oidc:<sub>`.
pub const TOKEN_ID_PREFIX: &str = "oidc:";
/// Longest accepted `sub`, in characters.
pub const MAX_SUB_LEN: usize = 255;

/// The values of the role claim.
const ROLES: [(&str, Role); 4] = [
    ("coordinator", Role::Coordinator),
    ("body", Role::Body),
    ("provider", Role::Provider),
    ("auditor", Role::Auditor),
];

/// Default name of the claim holding the role.
pub const DEFAULT_ROLE_CLAIM: &str = "digisos_role";
/// Default name of the claim holding the body key (role `body`).
pub const DEFAULT_BODY_CLAIM: &str = "digisos_body";
/// Default name of the claim holding the provider id (role `provider`).
pub const DEFAULT_PROVIDER_CLAIM: &str = "digisos_provider";

/// What a JWT must say to be accepted, and where it says who the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// The issuer; `iss` must equal it exactly.
    pub issuer: String,
    /// The audience; `aud` must be it or an array containing it.
    pub audience: String,
    /// The claim holding the role (`coordinator`, `body`, `provider`, `auditor`).
    pub role_claim: String,
    /// The claim holding the body key, for role `body`.
    pub body_claim: String,
    /// The claim holding the provider id, for role `provider`.
    pub provider_claim: String,
}

impl OidcConfig {
    /// Issuer and audience with the default claim names.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        OidcConfig {
            issuer: issuer.into(),
            audience: audience.into(),
            role_claim: DEFAULT_ROLE_CLAIM.to_owned(),
            body_claim: DEFAULT_BODY_CLAIM.to_owned(),
            provider_claim: DEFAULT_PROVIDER_CLAIM.to_owned(),
        }
    }
}

/// Where the identity provider's keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A JWKS file, read once at start (air-gapped set-ups).
    File(PathBuf),
    /// A JWKS URL, fetched at start and again for an unknown `kid`.
    Url(String),
}

/// Why OIDC could not be set up (start-up; the server does not start).
#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    /// The issuer, audience or a claim name is empty.
    #[error("OIDC {0} must not be empty")]
    Empty(&'static str),
    /// The keys could not be loaded.
    #[error(transparent)]
    Jwks(#[from] JwksError),
}

/// Why a JWT was not accepted. The text is the 401's detail: it says what is wrong and
/// never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtRejection {
    /// Not three base64url segments with a JSON header, or too long.
    #[error("the bearer token is not a well-formed signed JWT")]
    Malformed,
    /// `alg` is `none`.
    #[error("unsigned JWTs (alg none) are not accepted")]
    Unsigned,
    /// `alg` is not one of the accepted asymmetric algorithms.
    #[error("JWT algorithm {0} is not accepted (only RS256, PS256, ES256, EdDSA)")]
    Algorithm(String),
    /// The header lists critical extensions.
    #[error("the JWT header lists critical extensions (crit), which are not supported")]
    Critical,
    /// The header has no `kid`.
    #[error("the JWT header names no key (kid)")]
    NoKeyId,
    /// No published key has this `kid`.
    #[error("the JWT is signed with key {0}, which the identity provider does not publish")]
    UnknownKey(String),
    /// The key's type or `alg` does not fit the token's `alg`.
    #[error("key {kid} is not for algorithm {alg}")]
    KeyMismatch {
        /// The key.
        kid: String,
        /// The token's algorithm.
        alg: String,
    },
    /// The signature does not verify with the key.
    #[error("the JWT signature does not verify with key {0}")]
    BadSignature(String),
    /// The payload is not a JSON object.
    #[error("the JWT payload is not a JSON object")]
    Payload,
    /// `exp` is past (beyond the leeway).
    #[error("the JWT expired at {0}")]
    Expired(String),
    /// `nbf` is ahead (beyond the leeway).
    #[error("the JWT is not valid before {0}")]
    NotYetValid(String),
    /// `iat` is ahead (beyond the leeway).
    #[error("the JWT claims to be issued in the future, at {0}")]
    IssuedInFuture(String),
    /// `iss` is not the configured issuer.
    #[error("the JWT was not issued by {0} (iss)")]
    WrongIssuer(String),
    /// `aud` does not contain the configured audience.
    #[error("the JWT is not meant for audience {0} (aud)")]
    WrongAudience(String),
    /// A required claim is absent.
    #[error("the JWT has no {0} claim")]
    MissingClaim(String),
    /// A claim has the wrong type or an invalid value.
    #[error("the JWT claim {claim} must be {expected}")]
    InvalidClaim {
        /// The claim.
        claim: String,
        /// What it must be.
        expected: &'static str,
    },
    /// The role's binding claims do not fit the role.
    #[error("the JWT's role {role} {requirement}")]
    Binding {
        /// The role named by the token.
        role: &'static str,
        /// What the role needs.
        requirement: String,
    },
}

/// The OIDC validator: configuration, the current key set and the app's clock. Shared
/// by every request (`Arc<Oidc>` in [`crate::HttpConfig::oidc`]).
pub struct Oidc {
    config: OidcConfig,
    source: KeySource,
    keys: RwLock<Arc<KeySet>>,
    clock: Arc<dyn Clock>,
    /// When the JWKS URL was last fetched; held while fetching, so that one request
    /// fetches and the others with an unknown `kid` wait for its result.
    last_fetch: tokio::sync::Mutex<DateTime<Utc>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .field("source", &self.source)
            .field("kids", &self.keys().kids().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// Loads the keys from `source` (blocking: reads the file or fetches the URL, at most
    /// [`jwks::JWKS_FETCH_TIMEOUT`]) and builds the validator. Fails if the issuer,
    /// audience or a claim name is empty, or the keys cannot be had or none is usable.
    pub fn load(
        config: OidcConfig,
        source: KeySource,
        clock: Arc<dyn Clock>,
    ) -> Result<Oidc, OidcSetupError> {
        check_config(&config)?;
        let keys = match &source {
            KeySource::File(path) => KeySet::read_file(path)?,
            KeySource::Url(url) => KeySet::fetch(url)?,
        };
        tracing::info!(kids = ?keys.kids().collect::<Vec<_>>(), "OIDC keys loaded");
        Ok(Oidc::with_keys(config, source, keys, clock))
    }

    /// The validator over keys already loaded from `source` (a URL source re-fetches for
    /// an unknown `kid`). Does not check the configuration (see [`Oidc::load`]).
    pub fn with_keys(
        config: OidcConfig,
        source: KeySource,
        keys: KeySet,
        clock: Arc<dyn Clock>,
    ) -> Oidc {
        let now = clock.now();
        Oidc {
            config,
            source,
            keys: RwLock::new(Arc::new(keys)),
            clock,
            last_fetch: tokio::sync::Mutex::new(now),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The current key set.
    pub fn keys(&self) -> Arc<KeySet> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Validates a JWT and returns the caller it names.
    pub async fn validate(&self, token: &str) -> Result<Principal, JwtRejection> {
        let header = header(token)?;
        let alg = accepted_algorithm(&header.alg)?;
        if header.crit.is_some() {
            return Err(JwtRejection::Critical);
        }
        let kid = header
            .kid
            .filter(|k| !k.is_empty())
            .ok_or(JwtRejection::NoKeyId)?;
        let key = match self.keys().get(&kid) {
            Some(key) => key.clone(),
            None => self.refetch_for(&kid).await?,
        };
        if !key.algorithms.contains(&alg) {
            return Err(JwtRejection::KeyMismatch {
                kid: shown(&kid),
                alg: algorithm_name(alg).to_owned(),
            });
        }
        let claims = verify(token, &key, alg, &kid)?;
        self.check_claims(&claims)
    }

    /// The key `kid` after re-fetching a JWKS URL, if the last fetch is at least
    /// [`REFETCH_INTERVAL`] ago; otherwise (or for a file) [`JwtRejection::UnknownKey`].
    /// Only requests with an unknown `kid` wait here; a failed fetch keeps the old keys.
    async fn refetch_for(&self, kid: &str) -> Result<Key, JwtRejection> {
        let unknown = || JwtRejection::UnknownKey(shown(kid));
        let KeySource::Url(url) = &self.source else {
            return Err(unknown());
        };
        let mut last = self.last_fetch.lock().await;
        if let Some(key) = self.keys().get(kid) {
            return Ok(key.clone()); // fetched while this request waited
        }
        let now = self.clock.now();
        if now - *last < REFETCH_INTERVAL {
            return Err(unknown());
        }
        *last = now;
        let fetch_url = url.clone();
        match tokio::task::spawn_blocking(move || KeySet::fetch(&fetch_url)).await {
            Ok(Ok(keys)) => {
                tracing::info!(kids = ?keys.kids().collect::<Vec<_>>(), "OIDC keys re-fetched");
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys);
            }
            Ok(Err(err)) => tracing::warn!(%err, "OIDC keys not re-fetched; keeping the old ones"),
            Err(err) => tracing::warn!(%err, "OIDC key fetch did not finish"),
        }
        drop(last);
        self.keys().get(kid).cloned().ok_or_else(unknown)
    }

    /// Times, issuer, audience, subject and the principal's claims.
    fn check_claims(&self, claims: &Map<String, Value>) -> Result<Principal, JwtRejection> {
        let now = self.clock.now();
        let exp = time_claim(claims, "exp")?.ok_or(JwtRejection::MissingClaim("exp".into()))?;
        if now >= exp + LEEWAY {
            return Err(JwtRejection::Expired(stamp(exp)));
        }
        if let Some(nbf) = time_claim(claims, "nbf")?
            && now + LEEWAY < nbf
        {
            return Err(JwtRejection::NotYetValid(stamp(nbf)));
        }
        if let Some(iat) = time_claim(claims, "iat")?
            && iat > now + LEEWAY
        {
            return Err(JwtRejection::IssuedInFuture(stamp(iat)));
        }
        let c = &self.config;
        match claims.get("iss") {
            None => return Err(JwtRejection::MissingClaim("iss".into())),
            Some(Value::String(iss)) if *iss == c.issuer => {}
            Some(_) => return Err(JwtRejection::WrongIssuer(c.issuer.clone())),
        }
        let audience_ok = match claims.get("aud") {
            None => return Err(JwtRejection::MissingClaim("aud".into())),
            Some(Value::String(aud)) => *aud == c.audience,
            Some(Value::Array(auds)) => {
                auds.iter().any(|a| a.as_str() == Some(c.audience.as_str()))
            }
            Some(_) => false,
        };
        if !audience_ok {
            return Err(JwtRejection::WrongAudience(c.audience.clone()));
        }
        let sub = string_claim(claims, "sub")?.ok_or(JwtRejection::MissingClaim("sub".into()))?;
        if sub.is_empty() || sub.chars().count() > MAX_SUB_LEN || sub.chars().any(char::is_control)
        {
            return Err(JwtRejection::InvalidClaim {
                claim: "sub".into(),
                expected: "1 to 255 characters without control characters",
            });
        }
        self.principal(claims, sub)
    }

    /// The principal of the role, body and provider claims.
    fn principal(&self, claims: &Map<String, Value>, sub: &str) -> Result<Principal, JwtRejection> {
        let c = &self.config;
        let role_text = string_claim(claims, &c.role_claim)?
            .ok_or_else(|| JwtRejection::MissingClaim(c.role_claim.clone()))?;
        let (name, role) = ROLES
            .into_iter()
            .find(|(name, _)| *name == role_text)
            .ok_or_else(|| JwtRejection::InvalidClaim {
                claim: c.role_claim.clone(),
                expected: "one of coordinator, body, provider, auditor",
            })?;
        let body = string_claim(claims, &c.body_claim)?.map(str::to_owned);
        let provider = string_claim(claims, &c.provider_claim)?
            .map(ProviderId::new)
            .transpose()
            .map_err(|_| JwtRejection::InvalidClaim {
                claim: c.provider_claim.clone(),
                expected: "a provider id (lowercase letters, digits and '-')",
            })?;
        let id = TokenId::new(format!("{TOKEN_ID_PREFIX}{sub}"));
        let principal = Principal::new(role, body, provider, id).map_err(|_| {
            let requirement = match role {
                Role::Body => format!(
                    "needs the claim {} and no {}",
                    c.body_claim, c.provider_claim
                ),
                Role::Provider => format!(
                    "needs the claim {} and no {}",
                    c.provider_claim, c.body_claim
                ),
                Role::Coordinator | Role::Auditor => format!(
                    "must carry neither {} nor {}",
                    c.body_claim, c.provider_claim
                ),
            };
            JwtRejection::Binding {
                role: name,
                requirement,
            }
        })?;
        crate::tokens::core_principal(&principal).map_err(|_| JwtRejection::InvalidClaim {
            claim: c.body_claim.clone(),
            expected: "a body key (1-32 letters, digits, '-', '_', '.')",
        })?;
        Ok(principal)
    }
}

/// Fails unless issuer, audience and the claim names are non-empty.
fn check_config(c: &OidcConfig) -> Result<(), OidcSetupError> {
    for (value, what) in [
        (&c.issuer, "issuer"),
        (&c.audience, "audience"),
        (&c.role_claim, "role claim name"),
        (&c.body_claim, "body claim name"),
        (&c.provider_claim, "provider claim name"),
    ] {
        if value.trim().is_empty() {
            return Err(OidcSetupError::Empty(what));
        }
    }
    Ok(())
}

/// Whether a bearer value has the shape of a JWS compact serialization (three segments).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// The header members looked at before the signature.
#[derive(Deserialize)]
struct JoseHeader {
    alg: String,
    kid: Option<String>,
    crit: Option<Value>,
}

fn header(token: &str) -> Result<JoseHeader, JwtRejection> {
    if token.len() > MAX_JWT_LEN || !looks_like_jwt(token) {
        return Err(JwtRejection::Malformed);
    }
    let encoded = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| JwtRejection::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtRejection::Malformed)
}

fn accepted_algorithm(alg: &str) -> Result<Algorithm, JwtRejection> {
    match alg {
        "RS256" => Ok(Algorithm::RS256),
        "PS256" => Ok(Algorithm::PS256),
        "ES256" => Ok(Algorithm::ES256),
        "EdDSA" => Ok(Algorithm::EdDSA),
        _ if alg.eq_ignore_ascii_case("none") => Err(JwtRejection::Unsigned),
        _ => Err(JwtRejection::Algorithm(shown(alg))),
    }
}

/// Verifies the signature and returns the claims. The library's claim checks are all
/// off: times, issuer and audience are checked by [`Oidc::check_claims`].
fn verify(
    token: &str,
    key: &Key,
    alg: Algorithm,
    kid: &str,
) -> Result<Map<String, Value>, JwtRejection> {
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    match jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation) {
        Ok(data) => Ok(data.claims),
        Err(err) => Err(match err.kind() {
            ErrorKind::InvalidSignature | ErrorKind::Crypto(_) => {
                JwtRejection::BadSignature(shown(kid))
            }
            ErrorKind::InvalidAlgorithm => JwtRejection::KeyMismatch {
                kid: shown(kid),
                alg: algorithm_name(alg).to_owned(),
            },
            ErrorKind::Json(_) | ErrorKind::Utf8(_) => JwtRejection::Payload,
            _ => JwtRejection::Malformed,
        }),
    }
}

/// A NumericDate claim (seconds since 1970, maybe fractional), if present.
fn time_claim(
    claims: &Map<String, Value>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, JwtRejection> {
    let invalid = || JwtRejection::InvalidClaim {
        claim: name.to_owned(),
        expected: "a number of seconds since 1970 (NumericDate)",
    };
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let seconds = match value.as_i64() {
        Some(s) => s,
        None => value
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.floor() as i64)
            .ok_or_else(invalid)?,
    };
    DateTime::from_timestamp(seconds, 0)
        .map(Some)
        .ok_or_else(invalid)
}

/// A string claim, if present; any other type is invalid.
fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, JwtRejection> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwtRejection::InvalidClaim {
            claim: name.to_owned(),
            expected: "a string",
        }),
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A value from the token's header, fit to show: at most 64 printable ASCII characters.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if text.chars().count() > 64 {
        out.push_str("...");
    }
    out
}
