//! Bearer tokens kept in the programme's event log: issuing and revoking are audited
//! events (`TokenIssued`, `TokenRevoked`, only the SHA-256 hash recorded), and lookups
//! read the read model (`Programme::token_by_hash`), so tokens survive restarts.

use digisos_core::ids::ProviderId;
use digisos_core::principal::{Principal as CorePrincipal, Role as CoreRole};
use digisos_core::programme::Command;

use crate::auth::{
    Principal, Role, Token, TokenError, TokenHash, TokenId, TokenRecord, TokenStore, generate_token,
};
use crate::problem::ApiError;
use crate::writer::{ServiceError, ServiceHandle};

/// A [`TokenStore`] over the programme: durable and audited.
#[derive(Debug, Clone)]
pub struct ProgrammeTokens {
    handle: ServiceHandle,
}

impl ProgrammeTokens {
    /// Tokens of the programme behind `handle`.
    pub fn new(handle: ServiceHandle) -> Self {
        ProgrammeTokens { handle }
    }
}

/// The core principal of an authenticated caller. Fails with 401 if the token's binding
/// is not a valid core principal (cannot happen for tokens issued through the core).
pub fn core_principal(p: &Principal) -> Result<CorePrincipal, ApiError> {
    let invalid = || ApiError::Unauthorized(crate::problem::AuthFailure::Invalid);
    match (p.role(), p.body(), p.provider()) {
        (Role::Coordinator, None, None) => Ok(CorePrincipal::coordinator()),
        (Role::Auditor, None, None) => Ok(CorePrincipal::auditor()),
        (Role::Body, Some(key), None) => CorePrincipal::body(key).map_err(|_| invalid()),
        (Role::Provider, None, Some(id)) => Ok(CorePrincipal::provider(id.clone())),
        _ => Err(invalid()),
    }
}

/// The HTTP principal for a core principal authenticated by token `id`.
pub fn http_principal(p: &CorePrincipal, id: TokenId) -> Result<Principal, TokenError> {
    let role = match p.role() {
        CoreRole::Coordinator => Role::Coordinator,
        CoreRole::Body => Role::Body,
        CoreRole::Provider => Role::Provider,
        CoreRole::Auditor => Role::Auditor,
    };
    Principal::new(
        role,
        p.body_key().map(str::to_owned),
        p.provider_id().cloned(),
        id,
    )
}

/// A fresh token and the command that records it (its hash only). Execute the command as
/// the coordinator, then show the secret once. Fails if the binding does not fit the
/// role or the OS has no randomness.
pub fn issue_command(
    role: Role,
    body: Option<String>,
    provider: Option<ProviderId>,
    label: &str,
) -> Result<(Token, TokenId, Command), TokenError> {
    let (token, id) = generate_token()?;
    let principal = Principal::new(role, body, provider, id.clone())?;
    let core = core_principal(&principal).map_err(|_| TokenError::Binding {
        role,
        requirement: "needs a valid body key (1-32 letters, digits, '-', '_', '.')",
    })?;
    let command = Command::IssueToken {
        token_id: id.to_string(),
        token_hash: token.hash().as_str().to_owned(),
        principal: core,
        label: label.to_owned(),
    };
    Ok((token, id, command))
}

fn record(t: &digisos_core::programme::TokenRecord) -> Option<TokenRecord> {
    Some(TokenRecord {
        principal: http_principal(&t.principal, TokenId::new(t.token_id.clone())).ok()?,
        hash: TokenHash::from_hex(&t.token_hash),
        label: t.label.clone(),
        revoked: t.revoked_at.is_some(),
    })
}

fn failed(e: ServiceError) -> TokenError {
    TokenError::Store(e.to_string())
}

impl TokenStore for ProgrammeTokens {
    fn lookup(&self, hash: &TokenHash) -> Option<Principal> {
        let find = || {
            let read = self.handle.read();
            let t = read.programme().token_by_hash(hash.as_str())?;
            http_principal(&t.principal, TokenId::new(t.token_id.clone())).ok()
        };
        // A token issued by another writer (`digisos token create` while the server runs,
        // another instance) is in the log but maybe not yet in the read model.
        find().or_else(|| self.handle.refresh_blocking().ok().and_then(|_| find()))
    }

    fn issue(
        &self,
        role: Role,
        body: Option<String>,
        provider: Option<ProviderId>,
        label: &str,
    ) -> Result<(Token, TokenRecord), TokenError> {
        let (token, id, command) = issue_command(role, body, provider, label)?;
        self.handle
            .execute_blocking(command, CorePrincipal::coordinator())
            .map_err(failed)?;
        let read = self.handle.read();
        let rec = read
            .programme()
            .tokens()
            .find(|t| t.token_id == id.as_str())
            .and_then(record)
            .ok_or_else(|| TokenError::Unknown(id.clone()))?;
        Ok((token, rec))
    }

    fn revoke(&self, id: &TokenId) -> Result<TokenRecord, TokenError> {
        let command = Command::RevokeToken {
            token_id: id.to_string(),
        };
        match self
            .handle
            .execute_blocking(command, CorePrincipal::coordinator())
        {
            Ok(_)
            | Err(ServiceError::Rejected(digisos_core::programme::Rejection::TokenRevoked(_))) => {}
            Err(ServiceError::Rejected(_)) => return Err(TokenError::Unknown(id.clone())),
            Err(e) => return Err(failed(e)),
        }
        let read = self.handle.read();
        read.programme()
            .tokens()
            .find(|t| t.token_id == id.as_str())
            .and_then(record)
            .ok_or_else(|| TokenError::Unknown(id.clone()))
    }

    fn list(&self) -> Vec<TokenRecord> {
        let read = self.handle.read();
        let mut all: Vec<TokenRecord> = read.programme().tokens().filter_map(record).collect();
        all.sort_by(|a, b| a.principal.token_id().cmp(b.principal.token_id()));
        all
    }
}
