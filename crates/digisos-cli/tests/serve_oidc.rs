//! `digisos serve` with OIDC flags: an incomplete set-up or keys that cannot be had stop
//! the start with a clear message and a non-zero exit, before the server listens.

use assert_cmd::Command;
use predicates::prelude::*;

fn serve(data: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("digisos").expect("binary built");
    c.arg("--data")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    c.timeout(std::time::Duration::from_secs(30));
    c
}

const ISSUER: &str = "https://sso.example.test/realms/digisos";

#[test]
fn an_issuer_without_audience_or_keys_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    serve(dir.path())
        .args(["--oidc-issuer", ISSUER])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("listening").not())
        .stderr(
            predicate::str::contains("--oidc-audience")
                .and(predicate::str::contains("--oidc-jwks-file"))
                .and(predicate::str::contains("--oidc-jwks-url")),
        );
    serve(dir.path())
        .args(["--oidc-issuer", ISSUER, "--oidc-audience", "digisos-api"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--oidc-jwks-file")
                .and(predicate::str::contains("--oidc-jwks-url")),
        );
    serve(dir.path())
        .args([
            "--oidc-issuer",
            ISSUER,
            "--oidc-audience",
            "digisos-api",
            "--oidc-jwks-file",
            "a.json",
            "--oidc-jwks-url",
            "https://sso.example.test/certs",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    // The other OIDC flags need the issuer.
    serve(dir.path())
        .args(["--oidc-audience", "digisos-api"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--oidc-issuer"));
}

#[test]
fn keys_that_cannot_be_had_or_an_http_url_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["--oidc-issuer", ISSUER, "--oidc-audience", "digisos-api"];
    serve(dir.path())
        .args(base)
        .args(["--oidc-jwks-file", "/nonexistent/jwks.json"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("listening").not())
        .stderr(predicate::str::contains(
            "OIDC keys: cannot read the JWKS file /nonexistent/jwks.json",
        ));
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    serve(dir.path())
        .args(base)
        .args(["--oidc-jwks-url", &format!("http://{closed}/certs")])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "OIDC keys: cannot fetch the JWKS from http://{closed}/certs"
        )));
    serve(dir.path())
        .args(base)
        .args(["--oidc-jwks-url", "http://sso.example.test/certs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must use https"));
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"keys":[]}"#).unwrap();
    serve(dir.path())
        .args(base)
        .arg("--oidc-jwks-file")
        .arg(&empty)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no usable signature key"));
}
