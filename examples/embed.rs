//! Embedding digisos-core in another Rust program: the pure domain with the in-memory
//! store, driven with fixed instants (no clock, no IO inside the library).
//!
//! Run with `cargo run -p digisos-core --example embed`.

use chrono::{TimeDelta, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::{LotId, ProviderId};
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand, IncidentEventKind, Report,
};
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, ProgrammeEvent};
use digisos_core::service::{MemoryStore, Service};
use digisos_core::sla::Severity;
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The embedding system reads its files and passes their content in.
    let spec: ContractSpec = toml::from_str(include_str!("nrw/contract.toml"))?;
    let import = digisos_core::register::csv::parse(include_bytes!("nrw/register.csv"))
        .map_err(|e| e.to_string())?;

    let mut service = Service::open(MemoryStore::new())?;
    let coordinator = Principal::coordinator();
    let t0 = Utc
        .with_ymd_and_hms(2025, 10, 27, 2, 0, 0)
        .single()
        .ok_or("bad time")?;

    service.execute(&Command::AdoptContract(Box::new(spec)), &coordinator, t0)??;
    service.execute(
        &Command::ImportRegister {
            source: "examples/nrw/register.csv".into(),
            import,
        },
        &coordinator,
        t0,
    )??;

    // Siegen reports; the hotline triages and dispatches five person-days.
    let siegen = Principal::body("05970040")?;
    let report = Report {
        body: "05970040".into(),
        title: "Fachverfahren nach Angriff auf den IT-Dienstleister nicht erreichbar".into(),
        description: "Der kommunale IT-Dienstleister hat alle Systeme vom Netz genommen".into(),
        category: IncidentCategory::Ransomware,
        aware_at: t0 - TimeDelta::minutes(20),
        affected_services: vec!["Meldewesen".into(), "Kfz-Zulassung".into()],
        personal_data: true,
        nis2: Nis2Class::None,
        on_site_needed: true,
    };
    let recorded = service.execute(&Command::Report(report), &siegen, t0)??;
    let Some(ProgrammeEvent::Incident { id, .. }) = recorded.first().map(|r| &r.event) else {
        return Err("no incident recorded".into());
    };
    let id = id.clone();
    let on = |command| Command::Incident {
        id: id.clone(),
        command,
    };
    let lot = LotId::new("los-2-westfalen")?;
    service.execute(
        &on(IncidentCommand::Triage {
            severity: Severity::Critical,
            lot,
        }),
        &coordinator,
        t0 + TimeDelta::minutes(5),
    )??;
    service.execute(
        &on(IncidentCommand::Dispatch {
            estimate: Estimate::PersonDays(Decimal::from(5)),
        }),
        &coordinator,
        t0 + TimeDelta::minutes(10),
    )??;

    // Nobody answers: the embedding system's timer calls `tick` at the next deadline.
    while let Some(due) = service
        .next_timeout()
        .filter(|t| *t <= t0 + TimeDelta::hours(3))
    {
        for r in service.tick(due)? {
            if let ProgrammeEvent::Incident { event, .. } = &r.event {
                let what = match &event.kind {
                    IncidentEventKind::Sla {
                        window,
                        provider,
                        event,
                    } => {
                        let stage = format!("{event:?}");
                        let stage = stage
                            .split([' ', '{'])
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        format!("SLA {window} of {provider}: {stage}")
                    }
                    other => other.name().replace('_', " "),
                };
                println!("{}  {what}", event.at.format("%H:%M UTC"));
            }
        }
    }
    let incident = &service.state().incidents()[&id];
    let holder = incident
        .provider
        .as_ref()
        .map_or("nobody".to_string(), ProviderId::to_string);
    println!(
        "{id} is {:?}, offered to {} provider(s), now with {holder}",
        incident.state(),
        incident.offered_to.len()
    );
    for row in service.state().ledger().utilisation() {
        let limit = row
            .limit
            .map_or("no limit".to_string(), |m| format!("{m} EUR"));
        println!("{:?}: {} EUR reserved of {limit}", row.key, row.reserved);
    }
    Ok(())
}
