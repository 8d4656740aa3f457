//! The eligibility decision for one body on one date, explaining itself: the rule that
//! admitted the body, or every reason it was refused.

use super::{CompanyControl, RuleSet};
use crate::ids::RuleId;
use crate::register::body::validity;
use crate::register::{Body, BodyKey, BodyKind, LandCode, Register, Validity};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Owners further than this many levels up a chain of companies are not followed.
pub const MAX_OWNERSHIP_DEPTH: usize = 8;

/// The answer for one body: eligible by `rule`, or refused for every listed reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The body asked about.
    pub key: BodyKey,
    /// Whether it may call off help on the date.
    pub eligible: bool,
    /// The rule that admitted it (the smallest id if several do).
    pub rule: Option<RuleId>,
    /// Every reason for a refusal, sorted; empty when eligible.
    pub reasons: Vec<Reason>,
}

/// Why a body is not eligible. Serialised with a `code` tag (`kind_not_eligible`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// No body with this key is registered.
    NotInRegister {
        /// The key asked about.
        key: BodyKey,
    },
    /// The body belongs to another Land.
    OutsideLand {
        /// The body's Land.
        land: LandCode,
        /// The Land of the rule set.
        required: LandCode,
    },
    /// The body exists only from a later date.
    NotYetValid {
        /// Its first day.
        valid_from: NaiveDate,
    },
    /// The body no longer exists.
    NoLongerValid {
        /// Its last day.
        valid_to: NaiveDate,
    },
    /// No rule lists the body's kind.
    KindNotEligible {
        /// The body's kind.
        kind: BodyKind,
    },
    /// The rule that lists the kind is not yet in force.
    RuleNotYetInForce {
        /// The rule.
        rule: RuleId,
        /// Its first day.
        valid_from: NaiveDate,
    },
    /// The rule that lists the kind is no longer in force.
    RuleNoLongerInForce {
        /// The rule.
        rule: RuleId,
        /// Its last day.
        valid_to: NaiveDate,
    },
    /// Eligible owners do not hold more than the threshold.
    ControlBelowThreshold {
        /// Sum of the shares that count.
        eligible_share: Decimal,
        /// The share to exceed.
        threshold: Decimal,
    },
    /// An owner is not in the register, so its share does not count.
    OwnerNotInRegister {
        /// The owner.
        owner: BodyKey,
        /// Its share.
        share_percent: Decimal,
    },
    /// An owner is not eligible (or not in the Land), so its share does not count.
    OwnerNotEligible {
        /// The owner.
        owner: BodyKey,
        /// Its share.
        share_percent: Decimal,
    },
    /// An owner leads back to a company already on the chain.
    OwnershipCycle {
        /// The owner.
        owner: BodyKey,
        /// Its share.
        share_percent: Decimal,
    },
    /// An owner is too many levels of ownership away to be followed.
    OwnershipTooDeep {
        /// The owner.
        owner: BodyKey,
        /// Its share.
        share_percent: Decimal,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotInRegister { key } => write!(f, "{key} is not in the register"),
            Reason::OutsideLand { land, required } => write!(
                f,
                "the body belongs to Land {land}; only bodies of Land {required} are eligible"
            ),
            Reason::NotYetValid { valid_from } => {
                write!(f, "the body exists only from {valid_from}")
            }
            Reason::NoLongerValid { valid_to } => {
                write!(f, "the body ceased to exist after {valid_to}")
            }
            Reason::KindNotEligible { kind } => {
                write!(f, "no rule admits bodies of kind {kind}")
            }
            Reason::RuleNotYetInForce { rule, valid_from } => {
                write!(f, "rule {rule} applies only from {valid_from}")
            }
            Reason::RuleNoLongerInForce { rule, valid_to } => {
                write!(f, "rule {rule} applied only until {valid_to}")
            }
            Reason::ControlBelowThreshold {
                eligible_share,
                threshold,
            } => write!(
                f,
                "eligible owners hold {eligible_share} %; control needs more than {threshold} %"
            ),
            Reason::OwnerNotInRegister {
                owner,
                share_percent,
            } => write!(
                f,
                "owner {owner} ({share_percent} %) is not in the register"
            ),
            Reason::OwnerNotEligible {
                owner,
                share_percent,
            } => write!(f, "owner {owner} ({share_percent} %) is not eligible"),
            Reason::OwnershipCycle {
                owner,
                share_percent,
            } => write!(
                f,
                "owner {owner} ({share_percent} %) leads back into a cycle of ownership"
            ),
            Reason::OwnershipTooDeep {
                owner,
                share_percent,
            } => write!(
                f,
                "owner {owner} ({share_percent} %) is more than {MAX_OWNERSHIP_DEPTH} levels of ownership away"
            ),
        }
    }
}

impl RuleSet {
    /// Decides whether the body `key` is eligible on `on`. Never fails: an unknown key is
    /// refused with [`Reason::NotInRegister`]. Deterministic and independent of the order
    /// of the rules; a refusal lists every reason (sorted).
    pub fn decide(&self, register: &Register, key: &BodyKey, on: NaiveDate) -> Decision {
        let mut chain = Vec::new();
        self.decide_on_chain(register, key, on, &mut chain)
    }

    fn decide_on_chain(
        &self,
        register: &Register,
        key: &BodyKey,
        on: NaiveDate,
        chain: &mut Vec<BodyKey>,
    ) -> Decision {
        let Some(body) = register.get(key) else {
            return refused(key, vec![Reason::NotInRegister { key: key.clone() }]);
        };
        let mut body_reasons = Vec::new();
        if body.land != self.land {
            body_reasons.push(Reason::OutsideLand {
                land: body.land.clone(),
                required: self.land.clone(),
            });
        }
        match body.validity_on(on) {
            Validity::NotYet(valid_from) => body_reasons.push(Reason::NotYetValid { valid_from }),
            Validity::Ended(valid_to) => body_reasons.push(Reason::NoLongerValid { valid_to }),
            Validity::Valid => {}
        }
        let mut admitting: Vec<&RuleId> = Vec::new();
        let mut rule_reasons = Vec::new();
        let mut listed = false;
        for rule in self.rules.iter().filter(|r| r.kinds.contains(&body.kind)) {
            listed = true;
            if in_force(
                &rule.id,
                rule.valid_from,
                rule.valid_to,
                on,
                &mut rule_reasons,
            ) {
                admitting.push(&rule.id);
            }
        }
        if let Some(c) = self
            .company_control
            .as_ref()
            .filter(|c| c.kinds.contains(&body.kind))
        {
            listed = true;
            if in_force(&c.id, c.valid_from, c.valid_to, on, &mut rule_reasons) {
                chain.push(body.key.clone());
                let admitted = self.controlled(register, body, c, on, chain, &mut rule_reasons);
                chain.pop();
                if admitted {
                    admitting.push(&c.id);
                }
            }
        }
        if !listed {
            rule_reasons.push(Reason::KindNotEligible { kind: body.kind });
        }
        admitting.sort();
        match admitting.first() {
            Some(rule) if body_reasons.is_empty() => Decision {
                key: key.clone(),
                eligible: true,
                rule: Some((*rule).clone()),
                reasons: Vec::new(),
            },
            Some(_) => refused(key, body_reasons),
            None => {
                body_reasons.extend(rule_reasons);
                refused(key, body_reasons)
            }
        }
    }

    /// True if the counted owners hold more than the threshold; else records why not.
    fn controlled(
        &self,
        register: &Register,
        body: &Body,
        control: &CompanyControl,
        on: NaiveDate,
        chain: &mut Vec<BodyKey>,
        reasons: &mut Vec<Reason>,
    ) -> bool {
        let mut share = Decimal::ZERO;
        let mut owner_reasons = Vec::new();
        for o in &body.owners {
            let (owner, share_percent) = (o.owner.clone(), o.share_percent.normalize());
            let counts = match register.get(&o.owner) {
                None => {
                    owner_reasons.push(Reason::OwnerNotInRegister {
                        owner,
                        share_percent,
                    });
                    continue;
                }
                Some(_) if chain.contains(&o.owner) => {
                    owner_reasons.push(Reason::OwnershipCycle {
                        owner,
                        share_percent,
                    });
                    continue;
                }
                Some(_) if chain.len() >= MAX_OWNERSHIP_DEPTH => {
                    owner_reasons.push(Reason::OwnershipTooDeep {
                        owner,
                        share_percent,
                    });
                    continue;
                }
                Some(b) if !control.owner_must_be_eligible => {
                    b.land == self.land && b.validity_on(on) == Validity::Valid
                }
                Some(_) => self.decide_on_chain(register, &o.owner, on, chain).eligible,
            };
            if counts {
                share += o.share_percent;
            } else {
                owner_reasons.push(Reason::OwnerNotEligible {
                    owner,
                    share_percent,
                });
            }
        }
        if share > control.min_share_percent {
            return true;
        }
        reasons.push(Reason::ControlBelowThreshold {
            eligible_share: share.normalize(),
            threshold: control.min_share_percent.normalize(),
        });
        reasons.extend(owner_reasons);
        false
    }
}

/// True if the rule is in force on `on`; else records why not.
fn in_force(
    rule: &RuleId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    on: NaiveDate,
    reasons: &mut Vec<Reason>,
) -> bool {
    match validity(from, to, on) {
        Validity::Valid => true,
        Validity::NotYet(valid_from) => {
            reasons.push(Reason::RuleNotYetInForce {
                rule: rule.clone(),
                valid_from,
            });
            false
        }
        Validity::Ended(valid_to) => {
            reasons.push(Reason::RuleNoLongerInForce {
                rule: rule.clone(),
                valid_to,
            });
            false
        }
    }
}

fn refused(key: &BodyKey, mut reasons: Vec<Reason>) -> Decision {
    reasons.sort();
    reasons.dedup();
    Decision {
        key: key.clone(),
        eligible: false,
        rule: None,
        reasons,
    }
}
