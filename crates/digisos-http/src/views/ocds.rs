//! The OCDS 1.1 release package of the framework and its call-offs (the subset the
//! export fills), with OCDS's own camelCase member names: the JSON is the same as
//! `digisos export ocds` writes, and a client reads it into the core's OCDS types.

use chrono::{DateTime, Utc};
use digisos_core::money::Money;
use digisos_core::reports::ocds::{
    Award, Contract, Lot, OrganizationRef, Party, Period, Publisher, RelatedProcess, Release,
    ReleasePackage, Techniques, Tender, Value,
};
use serde::Serialize;
use utoipa::ToSchema;

/// An OCDS release package: the framework's release first, then one per call-off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPackageView {
    /// Where the package is (or will be) published: `urn:digisos:CONTRACT:ocds:STAMP`.
    pub uri: String,
    /// When it was published: the server's now (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub published_date: DateTime<Utc>,
    /// Who publishes it (the awarding authority).
    pub publisher: OcdsPublisherView,
    /// The OCDS version, `1.1`.
    pub version: String,
    /// The framework's release, then one release per call-off in call-off order.
    pub releases: Vec<OcdsReleaseView>,
}

/// The publisher of a package.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsPublisherView {
    /// Name.
    pub name: String,
}

/// One release of one contracting process (the framework, or one call-off).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsReleaseView {
    /// The contracting process: `PREFIX-CONTRACT` for the framework,
    /// `PREFIX-CONTRACT-CALLOFF` for a call-off.
    pub ocid: String,
    /// The release id, unique within the process (the ocid and the publication stamp).
    pub id: String,
    /// When the information was published (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub date: DateTime<Utc>,
    /// Release tags (`award`, `contract`).
    pub tag: Vec<String>,
    /// Always `tender`.
    pub initiation_type: String,
    /// Every organisation the release names, with its roles.
    pub parties: Vec<OcdsPartyView>,
    /// The buyer: the awarding authority of the framework, the calling-off body of a
    /// call-off.
    pub buyer: OcdsOrganizationView,
    /// The tender.
    pub tender: OcdsTenderView,
    /// Awards: one per lot of the framework, one for a call-off.
    pub awards: Vec<OcdsAwardView>,
    /// Contracts, one per award.
    pub contracts: Vec<OcdsContractView>,
    /// A call-off's link to its framework; absent on the framework's release.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_processes: Vec<OcdsRelatedProcessView>,
}

/// An organisation and its roles in the process.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsPartyView {
    /// Id within the release (provider id, body key or `awarding-authority`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Roles: `buyer`, `procuringEntity`, `supplier`, `tenderer`.
    pub roles: Vec<String>,
}

/// A reference to a party of the release.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsOrganizationView {
    /// The party id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An amount in a currency (net).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsValueView {
    /// The amount as a JSON number, as OCDS requires: whole euro as an integer,
    /// otherwise euro and cents.
    #[serde(serialize_with = "digisos_core::reports::ocds::amount::serialize")]
    #[schema(value_type = f64, example = 1485)]
    pub amount: Money,
    /// ISO 4217 code: `EUR`.
    pub currency: String,
}

/// A period of time.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPeriodView {
    /// Start (RFC 3339): the first day of the term, 00:00 in Berlin.
    #[schema(value_type = String, format = DateTime)]
    pub start_date: DateTime<Utc>,
    /// End (RFC 3339): the last day of the term, 23:59:59 in Berlin.
    #[schema(value_type = String, format = DateTime)]
    pub end_date: DateTime<Utc>,
}

/// The tender of a process.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsTenderView {
    /// Id: the contract id, or the call-off id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status: `complete` once awarded.
    pub status: String,
    /// The estimated value; absent on a call-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<OcdsValueView>,
    /// Procurement techniques (the framework flag); absent on a call-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub techniques: Option<OcdsTechniquesView>,
    /// The lots (OCDS lots extension); absent on a call-off.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<OcdsLotView>,
}

/// Procurement techniques (OCDS techniques extension).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsTechniquesView {
    /// True: the framework is a framework agreement.
    pub has_framework_agreement: bool,
}

/// A lot of the framework's tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsLotView {
    /// Lot id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub description: String,
    /// The lot's ceiling; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<OcdsValueView>,
    /// `active`.
    pub status: String,
}

/// An award.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsAwardView {
    /// Id: `CONTRACT-LOT` on the framework, the call-off id on a call-off.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pending`, `active` or `cancelled`.
    pub status: String,
    /// The value awarded.
    pub value: OcdsValueView,
    /// The suppliers (none while no provider has accepted a call-off).
    pub suppliers: Vec<OcdsOrganizationView>,
    /// The lots it covers.
    #[serde(rename = "relatedLots")]
    pub related_lots: Vec<String>,
}

/// A contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsContractView {
    /// Id.
    pub id: String,
    /// The award it implements.
    #[serde(rename = "awardID")]
    pub award_id: String,
    /// Title.
    pub title: String,
    /// `pending`, `active`, `terminated` or `cancelled`.
    pub status: String,
    /// The term; absent on a call-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<OcdsPeriodView>,
    /// The value: a call-off's reservation while open, what was posted once resolved.
    pub value: OcdsValueView,
}

/// A link to another contracting process.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OcdsRelatedProcessView {
    /// Id within the release.
    pub id: String,
    /// Relationship codes: `framework`.
    pub relationship: Vec<String>,
    /// Title of the other process.
    pub title: String,
    /// `ocid`.
    pub scheme: String,
    /// The other process's ocid.
    pub identifier: String,
}

impl From<ReleasePackage> for OcdsPackageView {
    fn from(p: ReleasePackage) -> Self {
        let ReleasePackage {
            uri,
            published_date,
            publisher: Publisher { name },
            version,
            releases,
        } = p;
        OcdsPackageView {
            uri,
            published_date,
            publisher: OcdsPublisherView { name },
            version,
            releases: releases.into_iter().map(OcdsReleaseView::from).collect(),
        }
    }
}

impl From<Release> for OcdsReleaseView {
    fn from(r: Release) -> Self {
        let Release {
            ocid,
            id,
            date,
            tag,
            initiation_type,
            parties,
            buyer,
            tender,
            awards,
            contracts,
            related_processes,
        } = r;
        OcdsReleaseView {
            ocid,
            id,
            date,
            tag,
            initiation_type,
            parties: parties.into_iter().map(OcdsPartyView::from).collect(),
            buyer: buyer.into(),
            tender: tender.into(),
            awards: awards.into_iter().map(OcdsAwardView::from).collect(),
            contracts: contracts.into_iter().map(OcdsContractView::from).collect(),
            related_processes: related_processes
                .into_iter()
                .map(OcdsRelatedProcessView::from)
                .collect(),
        }
    }
}

impl From<Party> for OcdsPartyView {
    fn from(p: Party) -> Self {
        let Party { id, name, roles } = p;
        OcdsPartyView { id, name, roles }
    }
}

impl From<OrganizationRef> for OcdsOrganizationView {
    fn from(o: OrganizationRef) -> Self {
        let OrganizationRef { id, name } = o;
        OcdsOrganizationView { id, name }
    }
}

impl From<Value> for OcdsValueView {
    fn from(v: Value) -> Self {
        let Value { amount, currency } = v;
        OcdsValueView {
            amount,
            currency: currency.to_owned(),
        }
    }
}

impl From<Period> for OcdsPeriodView {
    fn from(p: Period) -> Self {
        let Period {
            start_date,
            end_date,
        } = p;
        OcdsPeriodView {
            start_date,
            end_date,
        }
    }
}

impl From<Tender> for OcdsTenderView {
    fn from(t: Tender) -> Self {
        let Tender {
            id,
            title,
            status,
            value,
            techniques,
            lots,
        } = t;
        OcdsTenderView {
            id,
            title,
            status,
            value: value.map(OcdsValueView::from),
            techniques: techniques.map(
                |Techniques {
                     has_framework_agreement,
                 }| OcdsTechniquesView {
                    has_framework_agreement,
                },
            ),
            lots: lots.into_iter().map(OcdsLotView::from).collect(),
        }
    }
}

impl From<Lot> for OcdsLotView {
    fn from(l: Lot) -> Self {
        let Lot {
            id,
            title,
            description,
            value,
            status,
        } = l;
        OcdsLotView {
            id,
            title,
            description,
            value: value.map(OcdsValueView::from),
            status,
        }
    }
}

impl From<Award> for OcdsAwardView {
    fn from(a: Award) -> Self {
        let Award {
            id,
            title,
            status,
            value,
            suppliers,
            related_lots,
        } = a;
        OcdsAwardView {
            id,
            title,
            status,
            value: value.into(),
            suppliers: suppliers
                .into_iter()
                .map(OcdsOrganizationView::from)
                .collect(),
            related_lots,
        }
    }
}

impl From<Contract> for OcdsContractView {
    fn from(c: Contract) -> Self {
        let Contract {
            id,
            award_id,
            title,
            status,
            period,
            value,
        } = c;
        OcdsContractView {
            id,
            award_id,
            title,
            status,
            period: period.map(OcdsPeriodView::from),
            value: value.into(),
        }
    }
}

impl From<RelatedProcess> for OcdsRelatedProcessView {
    fn from(r: RelatedProcess) -> Self {
        let RelatedProcess {
            id,
            relationship,
            title,
            scheme,
            identifier,
        } = r;
        OcdsRelatedProcessView {
            id,
            relationship,
            title,
            scheme,
            identifier,
        }
    }
}
