//! `digisos serve`: the HTTP API over the store, until SIGTERM or Ctrl-C.
//!
//! Opens the store, adopts `--contract` when no contract is in force yet and imports
//! `--register` when the register is empty, then serves. On shutdown it stops accepting,
//! lets in-flight requests finish, and stops the writer after the queued commands.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use digisos_core::contract::ContractSpec;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_http::clock::SystemClock;
use digisos_http::serve::{serve, shutdown_signal};
use digisos_http::timer::run_timer;
use digisos_http::{HttpConfig, ServiceHandle, WriterOptions, domain_app};
use digisos_store::ProgrammeLog;

use crate::{CliError, Ctx};

/// Arguments of `digisos serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Contract file (TOML) to adopt if no contract is in force yet.
    #[arg(long)]
    contract: Option<PathBuf>,
    /// Register CSV to import if the register is empty.
    #[arg(long)]
    register: Option<PathBuf>,
    /// Sync every commit before deciding the next batch, instead of deciding the next
    /// batch while the last one syncs (pipelined group commit, the default on a SQLite
    /// file). Equally durable, slower under load; for comparison and diagnosis.
    #[arg(long)]
    sync_every_commit: bool,
}

/// Runs the server until a shutdown signal.
pub(crate) fn run(args: ServeArgs, ctx: &Ctx) -> Result<(), CliError> {
    let mut service = ctx.open_service()?;
    bootstrap(&mut service, &args, ctx)?;
    let options = WriterOptions {
        pipelined: !args.sync_every_commit,
    };
    let handle = ServiceHandle::start_with(service, Arc::new(SystemClock), options)
        .map_err(|e| CliError::Store(e.to_string()))?;
    let _ = digisos_http::logging::init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::io("starting the async runtime"))?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(CliError::io(format!("listening on {}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(CliError::io("reading the listen address"))?;
        crate::output::outln!("listening on http://{addr}");
        let _ = std::io::stdout().flush();
        let (stop_timer, timer_stopped) = tokio::sync::oneshot::channel::<()>();
        let timer = tokio::spawn(run_timer(handle.clone(), async {
            let _ = timer_stopped.await;
        }));
        let router = domain_app(handle.clone(), HttpConfig::default());
        let served = serve(listener, router, shutdown_signal()).await;
        let _ = stop_timer.send(());
        let _ = timer.await;
        served.map_err(CliError::io("serving"))
    });
    handle.shutdown();
    result
}

/// Adopts the contract and imports the register on a fresh store.
fn bootstrap(
    service: &mut Service<ProgrammeLog>,
    args: &ServeArgs,
    ctx: &Ctx,
) -> Result<(), CliError> {
    let coordinator = Principal::coordinator();
    if let Some(path) = &args.contract
        && service.state().contract().is_none()
    {
        crate::cmd::contract::load(path)?;
        let text = std::fs::read_to_string(path).map_err(CliError::io(format!(
            "reading contract file {}",
            path.display()
        )))?;
        let spec: ContractSpec = toml::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        execute(
            service,
            Command::AdoptContract(Box::new(spec)),
            &coordinator,
            ctx,
        )?;
    }
    if let Some(path) = &args.register
        && service.state().register().is_empty()
    {
        let bytes = std::fs::read(path).map_err(CliError::io(format!(
            "reading register file {}",
            path.display()
        )))?;
        let import = digisos_core::register::csv::parse(&bytes)
            .map_err(|e| CliError::Invalid(e.to_problems()))?;
        let source = path.display().to_string();
        execute(
            service,
            Command::ImportRegister { source, import },
            &coordinator,
            ctx,
        )?;
    }
    Ok(())
}

/// Executes one command, mapping a rejection to exit 1 and a store failure to exit 3.
pub(crate) fn execute(
    service: &mut Service<ProgrammeLog>,
    command: Command,
    by: &Principal,
    ctx: &Ctx,
) -> Result<Vec<digisos_core::service::Recorded>, CliError> {
    service
        .execute(&command, by, ctx.now)
        .map_err(|e| CliError::Store(e.to_string()))?
        .map_err(|r| CliError::Rejected(r.to_string()))
}
