//! `digisos registry …`: import the register of bodies (GV100AD, CSV), list, show, stats.
//! The register lives in `DATA/register.json` between calls (until the store takes it).

use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::register::gv100ad::{self, Gv100Options};
use digisos_core::register::{
    self, Body, BodyKey, BodyKind, Import, ImportErrors, LandCode, Register,
};
use digisos_core::validation::Problem;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// File name of the register inside the data directory.
const REGISTER_FILE: &str = "register.json";

/// Commands on the register of bodies.
#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Import bodies from a file; applies whole or not at all.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List the registered bodies, ordered by key.
    List {
        /// Only bodies of this kind (e.g. kreis, kreisfreie_stadt).
        #[arg(long)]
        kind: Option<BodyKind>,
    },
    /// Show one body.
    Show {
        /// The body key (AGS, Kreisschlüssel or registry id).
        key: BodyKey,
    },
    /// Count the bodies by kind.
    Stats,
}

/// Import formats.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// The official Destatis Gemeindeverzeichnis (GV100AD, fixed width, UTF-8 or ISO-8859-1).
    Gv100ad {
        /// The GV100AD file as published.
        file: PathBuf,
        /// Keep only this Land (05 = Nordrhein-Westfalen); default: all.
        #[arg(long)]
        land: Option<LandCode>,
    },
    /// A register CSV (header: key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to).
    Csv {
        /// The CSV file (UTF-8).
        file: PathBuf,
    },
}

/// Runs a registry command.
pub(crate) fn run(command: RegistryCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        RegistryCommand::Import(ImportCommand::Gv100ad { file, land }) => {
            let bytes = read(&file)?;
            let import = gv100ad::parse(&bytes, &Gv100Options { land })
                .map_err(|e| invalid_file(&file, &e))?;
            import_into(ctx, &file, import)
        }
        RegistryCommand::Import(ImportCommand::Csv { file }) => {
            let bytes = read(&file)?;
            let import = register::csv::parse(&bytes).map_err(|e| invalid_file(&file, &e))?;
            import_into(ctx, &file, import)
        }
        RegistryCommand::List { kind } => {
            let register = load(ctx)?;
            let bodies: Vec<&Body> = register
                .bodies()
                .filter(|b| kind.is_none_or(|k| b.kind == k))
                .collect();
            ctx.print(&bodies, || {
                bodies
                    .iter()
                    .map(|b| format!("{:<10} {:<26} {}\n", b.key, b.kind, b.name))
                    .collect()
            })
        }
        RegistryCommand::Show { key } => {
            let register = load(ctx)?;
            let body = register
                .get(&key)
                .ok_or_else(|| CliError::Rejected(format!("{key} is not in the register")))?;
            ctx.print(body, || show(body))
        }
        RegistryCommand::Stats => {
            let stats = load(ctx)?.stats();
            ctx.print(&stats, || {
                let mut s = format!("{} bodies\n", stats.bodies);
                for (kind, n) in &stats.by_kind {
                    s.push_str(&format!("  {kind:<30} {n:>6}\n"));
                }
                s
            })
        }
    }
}

/// Reads the register from the data directory; an absent file is an empty register.
pub(crate) fn load(ctx: &Ctx) -> Result<Register, CliError> {
    let path = ctx.data.join(REGISTER_FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Register::new()),
        Err(e) => return Err(CliError::io(format!("reading {}", path.display()))(e)),
    };
    serde_json::from_slice(&text)
        .map_err(|e| CliError::Store(format!("{} is unreadable: {e}", path.display())))
}

/// Writes the register to a temporary file and renames it over the old one, so a failed
/// write never leaves a half-written register.
fn save(ctx: &Ctx, register: &Register) -> Result<(), CliError> {
    std::fs::create_dir_all(&ctx.data)
        .map_err(CliError::io(format!("creating {}", ctx.data.display())))?;
    let path = ctx.data.join(REGISTER_FILE);
    let tmp = ctx.data.join(format!("{REGISTER_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(register)
        .map_err(|e| CliError::Store(format!("cannot encode the register: {e}")))?;
    std::fs::write(&tmp, json).map_err(CliError::io(format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(CliError::io(format!("replacing {}", path.display())))
}

fn read(file: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(file).map_err(CliError::io(format!("reading {}", file.display())))
}

fn invalid_file(file: &Path, errors: &ImportErrors) -> CliError {
    CliError::Invalid(
        errors
            .to_problems()
            .into_iter()
            .map(|p| Problem::new(format!("{}: {}", file.display(), p.path), p.message))
            .collect(),
    )
}

/// What an import did, for `--json`.
#[derive(Debug, Serialize)]
struct ImportReport {
    file: String,
    gebietsstand: Option<chrono::NaiveDate>,
    added: usize,
    replaced: usize,
    bodies: usize,
}

fn import_into(ctx: &Ctx, file: &Path, import: Import) -> Result<(), CliError> {
    let mut register = load(ctx)?;
    let gebietsstand = import.gebietsstand;
    let summary = register.apply_import(import).map_err(CliError::Invalid)?;
    save(ctx, &register)?;
    let report = ImportReport {
        file: file.display().to_string(),
        gebietsstand,
        added: summary.added,
        replaced: summary.replaced,
        bodies: register.len(),
    };
    ctx.print(&report, || {
        let stand = gebietsstand
            .map(|d| format!(" (Gebietsstand {d})"))
            .unwrap_or_default();
        format!(
            "imported {}{stand}: {} added, {} replaced; the register holds {} bodies\n",
            report.file, report.added, report.replaced, report.bodies
        )
    })
}

fn show(b: &Body) -> String {
    let mut s = format!(
        "{}  {}\n  kind: {}\n  land: {}\n",
        b.key, b.name, b.kind, b.land
    );
    if let Some(rb) = &b.regierungsbezirk {
        s.push_str(&format!("  regierungsbezirk: {rb}\n"));
    }
    if let Some(p) = &b.parent {
        s.push_str(&format!("  parent: {p}\n"));
    }
    for o in &b.owners {
        s.push_str(&format!("  owner: {} ({} %)\n", o.owner, o.share_percent));
    }
    if let Some(d) = b.valid_from {
        s.push_str(&format!("  valid from: {d}\n"));
    }
    if let Some(d) = b.valid_to {
        s.push_str(&format!("  valid to: {d}\n"));
    }
    s
}
