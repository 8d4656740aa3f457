//! digisos-storebench: the storage benchmarks behind BENCHMARKS.md (run them through
//! `scripts/bench-store.sh`). Subcommands, each printing one result line per run and a
//! summary with medians:
//!
//! - `sqlite [--commands 4096] [--single 256] [--batch 64] [--runs 5]`
//! - `postgres --url URL [--instances 2] [--commands 4096] [--batch 64] [--runs 5]`
//! - `generate --store URL [--events 1000000] [--snapshots every|none]` (the service
//!   writes a snapshot every 100,000 events unless `none`)
//! - `replay --store URL [--from snapshot|log] [--path tree]` (one run; start a fresh
//!   process per run; `snapshot` (default) restores the newest snapshot and replays the
//!   tail, `log` replays every event; `tree` measures the previous decode path through
//!   a JSON tree)
//! - `snapshot --store URL` (full replay, then one snapshot on demand: time and size)

use digisos_core::service::SnapshotPolicy;
use digisos_loadgen::bench::{self, BenchError, median};
use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!(
            "usage: digisos-storebench sqlite|postgres|generate|replay|snapshot [--flag value]…"
        );
        return ExitCode::from(2);
    };
    let mut flags = BTreeMap::new();
    for pair in rest.chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                flags.insert(k.trim_start_matches("--").to_owned(), v.clone());
            }
            _ => {
                eprintln!("expected `--flag value` pairs, got {pair:?}");
                return ExitCode::from(2);
            }
        }
    }
    let result = match command.as_str() {
        "sqlite" => sqlite(&flags),
        "postgres" => postgres(&flags),
        "generate" => generate(&flags),
        "replay" => replay(&flags),
        "snapshot" => snapshot(&flags),
        other => {
            eprintln!("unknown benchmark `{other}`");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("digisos-storebench: {e}");
            ExitCode::from(3)
        }
    }
}

fn num(flags: &BTreeMap<String, String>, name: &str, default: usize) -> usize {
    flags
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn text<'a>(flags: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, BenchError> {
    flags
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| BenchError::Refused(format!("--{name} is required")))
}

fn sqlite(flags: &BTreeMap<String, String>) -> Result<(), BenchError> {
    let (commands, single, batch) = (
        num(flags, "commands", 4096),
        num(flags, "single", 256),
        num(flags, "batch", 64),
    );
    let mut runs = Vec::new();
    for i in 0..num(flags, "runs", 5) {
        let dir = std::env::temp_dir().join(format!("digisos-bench-{}-{i}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| BenchError::Refused(e.to_string()))?;
        let r = bench::sqlite::run(&dir, commands, single, batch);
        let _ = std::fs::remove_dir_all(&dir);
        let r = r?;
        println!(
            "run {i}: group({batch}) {:.0}/s  single {:.0}/s  raw({batch}) {:.0}/s  raw, no checkpoint {:.0}/s  ({:.2} events/command, {:.0} B payload)",
            r.group, r.single, r.raw, r.raw_no_checkpoint, r.events_per_command, r.payload_bytes
        );
        runs.push(r);
    }
    let m =
        |f: fn(&bench::sqlite::SqliteRun) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let (group, single, raw) = (m(|r| r.group), m(|r| r.single), m(|r| r.raw));
    let bare = m(|r| r.raw_no_checkpoint);
    println!(
        "median: group {group:.0}/s, single {single:.0}/s, raw {raw:.0}/s, raw without checkpoints {bare:.0}/s; group/single {:.1}x, group/raw {:.0} %, group/raw without checkpoints {:.0} %",
        group / single,
        100.0 * group / raw,
        100.0 * group / bare
    );
    Ok(())
}

fn postgres(flags: &BTreeMap<String, String>) -> Result<(), BenchError> {
    let url = text(flags, "url")?;
    let (instances, commands, batch) = (
        num(flags, "instances", 2),
        num(flags, "commands", 4096),
        num(flags, "batch", 64),
    );
    let mut rates = Vec::new();
    for i in 0..num(flags, "runs", 5) {
        let schema = format!("digisos_bench_{}_{i}", std::process::id());
        let r = bench::postgres::run(url, &schema, instances, commands, batch)?;
        println!("run {i}: {instances} instances, batches of {batch}: {r:.0} commands/s");
        rates.push(r);
    }
    println!("median: {:.0} commands/s", median(&rates));
    Ok(())
}

fn generate(flags: &BTreeMap<String, String>) -> Result<(), BenchError> {
    let url = text(flags, "store")?;
    let events = num(flags, "events", 1_000_000) as u64;
    let policy = match flags.get("snapshots").map(String::as_str) {
        None | Some("every") => SnapshotPolicy::default(),
        Some("none") => SnapshotPolicy::NEVER,
        Some(other) => {
            return Err(BenchError::Refused(format!(
                "--snapshots must be `every` or `none`, not `{other}`"
            )));
        }
    };
    let g = bench::replay::generate(url, events, 1024, 1024, policy)?;
    println!(
        "generated: the log holds {} events, newest snapshot at {}, in {:.1} s",
        g.position, g.snapshot_at, g.seconds
    );
    Ok(())
}

fn replay(flags: &BTreeMap<String, String>) -> Result<(), BenchError> {
    if flags.get("path").map(String::as_str) == Some("tree") {
        let r = bench::replay::replay_tree(text(flags, "store")?)?;
        println!("replay via the JSON tree: {r:.0} events/s");
        return Ok(());
    }
    let from_snapshot = match flags.get("from").map(String::as_str) {
        None | Some("snapshot") => true,
        Some("log") => false,
        Some(other) => {
            return Err(BenchError::Refused(format!(
                "--from must be `snapshot` or `log`, not `{other}`"
            )));
        }
    };
    let r = bench::replay::replay(text(flags, "store")?, from_snapshot)?;
    println!(
        "start-up (snapshot at {}): {} events in {:.2} s = {:.0} events/s; resident {:.0} B/event, peak {:.0} B/event; on CPU {:.2} s, waiting for a CPU {:.2} s",
        r.snapshot_at,
        r.events,
        r.seconds,
        r.events_per_second,
        r.resident_per_event,
        r.peak_per_event,
        r.cpu_seconds,
        r.wait_seconds
    );
    Ok(())
}

fn snapshot(flags: &BTreeMap<String, String>) -> Result<(), BenchError> {
    let (seconds, bytes) = bench::replay::snapshot(text(flags, "store")?)?;
    println!(
        "snapshot on demand: {:.2} s, {:.1} MB encoded",
        seconds,
        bytes as f64 / 1e6
    );
    Ok(())
}
