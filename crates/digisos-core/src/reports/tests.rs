//! Tests of the reports on a small deterministic programme: five incidents on the example
//! NRW contract, driven through the service with a fixed `t0`.

use super::ocds::{self, OcidPrefix};
use super::*;
use crate::contract::ContractSpec;
use crate::duties::{DutyKind, Nis2Class};
use crate::ids::{LotId, ProviderId, RoleId};
use crate::incident::{Estimate, IncidentCategory, IncidentCommand as C, IncidentId, Report};
use crate::money::Money;
use crate::principal::Principal;
use crate::programme::{Command, Programme, ProgrammeEvent};
use crate::service::{MemoryStore, Service};
use crate::sla::{Severity, WindowKind};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use rust_decimal_macros::dec;

const CONTRACT: &str = include_str!("../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../examples/nrw/register.csv");

/// Monday 27 October 2025, 03:00 in Berlin (CET).
fn t0() -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(2025, 10, 27, 3, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn min(m: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(m)
}

fn now() -> DateTime<Utc> {
    t0() + TimeDelta::days(4)
}

fn provider(id: &str) -> Principal {
    Principal::provider(ProviderId::new(id).unwrap())
}

struct World(Service<MemoryStore>);

impl World {
    fn report(&mut self, body: &str, nis2: Nis2Class, personal_data: bool, at: i64) -> IncidentId {
        let report = Report {
            body: body.into(),
            title: "Fachverfahren nicht erreichbar".into(),
            description: "Der kommunale IT-Dienstleister ist ausgefallen".into(),
            category: IncidentCategory::Ransomware,
            aware_at: min(at - 15),
            affected_services: vec!["Meldewesen".into()],
            personal_data,
            nis2,
            on_site_needed: true,
        };
        let by = Principal::body(body).unwrap();
        let recorded = self
            .0
            .execute(&Command::Report(report), &by, min(at))
            .unwrap()
            .unwrap();
        match &recorded[0].event {
            ProgrammeEvent::Incident { id, .. } => id.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn run(&mut self, id: &IncidentId, by: &Principal, command: C, at: i64) {
        let command = Command::Incident {
            id: id.clone(),
            command,
        };
        self.0
            .execute(&command, by, min(at))
            .unwrap()
            .unwrap_or_else(|r| panic!("{r}"));
    }

    fn triage_and_dispatch(
        &mut self,
        id: &IncidentId,
        severity: Severity,
        estimate: Estimate,
        at: i64,
    ) {
        let lot = LotId::new("los-2-westfalen").unwrap();
        let c = Principal::coordinator();
        self.run(id, &c, C::Triage { severity, lot }, at);
        self.run(id, &c, C::Dispatch { estimate }, at + 1);
    }
}

/// The small programme every report test reads.
fn programme() -> Programme {
    let mut s = Service::open(MemoryStore::new()).unwrap();
    let c = Principal::coordinator();
    let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
    let import = crate::register::csv::parse(REGISTER).unwrap();
    let setup = t0() - TimeDelta::days(7);
    s.execute(&Command::AdoptContract(Box::new(spec)), &c, setup)
        .unwrap()
        .unwrap();
    let source = "register.csv".to_string();
    s.execute(&Command::ImportRegister { source, import }, &c, setup)
        .unwrap()
        .unwrap();
    let mut w = World(s);
    let wc = provider("westfalen-cert");
    let rs = provider("ruhrschild");

    // 1: Kreis Olpe, met throughout, settled and closed
    let one = w.report("05966", Nis2Class::None, false, 0);
    w.triage_and_dispatch(&one, Severity::Critical, Estimate::PersonDays(dec!(5)), 5);
    w.run(&one, &wc, C::Accept, 26); // 20 min after the offer
    w.run(&one, &wc, C::RecordFirstContact, 56); // 50 min
    w.run(&one, &wc, C::RecordOnSiteArrival, 606); // 10 h
    let role = RoleId::new("incident_responder").unwrap();
    let start = min(60 * 8);
    let entry = C::SubmitTimeEntry {
        role,
        start,
        end: start + TimeDelta::hours(8),
        description: "Lagebild, Isolierung der Clients".into(),
    };
    w.run(&one, &wc, entry, 60 * 17);
    let olpe = Principal::body("05966").unwrap();
    w.run(
        &one,
        &olpe,
        C::ApproveTimeEntry {
            entry: crate::incident::TimeEntryNo(1),
        },
        60 * 18,
    );
    w.run(&one, &wc, C::Contain, 60 * 20);
    w.run(&one, &wc, C::Recover, 60 * 48);
    let close = C::Close {
        final_report_ref: "AB-1".into(),
    };
    w.run(&one, &c, close, 60 * 50);

    // 2: Siegen; westfalen-cert misses its window, ruhrschild accepts and calls late
    let two = w.report("05970040", Nis2Class::None, false, 10);
    w.triage_and_dispatch(
        &two,
        Severity::Critical,
        Estimate::Amount(Money::euro(10_000)),
        15,
    );
    w.0.tick(min(90)).unwrap(); // the window ran out at 76: cascade to ruhrschild
    w.run(&two, &rs, C::Accept, 106); // 30 min after the offer at 76
    w.run(&two, &rs, C::RecordFirstContact, 226); // 150 min: breached at 196

    // 3: Bad Berleburg, above the approval threshold; westfalen-cert declines
    let three = w.report("05970004", Nis2Class::None, true, 20);
    w.triage_and_dispatch(
        &three,
        Severity::High,
        Estimate::Amount(Money::euro(50_000)),
        25,
    );
    w.run(&three, &c, C::ApproveReservation, 30);
    let decline = C::Decline {
        reason: "keine Kapazität".into(),
    };
    w.run(&three, &wc, decline, 40);
    w.run(&three, &rs, C::Accept, 100); // 60 min after the offer at 40
    let gdpr = C::RecordDutySubmission {
        kind: DutyKind::GdprNotification,
        submitted_at: min(60 * 80),
        reference: "LDI-2025-1".into(),
    };
    w.run(&three, &c, gdpr, 60 * 80); // 72 h from awareness at 5 → late

    // 4: the municipal utility (NIS2 important): early warning in time, notification never
    let four = w.report("SW-SIEGERLAND-FIKTIV", Nis2Class::Important, false, 30);
    let warn = C::RecordDutySubmission {
        kind: DutyKind::Nis2EarlyWarning,
        submitted_at: min(60 * 6),
        reference: "BSI-2025-7".into(),
    };
    w.run(&four, &c, warn, 60 * 6);
    let lot = LotId::new("los-2-westfalen").unwrap();
    w.run(
        &four,
        &c,
        C::Triage {
            severity: Severity::Medium,
            lot,
        },
        60 * 7,
    );

    // 5: an ineligible company is rejected at triage
    let five = w.report("NETZ-FIKTIV", Nis2Class::None, false, 40);
    let lot = LotId::new("los-1-rheinland").unwrap();
    w.run(
        &five,
        &c,
        C::Triage {
            severity: Severity::Low,
            lot,
        },
        45,
    );

    w.0.tick(now()).unwrap();
    w.0.state().clone()
}

fn line<'a>(r: &'a UtilisationReport, scope: UtilisationScope, key: &str) -> &'a UtilisationLine {
    r.lines
        .iter()
        .find(|l| l.scope == scope && l.key == key)
        .unwrap_or_else(|| panic!("no {scope:?} {key}"))
}

#[test]
fn utilisation_adds_up_per_scope() {
    let r = utilisation(&programme(), now());
    insta::assert_json_snapshot!("utilisation_report", r);
    let m = |v: rust_decimal::Decimal| Money::new(v).unwrap();
    let contract = line(&r, UtilisationScope::Contract, "digi-sos-nrw-2025");
    // 6 400 closed (posted 8 h × 160 = 1 280, released 5 120) + 10 000 + 50 000 reserved
    assert_eq!(contract.call_offs, 3);
    assert_eq!(contract.reserved, Money::euro(60_000));
    assert_eq!(contract.posted, Money::euro(1_280));
    assert_eq!(contract.released, Money::euro(5_120));
    assert_eq!(contract.remaining, Some(m(dec!(9938720))));
    assert_eq!(contract.percent, Some(dec!(0.61)));
    let lot = line(&r, UtilisationScope::Lot, "los-2-westfalen");
    assert_eq!(lot.limit, Some(Money::euro(4_500_000)));
    assert_eq!(lot.call_offs, 3);
    assert_eq!(
        line(&r, UtilisationScope::Lot, "los-1-rheinland").call_offs,
        0
    );
    let rs = line(&r, UtilisationScope::Provider, "ruhrschild");
    assert_eq!((rs.call_offs, rs.reserved), (2, Money::euro(60_000)));
    let wc = line(&r, UtilisationScope::Provider, "westfalen-cert");
    assert_eq!((wc.call_offs, wc.posted), (1, Money::euro(1_280)));
    let year = line(&r, UtilisationScope::ContractYear, "1");
    assert_eq!(year.call_offs, 3);
    let by = line(&r, UtilisationScope::BodyYear, "05970004/1");
    assert_eq!(by.remaining, Some(Money::euro(100_000)));
    assert_eq!(by.name, "Bad Berleburg, Stadt");
    assert!(!r.exhausted);
}

#[test]
fn sla_counts_met_breached_running_and_times() {
    let r = sla(&programme(), now());
    insta::assert_json_snapshot!("sla_report", r);
    let row = |p: &str| r.rows.iter().find(|x| x.provider.as_str() == p).unwrap();
    let wc = row("westfalen-cert");
    // incident 1: acceptance, first contact, on-site met, remote start never recorded;
    // incident 2: acceptance missed; incident 3: declined (cancelled)
    assert_eq!((wc.met, wc.breached), (3, 2));
    assert_eq!(wc.percent_met, Some(dec!(60)));
    assert_eq!(wc.time_to_accept.median_seconds, Some(20 * 60));
    assert_eq!(wc.time_to_on_site.median_seconds, Some(600 * 60));
    let rs = row("ruhrschild");
    // accepted 30 and 60 min after the offers; the late first contact took 150 min
    assert_eq!(rs.time_to_accept.count, 2);
    assert_eq!(rs.time_to_accept.median_seconds, Some(45 * 60));
    assert_eq!(rs.time_to_accept.p90_seconds, Some(60 * 60));
    assert_eq!(rs.time_to_first_contact.median_seconds, Some(150 * 60));
    let breaches: Vec<_> = r
        .breaches
        .iter()
        .map(|b| {
            (
                b.incident.as_str(),
                b.provider.as_str(),
                b.window,
                b.due,
                b.at,
            )
        })
        .collect();
    assert!(breaches.contains(&(
        "INC-000002",
        "westfalen-cert",
        WindowKind::Acceptance,
        min(76),
        None
    )));
    assert!(breaches.contains(&(
        "INC-000002",
        "ruhrschild",
        WindowKind::FirstContact,
        min(196),
        Some(min(226))
    )));
    assert_eq!(
        rs.met + rs.breached + rs.running + rs.cancelled,
        7,
        "{rs:?}"
    );
}

#[test]
fn incident_statistics_count_and_time() {
    let r = incident_statistics(&programme(), now());
    insta::assert_json_snapshot!("incident_statistics", r);
    assert_eq!(r.total, 5);
    let get = |rows: &[CountRow], k: &str| rows.iter().find(|c| c.key == k).map(|c| c.incidents);
    assert_eq!(get(&r.by_state, "closed"), Some(1));
    assert_eq!(get(&r.by_state, "rejected"), Some(1));
    assert_eq!(get(&r.by_severity, "critical"), Some(2));
    assert_eq!(
        r.by_severity.last().map(|c| c.key.as_str()),
        Some("untriaged")
    );
    assert_eq!(get(&r.by_category, "ransomware"), Some(5));
    assert_eq!(get(&r.by_regierungsbezirk, "059"), Some(4));
    assert_eq!(get(&r.by_regierungsbezirk, "053"), Some(1));
    // report → accepted: 26, 96 (106 - 10), 80 (100 - 20) minutes
    assert_eq!(r.mtta.count, 3);
    assert_eq!(r.mtta.median_seconds, Some(80 * 60));
    assert_eq!(r.mtta.p90_seconds, Some(96 * 60));
    assert_eq!(r.mttr.median_seconds, Some(48 * 3600));
    assert_eq!(region_name("059"), Some("Arnsberg"));
}

#[test]
fn duties_are_open_submitted_late_or_overdue() {
    let r = duties(&programme(), now());
    insta::assert_json_snapshot!("duties_report", r);
    assert_eq!(r.incidents.len(), 2);
    let utility = &r.incidents[1];
    assert_eq!(utility.body, "SW-SIEGERLAND-FIKTIV");
    assert_eq!(
        (
            utility.counts.submitted,
            utility.counts.overdue,
            utility.counts.open
        ),
        (1, 1, 1)
    );
    assert_eq!(r.incidents[0].counts.submitted_late, 1);
    assert_eq!(
        r.total,
        DutyCounts {
            open: 1,
            submitted: 1,
            submitted_late: 1,
            overdue: 1
        }
    );
}

#[test]
fn ocds_flags_the_framework_and_links_every_call_off() {
    let p = programme();
    let prefix = OcidPrefix::new("ocds-a1b2c3").unwrap();
    let package = ocds::export(&p, &prefix, now()).unwrap();
    assert_eq!(package.version, "1.1");
    assert_eq!(package.releases.len(), 4);
    let framework = &package.releases[0];
    assert_eq!(framework.ocid, "ocds-a1b2c3-digi-sos-nrw-2025");
    assert_eq!(
        framework
            .tender
            .techniques
            .map(|t| t.has_framework_agreement),
        Some(true)
    );
    assert_eq!(framework.tender.lots.len(), 2);
    for call_off in &package.releases[1..] {
        assert!(
            call_off
                .ocid
                .starts_with("ocds-a1b2c3-digi-sos-nrw-2025-CO-")
        );
        let link = &call_off.related_processes[0];
        assert_eq!(link.relationship, ["framework"]);
        assert_eq!(
            (link.scheme.as_str(), link.identifier.as_str()),
            ("ocid", framework.ocid.as_str())
        );
    }
    insta::assert_json_snapshot!("ocds_release_package", package);
}

#[test]
fn an_ocds_package_reads_back_as_it_was_written() {
    let p = programme();
    let prefix = OcidPrefix::new("ocds-a1b2c3").unwrap();
    let package = ocds::export(&p, &prefix, now()).unwrap();
    let text = serde_json::to_string(&package).unwrap();
    let read: ocds::ReleasePackage = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&read).unwrap(), text);
    assert_eq!(read.releases.len(), package.releases.len());

    let value = |json: &str| {
        serde_json::from_str::<ocds::Value>(json)
            .ok()
            .map(|v| v.amount.to_string())
    };
    let cases = [
        (r#"{"amount":1485,"currency":"EUR"}"#, Some("1485.00")),
        (r#"{"amount":1485.5,"currency":"EUR"}"#, Some("1485.50")),
        (r#"{"amount":0.1,"currency":"EUR"}"#, Some("0.10")),
        (r#"{"amount":-1,"currency":"EUR"}"#, None),
        (r#"{"amount":1,"currency":"USD"}"#, None),
    ];
    for (json, expected) in cases {
        assert_eq!(value(json).as_deref(), expected, "{json}");
    }
}

#[test]
fn ocds_refuses_a_bad_prefix_and_an_empty_programme() {
    for bad in ["ocds-12345", "OCDS-abcdef", "ocds-abcdeF", "xyz"] {
        assert!(OcidPrefix::new(bad).is_err(), "{bad}");
    }
    let prefix = OcidPrefix::new("ocds-a1b2c3").unwrap();
    assert_eq!(
        ocds::export(&Programme::new(), &prefix, now()),
        Err(ocds::OcdsError::NoContract)
    );
}

#[test]
fn an_empty_programme_gives_empty_reports() {
    let p = Programme::new();
    assert!(utilisation(&p, now()).lines.is_empty());
    assert!(sla(&p, now()).rows.is_empty());
    assert_eq!(incident_statistics(&p, now()).total, 0);
    assert_eq!(duties(&p, now()).total, DutyCounts::default());
}
