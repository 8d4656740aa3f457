//! The register of bodies, imports into it, and eligibility decisions.

use chrono::NaiveDate;
use digisos_core::eligibility::{Decision, Reason};
use digisos_core::ids::RuleId;
use digisos_core::register::{Body, BodyKey, BodyKind, LandCode, Ownership, RegionCode};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// A body of the register (*Stelle*). Optional members are absent when they have no
/// value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BodyView {
    /// Stable key: AGS, Kreisschlüssel or registry id (`05315000`, `LVR`).
    #[schema(value_type = String)]
    pub key: BodyKey,
    /// Official name, e.g. `Köln, Stadt`.
    pub name: String,
    /// Kind of body: `kreisfreie_stadt`, `kreisangehoerige_gemeinde`, `kreis`,
    /// `landschaftsverband`, `landesbehoerde`, `kommunales_unternehmen`, …
    #[schema(value_type = String)]
    pub kind: BodyKind,
    /// The Land (`05`).
    #[schema(value_type = String)]
    pub land: LandCode,
    /// Its *Regierungsbezirk* (`053`), if it belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub regierungsbezirk: Option<RegionCode>,
    /// The Kreis a kreisangehörige Gemeinde belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<BodyKey>,
    /// Owners with their shares (companies); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<OwnershipView>,
    /// First day the body exists in this form, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<NaiveDate>,
    /// Last day the body exists in this form (inclusive), if it has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
}

impl From<&Body> for BodyView {
    fn from(b: &Body) -> Self {
        let Body {
            key,
            name,
            kind,
            land,
            regierungsbezirk,
            parent,
            owners,
            valid_from,
            valid_to,
        } = b;
        BodyView {
            key: key.clone(),
            name: name.clone(),
            kind: *kind,
            land: land.clone(),
            regierungsbezirk: regierungsbezirk.clone(),
            parent: parent.clone(),
            owners: owners.iter().map(OwnershipView::from).collect(),
            valid_from: *valid_from,
            valid_to: *valid_to,
        }
    }
}

/// One owner of a company and its share of the capital.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnershipView {
    /// The owning body's key.
    #[schema(value_type = String)]
    pub owner: BodyKey,
    /// Share in percent (decimal string).
    #[schema(value_type = String)]
    pub share_percent: Decimal,
}

impl From<&Ownership> for OwnershipView {
    fn from(o: &Ownership) -> Self {
        let Ownership {
            owner,
            share_percent,
        } = o;
        OwnershipView {
            owner: owner.clone(),
            share_percent: *share_percent,
        }
    }
}

/// The outcome of a register import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportView {
    /// Number of bodies in the imported file.
    pub bodies: usize,
    /// Log position of the import's event; `null` if nothing was recorded.
    pub position: Option<u64>,
}

/// Whether a body may call off help on a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EligibilityView {
    /// The date decided for (`YYYY-MM-DD`).
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// The decision, with the rule or every reason.
    pub decision: DecisionView,
}

/// Eligible by a rule, or refused for every listed reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    /// The body asked about.
    #[schema(value_type = String)]
    pub key: BodyKey,
    /// Whether it may call off help on the date.
    pub eligible: bool,
    /// The rule that admitted it; `null` when refused.
    #[schema(value_type = Option<String>)]
    pub rule: Option<RuleId>,
    /// Every reason for the refusal, sorted; empty when eligible.
    pub reasons: Vec<ReasonView>,
}

impl From<Decision> for DecisionView {
    fn from(d: Decision) -> Self {
        let Decision {
            key,
            eligible,
            rule,
            reasons,
        } = d;
        DecisionView {
            key,
            eligible,
            rule,
            reasons: reasons.into_iter().map(ReasonView::from).collect(),
        }
    }
}

/// Why a body is not eligible, tagged by `code`. Keys, Land codes, rule ids and kinds are
/// strings; shares are decimal strings in percent; dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReasonView {
    /// No body with this key is registered.
    NotInRegister {
        /// The key asked about.
        #[schema(value_type = String)]
        key: BodyKey,
    },
    /// The body belongs to another Land.
    OutsideLand {
        /// The body's Land.
        #[schema(value_type = String)]
        land: LandCode,
        /// The Land of the rule set.
        #[schema(value_type = String)]
        required: LandCode,
    },
    /// The body exists only from a later date.
    NotYetValid {
        /// Its first day.
        #[schema(value_type = String, format = Date)]
        valid_from: NaiveDate,
    },
    /// The body no longer exists.
    NoLongerValid {
        /// Its last day.
        #[schema(value_type = String, format = Date)]
        valid_to: NaiveDate,
    },
    /// No rule lists the body's kind.
    KindNotEligible {
        /// The body's kind.
        #[schema(value_type = String)]
        kind: BodyKind,
    },
    /// The rule that lists the kind is not yet in force.
    RuleNotYetInForce {
        /// The rule.
        #[schema(value_type = String)]
        rule: RuleId,
        /// Its first day.
        #[schema(value_type = String, format = Date)]
        valid_from: NaiveDate,
    },
    /// The rule that lists the kind is no longer in force.
    RuleNoLongerInForce {
        /// The rule.
        #[schema(value_type = String)]
        rule: RuleId,
        /// Its last day.
        #[schema(value_type = String, format = Date)]
        valid_to: NaiveDate,
    },
    /// Eligible owners do not hold more than the threshold.
    ControlBelowThreshold {
        /// Sum of the shares that count.
        #[schema(value_type = String)]
        eligible_share: Decimal,
        /// The share to exceed.
        #[schema(value_type = String)]
        threshold: Decimal,
    },
    /// An owner is not in the register, so its share does not count.
    OwnerNotInRegister {
        /// The owner.
        #[schema(value_type = String)]
        owner: BodyKey,
        /// Its share.
        #[schema(value_type = String)]
        share_percent: Decimal,
    },
    /// An owner is not eligible (or not in the Land), so its share does not count.
    OwnerNotEligible {
        /// The owner.
        #[schema(value_type = String)]
        owner: BodyKey,
        /// Its share.
        #[schema(value_type = String)]
        share_percent: Decimal,
    },
    /// An owner leads back to a company already on the chain.
    OwnershipCycle {
        /// The owner.
        #[schema(value_type = String)]
        owner: BodyKey,
        /// Its share.
        #[schema(value_type = String)]
        share_percent: Decimal,
    },
    /// An owner is too many levels of ownership away to be followed.
    OwnershipTooDeep {
        /// The owner.
        #[schema(value_type = String)]
        owner: BodyKey,
        /// Its share.
        #[schema(value_type = String)]
        share_percent: Decimal,
    },
}

impl From<Reason> for ReasonView {
    fn from(r: Reason) -> Self {
        use ReasonView as V;
        match r {
            Reason::NotInRegister { key } => V::NotInRegister { key },
            Reason::OutsideLand { land, required } => V::OutsideLand { land, required },
            Reason::NotYetValid { valid_from } => V::NotYetValid { valid_from },
            Reason::NoLongerValid { valid_to } => V::NoLongerValid { valid_to },
            Reason::KindNotEligible { kind } => V::KindNotEligible { kind },
            Reason::RuleNotYetInForce { rule, valid_from } => {
                V::RuleNotYetInForce { rule, valid_from }
            }
            Reason::RuleNoLongerInForce { rule, valid_to } => {
                V::RuleNoLongerInForce { rule, valid_to }
            }
            Reason::ControlBelowThreshold {
                eligible_share,
                threshold,
            } => V::ControlBelowThreshold {
                eligible_share,
                threshold,
            },
            Reason::OwnerNotInRegister {
                owner,
                share_percent,
            } => V::OwnerNotInRegister {
                owner,
                share_percent,
            },
            Reason::OwnerNotEligible {
                owner,
                share_percent,
            } => V::OwnerNotEligible {
                owner,
                share_percent,
            },
            Reason::OwnershipCycle {
                owner,
                share_percent,
            } => V::OwnershipCycle {
                owner,
                share_percent,
            },
            Reason::OwnershipTooDeep {
                owner,
                share_percent,
            } => V::OwnershipTooDeep {
                owner,
                share_percent,
            },
        }
    }
}
