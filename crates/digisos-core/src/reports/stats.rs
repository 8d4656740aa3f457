//! Order statistics of durations for the reports: median and nearest-rank percentiles,
//! in whole seconds.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// How many durations were measured, their median and 90th percentile, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationStats {
    /// Number of samples.
    pub count: u32,
    /// Median in seconds (mean of the two middle samples for an even count, rounded
    /// down); `None` without samples.
    pub median_seconds: Option<i64>,
    /// 90th percentile in seconds (nearest rank); `None` without samples.
    pub p90_seconds: Option<i64>,
}

impl DurationStats {
    /// The statistics of `samples` (any order; truncated to whole seconds).
    pub fn of(samples: impl IntoIterator<Item = TimeDelta>) -> DurationStats {
        let mut secs: Vec<i64> = samples.into_iter().map(|d| d.num_seconds()).collect();
        secs.sort_unstable();
        DurationStats {
            count: u32::try_from(secs.len()).unwrap_or(u32::MAX),
            median_seconds: median(&secs),
            p90_seconds: percentile(&secs, 90),
        }
    }
}

/// The median of ascending `sorted` values: the middle one, or for an even count the
/// mean of the two middle ones rounded down; `None` when empty.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return Some(sorted[n / 2]);
    }
    let (a, b) = (i128::from(sorted[n / 2 - 1]), i128::from(sorted[n / 2]));
    i64::try_from((a + b).div_euclid(2)).ok()
}

/// The `p`th percentile (1..=100) of ascending `sorted` values by the nearest-rank
/// method: the smallest value with at least `p` % of the values at or below it; `None`
/// when empty.
pub fn percentile(sorted: &[i64], p: u8) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (n * usize::from(p.clamp(1, 100))).div_ceil(100);
    sorted.get(rank.saturating_sub(1)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_odd_even_and_empty() {
        let table: [(&[i64], Option<i64>); 6] = [
            (&[], None),
            (&[7], Some(7)),
            (&[1, 3], Some(2)),
            (&[1, 2], Some(1)),
            (&[1, 2, 100], Some(2)),
            (&[-3, -2], Some(-3)),
        ];
        for (values, expected) in table {
            assert_eq!(median(values), expected, "{values:?}");
        }
    }

    #[test]
    fn p90_is_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
        assert_eq!(percentile(&ten, 50), Some(5));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 90), Some(10));
        assert_eq!(percentile(&[42], 90), Some(42));
        assert_eq!(percentile(&[], 90), None);
    }

    #[test]
    fn duration_stats_sort_and_truncate() {
        let s = DurationStats::of([
            TimeDelta::minutes(30),
            TimeDelta::minutes(10),
            TimeDelta::milliseconds(20 * 60_000 + 999),
        ]);
        assert_eq!(s.count, 3);
        assert_eq!(s.median_seconds, Some(1200));
        assert_eq!(s.p90_seconds, Some(1800));
        assert_eq!(DurationStats::of([]), DurationStats::default());
    }
}
