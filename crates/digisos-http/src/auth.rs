//! Bearer-token authentication: roles, principals, token generation and storage.
//!
//! A token is 256 bits of OS randomness shown once as `dsos_<64 hex>`; only its SHA-256
//! hash is stored. Comparing hashes through a map lookup keeps the comparison
//! independent of how many leading characters of a guess are right. Tokens never reach
//! a log: [`Token`] has a redacting `Debug` and no `Display`.
//!
//! With OIDC enabled ([`crate::HttpConfig::oidc`]), a bearer value shaped like a JWT is
//! validated by [`oidc::Oidc`] instead (see [`authenticate_request`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use digisos_core::ids::ProviderId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::problem::{ApiError, AuthFailure};
use crate::state::Infra;

pub mod oidc;

/// Prefix of every plaintext token, so that secret scanners can recognise them.
pub const TOKEN_PREFIX: &str = "dsos_";

/// What a caller may do (DESIGN §1.6). Deny by default: routes list the roles they admit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Land's hotline (*Koordinierungsstelle*): everything, approvals.
    Coordinator,
    /// Bound to one public body (*abrufberechtigte Stelle*): its own incidents.
    Body,
    /// Bound to one provider (*Dienstleister*): call-offs dispatched to it.
    Provider,
    /// Reads everything, verifies the audit trail.
    Auditor,
}

/// Stable identifier of an issued token (not secret; used to revoke and in logs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(String);

impl TokenId {
    /// Wraps an identifier read from a store or a command line.
    pub fn new(id: impl Into<String>) -> Self {
        TokenId(id.into())
    }
    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plaintext bearer token. Show it once to the operator, then drop it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The secret text, for printing once at creation. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
    /// The SHA-256 hash under which the token is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Lowercase hex SHA-256 of a plaintext token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a presented token (any text; unknown tokens simply find nothing).
    pub fn of(plaintext: &str) -> Self {
        TokenHash(hex::encode(Sha256::digest(plaintext.as_bytes())))
    }
    /// Wraps a digest read from a store (lowercase hex, as [`TokenHash::as_str`] gave it).
    pub fn from_hex(hex: impl Into<String>) -> Self {
        TokenHash(hex.into())
    }
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a token could not be issued, found or bound.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The operating system could not provide randomness.
    #[error("no randomness from the operating system: {0}")]
    Randomness(getrandom::Error),
    /// No token with this id exists.
    #[error("unknown token id {0}")]
    Unknown(TokenId),
    /// The binding does not fit the role (body role needs a body, provider role a provider,
    /// coordinator and auditor neither).
    #[error("role {role:?} {requirement}")]
    Binding {
        /// The requested role.
        role: Role,
        /// What the role requires.
        requirement: &'static str,
    },
    /// The backing store failed.
    #[error("token store failed: {0}")]
    Store(String),
}

/// The authenticated caller. Its binding always fits its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    role: Role,
    body: Option<String>,
    provider: Option<ProviderId>,
    token_id: TokenId,
}

impl Principal {
    /// Binds a role; fails with [`TokenError::Binding`] if body/provider do not fit it.
    pub fn new(
        role: Role,
        body: Option<String>,
        provider: Option<ProviderId>,
        token_id: TokenId,
    ) -> Result<Self, TokenError> {
        let requirement = match (role, &body, &provider) {
            (Role::Body, Some(_), None) | (Role::Provider, None, Some(_)) => None,
            (Role::Coordinator | Role::Auditor, None, None) => None,
            (Role::Body, _, _) => Some("needs a body key and no provider"),
            (Role::Provider, _, _) => Some("needs a provider id and no body"),
            _ => Some("must not be bound to a body or provider"),
        };
        match requirement {
            Some(requirement) => Err(TokenError::Binding { role, requirement }),
            None => Ok(Principal {
                role,
                body,
                provider,
                token_id,
            }),
        }
    }
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The body key (AGS or registry id) for [`Role::Body`].
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }
    /// The provider for [`Role::Provider`].
    pub fn provider(&self) -> Option<&ProviderId> {
        self.provider.as_ref()
    }
    /// The token that authenticated this caller.
    pub fn token_id(&self) -> &TokenId {
        &self.token_id
    }
}

/// What a store keeps about one token: never the plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The caller this token authenticates.
    pub principal: Principal,
    /// SHA-256 of the plaintext.
    pub hash: TokenHash,
    /// Operator's note (who holds it, what for).
    pub label: String,
    /// Revoked tokens authenticate nobody.
    pub revoked: bool,
}

/// Creates a fresh token: 256 bits of OS randomness, plus a random 64-bit token id.
pub fn generate_token() -> Result<(Token, TokenId), TokenError> {
    let mut secret = [0u8; 32];
    let mut id = [0u8; 8];
    getrandom::fill(&mut secret).map_err(TokenError::Randomness)?;
    getrandom::fill(&mut id).map_err(TokenError::Randomness)?;
    Ok((
        Token(format!("{TOKEN_PREFIX}{}", hex::encode(secret))),
        TokenId(format!("tok_{}", hex::encode(id))),
    ))
}

/// Where tokens live. Implementations must be cheap (called on every request): the
/// event-store-backed one keeps an in-memory projection of token events.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The principal of a live (not revoked) token with this hash.
    fn lookup(&self, hash: &TokenHash) -> Option<Principal>;
    /// Issues a new token; the plaintext is returned once and never stored.
    fn issue(
        &self,
        role: Role,
        body: Option<String>,
        provider: Option<ProviderId>,
        label: &str,
    ) -> Result<(Token, TokenRecord), TokenError>;
    /// Revokes a token; revoking twice is fine. Fails for an unknown id.
    fn revoke(&self, id: &TokenId) -> Result<TokenRecord, TokenError>;
    /// Every token ever issued, revoked ones included, ordered by id.
    fn list(&self) -> Vec<TokenRecord>;
}

/// A [`TokenStore`] in memory, for tests and as a projection cache.
#[derive(Debug, Default)]
pub struct InMemoryTokenStore {
    by_hash: RwLock<BTreeMap<TokenHash, TokenRecord>>,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a record (replaying an issued-token event).
    pub fn insert(&self, record: TokenRecord) {
        let mut map = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        map.insert(record.hash.clone(), record);
    }
}

impl TokenStore for InMemoryTokenStore {
    fn lookup(&self, hash: &TokenHash) -> Option<Principal> {
        let map = self.by_hash.read().unwrap_or_else(|p| p.into_inner());
        map.get(hash)
            .filter(|r| !r.revoked)
            .map(|r| r.principal.clone())
    }

    fn issue(
        &self,
        role: Role,
        body: Option<String>,
        provider: Option<ProviderId>,
        label: &str,
    ) -> Result<(Token, TokenRecord), TokenError> {
        let (token, id) = generate_token()?;
        let record = TokenRecord {
            principal: Principal::new(role, body, provider, id)?,
            hash: token.hash(),
            label: label.to_owned(),
            revoked: false,
        };
        self.insert(record.clone());
        Ok((token, record))
    }

    fn revoke(&self, id: &TokenId) -> Result<TokenRecord, TokenError> {
        let mut map = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        let record = map
            .values_mut()
            .find(|r| r.principal.token_id() == id)
            .ok_or_else(|| TokenError::Unknown(id.clone()))?;
        record.revoked = true;
        Ok(record.clone())
    }

    fn list(&self) -> Vec<TokenRecord> {
        let map = self.by_hash.read().unwrap_or_else(|p| p.into_inner());
        let mut all: Vec<_> = map.values().cloned().collect();
        all.sort_by(|a, b| a.principal.token_id().cmp(b.principal.token_id()));
        all
    }
}

/// Resolves the `Authorization` header of a request to a principal by opaque token.
/// Fails with [`ApiError::Unauthorized`] when it is missing, malformed, unknown or revoked.
pub fn authenticate(
    headers: &axum::http::HeaderMap,
    tokens: &dyn TokenStore,
) -> Result<Principal, ApiError> {
    let token = bearer_token(headers)?;
    tokens
        .lookup(&TokenHash::of(token))
        .ok_or(ApiError::Unauthorized(AuthFailure::Invalid))
}

/// Resolves the `Authorization` header of a request to a principal: a JWT (three
/// dot-separated segments) through OIDC when it is enabled, any other value (every value
/// when it is not) through the token store. Fails with [`ApiError::Unauthorized`]; a
/// rejected JWT says why ([`AuthFailure::Jwt`]).
pub async fn authenticate_request(
    headers: &axum::http::HeaderMap,
    infra: &Infra,
) -> Result<Principal, ApiError> {
    let token = bearer_token(headers)?;
    if let Some(validator) = &infra.config().oidc
        && oidc::looks_like_jwt(token)
    {
        return validator
            .validate(token)
            .await
            .map_err(|why| ApiError::Unauthorized(AuthFailure::Jwt(why)));
    }
    infra
        .tokens()
        .lookup(&TokenHash::of(token))
        .ok_or(ApiError::Unauthorized(AuthFailure::Invalid))
}

/// The token of a `Bearer` `Authorization` header.
fn bearer_token(headers: &axum::http::HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(AuthFailure::Missing))?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized(AuthFailure::Malformed))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or(ApiError::Unauthorized(AuthFailure::Malformed))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::Unauthorized(AuthFailure::Malformed));
    }
    Ok(token)
}

/// Extractor for the authenticated caller; rejects with 401 problem+json.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S> FromRequestParts<S> for Caller
where
    Infra: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(Caller(principal.clone()));
        }
        let infra = Infra::from_ref(state);
        let principal = match authenticate_request(&parts.headers, &infra).await {
            Ok(principal) => principal,
            Err(err) => {
                if let ApiError::Unauthorized(AuthFailure::Jwt(why)) = &err {
                    tracing::info!(reason = %why, "JWT rejected");
                }
                return Err(err);
            }
        };
        tracing::Span::current().record("token_id", principal.token_id().as_str());
        parts.extensions.insert(principal.clone());
        Ok(Caller(principal))
    }
}

/// Admits the caller only if its role is listed; otherwise [`ApiError::Forbidden`].
/// Object-level checks (own body, own provider) come after this, and answer 404.
pub fn require_role(principal: &Principal, allowed: &[Role]) -> Result<(), ApiError> {
    if allowed.contains(&principal.role()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A shared token store handle.
pub type SharedTokenStore = Arc<dyn TokenStore>;

#[cfg(test)]
#[path = "auth/tests.rs"]
mod tests;
