//! `digisos eligibility check KEY`: decides whether a body of the programme's register may
//! call off help on a date, with the admitting rule or every reason for a refusal. The
//! rules come from `--contract FILE`, else the adopted contract, else the NRW default.
//! Exit 0 for both answers.

use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::eligibility::Decision;
use digisos_core::ids::RuleId;
use digisos_core::register::BodyKey;
use serde::Serialize;

/// Commands on eligibility (*Abrufberechtigung*).
#[derive(Debug, Subcommand)]
pub(crate) enum EligibilityCommand {
    /// Decide whether a body is eligible under the contract's rules (the adopted
    /// contract's; without one the NRW rule set of the Digi-SOS announcement).
    Check {
        /// The body key (AGS, Kreisschlüssel or registry id).
        key: BodyKey,
        /// The date to decide for (YYYY-MM-DD); default: today in Europe/Berlin.
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
        /// Contract file (TOML) whose [eligibility] rules apply instead of the adopted ones.
        #[arg(long)]
        contract: Option<std::path::PathBuf>,
    },
}

/// The decision as printed with `--json`: reasons carry a `code` and a `message`.
#[derive(Debug, Serialize)]
struct DecisionOutput {
    key: BodyKey,
    on: chrono::NaiveDate,
    eligible: bool,
    rule: Option<RuleId>,
    reasons: Vec<serde_json::Value>,
}

/// Runs an eligibility command.
pub(crate) fn run(command: EligibilityCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        EligibilityCommand::Check { key, on, contract } => {
            let on = on.unwrap_or_else(|| {
                ctx.now
                    .with_timezone(&chrono_tz::Europe::Berlin)
                    .date_naive()
            });
            let decision =
                crate::cmd::backend::open(ctx)?.eligibility(&key, on, contract.as_deref())?;
            let output = output(&decision, on)?;
            ctx.print(&output, || human(&decision, on))
        }
    }
}

fn output(d: &Decision, on: chrono::NaiveDate) -> Result<DecisionOutput, CliError> {
    let reasons = d
        .reasons
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r)
                .map_err(|e| CliError::Store(format!("cannot encode a reason: {e}")))?;
            if let Some(map) = v.as_object_mut() {
                map.insert("message".into(), r.to_string().into());
            }
            Ok(v)
        })
        .collect::<Result<_, CliError>>()?;
    Ok(DecisionOutput {
        key: d.key.clone(),
        on,
        eligible: d.eligible,
        rule: d.rule.clone(),
        reasons,
    })
}

fn human(d: &Decision, on: chrono::NaiveDate) -> String {
    match &d.rule {
        Some(rule) if d.eligible => format!("{} is eligible on {on} (rule {rule})\n", d.key),
        _ => {
            let mut s = format!("{} is not eligible on {on}:\n", d.key);
            for r in &d.reasons {
                s.push_str(&format!("  - {r}\n"));
            }
            s
        }
    }
}
