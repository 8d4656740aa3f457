//! The events' JSON: every variant of every event type (programme, incident, ledger,
//! duty, clock) reads back as written — in serde's field order and in the log's
//! canonical form with sorted keys, where each tag comes after the fields it selects.
//! The readers are written out (no buffering); these tests hold them to the derived
//! serialisation, and to the derived readers' rules for missing, unknown and repeated
//! fields.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::{DutyEvent, DutyKind, Nis2Class};
use digisos_core::ids::{CalendarId, LotId, ProviderId, RoleId};
use digisos_core::incident::{
    IncidentCategory, IncidentEvent, IncidentEventKind as K, IncidentId, TimeEntryNo,
};
use digisos_core::ledger::{CallOffId, Ceiling, EntryId, LedgerEvent as L, LimitKey};
use digisos_core::money::Money;
use digisos_core::principal::{Actor, Principal};
use digisos_core::programme::ProgrammeEvent;
use digisos_core::sla::clock::WarningDue;
use digisos_core::sla::{
    ClockEvent as C, ClockStart, Severity, WindowKind, WindowSpec, WindowStart,
};
use rust_decimal::Decimal;
use serde_json::Value;

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap()
        + TimeDelta::minutes(minute)
        + TimeDelta::nanoseconds(minute * 1_000)
}

fn money(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2)).unwrap()
}

fn provider(name: &str) -> ProviderId {
    ProviderId::new(name).unwrap()
}

fn window() -> WindowSpec {
    WindowSpec {
        minutes: 120,
        calendar: CalendarId::new("24x7").unwrap(),
        warn_at_percent: vec![50, 90],
        pausable: true,
        start: Default::default(),
    }
}

fn clock_events() -> Vec<C> {
    let warnings = vec![WarningDue {
        at: t(60),
        percent: 50,
    }];
    vec![
        C::Started {
            at: t(0),
            window: window(),
            deadline: t(120),
            warnings: warnings.clone(),
        },
        C::Paused {
            at: t(10),
            consumed: TimeDelta::minutes(10),
        },
        C::Resumed {
            at: t(20),
            deadline: t(130),
            warnings: warnings.clone(),
        },
        C::WindowChanged {
            at: t(30),
            window: window(),
            consumed: TimeDelta::seconds(1234),
            deadline: Some(t(140)),
            warnings,
        },
        C::WindowChanged {
            at: t(31),
            window: window(),
            consumed: TimeDelta::zero(),
            deadline: None,
            warnings: vec![],
        },
        C::WarningReached {
            at: t(60),
            percent: 50,
        },
        C::Breached { at: t(120) },
        C::Stopped {
            at: t(125),
            consumed: TimeDelta::minutes(125),
            met: false,
        },
        C::Cancelled {
            at: t(126),
            consumed: TimeDelta::minutes(1),
        },
    ]
}

fn ledger_events() -> Vec<L> {
    let co = CallOffId::from_number(7);
    let lot = LotId::new("los-1-rheinland").unwrap();
    let ceilings = vec![
        Ceiling {
            key: LimitKey::Contract,
            limit: Some(Money::euro(100_000)),
        },
        Ceiling {
            key: LimitKey::Lot(lot.clone()),
            limit: None,
        },
        Ceiling {
            key: LimitKey::BodyYear {
                body: "05315000".into(),
                year: 1,
            },
            limit: Some(Money::euro(5_000)),
        },
        Ceiling {
            key: LimitKey::CallOff(co.clone()),
            limit: Some(Money::euro(7_500)),
        },
    ];
    let entry = EntryId::new("TE-1").unwrap();
    vec![
        L::Reserved {
            call_off: co.clone(),
            body: "05315000".into(),
            lot: lot.clone(),
            year: 1,
            amount: Money::euro(2_000),
            person_days: Some(Decimal::new(25, 1)),
            ceilings: ceilings.clone(),
        },
        L::ReservationAwaitingApproval {
            call_off: co.clone(),
            body: "05315000".into(),
            lot: lot.clone(),
            year: 2,
            amount: Money::euro(40_000),
            person_days: None,
            ceilings: ceilings.clone(),
        },
        L::ReservationApproved {
            call_off: co.clone(),
        },
        L::ReservationRefused {
            call_off: co.clone(),
            released: money(1),
        },
        L::ReservationAmended {
            call_off: co.clone(),
            from: money(100),
            to: money(200),
            ceilings: vec![],
        },
        L::AmendmentAwaitingApproval {
            call_off: co.clone(),
            from: money(100),
            to: Money::euro(90_000),
            ceilings,
        },
        L::AmendmentApproved {
            call_off: co.clone(),
            amount: money(3),
        },
        L::AmendmentRefused {
            call_off: co.clone(),
            released: money(4),
        },
        L::Posted {
            call_off: co.clone(),
            entry_id: entry.clone(),
            amount: money(16_500),
        },
        L::PostingReversed {
            call_off: co.clone(),
            entry_id: entry,
            amount: money(16_500),
        },
        L::Released {
            call_off: co.clone(),
            amount: money(5),
        },
        L::Voided {
            call_off: co,
            amount: money(6),
        },
        L::UtilisationWarningReached {
            limit: LimitKey::Lot(lot),
            percent: 80,
        },
        L::FrameworkExhausted,
    ]
}

fn duty_events() -> Vec<DutyEvent> {
    vec![
        DutyEvent::Submitted {
            kind: DutyKind::Nis2Notification,
            at: t(5),
            reference: "BSI-1".into(),
            late: true,
        },
        DutyEvent::Scheduled {
            kind: DutyKind::Nis2FinalReport,
            due: t(50_000),
        },
        DutyEvent::Overdue {
            kind: DutyKind::GdprNotification,
            due: t(4_320),
        },
    ]
}

fn kinds() -> Vec<K> {
    let p = provider("westfalen-cert");
    let mut kinds = vec![
        K::Reported {
            body: "05966".into(),
            title: "Verschlüsselte Server \"A\"".into(),
            description: "Fachverfahren\nausgefallen".into(),
            category: IncidentCategory::Ransomware,
            aware_at: t(-45),
            affected_services: vec!["E-Mail".into(), "Meldewesen".into()],
            personal_data: true,
            nis2: Nis2Class::Important,
            on_site_needed: false,
        },
        K::Triaged {
            severity: Severity::Critical,
            lot: LotId::new("los-2-westfalen").unwrap(),
        },
        K::Rejected {
            reasons: vec!["not eligible".into(), "no incident".into()],
        },
        K::Dispatched {
            call_off: CallOffId::from_number(12),
            provider: p.clone(),
            order: vec![p.clone(), provider("ruhrschild")],
        },
        K::Accepted {
            provider: p.clone(),
        },
        K::Declined {
            provider: p.clone(),
            reason: "busy".into(),
            next: Some(provider("ruhrschild")),
        },
        K::Declined {
            provider: p.clone(),
            reason: "busy".into(),
            next: None,
        },
        K::AcceptanceWindowMissed {
            provider: p.clone(),
            due: t(120),
            next: Some(provider("rheinwacht")),
        },
        K::AcceptanceWindowMissed {
            provider: p.clone(),
            due: t(121),
            next: None,
        },
        K::FirstContactRecorded,
        K::RemoteStartRecorded,
        K::OnSiteArrivalRecorded,
        K::WaitingForBody {
            reason: "Zugangsdaten".into(),
        },
        K::ResumedFromBody,
        K::Contained,
        K::Recovered,
        K::Closed {
            final_report_ref: "AB-1".into(),
            released: Money::euro(1_835),
        },
        K::Withdrawn {
            reason: "false alarm".into(),
        },
        K::Cancelled {
            reason: "duplicate".into(),
            voided: money(0),
        },
        K::TimeEntrySubmitted {
            entry: TimeEntryNo(1),
            provider: p.clone(),
            role: RoleId::new("incident_responder").unwrap(),
            start: t(30),
            end: t(90),
            description: "Analyse".into(),
            amount: money(16_500),
        },
        K::TimeEntryApproved {
            entry: TimeEntryNo(1),
            amount: money(16_500),
        },
        K::TimeEntryDisputed {
            entry: TimeEntryNo(2),
            reason: "zu lang".into(),
        },
        K::TimeEntryReversed {
            entry: TimeEntryNo(1),
            amount: money(16_500),
            reason: "Korrektur".into(),
        },
    ];
    kinds.extend(ledger_events().into_iter().map(K::Ledger));
    kinds.extend(duty_events().into_iter().map(K::Duty));
    kinds.extend(clock_events().into_iter().map(|event| K::Sla {
        window: WindowKind::Acceptance,
        provider: p.clone(),
        event,
    }));
    kinds.push(K::SlaStarted {
        provider: p.clone(),
        clocks: vec![
            ClockStart {
                window: WindowKind::Acceptance,
                at: t(0),
                spec: window(),
                deadline: t(120),
                warnings: vec![
                    WarningDue {
                        at: t(60),
                        percent: 50,
                    },
                    WarningDue {
                        at: t(108),
                        percent: 90,
                    },
                ],
            },
            ClockStart {
                window: WindowKind::RemoteStart,
                at: t(-30),
                spec: WindowSpec {
                    start: WindowStart::Report,
                    ..window()
                },
                deadline: t(90),
                warnings: Vec::new(),
            },
        ],
    });
    kinds
}

fn events() -> Vec<ProgrammeEvent> {
    let coordinator = Principal::coordinator();
    let mut events = vec![
        ProgrammeEvent::ContractAdopted {
            at: t(0),
            by: coordinator.clone(),
            spec: Box::new(toml::from_str::<ContractSpec>(CONTRACT).unwrap()),
        },
        ProgrammeEvent::RegisterImported {
            at: t(1),
            by: coordinator.clone(),
            source: "register.csv".into(),
            gebietsstand: chrono::NaiveDate::from_ymd_opt(2024, 12, 31),
            bodies: digisos_core::register::csv::parse(REGISTER).unwrap().bodies,
        },
        ProgrammeEvent::RegisterImported {
            at: t(1),
            by: coordinator.clone(),
            source: "empty".into(),
            gebietsstand: None,
            bodies: vec![],
        },
        ProgrammeEvent::TokenIssued {
            at: t(2),
            by: coordinator.clone(),
            token_id: "t1".into(),
            token_hash: "ab".repeat(32),
            principal: Principal::body("05966").unwrap(),
            label: "Leitstelle".into(),
        },
        ProgrammeEvent::TokenRevoked {
            at: t(3),
            by: coordinator,
            token_id: "t1".into(),
        },
    ];
    for (n, kind) in kinds().into_iter().enumerate() {
        let by = if n % 3 == 0 {
            Actor::Timer
        } else {
            Actor::Principal(Principal::provider(provider("ruhrschild")))
        };
        events.push(ProgrammeEvent::Incident {
            id: IncidentId::from_number(n as u64 + 1),
            event: IncidentEvent {
                at: t(n as i64),
                by,
                kind,
            },
        });
    }
    events
}

/// The value with every object's keys sorted, as the log stores payloads.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn every_event_reads_back_as_written_in_either_key_order() {
    let events = events();
    assert_eq!(
        events.len(),
        5 + 24 + 14 + 3 + 9,
        "every variant at least once"
    );
    for event in &events {
        let written = serde_json::to_string(event).unwrap();
        let canonical = sorted(serde_json::from_str::<Value>(&written).unwrap()).to_string();
        assert_ne!(written, canonical, "the tag moves behind the fields");
        for text in [&written, &canonical] {
            let back: ProgrammeEvent = serde_json::from_str(text).unwrap();
            assert_eq!(&back, event, "{text}");
            // and through a JSON tree, as `digisos_store::decode` reads
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                &serde_json::from_value::<ProgrammeEvent>(value).unwrap(),
                event
            );
        }
    }
    // the nested events on their own, too
    for c in clock_events() {
        let text = sorted(serde_json::to_value(&c).unwrap()).to_string();
        assert_eq!(serde_json::from_str::<C>(&text).unwrap(), c);
    }
    for k in kinds() {
        let text = sorted(serde_json::to_value(&k).unwrap()).to_string();
        assert_eq!(serde_json::from_str::<K>(&text).unwrap(), k);
    }
}

#[test]
fn missing_unknown_and_repeated_fields_are_treated_as_the_derived_readers_did() {
    let read = |text: &str| serde_json::from_str::<K>(text).map_err(|e| e.to_string());
    // an optional field may be left out; an unknown field is skipped
    assert_eq!(
        read(r#"{"provider":"a","reason":"r","type":"declined","later":[1,{"x":2}]}"#),
        Ok(K::Declined {
            provider: provider("a"),
            reason: "r".into(),
            next: None
        })
    );
    let missing = read(r#"{"provider":"a","type":"declined"}"#).unwrap_err();
    assert!(missing.contains("missing field `reason`"), "{missing}");
    let repeated =
        read(r#"{"provider":"a","provider":"b","reason":"r","type":"declined"}"#).unwrap_err();
    assert!(
        repeated.contains("duplicate field `provider`"),
        "{repeated}"
    );
    let unknown = read(r#"{"type":"exploded"}"#).unwrap_err();
    assert!(unknown.contains("unknown variant `exploded`"), "{unknown}");
    let untagged = read(r#"{"provider":"a"}"#).unwrap_err();
    assert!(untagged.contains("missing field `type`"), "{untagged}");
    let bad_id = read(r#"{"provider":"Not An Id","type":"accepted"}"#).unwrap_err();
    assert!(
        bad_id.contains("provider id \"Not An Id\" is not valid"),
        "{bad_id}"
    );
    let ledger =
        read(r#"{"call_off":"CO-000001","event":"teleported","type":"ledger"}"#).unwrap_err();
    assert!(ledger.contains("unknown variant `teleported`"), "{ledger}");
    let clock = read(
        r#"{"event":{"at":"2025-10-06T08:00:00Z","deadline":null,"type":"resumed","warnings":[]},"provider":"a","type":"sla","window":"acceptance"}"#,
    )
    .unwrap_err();
    assert!(clock.contains("invalid type: null"), "{clock}");
    let programme =
        serde_json::from_str::<ProgrammeEvent>(r#"{"id":"INC-000001","type":"incident"}"#)
            .unwrap_err()
            .to_string();
    assert!(programme.contains("missing field `event`"), "{programme}");
}
