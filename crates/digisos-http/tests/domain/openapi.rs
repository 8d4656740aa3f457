//! Every success response of the domain API is described by a named schema: the test walks
//! `/openapi.json` from each 2xx response of a `/v1/...` path through every schema it
//! reaches and fails on a bare object (no `$ref`, no properties), so that a new endpoint
//! or field cannot slip back to `body = Object`. Exceptions are listed with their reason.

use std::collections::BTreeSet;

use serde_json::Value;

/// Responses whose top-level schema may be something other than a `$ref` to a named
/// schema, as `"METHOD path status"`.
const UNNAMED_RESPONSES: &[(&str, &str)] = &[(
    "GET /v1/audit/export 200",
    "JSON Lines (application/x-ndjson), one stored event per line: a string, not a JSON document",
)];

/// Schemas reached from a response that may be bare objects, as `Schema.field` (`.*` for
/// the values of a map).
const BARE_OBJECTS: &[(&str, &str)] = &[
    (
        "EventView.event",
        "the core's event enum is large and versioned with the log; documented in prose",
    ),
    (
        "ContractView.calendars.*",
        "a calendar as written in the contract file (24x7 or business hours); documented in prose",
    ),
];

struct Walk<'a> {
    schemas: &'a serde_json::Map<String, Value>,
    visited: BTreeSet<String>,
    bare: BTreeSet<String>,
}

impl Walk<'_> {
    fn schema(&mut self, s: &Value, at: &str) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/schemas/").to_owned();
            let target = self.schemas.get(&name);
            assert!(target.is_some(), "{at}: dangling reference {r}");
            if self.visited.insert(name.clone()) {
                self.schema(target.unwrap(), &name);
            }
            return;
        }
        let mut typed = false;
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            typed = true;
            for (field, p) in props {
                self.schema(p, &format!("{at}.{field}"));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(parts) = s.get(key).and_then(Value::as_array) {
                typed = true;
                for p in parts {
                    self.schema(p, at);
                }
            }
        }
        if let Some(items) = s.get("items") {
            self.schema(items, &format!("{at}[]"));
        }
        if let Some(values) = s.get("additionalProperties").filter(|v| v.is_object()) {
            typed = true;
            self.schema(values, &format!("{at}.*"));
        }
        let types = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let untyped = types.is_empty() && s.get("enum").is_none() && s.get("const").is_none();
        if !typed && (types.contains(&"object") || untyped) {
            self.bare.insert(at.to_owned());
        }
    }
}

#[test]
fn every_success_response_of_the_domain_api_has_a_named_schema() {
    let doc = serde_json::to_value(digisos_http::openapi(digisos_http::routes())).unwrap();
    let mut walk = Walk {
        schemas: doc["components"]["schemas"].as_object().unwrap(),
        visited: BTreeSet::new(),
        bare: BTreeSet::new(),
    };
    let mut unnamed = BTreeSet::new();
    let mut responses = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                responses += 1;
                let label = format!("{} {path} {status}", method.to_uppercase());
                let content = response["content"].as_object();
                let schemas: Vec<&Value> = content
                    .into_iter()
                    .flat_map(|c| c.values())
                    .filter_map(|media| media.get("schema"))
                    .collect();
                if schemas.is_empty() {
                    unnamed.insert(label.clone());
                }
                for schema in schemas {
                    if schema.get("$ref").is_none() {
                        unnamed.insert(label.clone());
                    }
                    walk.schema(schema, &label);
                }
            }
        }
    }
    assert!(responses >= 20, "only {responses} success responses found");

    let allowed = |list: &[(&str, &str)]| -> BTreeSet<String> {
        list.iter().map(|(what, _)| (*what).to_owned()).collect()
    };
    let unnamed_allowed = allowed(UNNAMED_RESPONSES);
    let bare_allowed = allowed(BARE_OBJECTS);
    let bare_outside: BTreeSet<_> = walk
        .bare
        .iter()
        .filter(|b| !unnamed_allowed.contains(*b))
        .cloned()
        .collect();
    assert_eq!(
        unnamed, unnamed_allowed,
        "2xx responses of /v1 must reference a named schema (`body = SomeView`); \
         list a justified exception in UNNAMED_RESPONSES"
    );
    assert_eq!(
        bare_outside, bare_allowed,
        "schemas reached from 2xx responses must not be bare objects (`Object`); give the \
         field a typed view, or list a justified exception in BARE_OBJECTS"
    );
}
