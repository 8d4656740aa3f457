//! `digisos serve`: the HTTP API over the store, until SIGTERM or Ctrl-C.
//!
//! Opens the store, adopts `--contract` when no contract is in force yet and imports
//! `--register` when the register is empty, then serves. On shutdown it stops accepting,
//! lets in-flight requests finish, and stops the writer after the queued commands.
//!
//! With `--oidc-issuer` (and `--oidc-audience` and one key source) the server also
//! accepts JWT access tokens of that identity provider; see `docs/oidc.md`. The keys are
//! loaded before the store is opened: an unreadable file or an unreachable URL stops the
//! start with exit 3.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use digisos_core::contract::ContractSpec;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_http::auth::oidc::{self, JwksError, KeySource, Oidc, OidcConfig, OidcSetupError};
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
    #[command(flatten)]
    oidc: OidcArgs,
}

/// The OIDC flags of `digisos serve` (all off by default).
#[derive(Debug, Args)]
#[group(id = "oidc", multiple = true)]
pub(crate) struct OidcArgs {
    /// Also accept JWT access tokens of this OIDC issuer (`iss` must equal it exactly).
    /// Needs --oidc-audience and one of --oidc-jwks-file, --oidc-jwks-url.
    #[arg(
        long,
        value_name = "URL",
        requires_all = ["oidc_audience", "oidc_keys"],
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_issuer: Option<String>,
    /// The audience the JWTs must be meant for (`aud`, a string or an array holding it).
    #[arg(
        long,
        value_name = "AUD",
        requires = "oidc_issuer",
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_audience: Option<String>,
    /// The issuer's signing keys as a JWKS file, read once at start (air-gapped set-ups).
    #[arg(
        long,
        value_name = "PATH",
        group = "oidc_keys",
        requires = "oidc_issuer",
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_jwks_file: Option<PathBuf>,
    /// The issuer's JWKS URL (https; http only to loopback), fetched at start and again,
    /// at most once a minute, when a token names an unknown key.
    #[arg(
        long,
        value_name = "URL",
        group = "oidc_keys",
        requires = "oidc_issuer",
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_jwks_url: Option<String>,
    /// The claim holding the role: coordinator, body, provider or auditor.
    #[arg(
        long,
        value_name = "NAME",
        default_value = oidc::DEFAULT_ROLE_CLAIM,
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_role_claim: String,
    /// The claim holding the body key (AGS or register id) for role body.
    #[arg(
        long,
        value_name = "NAME",
        default_value = oidc::DEFAULT_BODY_CLAIM,
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_body_claim: String,
    /// The claim holding the provider id for role provider.
    #[arg(
        long,
        value_name = "NAME",
        default_value = oidc::DEFAULT_PROVIDER_CLAIM,
        help_heading = "OIDC (JWT access tokens)"
    )]
    oidc_provider_claim: String,
}

impl OidcArgs {
    /// The validator, if OIDC is enabled: loads the keys (a URL is fetched now).
    fn load(&self) -> Result<Option<Oidc>, CliError> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(None);
        };
        // clap enforces these; a clear message all the same if that ever changes.
        let audience = self
            .oidc_audience
            .clone()
            .ok_or_else(|| CliError::Usage("--oidc-issuer needs --oidc-audience".into()))?;
        let source = match (&self.oidc_jwks_file, &self.oidc_jwks_url) {
            (Some(path), None) => KeySource::File(path.clone()),
            (None, Some(url)) => KeySource::Url(url.clone()),
            _ => {
                return Err(CliError::Usage(
                    "--oidc-issuer needs exactly one of --oidc-jwks-file, --oidc-jwks-url".into(),
                ));
            }
        };
        let config = OidcConfig {
            role_claim: self.oidc_role_claim.clone(),
            body_claim: self.oidc_body_claim.clone(),
            provider_claim: self.oidc_provider_claim.clone(),
            ..OidcConfig::new(issuer.clone(), audience)
        };
        match Oidc::load(config, source, Arc::new(SystemClock)) {
            Ok(oidc) => Ok(Some(oidc)),
            Err(e @ (OidcSetupError::Empty(_) | OidcSetupError::Jwks(JwksError::Insecure(_)))) => {
                Err(CliError::Usage(e.to_string()))
            }
            Err(OidcSetupError::Jwks(e)) => Err(CliError::Setup(format!(
                "OIDC keys: {e}; the server does not start without them"
            ))),
        }
    }
}

/// Runs the server until a shutdown signal.
pub(crate) fn run(args: ServeArgs, ctx: &Ctx) -> Result<(), CliError> {
    // The keys first: a server that cannot have them does not touch the store.
    let oidc = args.oidc.load()?.map(Arc::new);
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
        if let Some(oidc) = &oidc {
            let c = oidc.config();
            crate::output::outln!(
                "accepting JWTs of {} for audience {} (keys: {})",
                c.issuer,
                c.audience,
                oidc.keys().kids().collect::<Vec<_>>().join(", ")
            );
        }
        let _ = std::io::stdout().flush();
        let (stop_timer, timer_stopped) = tokio::sync::oneshot::channel::<()>();
        let timer = tokio::spawn(run_timer(handle.clone(), async {
            let _ = timer_stopped.await;
        }));
        let config = HttpConfig {
            oidc: oidc.clone(),
            ..HttpConfig::default()
        };
        let router = domain_app(handle.clone(), config);
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
