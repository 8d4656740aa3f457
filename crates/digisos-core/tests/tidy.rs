//! Tidy check: digisos-core stays pure. Fails the build if the core reads a clock or
//! depends on an IO, runtime or format crate.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_never_reads_a_clock_or_does_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "::now(",
        "std::fs",
        "std::net",
        "std::thread",
        "std::env",
        "std::process",
        "std::time::Instant",
        "SystemTime",
    ];
    let mut offences = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read source");
        for (no, line) in text.lines().enumerate() {
            for word in forbidden {
                if line.contains(word) {
                    offences.push(format!("{}:{}: {}", f.display(), no + 1, word));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "core must stay pure:\n{}",
        offences.join("\n")
    );
}

#[test]
fn core_manifest_has_no_io_or_format_crates() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("read manifest");
    let deps: String = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or("")
        .to_string();
    for banned in [
        "tokio",
        "axum",
        "sqlx",
        "rusqlite",
        "reqwest",
        "serde_json",
        "toml",
        "postgres",
        "hyper",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(banned)),
            "digisos-core must not depend on {banned}"
        );
    }
}
