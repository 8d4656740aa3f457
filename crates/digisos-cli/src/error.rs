//! The CLI's one error type and its exit codes.

use digisos_core::validation::Problem;

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The domain refused the request (exit 1).
    #[error("{0}")]
    Rejected(String),
    /// A document (contract, import file) is invalid; every problem is listed (exit 1).
    #[error("{} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// The command line is wrong in a way clap cannot see (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file or the store failed (exit 3).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "reading /tmp/x.txt".
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data directory holds something unreadable (exit 3).
    #[error("{0}")]
    Store(String),
    /// Something the server needs at start cannot be had, e.g. the OIDC keys (exit 3).
    #[error("{0}")]
    Setup(String),
}

impl CliError {
    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Rejected(_) | CliError::Invalid(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Io { .. } | CliError::Store(_) | CliError::Setup(_) => 3,
        }
    }

    /// Wraps an IO error with what was being done.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let context = context.into();
        move |source| CliError::Io { context, source }
    }
}
