//! `digisos incident …`: report an incident, list and show what `--as` may see, its event
//! history, and every lifecycle transition (triage to close). Parse, call core, print.

pub(crate) mod view;

use crate::cmd::args::{EstimateArgs, domain_enum};
use crate::cmd::backend;
use crate::cmd::exec;
use crate::cmd::table::{ListFormat, print_list};
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::LotId;
use digisos_core::incident::{
    IncidentCategory, IncidentCommand as Core, IncidentId, IncidentState, Report,
};
use digisos_core::sla::Severity;

/// Commands on incidents (*Vorfälle*) and their lifecycle.
#[derive(Debug, Subcommand)]
pub(crate) enum IncidentCommand {
    /// Report an incident for a body (as the body itself, or as the coordinator).
    Report {
        /// The affected body's register key (AGS or registry id).
        #[arg(long, value_name = "KEY")]
        body: String,
        /// A short title.
        #[arg(long)]
        title: String,
        /// What happened, as far as known.
        #[arg(long, default_value = "")]
        description: String,
        /// ransomware, malware, account_compromise, denial_of_service, data_breach or other.
        #[arg(long, value_parser = domain_enum::<IncidentCategory>)]
        category: IncidentCategory,
        /// When the body became aware of it (RFC 3339); reporting deadlines count from here.
        #[arg(long, value_parser = crate::output::parse_now)]
        aware_at: DateTime<Utc>,
        /// An affected service (repeat for several), e.g. --service Kfz-Zulassung.
        #[arg(long = "service", value_name = "S")]
        services: Vec<String>,
        /// Personal data is affected (GDPR Art. 33 notification duty).
        #[arg(long)]
        personal_data: bool,
        /// The body's NIS2 class: none, important or essential.
        #[arg(long, default_value = "none", value_parser = domain_enum::<Nis2Class>)]
        nis2: Nis2Class,
        /// On-site help is needed (starts the on-site clock).
        #[arg(long)]
        on_site: bool,
    },
    /// List the incidents you may see, in id order.
    List {
        /// Only incidents in this state (reported, triaged, dispatched, accepted, …).
        #[arg(long, value_parser = domain_enum::<IncidentState>)]
        state: Option<IncidentState>,
        /// Only incidents of this body.
        #[arg(long, value_name = "KEY")]
        body: Option<String>,
        /// Output form (table or csv).
        #[arg(long, value_enum, default_value_t)]
        format: ListFormat,
    },
    /// Show one incident with its call-off and milestones.
    Show {
        /// The incident id (INC-000001).
        id: IncidentId,
    },
    /// The incident's recorded events, oldest first.
    Events {
        /// The incident id.
        id: IncidentId,
    },
    /// Triage (coordinator): set severity and lot; checks eligibility on the report date.
    Triage {
        /// The incident id.
        id: IncidentId,
        /// low, medium, high or critical.
        #[arg(long, value_parser = domain_enum::<Severity>)]
        severity: Severity,
        /// The lot whose providers and SLA policy apply.
        #[arg(long)]
        lot: LotId,
    },
    /// Reject at triage (coordinator), e.g. when it is not an IT incident.
    Reject {
        /// The incident id.
        id: IncidentId,
        /// Why (repeat for several reasons).
        #[arg(long = "reason", required = true)]
        reasons: Vec<String>,
    },
    /// Dispatch the call-off to the lot's next provider, reserving the estimate.
    Dispatch {
        /// The incident id.
        id: IncidentId,
        #[command(flatten)]
        estimate: EstimateArgs,
    },
    /// Accept the call-off (the provider holding it).
    Accept {
        /// The incident id.
        id: IncidentId,
    },
    /// Decline the call-off (the provider holding it); it passes to the next provider.
    Decline {
        /// The incident id.
        id: IncidentId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record the first qualified contact with the body.
    FirstContact {
        /// The incident id.
        id: IncidentId,
    },
    /// Record the start of remote analysis.
    RemoteStart {
        /// The incident id.
        id: IncidentId,
    },
    /// Record the arrival on site.
    OnSite {
        /// The incident id.
        id: IncidentId,
    },
    /// Wait for the body (pauses the clocks that allow pausing).
    Wait {
        /// The incident id.
        id: IncidentId,
        /// What is awaited.
        #[arg(long)]
        reason: String,
    },
    /// Stop waiting for the body.
    Resume {
        /// The incident id.
        id: IncidentId,
    },
    /// Record that the incident is contained.
    Contain {
        /// The incident id.
        id: IncidentId,
    },
    /// Record that operations are recovered.
    Recover {
        /// The incident id.
        id: IncidentId,
    },
    /// Close with the final report (coordinator); releases the unposted remainder.
    Close {
        /// The incident id.
        id: IncidentId,
        /// Reference of the provider's final report.
        #[arg(long = "final-report", value_name = "REF")]
        final_report: String,
    },
    /// Withdraw the report (the body, before acceptance).
    Withdraw {
        /// The incident id.
        id: IncidentId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Cancel (coordinator); what is not posted is voided.
    Cancel {
        /// The incident id.
        id: IncidentId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// Runs an incident command.
pub(crate) fn run(command: IncidentCommand, ctx: &Ctx) -> Result<(), CliError> {
    use IncidentCommand as I;
    let (id, core) = match command {
        I::Report {
            body,
            title,
            description,
            category,
            aware_at,
            services,
            personal_data,
            nis2,
            on_site,
        } => {
            let report = Report {
                body,
                title,
                description,
                category,
                aware_at,
                affected_services: services,
                personal_data,
                nis2,
                on_site_needed: on_site,
            };
            return report_incident(ctx, report);
        }
        I::List {
            state,
            body,
            format,
        } => return list(ctx, state, body.as_deref(), format),
        I::Show { id } => return show(ctx, &id),
        I::Events { id } => return events(ctx, &id),
        I::Triage { id, severity, lot } => (id, Core::Triage { severity, lot }),
        I::Reject { id, reasons } => (id, Core::Reject { reasons }),
        I::Dispatch { id, estimate } => (
            id,
            Core::Dispatch {
                estimate: estimate.estimate(),
            },
        ),
        I::Accept { id } => (id, Core::Accept),
        I::Decline { id, reason } => (id, Core::Decline { reason }),
        I::FirstContact { id } => (id, Core::RecordFirstContact),
        I::RemoteStart { id } => (id, Core::RecordRemoteStart),
        I::OnSite { id } => (id, Core::RecordOnSiteArrival),
        I::Wait { id, reason } => (id, Core::WaitForBody { reason }),
        I::Resume { id } => (id, Core::ResumeFromBody),
        I::Contain { id } => (id, Core::Contain),
        I::Recover { id } => (id, Core::Recover),
        I::Close { id, final_report } => (
            id,
            Core::Close {
                final_report_ref: final_report,
            },
        ),
        I::Withdraw { id, reason } => (id, Core::Withdraw { reason }),
        I::Cancel { id, reason } => (id, Core::Cancel { reason }),
    };
    exec::on_incident(ctx, id, core)
}

fn report_incident(ctx: &Ctx, report: Report) -> Result<(), CliError> {
    let written = backend::open(ctx)?.report(report)?;
    exec::print_written(ctx, &written)
}

fn list(
    ctx: &Ctx,
    state: Option<IncidentState>,
    body: Option<&str>,
    format: ListFormat,
) -> Result<(), CliError> {
    let rows = backend::open(ctx)?.incidents(state, body)?;
    print_list(
        ctx,
        format,
        &rows,
        || view::listing(&rows),
        "no incidents you may see match",
    )
}

fn show(ctx: &Ctx, id: &IncidentId) -> Result<(), CliError> {
    let v = backend::open(ctx)?.incident(id)?;
    ctx.print(&v, || v.human())
}

fn events(ctx: &Ctx, id: &IncidentId) -> Result<(), CliError> {
    let recorded = backend::open(ctx)?.events(id)?;
    let views: Vec<_> = recorded.iter().map(crate::cmd::describe::view).collect();
    ctx.print(&views, || view::events_table(&views))
}
