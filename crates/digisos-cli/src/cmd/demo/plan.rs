//! The cast of the demo wave: which bodies of the register report, when, how badly they
//! are hit, and the seeded random numbers that decide it (SplitMix64, so the same seed
//! gives the same story on every platform and version).

use chrono::{DateTime, TimeDelta, Utc};
use digisos_core::duties::Nis2Class;
use digisos_core::register::{Body, BodyKind, Register};
use digisos_core::sla::Severity;

/// The Kreise whose administrations the shared provider served (Südwestfalen-IT, 2023):
/// Siegen-Wittgenstein, Olpe, Märkischer Kreis, Hochsauerlandkreis, Soest.
pub(crate) const AFFECTED_KREISE: [&str; 5] = ["05970", "05966", "05962", "05958", "05974"];

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    /// True with `percent` % probability.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// When a GDPR notification is submitted, counted from the time of awareness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gdpr {
    /// No personal data affected.
    NotAffected,
    /// Submitted after this many hours.
    After(i64),
    /// Never submitted (becomes overdue).
    Never,
}

/// One body's part in the wave.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    /// Register key.
    pub(crate) key: String,
    /// Register name.
    pub(crate) name: String,
    /// When it reports.
    pub(crate) report_at: DateTime<Utc>,
    /// When it became aware.
    pub(crate) aware_at: DateTime<Utc>,
    /// Severity the hotline gives it.
    pub(crate) severity: Severity,
    /// Person-days estimated at dispatch.
    pub(crate) person_days: i64,
    /// Whether on-site help is needed.
    pub(crate) on_site: bool,
    /// NIS2 class (the municipal utility is an important entity).
    pub(crate) nis2: Nis2Class,
    /// GDPR notification.
    pub(crate) gdpr: Gdpr,
    /// True for the shared IT provider itself (where the attack happened).
    pub(crate) shared_provider: bool,
}

/// Whether `b` is hit by the outage of the shared provider: the provider itself, the
/// affected Kreise and their Gemeinden, and municipal companies of Regierungsbezirk 059.
fn affected(b: &Body) -> bool {
    let in_059 = b
        .regierungsbezirk
        .as_ref()
        .is_some_and(|r| r.as_str() == "059");
    let kreis = |k: &str| AFFECTED_KREISE.contains(&k);
    in_059
        && match b.kind {
            BodyKind::Kreis => kreis(b.key.as_str()),
            BodyKind::KreisangehoerigeGemeinde => {
                b.parent.as_ref().is_some_and(|p| kreis(p.as_str()))
            }
            BodyKind::KommunaleKoerperschaft | BodyKind::KommunalesUnternehmen => true,
            _ => false,
        }
}

/// The roles of every affected body of `register`, ordered by report time (then key).
/// The shared provider reports first at `t0 + 10 min`; the Kreise during the night; the
/// Gemeinden when their staff arrive in the morning.
pub(crate) fn cast(register: &Register, t0: DateTime<Utc>, rng: &mut Rng) -> Vec<Role> {
    let mut roles: Vec<Role> = register
        .bodies()
        .filter(|b| affected(b))
        .map(|b| role(b, t0, rng))
        .collect();
    roles.sort_by(|a, b| (a.report_at, &a.key).cmp(&(b.report_at, &b.key)));
    // one duty must become overdue: the utility's NIS2 notification, or else a GDPR one
    if roles.iter().all(|r| r.nis2 == Nis2Class::None)
        && let Some(r) = roles.iter_mut().find(|r| r.gdpr != Gdpr::NotAffected)
    {
        r.gdpr = Gdpr::Never;
    }
    roles
}

fn role(b: &Body, t0: DateTime<Utc>, rng: &mut Rng) -> Role {
    let min = TimeDelta::minutes;
    let town = b.name.contains("Stadt");
    let (report, severity, person_days, on_site) = match b.kind {
        BodyKind::KommunaleKoerperschaft => (10, Severity::Critical, 40, true),
        BodyKind::Kreis => (
            rng.range(45, 240),
            Severity::Critical,
            rng.range(35, 40),
            true,
        ),
        BodyKind::KommunalesUnternehmen => (rng.range(240, 420), Severity::High, 15, true),
        _ if town => (rng.range(200, 480), Severity::High, rng.range(20, 30), true),
        _ => {
            let severity = if rng.chance(50) {
                Severity::High
            } else {
                Severity::Medium
            };
            (rng.range(240, 540), severity, rng.range(10, 25), false)
        }
    };
    let report_at = t0 + min(report);
    let gemeinde = matches!(b.kind, BodyKind::KreisangehoerigeGemeinde);
    let utility = matches!(b.kind, BodyKind::KommunalesUnternehmen);
    Role {
        key: b.key.to_string(),
        name: b.name.clone(),
        report_at,
        aware_at: report_at - min(rng.range(10, 40)),
        severity,
        person_days,
        on_site,
        nis2: if utility {
            Nis2Class::Important
        } else {
            Nis2Class::None
        },
        shared_provider: matches!(b.kind, BodyKind::KommunaleKoerperschaft),
        gdpr: if gemeinde {
            // registry offices (Meldewesen) hold personal data: most notify in time
            Gdpr::After(if rng.chance(15) {
                rng.range(73, 90)
            } else {
                rng.range(20, 70)
            })
        } else {
            Gdpr::NotAffected
        },
    }
}
