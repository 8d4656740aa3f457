//! The `digisos` binary: parse arguments, call the core, print. No domain decisions here.
//!
//! Exit codes: 0 ok (also for a "not eligible" answer), 1 domain rejection or invalid
//! document, 2 usage error, 3 store or IO problem.

mod cmd;
mod error;
mod output;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) use error::CliError;
pub(crate) use output::Ctx;

/// Operator tool of the digisos IT emergency-help programme (Digi-SOS model).
#[derive(Debug, Parser)]
#[command(name = "digisos", version, about, propagate_version = true)]
struct Cli {
    /// Data directory holding the event store (`digisos.db`).
    #[arg(
        long,
        global = true,
        env = "DIGISOS_DATA",
        default_value = "./digisos-data"
    )]
    data: PathBuf,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    /// The instant to act at (RFC 3339); defaults to the system clock.
    #[arg(long, global = true, value_parser = output::parse_now)]
    now: Option<chrono::DateTime<chrono::Utc>>,
    /// Event store URL (`sqlite://PATH`, `postgres://…?schema=NAME`); default: the SQLite
    /// file `digisos.db` in the data directory.
    #[arg(long, global = true, env = "DIGISOS_STORE")]
    store: Option<String>,
    /// Act as this principal in embedded mode: `coordinator` (default), `auditor`,
    /// `body:KEY` or `provider:ID` (for operators recording on someone's behalf, and tests).
    /// Not in remote mode: there the token decides.
    #[arg(long = "as", global = true, value_parser = output::parse_principal)]
    acting_as: Option<digisos_core::principal::Principal>,
    /// Remote mode: work against a running `digisos serve` at this URL
    /// (e.g. http://127.0.0.1:8080) instead of the data directory.
    #[arg(long, global = true, value_name = "URL")]
    server: Option<String>,
    /// The bearer token for --server (from `digisos token create`); never printed.
    #[arg(
        long,
        global = true,
        env = "DIGISOS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The register of bodies: import (GV100AD, CSV), list, show, stats.
    #[command(subcommand)]
    Registry(cmd::registry::RegistryCommand),
    /// Eligibility of a body to call off help.
    #[command(subcommand)]
    Eligibility(cmd::eligibility::EligibilityCommand),
    /// Framework contract: validate and show files, adopt one as the contract in force.
    #[command(subcommand)]
    Contract(cmd::contract::ContractCommand),
    /// Incidents: report, list, show, events, and every lifecycle transition.
    #[command(subcommand)]
    Incident(cmd::incident::IncidentCommand),
    /// Call-offs: approve or refuse reservations and amendments, amend.
    #[command(subcommand, name = "call-off")]
    CallOff(cmd::call_off::CallOffCommand),
    /// Time entries: submit, list, approve, dispute, reverse.
    #[command(subcommand)]
    Time(cmd::time::TimeCommand),
    /// SLA clocks of an incident at --now.
    #[command(subcommand)]
    Sla(cmd::sla::SlaCommand),
    /// Reporting duties (NIS2, GDPR) of an incident: list, record a submission.
    #[command(subcommand)]
    Duties(cmd::duties::DutiesCommand),
    /// Record everything due by --now (SLA breaches, cascades, overdue duties).
    Tick,
    /// Print when the next timer falls due (run `tick` then).
    NextTimeout,
    /// Audit trail: verify the hash chain, export events as JSON Lines.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Business calendars: SLA deadlines and closed days.
    Calendar {
        #[command(subcommand)]
        command: cmd::calendar::CalendarCommand,
    },
    /// Serve the HTTP API until SIGTERM or Ctrl-C.
    Serve(cmd::serve::ServeArgs),
    /// Bearer tokens of the HTTP API: create (secret shown once), revoke, list.
    #[command(subcommand)]
    Token(cmd::token::TokenCommand),
    /// Reports: utilisation, SLA attainment, incident statistics, reporting duties.
    #[command(subcommand)]
    Report(cmd::report::ReportCommand),
    /// Exports for other systems (OCDS release package).
    #[command(subcommand)]
    Export(cmd::export::ExportCommand),
    /// Replay a deterministic wave like the Südwestfalen-IT attack into a new data
    /// directory, then print the utilisation and SLA reports.
    Demo(cmd::demo::DemoArgs),
}

impl Command {
    /// Whether the command also works against a server (`--server`).
    fn is_remote(&self) -> bool {
        use cmd::registry::RegistryCommand as R;
        matches!(
            self,
            Command::Incident(_)
                | Command::CallOff(_)
                | Command::Time(_)
                | Command::Sla(_)
                | Command::Duties(_)
                | Command::Eligibility(_)
                | Command::Audit(_)
                | Command::Report(_)
                | Command::Export(_)
                | Command::Registry(R::List { .. } | R::Show { .. } | R::Stats)
        )
    }
}

/// The remote-mode server of the command line, refusing what does not fit (exit 2).
fn server(cli: &Cli) -> Result<Option<cmd::backend::Server>, CliError> {
    let Some(url) = &cli.server else {
        return Ok(None);
    };
    if cli.acting_as.is_some() {
        return Err(CliError::Usage(
            "--as works in embedded mode only; with --server the token decides who acts".into(),
        ));
    }
    if cli.store.is_some() {
        return Err(CliError::Usage(
            "choose one: --server URL (remote) or --store URL (embedded)".into(),
        ));
    }
    if !cli.command.is_remote() {
        return Err(CliError::Usage(
            "this command works in embedded mode only (on the data directory); leave out --server"
                .into(),
        ));
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CliError::Usage(format!(
            "--server {url}: expected an http:// or https:// URL"
        )));
    }
    Ok(Some(cmd::backend::Server {
        url: url.trim_end_matches('/').to_string(),
        token: cli.token.clone().map(cmd::backend::Token::new),
    }))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let server = match server(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    let ctx = Ctx {
        data: cli.data,
        json: cli.json,
        now: cli.now.unwrap_or_else(chrono::Utc::now),
        store: cli.store,
        principal: cli
            .acting_as
            .unwrap_or_else(digisos_core::principal::Principal::coordinator),
        server,
    };
    let result: Result<(), CliError> = match cli.command {
        Command::Registry(command) => cmd::registry::run(command, &ctx),
        Command::Eligibility(command) => cmd::eligibility::run(command, &ctx),
        Command::Contract(command) => cmd::contract::run(command, &ctx),
        Command::Incident(command) => cmd::incident::run(command, &ctx),
        Command::CallOff(command) => cmd::call_off::run(command, &ctx),
        Command::Time(command) => cmd::time::run(command, &ctx),
        Command::Sla(command) => cmd::sla::run(command, &ctx),
        Command::Duties(command) => cmd::duties::run(command, &ctx),
        Command::Tick => cmd::timers::tick(&ctx),
        Command::NextTimeout => cmd::timers::next_timeout(&ctx),
        Command::Audit(command) => cmd::audit::run(command, &ctx),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "digisos", &mut std::io::stdout());
            Ok(())
        }
        Command::Calendar { command } => cmd::calendar::run(command, &ctx),
        Command::Serve(args) => cmd::serve::run(args, &ctx),
        Command::Token(command) => cmd::token::run(command, &ctx),
        Command::Report(command) => cmd::report::run(command, &ctx),
        Command::Export(command) => cmd::export::run(command, &ctx),
        Command::Demo(args) => cmd::demo::run(args, cli.now, &ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
