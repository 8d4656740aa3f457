//! OCDS export (*Open Contracting Data Standard* 1.1): the framework contract and each of
//! its call-offs as a release package. The framework is one process flagged
//! `tender.techniques.hasFrameworkAgreement`, with its lots and providers; every call-off
//! is its own process, linked to the framework by `relatedProcesses` (relationship
//! `framework`, scheme `ocid`).

mod model;

pub use model::{
    Award, Contract, Lot, OrganizationRef, Party, Period, Publisher, RelatedProcess, Release,
    ReleasePackage, Techniques, Tender, Value, amount,
};

use super::utilisation::body_name;
use crate::contract::Contract as Framework;
use crate::incident::{Incident, Milestone};
use crate::ledger::{CallOffId, Reservation, ReservationState};
use crate::programme::Programme;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use std::collections::BTreeMap;
use std::fmt;

/// The prefix exports use when none is given: a placeholder of the right shape, to be
/// replaced by the prefix registered with the OCDS helpdesk before publishing.
pub const PLACEHOLDER_PREFIX: &str = "ocds-xxxxxx";

/// An OCDS ocid prefix as registered with the OCDS helpdesk: `ocds-` and six lowercase
/// letters or digits (e.g. `ocds-213czf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcidPrefix(String);

/// Why an OCDS export cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcdsError {
    /// The prefix is not `ocds-` followed by six lowercase letters or digits.
    #[error(
        "ocid prefix {0:?} is not valid: use \"ocds-\" and six lowercase letters or digits, e.g. \"ocds-213czf\""
    )]
    InvalidPrefix(String),
    /// No contract was adopted yet, so there is nothing to publish.
    #[error("no contract has been adopted yet; adopt the framework contract before exporting")]
    NoContract,
}

impl OcidPrefix {
    /// Validates a prefix; fails with [`OcdsError::InvalidPrefix`] unless it is `ocds-`
    /// followed by six lowercase ASCII letters or digits.
    pub fn new(value: impl Into<String>) -> Result<OcidPrefix, OcdsError> {
        let value = value.into();
        let ok = value.strip_prefix("ocds-").is_some_and(|rest| {
            rest.len() == 6
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if ok {
            Ok(OcidPrefix(value))
        } else {
            Err(OcdsError::InvalidPrefix(value))
        }
    }

    /// The prefix as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OcidPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ocid of the framework: `PREFIX-CONTRACT`.
pub fn framework_ocid(prefix: &OcidPrefix, contract: &Framework) -> String {
    format!("{prefix}-{}", contract.id)
}

/// The ocid of a call-off: `PREFIX-CONTRACT-CALLOFF` (e.g. `ocds-213czf-digi-sos-nrw-2025-CO-000001`).
pub fn call_off_ocid(prefix: &OcidPrefix, contract: &Framework, call_off: &CallOffId) -> String {
    format!("{prefix}-{}-{call_off}", contract.id)
}

/// The release package of the framework and every call-off, published at `published`.
/// Call it for the transparency portal; values are net EUR. Fails with
/// [`OcdsError::NoContract`] before a contract was adopted.
pub fn export(
    programme: &Programme,
    prefix: &OcidPrefix,
    published: DateTime<Utc>,
) -> Result<ReleasePackage, OcdsError> {
    let contract = programme.contract().ok_or(OcdsError::NoContract)?;
    let framework = framework_release(programme, contract, prefix, published);
    let by_call_off: BTreeMap<&CallOffId, &Incident> = programme
        .incidents()
        .values()
        .filter_map(|i| i.call_off.as_ref().map(|c| (c, i.as_ref())))
        .collect();
    let mut releases = vec![framework];
    for (id, r) in programme.ledger().reservations() {
        let incident = by_call_off.get(id).copied();
        releases.push(call_off_release(
            programme, contract, prefix, published, id, r, incident,
        ));
    }
    Ok(ReleasePackage {
        uri: format!("urn:digisos:{}:ocds:{}", contract.id, stamp(published)),
        published_date: published,
        publisher: Publisher {
            name: contract.awarding_authority.clone(),
        },
        version: "1.1".to_string(),
        releases,
    })
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Midnight at the start of `day` (or the end of it) in Europe/Berlin, in UTC.
fn local(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    Berlin
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map_or_else(|| day.and_time(time).and_utc(), |t| t.with_timezone(&Utc))
}

fn framework_release(
    programme: &Programme,
    c: &Framework,
    prefix: &OcidPrefix,
    published: DateTime<Utc>,
) -> Release {
    let ocid = framework_ocid(prefix, c);
    let buyer = OrganizationRef {
        id: "awarding-authority".to_string(),
        name: c.awarding_authority.clone(),
    };
    let mut parties = vec![Party {
        id: buyer.id.clone(),
        name: buyer.name.clone(),
        roles: strings(&["buyer", "procuringEntity"]),
    }];
    parties.extend(c.providers.values().map(|p| Party {
        id: p.id.to_string(),
        name: p.name.clone(),
        roles: strings(&["supplier", "tenderer"]),
    }));
    let supplier = |id: &crate::ids::ProviderId| OrganizationRef {
        id: id.to_string(),
        name: c
            .providers
            .get(id)
            .map_or_else(String::new, |p| p.name.clone()),
    };
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    let period = Period {
        start_date: local(c.term_start, NaiveTime::MIN),
        end_date: local(c.term_end, end_of_day),
    };
    let status = if programme.ledger().is_exhausted() || published > period.end_date {
        "terminated"
    } else if published < period.start_date {
        "pending"
    } else {
        "active"
    };
    let awards: Vec<Award> = c
        .lots
        .iter()
        .map(|lot| Award {
            id: format!("{}-{}", c.id, lot.id),
            title: lot.title.clone(),
            status: "active".to_string(),
            value: Value::eur(lot.ceiling.unwrap_or(c.maximum_value)),
            suppliers: lot.providers.iter().map(supplier).collect(),
            related_lots: vec![lot.id.to_string()],
        })
        .collect();
    let contracts = awards
        .iter()
        .map(|a| Contract {
            id: a.id.clone(),
            award_id: a.id.clone(),
            title: a.title.clone(),
            status: status.to_string(),
            period: Some(period.clone()),
            value: a.value,
        })
        .collect();
    Release {
        id: format!("{ocid}-{}", stamp(published)),
        ocid,
        date: published,
        tag: strings(&["award", "contract"]),
        initiation_type: "tender".to_string(),
        parties,
        buyer,
        tender: Tender {
            id: c.id.to_string(),
            title: c.title.clone(),
            status: "complete".to_string(),
            value: Some(Value::eur(c.estimated_value)),
            techniques: Some(Techniques {
                has_framework_agreement: true,
            }),
            lots: c
                .lots
                .iter()
                .map(|l| Lot {
                    id: l.id.to_string(),
                    title: l.title.clone(),
                    description: l.scope.clone(),
                    value: l.ceiling.map(Value::eur),
                    status: "active".to_string(),
                })
                .collect(),
        },
        awards,
        contracts,
        related_processes: Vec::new(),
    }
}

fn call_off_release(
    programme: &Programme,
    c: &Framework,
    prefix: &OcidPrefix,
    published: DateTime<Utc>,
    id: &CallOffId,
    r: &Reservation,
    incident: Option<&Incident>,
) -> Release {
    let ocid = call_off_ocid(prefix, c, id);
    let buyer = OrganizationRef {
        id: r.body.clone(),
        name: body_name(programme, &r.body),
    };
    let mut parties = vec![Party {
        id: buyer.id.clone(),
        name: buyer.name.clone(),
        roles: strings(&["buyer"]),
    }];
    let supplier = incident
        .filter(|i| i.milestones.contains_key(&Milestone::Accepted))
        .and_then(|i| i.provider.as_ref())
        .map(|p| OrganizationRef {
            id: p.to_string(),
            name: c
                .providers
                .get(p)
                .map_or_else(String::new, |x| x.name.clone()),
        });
    if let Some(s) = &supplier {
        parties.push(Party {
            id: s.id.clone(),
            name: s.name.clone(),
            roles: strings(&["supplier"]),
        });
    }
    let (award_status, contract_status) = match (r.state, supplier.is_some()) {
        (ReservationState::Voided | ReservationState::Refused, _) => ("cancelled", "cancelled"),
        (ReservationState::Closed, _) => ("active", "terminated"),
        (ReservationState::Active, true) => ("active", "active"),
        (ReservationState::Active | ReservationState::PendingApproval, _) => ("pending", "pending"),
    };
    // while open the call-off is worth its reservation; once resolved, what was posted
    let value = if r.state.is_resolved() {
        r.posted
    } else {
        r.amount
    };
    let title = format!("Call-off {id} under {} (lot {})", c.id, r.lot);
    Release {
        id: format!("{ocid}-{}", stamp(published)),
        ocid,
        date: published,
        tag: strings(&["award", "contract"]),
        initiation_type: "tender".to_string(),
        parties,
        buyer,
        tender: Tender {
            id: id.to_string(),
            title: title.clone(),
            status: "complete".to_string(),
            value: None,
            techniques: None,
            lots: Vec::new(),
        },
        awards: vec![Award {
            id: id.to_string(),
            title: title.clone(),
            status: award_status.to_string(),
            value: Value::eur(r.amount),
            suppliers: supplier.into_iter().collect(),
            related_lots: vec![r.lot.to_string()],
        }],
        contracts: vec![Contract {
            id: id.to_string(),
            award_id: id.to_string(),
            title,
            status: contract_status.to_string(),
            period: None,
            value: Value::eur(value),
        }],
        related_processes: vec![RelatedProcess {
            id: "1".to_string(),
            relationship: strings(&["framework"]),
            title: c.title.clone(),
            scheme: "ocid".to_string(),
            identifier: framework_ocid(prefix, c),
        }],
    }
}
