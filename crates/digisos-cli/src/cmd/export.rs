//! `digisos export ocds`: the framework and its call-offs as an OCDS 1.1 release package
//! (JSON on standard output), built in the core: here over the store (embedded), or by
//! the server's `GET /v1/reports/ocds` (remote).

use crate::cmd::report::json;
use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::reports::ocds::{OcidPrefix, PLACEHOLDER_PREFIX};

/// Exports for other systems.
#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// The framework contract (flagged hasFrameworkAgreement, with its lots and
    /// providers) and every call-off as its own process linked to it, as an OCDS 1.1
    /// release package in JSON.
    Ocds {
        /// Your registered ocid prefix (`ocds-` and six lowercase letters or digits).
        #[arg(long, default_value = PLACEHOLDER_PREFIX)]
        ocid_prefix: String,
    },
}

/// Runs an export command; the package is published as of `--now` (embedded) or the
/// server's clock (remote), for a coordinator or an auditor.
pub(crate) fn run(command: ExportCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        ExportCommand::Ocds { ocid_prefix } => {
            let prefix =
                OcidPrefix::new(ocid_prefix).map_err(|e| CliError::Usage(e.to_string()))?;
            let mut backend = crate::cmd::backend::open(ctx)?;
            let package = backend.ocds_package(&prefix)?;
            crate::output::out!("{}", json(&package));
            Ok(())
        }
    }
}
