//! CLI tests of `digisos demo`: it runs in a fresh data directory, its whole output
//! (story and final utilisation and SLA reports) is snapshot-tested, it is byte-identical
//! for the same seed, and it refuses a used data directory.

#![allow(clippy::unwrap_used)] // tests fail loudly on any unexpected error

use assert_cmd::Command;
use std::path::Path;

fn demo(cwd: &Path, data: &str, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("digisos")
        .unwrap()
        .current_dir(cwd)
        .args(["demo", "--data", data])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_demo_tells_the_wave_and_ends_with_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path(), "demo-data", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "same weekday and time",
        "DEMO VARIANT",
        "missed its acceptance window",
        "WARNING: ceiling of lot los-2-westfalen reached 80 %",
        "NIS2 incident notification overdue",
        "Utilisation of digi-sos-nrw-2025-demo",
        "SLA attainment",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    insta::assert_snapshot!("demo_output", text);
    // the same seed in another directory gives the same bytes
    let again = demo(dir.path(), "demo-data-2", &[]);
    let again = String::from_utf8(again.stdout).unwrap();
    assert_eq!(again.replace("demo-data-2", "demo-data"), text);
}

#[test]
fn another_seed_tells_another_story() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(dir.path(), "a", &["--seed", "1"]);
    let b = demo(dir.path(), "b", &["--seed", "2"]);
    assert!(a.status.success() && b.status.success());
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn the_demo_refuses_a_used_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let out = demo(dir.path(), ".", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
}

#[test]
fn a_start_inside_the_term_is_used_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path(), "d", &["--now", "2026-02-02T03:00:00+01:00"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("same weekday and time"));
    assert!(text.contains("Mon 02.02. 03:10"));
}
