//! `Deserialize` for [`ProgrammeEvent`] without buffering the object (see
//! `crate::tagged`): in a stored payload the tag comes last
//! (`{"event":…,"id":…,"type":"incident"}`), after the incident event it wraps.

use super::ProgrammeEvent as P;
use crate::contract::ContractSpec;
use crate::incident::{IncidentEvent, IncidentId};
use crate::principal::Principal;
use crate::register::Body;
use crate::tagged::{need, object_keys, put, tag_values};
use crate::wire::Instant;
use chrono::NaiveDate;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

object_keys!(Key {
    Type = "type",
    At = "at",
    By = "by",
    Spec = "spec",
    Source = "source",
    Gebietsstand = "gebietsstand",
    Bodies = "bodies",
    TokenId = "token_id",
    TokenHash = "token_hash",
    Principal = "principal",
    Label = "label",
    Id = "id",
    Event = "event",
});

tag_values!(Tag {
    ContractAdopted = "contract_adopted",
    RegisterImported = "register_imported",
    TokenIssued = "token_issued",
    TokenRevoked = "token_revoked",
    Incident = "incident",
});

#[derive(Default)]
struct Fields {
    tag: Option<Tag>,
    at: Option<Instant>,
    by: Option<Principal>,
    spec: Option<Box<ContractSpec>>,
    source: Option<String>,
    gebietsstand: Option<Option<NaiveDate>>,
    bodies: Option<Vec<Body>>,
    token_id: Option<String>,
    token_hash: Option<String>,
    principal: Option<Principal>,
    label: Option<String>,
    id: Option<IncidentId>,
    event: Option<IncidentEvent>,
}

impl Fields {
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Fields, A::Error> {
        let mut f = Fields::default();
        let m = &mut map;
        while let Some(key) = m.next_key::<Key>()? {
            match key {
                Key::Type => put(&mut f.tag, m, "type")?,
                Key::At => put(&mut f.at, m, "at")?,
                Key::By => put(&mut f.by, m, "by")?,
                Key::Spec => put(&mut f.spec, m, "spec")?,
                Key::Source => put(&mut f.source, m, "source")?,
                Key::Gebietsstand => put(&mut f.gebietsstand, m, "gebietsstand")?,
                Key::Bodies => put(&mut f.bodies, m, "bodies")?,
                Key::TokenId => put(&mut f.token_id, m, "token_id")?,
                Key::TokenHash => put(&mut f.token_hash, m, "token_hash")?,
                Key::Principal => put(&mut f.principal, m, "principal")?,
                Key::Label => put(&mut f.label, m, "label")?,
                Key::Id => put(&mut f.id, m, "id")?,
                Key::Event => put(&mut f.event, m, "event")?,
                Key::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(f)
    }

    fn build<X: serde::de::Error>(self) -> Result<P, X> {
        let f = self;
        Ok(match need(f.tag, "type")? {
            Tag::ContractAdopted => P::ContractAdopted {
                at: need(f.at, "at")?.0,
                by: need(f.by, "by")?,
                spec: need(f.spec, "spec")?,
            },
            Tag::RegisterImported => P::RegisterImported {
                at: need(f.at, "at")?.0,
                by: need(f.by, "by")?,
                source: need(f.source, "source")?,
                gebietsstand: f.gebietsstand.flatten(),
                bodies: need(f.bodies, "bodies")?,
            },
            Tag::TokenIssued => P::TokenIssued {
                at: need(f.at, "at")?.0,
                by: need(f.by, "by")?,
                token_id: need(f.token_id, "token_id")?,
                token_hash: need(f.token_hash, "token_hash")?,
                principal: need(f.principal, "principal")?,
                label: need(f.label, "label")?,
            },
            Tag::TokenRevoked => P::TokenRevoked {
                at: need(f.at, "at")?.0,
                by: need(f.by, "by")?,
                token_id: need(f.token_id, "token_id")?,
            },
            Tag::Incident => P::Incident {
                id: need(f.id, "id")?,
                event: need(f.event, "event")?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for P {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EventVisitor;

        impl<'de> Visitor<'de> for EventVisitor {
            type Value = P;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("internally tagged enum ProgrammeEvent")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<P, A::Error> {
                Fields::read(map)?.build()
            }
        }

        d.deserialize_map(EventVisitor)
    }
}
