//! `digisos token create|revoke|list`: the secret is printed once, only its hash is kept.

use assert_cmd::Command;

fn digisos(data: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("digisos").expect("binary built");
    c.arg("--data").arg(data);
    c
}

#[test]
fn tokens_are_created_listed_without_secrets_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let out = digisos(dir.path())
        .args([
            "--json", "token", "create", "--role", "body", "--body", "05315000", "--label",
            "Köln IT",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let id = created["token_id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("dsos_") && secret.len() == 69);

    let list = digisos(dir.path())
        .args(["token", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(
        text.contains(&id) && text.contains("body:05315000") && text.contains("live"),
        "{text}"
    );
    assert!(!text.contains(&secret), "the secret must never be listed");

    digisos(dir.path())
        .args(["token", "revoke", &id])
        .assert()
        .success();
    let text = String::from_utf8(
        digisos(dir.path())
            .args(["token", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("revoked"), "{text}");
    digisos(dir.path())
        .args(["token", "revoke", &id])
        .assert()
        .code(1);
    digisos(dir.path())
        .args(["token", "create", "--role", "body"])
        .assert()
        .code(2);
}
