//! `Deserialize` for [`IncidentEventKind`] without buffering the object (see
//! `crate::tagged`). The `ledger` and `duty` kinds carry a [`LedgerEvent`] or
//! [`DutyEvent`] whose fields (and own tag, `event` or `duty`) sit in the same object,
//! so they are read into the same slots. `event` is the one key with two types: the
//! ledger event's tag (a string) or, in an `sla` kind, the clock event (an object).

use super::IncidentEventKind as E;
use crate::duties::{DutyEvent, DutyKind, Nis2Class};
use crate::ids::{LotId, ProviderId, RoleId};
use crate::incident::command::{IncidentCategory, TimeEntryNo};
use crate::ledger::{CallOffId, Ceiling, EntryId, LedgerEvent, LimitKey};
use crate::money::Money;
use crate::sla::{ClockEvent, ClockStart, Severity, WindowKind};
use crate::tagged::{need, object_keys, put, tag_values};
use crate::wire::{Dec, Instant};
use serde::de::value::MapAccessDeserializer;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

object_keys!(Key {
    Type = "type",
    Body = "body",
    Title = "title",
    Description = "description",
    Category = "category",
    AwareAt = "aware_at",
    AffectedServices = "affected_services",
    PersonalData = "personal_data",
    Nis2 = "nis2",
    OnSiteNeeded = "on_site_needed",
    Severity = "severity",
    Lot = "lot",
    Reasons = "reasons",
    CallOff = "call_off",
    Provider = "provider",
    Order = "order",
    Reason = "reason",
    Next = "next",
    Due = "due",
    FinalReportRef = "final_report_ref",
    Released = "released",
    Voided = "voided",
    Window = "window",
    Event = "event",
    Clocks = "clocks",
    Entry = "entry",
    Role = "role",
    Start = "start",
    End = "end",
    Amount = "amount",
    Year = "year",
    PersonDays = "person_days",
    Ceilings = "ceilings",
    From = "from",
    To = "to",
    EntryId = "entry_id",
    Limit = "limit",
    Percent = "percent",
    Duty = "duty",
    Kind = "kind",
    At = "at",
    Reference = "reference",
    Late = "late",
});

tag_values!(Tag {
    Reported = "reported",
    Triaged = "triaged",
    Rejected = "rejected",
    Dispatched = "dispatched",
    Ledger = "ledger",
    Accepted = "accepted",
    Declined = "declined",
    AcceptanceWindowMissed = "acceptance_window_missed",
    FirstContactRecorded = "first_contact_recorded",
    RemoteStartRecorded = "remote_start_recorded",
    OnSiteArrivalRecorded = "on_site_arrival_recorded",
    WaitingForBody = "waiting_for_body",
    ResumedFromBody = "resumed_from_body",
    Contained = "contained",
    Recovered = "recovered",
    Closed = "closed",
    Withdrawn = "withdrawn",
    Cancelled = "cancelled",
    Duty = "duty",
    Sla = "sla",
    SlaStarted = "sla_started",
    TimeEntrySubmitted = "time_entry_submitted",
    TimeEntryApproved = "time_entry_approved",
    TimeEntryDisputed = "time_entry_disputed",
    TimeEntryReversed = "time_entry_reversed",
});

tag_values!(LedgerTag {
    Reserved = "reserved",
    ReservationAwaitingApproval = "reservation_awaiting_approval",
    ReservationApproved = "reservation_approved",
    ReservationRefused = "reservation_refused",
    ReservationAmended = "reservation_amended",
    AmendmentAwaitingApproval = "amendment_awaiting_approval",
    AmendmentApproved = "amendment_approved",
    AmendmentRefused = "amendment_refused",
    Posted = "posted",
    PostingReversed = "posting_reversed",
    Released = "released",
    Voided = "voided",
    UtilisationWarningReached = "utilisation_warning_reached",
    FrameworkExhausted = "framework_exhausted",
});

tag_values!(DutyTag {
    Submitted = "submitted",
    Scheduled = "scheduled",
    Overdue = "overdue",
});

/// The value under `event`: a ledger event's tag or an SLA kind's clock event.
enum EventValue {
    Ledger(LedgerTag),
    Clock(ClockEvent),
}

impl<'de> Deserialize<'de> for EventValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EventValueVisitor;

        impl<'de> Visitor<'de> for EventValueVisitor {
            type Value = EventValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a ledger event tag or a clock event")
            }

            fn visit_str<X: serde::de::Error>(self, v: &str) -> Result<EventValue, X> {
                LedgerTag::parse(v).map(EventValue::Ledger)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<EventValue, A::Error> {
                ClockEvent::deserialize(MapAccessDeserializer::new(map)).map(EventValue::Clock)
            }
        }

        d.deserialize_any(EventValueVisitor)
    }
}

/// Every field any kind (with its ledger or duty event) may have.
#[derive(Default)]
struct Fields {
    tag: Option<Tag>,
    body: Option<String>,
    title: Option<String>,
    description: Option<String>,
    category: Option<IncidentCategory>,
    aware_at: Option<Instant>,
    affected_services: Option<Vec<String>>,
    personal_data: Option<bool>,
    nis2: Option<Nis2Class>,
    on_site_needed: Option<bool>,
    severity: Option<Severity>,
    lot: Option<LotId>,
    reasons: Option<Vec<String>>,
    call_off: Option<CallOffId>,
    provider: Option<ProviderId>,
    order: Option<Vec<ProviderId>>,
    reason: Option<String>,
    next: Option<Option<ProviderId>>,
    due: Option<Instant>,
    final_report_ref: Option<String>,
    released: Option<Money>,
    voided: Option<Money>,
    window: Option<WindowKind>,
    event: Option<EventValue>,
    clocks: Option<Vec<ClockStart>>,
    entry: Option<TimeEntryNo>,
    role: Option<RoleId>,
    start: Option<Instant>,
    end: Option<Instant>,
    amount: Option<Money>,
    year: Option<i32>,
    person_days: Option<Option<Dec>>,
    ceilings: Option<Vec<Ceiling>>,
    from: Option<Money>,
    to: Option<Money>,
    entry_id: Option<EntryId>,
    limit: Option<LimitKey>,
    percent: Option<u8>,
    duty: Option<DutyTag>,
    kind: Option<DutyKind>,
    at: Option<Instant>,
    reference: Option<String>,
    late: Option<bool>,
}

impl Fields {
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Fields, A::Error> {
        let mut f = Fields::default();
        let m = &mut map;
        while let Some(key) = m.next_key::<Key>()? {
            match key {
                Key::Type => put(&mut f.tag, m, "type")?,
                Key::Body => put(&mut f.body, m, "body")?,
                Key::Title => put(&mut f.title, m, "title")?,
                Key::Description => put(&mut f.description, m, "description")?,
                Key::Category => put(&mut f.category, m, "category")?,
                Key::AwareAt => put(&mut f.aware_at, m, "aware_at")?,
                Key::AffectedServices => put(&mut f.affected_services, m, "affected_services")?,
                Key::PersonalData => put(&mut f.personal_data, m, "personal_data")?,
                Key::Nis2 => put(&mut f.nis2, m, "nis2")?,
                Key::OnSiteNeeded => put(&mut f.on_site_needed, m, "on_site_needed")?,
                Key::Severity => put(&mut f.severity, m, "severity")?,
                Key::Lot => put(&mut f.lot, m, "lot")?,
                Key::Reasons => put(&mut f.reasons, m, "reasons")?,
                Key::CallOff => put(&mut f.call_off, m, "call_off")?,
                Key::Provider => put(&mut f.provider, m, "provider")?,
                Key::Order => put(&mut f.order, m, "order")?,
                Key::Reason => put(&mut f.reason, m, "reason")?,
                Key::Next => put(&mut f.next, m, "next")?,
                Key::Due => put(&mut f.due, m, "due")?,
                Key::FinalReportRef => put(&mut f.final_report_ref, m, "final_report_ref")?,
                Key::Released => put(&mut f.released, m, "released")?,
                Key::Voided => put(&mut f.voided, m, "voided")?,
                Key::Window => put(&mut f.window, m, "window")?,
                Key::Event => put(&mut f.event, m, "event")?,
                Key::Clocks => put(&mut f.clocks, m, "clocks")?,
                Key::Entry => put(&mut f.entry, m, "entry")?,
                Key::Role => put(&mut f.role, m, "role")?,
                Key::Start => put(&mut f.start, m, "start")?,
                Key::End => put(&mut f.end, m, "end")?,
                Key::Amount => put(&mut f.amount, m, "amount")?,
                Key::Year => put(&mut f.year, m, "year")?,
                Key::PersonDays => put(&mut f.person_days, m, "person_days")?,
                Key::Ceilings => put(&mut f.ceilings, m, "ceilings")?,
                Key::From => put(&mut f.from, m, "from")?,
                Key::To => put(&mut f.to, m, "to")?,
                Key::EntryId => put(&mut f.entry_id, m, "entry_id")?,
                Key::Limit => put(&mut f.limit, m, "limit")?,
                Key::Percent => put(&mut f.percent, m, "percent")?,
                Key::Duty => put(&mut f.duty, m, "duty")?,
                Key::Kind => put(&mut f.kind, m, "kind")?,
                Key::At => put(&mut f.at, m, "at")?,
                Key::Reference => put(&mut f.reference, m, "reference")?,
                Key::Late => put(&mut f.late, m, "late")?,
                Key::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(f)
    }

    fn build<X: serde::de::Error>(self) -> Result<E, X> {
        let f = self;
        Ok(match need(f.tag, "type")? {
            Tag::Reported => E::Reported {
                body: need(f.body, "body")?,
                title: need(f.title, "title")?,
                description: need(f.description, "description")?,
                category: need(f.category, "category")?,
                aware_at: need(f.aware_at, "aware_at")?.0,
                affected_services: need(f.affected_services, "affected_services")?,
                personal_data: need(f.personal_data, "personal_data")?,
                nis2: need(f.nis2, "nis2")?,
                on_site_needed: need(f.on_site_needed, "on_site_needed")?,
            },
            Tag::Triaged => E::Triaged {
                severity: need(f.severity, "severity")?,
                lot: need(f.lot, "lot")?,
            },
            Tag::Rejected => E::Rejected {
                reasons: need(f.reasons, "reasons")?,
            },
            Tag::Dispatched => E::Dispatched {
                call_off: need(f.call_off, "call_off")?,
                provider: need(f.provider, "provider")?,
                order: need(f.order, "order")?,
            },
            Tag::Ledger => E::Ledger(f.ledger()?),
            Tag::Accepted => E::Accepted {
                provider: need(f.provider, "provider")?,
            },
            Tag::Declined => E::Declined {
                provider: need(f.provider, "provider")?,
                reason: need(f.reason, "reason")?,
                next: f.next.flatten(),
            },
            Tag::AcceptanceWindowMissed => E::AcceptanceWindowMissed {
                provider: need(f.provider, "provider")?,
                due: need(f.due, "due")?.0,
                next: f.next.flatten(),
            },
            Tag::FirstContactRecorded => E::FirstContactRecorded,
            Tag::RemoteStartRecorded => E::RemoteStartRecorded,
            Tag::OnSiteArrivalRecorded => E::OnSiteArrivalRecorded,
            Tag::WaitingForBody => E::WaitingForBody {
                reason: need(f.reason, "reason")?,
            },
            Tag::ResumedFromBody => E::ResumedFromBody,
            Tag::Contained => E::Contained,
            Tag::Recovered => E::Recovered,
            Tag::Closed => E::Closed {
                final_report_ref: need(f.final_report_ref, "final_report_ref")?,
                released: need(f.released, "released")?,
            },
            Tag::Withdrawn => E::Withdrawn {
                reason: need(f.reason, "reason")?,
            },
            Tag::Cancelled => E::Cancelled {
                reason: need(f.reason, "reason")?,
                voided: need(f.voided, "voided")?,
            },
            Tag::Duty => E::Duty(f.duty()?),
            Tag::Sla => E::Sla {
                window: need(f.window, "window")?,
                provider: need(f.provider, "provider")?,
                event: match need(f.event, "event")? {
                    EventValue::Clock(c) => c,
                    EventValue::Ledger(_) => {
                        return Err(X::invalid_type(
                            serde::de::Unexpected::Str("a ledger event tag"),
                            &"a clock event",
                        ));
                    }
                },
            },
            Tag::SlaStarted => E::SlaStarted {
                provider: need(f.provider, "provider")?,
                clocks: need(f.clocks, "clocks")?,
            },
            Tag::TimeEntrySubmitted => E::TimeEntrySubmitted {
                entry: need(f.entry, "entry")?,
                provider: need(f.provider, "provider")?,
                role: need(f.role, "role")?,
                start: need(f.start, "start")?.0,
                end: need(f.end, "end")?.0,
                description: need(f.description, "description")?,
                amount: need(f.amount, "amount")?,
            },
            Tag::TimeEntryApproved => E::TimeEntryApproved {
                entry: need(f.entry, "entry")?,
                amount: need(f.amount, "amount")?,
            },
            Tag::TimeEntryDisputed => E::TimeEntryDisputed {
                entry: need(f.entry, "entry")?,
                reason: need(f.reason, "reason")?,
            },
            Tag::TimeEntryReversed => E::TimeEntryReversed {
                entry: need(f.entry, "entry")?,
                amount: need(f.amount, "amount")?,
                reason: need(f.reason, "reason")?,
            },
        })
    }

    /// The ledger event of a `ledger` kind (tagged `event`).
    fn ledger<X: serde::de::Error>(self) -> Result<LedgerEvent, X> {
        let f = self;
        let tag = match need(f.event, "event")? {
            EventValue::Ledger(tag) => tag,
            EventValue::Clock(_) => {
                return Err(X::invalid_type(
                    serde::de::Unexpected::Map,
                    &"a ledger event tag",
                ));
            }
        };
        Ok(match tag {
            LedgerTag::Reserved => LedgerEvent::Reserved {
                call_off: need(f.call_off, "call_off")?,
                body: need(f.body, "body")?,
                lot: need(f.lot, "lot")?,
                year: need(f.year, "year")?,
                amount: need(f.amount, "amount")?,
                person_days: f.person_days.flatten().map(|d| d.0),
                ceilings: need(f.ceilings, "ceilings")?,
            },
            LedgerTag::ReservationAwaitingApproval => LedgerEvent::ReservationAwaitingApproval {
                call_off: need(f.call_off, "call_off")?,
                body: need(f.body, "body")?,
                lot: need(f.lot, "lot")?,
                year: need(f.year, "year")?,
                amount: need(f.amount, "amount")?,
                person_days: f.person_days.flatten().map(|d| d.0),
                ceilings: need(f.ceilings, "ceilings")?,
            },
            LedgerTag::ReservationApproved => LedgerEvent::ReservationApproved {
                call_off: need(f.call_off, "call_off")?,
            },
            LedgerTag::ReservationRefused => LedgerEvent::ReservationRefused {
                call_off: need(f.call_off, "call_off")?,
                released: need(f.released, "released")?,
            },
            LedgerTag::ReservationAmended => LedgerEvent::ReservationAmended {
                call_off: need(f.call_off, "call_off")?,
                from: need(f.from, "from")?,
                to: need(f.to, "to")?,
                ceilings: need(f.ceilings, "ceilings")?,
            },
            LedgerTag::AmendmentAwaitingApproval => LedgerEvent::AmendmentAwaitingApproval {
                call_off: need(f.call_off, "call_off")?,
                from: need(f.from, "from")?,
                to: need(f.to, "to")?,
                ceilings: need(f.ceilings, "ceilings")?,
            },
            LedgerTag::AmendmentApproved => LedgerEvent::AmendmentApproved {
                call_off: need(f.call_off, "call_off")?,
                amount: need(f.amount, "amount")?,
            },
            LedgerTag::AmendmentRefused => LedgerEvent::AmendmentRefused {
                call_off: need(f.call_off, "call_off")?,
                released: need(f.released, "released")?,
            },
            LedgerTag::Posted => LedgerEvent::Posted {
                call_off: need(f.call_off, "call_off")?,
                entry_id: need(f.entry_id, "entry_id")?,
                amount: need(f.amount, "amount")?,
            },
            LedgerTag::PostingReversed => LedgerEvent::PostingReversed {
                call_off: need(f.call_off, "call_off")?,
                entry_id: need(f.entry_id, "entry_id")?,
                amount: need(f.amount, "amount")?,
            },
            LedgerTag::Released => LedgerEvent::Released {
                call_off: need(f.call_off, "call_off")?,
                amount: need(f.amount, "amount")?,
            },
            LedgerTag::Voided => LedgerEvent::Voided {
                call_off: need(f.call_off, "call_off")?,
                amount: need(f.amount, "amount")?,
            },
            LedgerTag::UtilisationWarningReached => LedgerEvent::UtilisationWarningReached {
                limit: need(f.limit, "limit")?,
                percent: need(f.percent, "percent")?,
            },
            LedgerTag::FrameworkExhausted => LedgerEvent::FrameworkExhausted,
        })
    }

    /// The duty event of a `duty` kind (tagged `duty`).
    fn duty<X: serde::de::Error>(self) -> Result<DutyEvent, X> {
        let f = self;
        Ok(match need(f.duty, "duty")? {
            DutyTag::Submitted => DutyEvent::Submitted {
                kind: need(f.kind, "kind")?,
                at: need(f.at, "at")?.0,
                reference: need(f.reference, "reference")?,
                late: need(f.late, "late")?,
            },
            DutyTag::Scheduled => DutyEvent::Scheduled {
                kind: need(f.kind, "kind")?,
                due: need(f.due, "due")?.0,
            },
            DutyTag::Overdue => DutyEvent::Overdue {
                kind: need(f.kind, "kind")?,
                due: need(f.due, "due")?.0,
            },
        })
    }
}

impl<'de> Deserialize<'de> for E {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;

        impl<'de> Visitor<'de> for KindVisitor {
            type Value = E;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("internally tagged enum IncidentEventKind")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<E, A::Error> {
                Fields::read(map)?.build()
            }
        }

        d.deserialize_map(KindVisitor)
    }
}
