//! `digisos registry …`: import the register of bodies (GV100AD, CSV) through the event
//! store (all or nothing, the source recorded), and list, show and count the bodies of
//! the programme's register.

use crate::cmd::backend;
use crate::cmd::exec;
use crate::cmd::table::{self, ListFormat, Listing, opt, print_list};
use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::programme::Command;
use digisos_core::register::gv100ad::{self, Gv100Options};
use digisos_core::register::{self, Body, BodyKey, BodyKind, Import, ImportErrors, LandCode};
use digisos_core::validation::Problem;
use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use serde::Serialize;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Commands on the register of bodies.
#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Import bodies from a file into the store (coordinator); applies whole or not at all.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List the registered bodies, ordered by key.
    List {
        /// Only bodies of this kind (e.g. kreis, kreisfreie_stadt).
        #[arg(long)]
        kind: Option<BodyKind>,
        /// Output form (table or csv).
        #[arg(long, value_enum, default_value_t)]
        format: ListFormat,
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
            let progress = progress();
            let bytes = read(&file, &progress)?;
            progress.set_message("parsing GV100AD records");
            let import = gv100ad::parse(&bytes, &Gv100Options { land })
                .map_err(|e| invalid_file(&file, &e))?;
            import_into(ctx, &file, import, &progress)
        }
        RegistryCommand::Import(ImportCommand::Csv { file }) => {
            let progress = progress();
            let bytes = read(&file, &progress)?;
            progress.set_message("parsing CSV rows");
            let import = register::csv::parse(&bytes).map_err(|e| invalid_file(&file, &e))?;
            import_into(ctx, &file, import, &progress)
        }
        RegistryCommand::List { kind, format } => {
            let bodies = backend::open(ctx)?.bodies(kind)?;
            print_list(
                ctx,
                format,
                &bodies,
                || listing(&bodies),
                "the register is empty; import it with `digisos registry import`",
            )
        }
        RegistryCommand::Show { key } => {
            let body = backend::open(ctx)?.body(&key)?;
            ctx.print(&body, || show(&body))
        }
        RegistryCommand::Stats => {
            let stats = backend::open(ctx)?.register_stats()?;
            ctx.print(&stats, || {
                let mut l = Listing::new(vec!["kind", "bodies"]);
                for (kind, n) in &stats.by_kind {
                    l.push(vec![kind.to_string(), n.to_string()]);
                }
                l.push(vec!["total".into(), stats.bodies.to_string()]);
                l.to_table("")
            })
        }
    }
}

/// A progress bar on stderr; indicatif hides it when stderr is not a terminal, and it is
/// cleared when dropped (also when the import fails).
fn progress() -> ProgressBar {
    let bar = ProgressBar::new(0).with_finish(ProgressFinish::AndClear);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {bytes}/{total_bytes}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Reads the file with the progress bar counting bytes. Fails with exit 3.
fn read(file: &Path, progress: &ProgressBar) -> Result<Vec<u8>, CliError> {
    let context = || format!("reading {}", file.display());
    let f = std::fs::File::open(file).map_err(CliError::io(context()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    progress.set_length(len);
    progress.set_message(format!("reading {}", file.display()));
    let mut bytes = Vec::new();
    progress
        .wrap_read(f)
        .read_to_end(&mut bytes)
        .map_err(CliError::io(context()))?;
    Ok(bytes)
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
    position: Option<u64>,
}

fn import_into(
    ctx: &Ctx,
    file: &Path,
    import: Import,
    progress: &ProgressBar,
) -> Result<(), CliError> {
    progress.set_message(format!("recording {} bodies", import.bodies.len()));
    let mut service = ctx.open_service()?;
    let before = service.state().register().len();
    let imported = import.bodies.len();
    let gebietsstand = import.gebietsstand;
    let source = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let result = exec::execute(
        &mut service,
        ctx,
        &Command::ImportRegister { source, import },
    );
    progress.finish_and_clear();
    let recorded = result.map_err(|e| match e {
        CliError::Invalid(problems) => CliError::Invalid(
            problems
                .into_iter()
                .map(|p| Problem::new(format!("{}: {}", file.display(), p.path), p.message))
                .collect(),
        ),
        other => other,
    })?;
    let bodies = service.state().register().len();
    let added = bodies.saturating_sub(before);
    let report = ImportReport {
        file: file.display().to_string(),
        gebietsstand,
        added,
        replaced: imported.saturating_sub(added),
        bodies,
        position: recorded.last().map(|r| r.position),
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

fn listing(bodies: &[Body]) -> Listing {
    let mut l = Listing::new(vec!["key", "kind", "name", "regierungsbezirk", "parent"]);
    for b in bodies {
        l.push(vec![
            b.key.to_string(),
            b.kind.to_string(),
            b.name.clone(),
            opt(b.regierungsbezirk.as_ref()),
            opt(b.parent.as_ref()),
        ]);
    }
    l
}

fn show(b: &Body) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("key", b.key.to_string()),
        ("name", b.name.clone()),
        ("kind", b.kind.to_string()),
        ("land", b.land.to_string()),
        ("regierungsbezirk", opt(b.regierungsbezirk.as_ref())),
        ("parent", opt(b.parent.as_ref())),
    ];
    for o in &b.owners {
        rows.push(("owner", format!("{} ({} %)", o.owner, o.share_percent)));
    }
    rows.push(("valid from", opt(b.valid_from)));
    rows.push(("valid to", opt(b.valid_to)));
    table::fields(&rows)
}
