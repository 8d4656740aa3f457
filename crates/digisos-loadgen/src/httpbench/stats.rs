//! Throughput and latency percentiles of one load run.

use std::fmt;
use std::time::Duration;

/// The outcome of one run of [`super::run_load`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Requests answered (expected or not).
    pub requests: usize,
    /// Requests with an unexpected answer or a transport error.
    pub failed: usize,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Requests per second.
    pub rate: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
}

impl Summary {
    /// Summarises sorted latencies in microseconds.
    pub fn new(sorted_micros: &[u32], failed: usize, elapsed: Duration) -> Summary {
        let secs = elapsed.as_secs_f64();
        Summary {
            requests: sorted_micros.len(),
            failed,
            elapsed,
            rate: if secs > 0.0 {
                sorted_micros.len() as f64 / secs
            } else {
                0.0
            },
            p50: percentile(sorted_micros, 50),
            p99: percentile(sorted_micros, 99),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} requests, {} failed, {:.1} s)",
            self.rate,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.requests,
            self.failed,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The `p`-th percentile (nearest rank) of sorted latencies in microseconds; zero when
/// there are none.
pub fn percentile(sorted_micros: &[u32], p: u32) -> Duration {
    if sorted_micros.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted_micros.len() * p as usize).div_ceil(100).max(1);
    let micros = sorted_micros[rank.min(sorted_micros.len()) - 1];
    Duration::from_micros(u64::from(micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let l: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&l, 50), Duration::from_micros(50));
        assert_eq!(percentile(&l, 99), Duration::from_micros(99));
        assert_eq!(percentile(&[7], 99), Duration::from_micros(7));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }

    #[test]
    fn rate_is_requests_per_second() {
        let s = Summary::new(&[1, 2, 3, 4], 1, Duration::from_secs(2));
        assert_eq!(s.requests, 4);
        assert_eq!(s.failed, 1);
        assert!((s.rate - 2.0).abs() < 1e-9);
    }
}
