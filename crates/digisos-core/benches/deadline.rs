//! Benchmark of business-calendar deadlines (1 h, 1 day, 30 days, 1 year of open time)
//! against the minute-stepping reference, in the same run. See BENCHMARKS.md.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use digisos_core::calendar::{Calendar, reference};
use std::hint::black_box;

/// Open-time windows: (label, minutes of open time).
const WINDOWS: [(&str, i64); 4] = [
    ("1h", 60),
    ("1d", 24 * 60),
    ("30d", 30 * 24 * 60),
    ("1y", 365 * 24 * 60),
];

/// 64 whole-minute starts spread over 2025, so holidays and both DST switches are hit.
fn starts() -> Vec<DateTime<Utc>> {
    let base: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap_or_default();
    (0..64)
        .map(|i| base + TimeDelta::minutes(i * 8_219))
        .collect()
}

fn deadlines(c: &mut Criterion) {
    let Some(cal) = Calendar::preset("nrw-business") else {
        return;
    };
    let starts = starts();
    let mut group = c.benchmark_group("nrw-business deadline");
    for (label, minutes) in WINDOWS {
        let window = TimeDelta::minutes(minutes);
        group.bench_with_input(BenchmarkId::new("fast", label), &window, |b, &w| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(cal.deadline(black_box(starts[i]), w))
            });
        });
        group.bench_with_input(BenchmarkId::new("reference", label), &window, |b, &w| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(reference::deadline(&cal, black_box(starts[i]), w))
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = deadlines
}
criterion_main!(benches);
