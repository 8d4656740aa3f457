//! `digisos token create|revoke|list`: bearer tokens of the HTTP API, recorded in the
//! event log (only the SHA-256 hash; the secret is printed once at creation).

use clap::{Subcommand, ValueEnum};
use digisos_core::ids::ProviderId;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_http::Role;
use digisos_http::tokens::issue_command;
use serde_json::json;

use crate::cmd::serve::execute;
use crate::{CliError, Ctx};

/// The role of a new token.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RoleArg {
    /// The Land's hotline: everything, approvals.
    Coordinator,
    /// One body (needs --body).
    Body,
    /// One provider (needs --provider).
    Provider,
    /// Reads everything, verifies the audit trail.
    Auditor,
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Issues a token and prints its secret once.
    Create {
        /// The role.
        #[arg(long)]
        role: RoleArg,
        /// The body key (AGS or registry id) for role `body`.
        #[arg(long)]
        body: Option<String>,
        /// The provider id for role `provider`.
        #[arg(long)]
        provider: Option<String>,
        /// Who holds it, what for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revokes a token by its id (`tok_…`).
    Revoke {
        /// The token id.
        token_id: String,
    },
    /// Lists every token (never the secrets).
    List,
}

/// Runs a token command against the store (embedded, as the coordinator).
pub(crate) fn run(command: TokenCommand, ctx: &Ctx) -> Result<(), CliError> {
    let mut service = ctx.open_service()?;
    let coordinator = Principal::coordinator();
    match command {
        TokenCommand::Create {
            role,
            body,
            provider,
            label,
        } => {
            let role = match role {
                RoleArg::Coordinator => Role::Coordinator,
                RoleArg::Body => Role::Body,
                RoleArg::Provider => Role::Provider,
                RoleArg::Auditor => Role::Auditor,
            };
            let provider = provider
                .map(ProviderId::new)
                .transpose()
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let (token, id, command) = issue_command(role, body, provider, &label)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            execute(&mut service, command, &coordinator, ctx)?;
            let out = json!({ "token_id": id, "token": token.expose_secret() });
            ctx.print(&out, || {
                format!(
                    "token id: {id}\ntoken:    {}\n(shown once; store it now)\n",
                    token.expose_secret()
                )
            })
        }
        TokenCommand::Revoke { token_id } => {
            let command = Command::RevokeToken {
                token_id: token_id.clone(),
            };
            execute(&mut service, command, &coordinator, ctx)?;
            ctx.print(&json!({ "revoked": token_id }), || {
                format!("revoked {token_id}\n")
            })
        }
        TokenCommand::List => {
            let rows: Vec<_> = service
                .state()
                .tokens()
                .map(|t| {
                    json!({
                        "token_id": t.token_id,
                        "principal": t.principal.to_string(),
                        "label": t.label,
                        "issued_at": t.issued_at,
                        "revoked_at": t.revoked_at,
                    })
                })
                .collect();
            ctx.print(&rows, || {
                service
                    .state()
                    .tokens()
                    .map(|t| {
                        let state = if t.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "live"
                        };
                        format!(
                            "{}  {:<24} {:<8} {}\n",
                            t.token_id, t.principal, state, t.label
                        )
                    })
                    .collect()
            })
        }
    }
}
