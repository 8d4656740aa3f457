//! `digisos contract validate|show|adopt FILE`: read a contract file (TOML), validate it
//! in the core and print every problem or a summary; `adopt` records it in the store as
//! the contract in force. Also the loader other commands share.

use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::contract::{Contract, ContractSpec};
use digisos_core::validation::Problem;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Commands on the framework contract (*Rahmenvertrag*).
#[derive(Debug, Subcommand)]
pub(crate) enum ContractCommand {
    /// Check a contract file; exit 0 if valid, 1 with every problem listed.
    Validate {
        /// The contract file (TOML).
        file: PathBuf,
    },
    /// Print a summary of a valid contract (use --json for the whole contract).
    Show {
        /// The contract file (TOML).
        file: PathBuf,
    },
    /// Adopt a valid contract file as the contract in force (coordinator); a later
    /// adoption records a new version.
    Adopt {
        /// The contract file (TOML).
        file: PathBuf,
    },
}

/// Runs a contract command.
pub(crate) fn run(command: ContractCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        ContractCommand::Validate { file } => {
            let contract = load(&file)?;
            let out = serde_json::json!({
                "valid": true,
                "id": contract.id,
                "lots": contract.lots.len(),
                "providers": contract.providers.len(),
            });
            ctx.print(&out, || {
                format!(
                    "{}: valid contract {} with {} lot(s) and {} provider(s)\n",
                    file.display(),
                    contract.id,
                    contract.lots.len(),
                    contract.providers.len()
                )
            })
        }
        ContractCommand::Show { file } => {
            let contract = load(&file)?;
            ctx.print(&contract, || summary(&contract))
        }
        ContractCommand::Adopt { file } => adopt(&file, ctx),
    }
}

fn adopt(file: &Path, ctx: &Ctx) -> Result<(), CliError> {
    let spec = read_spec(file)?;
    let contract = spec.validate().map_err(CliError::Invalid)?;
    let mut service = ctx.open_service()?;
    let recorded = crate::cmd::exec::execute(
        &mut service,
        ctx,
        &digisos_core::programme::Command::AdoptContract(Box::new(spec)),
    )?;
    let version = service.state().contract_versions();
    let out = serde_json::json!({
        "adopted": contract.id,
        "version": version,
        "lots": contract.lots.len(),
        "providers": contract.providers.len(),
        "position": recorded.last().map(|r| r.position),
    });
    ctx.print(&out, || {
        format!(
            "adopted contract {} (version {version}) with {} lot(s) and {} provider(s)\n",
            contract.id,
            contract.lots.len(),
            contract.providers.len()
        )
    })
}

/// Reads and validates a contract file. Fails with exit 3 if the file cannot be read and
/// exit 1 with every problem if it is not valid TOML or not a valid contract.
pub(crate) fn load(path: &Path) -> Result<Contract, CliError> {
    read_spec(path)?.validate().map_err(CliError::Invalid)
}

/// Reads a contract file without validating it. Fails with exit 3 if the file cannot be
/// read and exit 1 if it is not valid TOML of the contract's shape.
fn read_spec(path: &Path) -> Result<ContractSpec, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(format!(
        "reading contract file {}",
        path.display()
    )))?;
    toml::from_str(&text).map_err(|e| {
        CliError::Invalid(vec![Problem::new(
            path.display().to_string(),
            e.to_string().trim_end().replace('\n', "\n    "),
        )])
    })
}

fn summary(c: &Contract) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", c.id, c.title);
    if c.illustrative {
        let _ = writeln!(
            s,
            "  (illustrative example: lots, prices and providers are made up)"
        );
    }
    let _ = writeln!(s, "  awarding authority: {}", c.awarding_authority);
    let _ = writeln!(
        s,
        "  term:               {} to {}",
        c.term_start, c.term_end
    );
    let _ = writeln!(s, "  estimated value:    {} EUR net", c.estimated_value);
    let _ = writeln!(
        s,
        "  maximum value:      {} EUR net (warnings at {} %)",
        c.maximum_value,
        c.warning_levels
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "  per body and year:  {}",
        c.per_body_year.map_or("no limit".to_string(), |m| format!(
            "{m} EUR net (per contract year, all lots)"
        ))
    );
    let _ = writeln!(
        s,
        "  VAT:                {} % (shown separately)",
        c.vat_percent
    );
    let _ = writeln!(
        s,
        "  eligibility:        rule set {} for Land {} ({} rule(s){})",
        c.eligibility.version,
        c.eligibility.land,
        c.eligibility.rules.len(),
        if c.eligibility.company_control.is_some() {
            " + company control"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "  providers:");
    for p in c.providers.values() {
        let _ = writeln!(s, "    {:<16} {}", p.id.as_str(), p.name);
    }
    for lot in &c.lots {
        let _ = writeln!(s, "  lot {} — {}", lot.id, lot.title);
        let regions = if lot.regions.is_empty() {
            "whole Land".to_string()
        } else {
            lot.regions.join(", ")
        };
        let _ = writeln!(s, "    regions:   {regions}");
        let ceiling = lot
            .ceiling
            .map_or("none".to_string(), |m| format!("{m} EUR"));
        let _ = writeln!(s, "    ceiling:   {ceiling}");
        let providers: Vec<String> = lot
            .providers
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {p}", i + 1))
            .collect();
        let _ = writeln!(
            s,
            "    providers: {} ({:?})",
            providers.join(", "),
            lot.selection
        );
        let _ = writeln!(s, "    rates (EUR/h net):");
        for (role, rate) in &lot.rates {
            let _ = writeln!(s, "      {:<20} {rate:>8}", role.as_str());
        }
        let _ = writeln!(
            s,
            "    surcharges: night {} % ({}-{}), weekend {} %, holiday {} %",
            lot.night_percent,
            lot.night_from.format("%H:%M"),
            lot.night_to.format("%H:%M"),
            lot.weekend_percent,
            lot.holiday_percent
        );
        let l = &lot.limits;
        let opt = |m: Option<digisos_core::money::Money>| {
            m.map_or("-".to_string(), |m| format!("{m} EUR"))
        };
        let _ = writeln!(
            s,
            "    limits:    per call-off {} / {} person-days, approval above {}",
            opt(l.per_call_off),
            l.per_call_off_person_days
                .map_or("-".to_string(), |d| d.to_string()),
            opt(l.approval_threshold)
        );
        let _ = writeln!(s, "    SLA windows (minutes, calendar):");
        for (severity, windows) in lot.sla.windows.iter().rev() {
            let list: Vec<String> = windows
                .iter()
                .map(|(kind, w)| format!("{kind} {} ({})", w.minutes, w.calendar))
                .collect();
            let _ = writeln!(s, "      {:<9} {}", severity.to_string(), list.join(", "));
        }
    }
    s
}
