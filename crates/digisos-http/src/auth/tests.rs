//! Unit tests of tokens, principals and authentication.

use super::*;
use axum::http::HeaderMap;

fn bearer(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    h
}

#[test]
fn generated_tokens_are_long_prefixed_and_distinct() {
    let (a, id_a) = generate_token().unwrap();
    let (b, id_b) = generate_token().unwrap();
    assert!(a.expose_secret().starts_with(TOKEN_PREFIX));
    assert_eq!(a.expose_secret().len(), TOKEN_PREFIX.len() + 64);
    assert_ne!(a, b);
    assert_ne!(id_a, id_b);
    assert_eq!(format!("{a:?}"), "Token(<redacted>)");
}

#[test]
fn store_keeps_only_the_hash() {
    let store = InMemoryTokenStore::new();
    let (token, record) = store
        .issue(Role::Coordinator, None, None, "hotline")
        .unwrap();
    assert_eq!(record.hash.as_str().len(), 64);
    let dump = format!("{:?}", store.list());
    assert!(!dump.contains(token.expose_secret()));
    assert!(!dump.contains(&token.expose_secret()[TOKEN_PREFIX.len()..]));
}

#[test]
fn authenticate_accepts_live_tokens_and_rejects_the_rest() {
    let store = InMemoryTokenStore::new();
    let provider = ProviderId::new("acme").unwrap();
    let (token, record) = store
        .issue(Role::Provider, None, Some(provider.clone()), "p")
        .unwrap();
    let p = authenticate(&bearer(token.expose_secret()), &store).unwrap();
    assert_eq!(p.role(), Role::Provider);
    assert_eq!(p.provider(), Some(&provider));

    let fail = |h: HeaderMap| match authenticate(&h, &store) {
        Err(ApiError::Unauthorized(why)) => why,
        other => panic!("expected 401, got {other:?}"),
    };
    assert_eq!(fail(HeaderMap::new()), AuthFailure::Missing);
    let mut basic = HeaderMap::new();
    basic.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
    assert_eq!(fail(basic), AuthFailure::Malformed);
    assert_eq!(fail(bearer("")), AuthFailure::Malformed);
    assert_eq!(fail(bearer("dsos_00")), AuthFailure::Invalid);

    store.revoke(record.principal.token_id()).unwrap();
    assert_eq!(fail(bearer(token.expose_secret())), AuthFailure::Invalid);
    assert!(store.list()[0].revoked);
}

#[test]
fn revoking_an_unknown_token_fails() {
    let store = InMemoryTokenStore::new();
    assert!(matches!(
        store.revoke(&TokenId::new("tok_x")),
        Err(TokenError::Unknown(_))
    ));
}

#[test]
fn bindings_must_fit_roles() {
    let id = || TokenId::new("t");
    let prov = || Some(ProviderId::new("acme").unwrap());
    let body = || Some("05315000".to_owned());
    let table = [
        (Role::Coordinator, None, None, true),
        (Role::Auditor, None, None, true),
        (Role::Body, body(), None, true),
        (Role::Provider, None, prov(), true),
        (Role::Body, None, None, false),
        (Role::Body, body(), prov(), false),
        (Role::Provider, body(), None, false),
        (Role::Coordinator, body(), None, false),
        (Role::Auditor, None, prov(), false),
    ];
    for (role, body, provider, ok) in table {
        assert_eq!(
            Principal::new(role, body, provider, id()).is_ok(),
            ok,
            "{role:?}"
        );
    }
}

#[test]
fn require_role_denies_unlisted_roles() {
    let p = Principal::new(Role::Auditor, None, None, TokenId::new("t")).unwrap();
    assert!(require_role(&p, &[Role::Auditor, Role::Coordinator]).is_ok());
    assert!(matches!(
        require_role(&p, &[Role::Coordinator]),
        Err(ApiError::Forbidden)
    ));
    assert!(require_role(&p, &[]).is_err());
}
