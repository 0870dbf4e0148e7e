//! Pins the TC3 signer to the shared vectors (`../shared/reference/tc3-vectors.json`): every
//! intermediate value of every vector must match byte for byte.

use std::path::PathBuf;

use serde_json::Value;
use tencentcloud::sign::{
    self, SignRequest, authorization, canonical_request, credential_scope, derive_keys, signature,
    string_to_sign, utc_date,
};

const RELATIVE: &str = "shared/reference/tc3-vectors.json";

/// `CARGO_MANIFEST_DIR/../shared/…` as in CI; a git worktree sits one level deeper than the main
/// checkout, so further ancestors are tried too before giving up with the primary path.
fn vectors_path() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let primary = manifest.join("..").join(RELATIVE);
    if primary.is_file() {
        return primary;
    }
    manifest
        .ancestors()
        .skip(2)
        .map(|dir| dir.join(RELATIVE))
        .find(|p| p.is_file())
        .unwrap_or(primary)
}

fn load_vectors() -> Vec<Value> {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the TC3 vectors at {}: {e}. The shared reference directory must sit beside \
             the crate checkout (shared/reference/tc3-vectors.json).",
            path.display()
        )
    });
    let doc: Value = serde_json::from_str(&text).expect("tc3-vectors.json is not valid JSON");
    doc["vectors"]
        .as_array()
        .expect("tc3-vectors.json has no `vectors` array")
        .clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field `{key}` missing or not a string"))
}

/// Extra signed headers named in the expected Authorization (beyond content-type and host).
fn extra_header_names(expected_authorization: &str) -> Vec<String> {
    let list = expected_authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("expected authorization has SignedHeaders");
    list.split(';')
        .filter(|n| *n != "content-type" && *n != "host")
        .map(str::to_string)
        .collect()
}

fn request_from<'a>(
    i: &'a Value,
    body: &'a [u8],
    extras: &'a [(&'a str, &'a str)],
) -> SignRequest<'a> {
    SignRequest {
        secret_id: s(i, "secret_id"),
        secret_key: s(i, "secret_key"),
        service: s(i, "service"),
        host: s(i, "host"),
        timestamp: i["timestamp"].as_i64().expect("timestamp"),
        method: s(i, "http_method"),
        canonical_uri: s(i, "canonical_uri"),
        canonical_query: s(i, "canonical_query_string"),
        content_type: s(i, "content_type"),
        payload: body,
        extra_signed_headers: extras,
    }
}

#[test]
fn all_vectors_match_every_intermediate_value() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 17, "expected the 17 shared vectors");
    let mut saw_extra_header = false;
    for v in &vectors {
        let name = s(v, "name");
        let i = &v["inputs"];
        let e = &v["expected"];
        let body = hex::decode(s(i, "body_hex")).expect("body_hex");
        assert_eq!(
            body.len() as u64,
            i["body_len"].as_u64().expect("body_len"),
            "{name}: body_len"
        );
        let action_lower = s(i, "action").to_ascii_lowercase();
        let extra_names = extra_header_names(s(e, "authorization"));
        let extras: Vec<(&str, &str)> = extra_names
            .iter()
            .map(|n| match n.as_str() {
                "x-tc-action" => ("x-tc-action", action_lower.as_str()),
                other => panic!("{name}: vector signs unexpected header {other}"),
            })
            .collect();
        saw_extra_header |= !extras.is_empty();
        let r = request_from(i, &body, &extras);

        let date = utc_date(r.timestamp);
        assert_eq!(date, s(e, "date"), "{name}: date");
        assert_eq!(
            credential_scope(&date, r.service),
            s(e, "credential_scope"),
            "{name}: credential scope"
        );
        assert_eq!(
            sign::sha256_hex(&body),
            s(e, "hashed_request_payload"),
            "{name}: payload hash"
        );
        let canonical = canonical_request(&r);
        assert_eq!(
            canonical,
            s(e, "canonical_request"),
            "{name}: canonical request"
        );
        assert_eq!(
            sign::sha256_hex(canonical.as_bytes()),
            s(e, "hashed_canonical_request"),
            "{name}: hashed canonical request"
        );
        assert_eq!(
            string_to_sign(&r, &canonical),
            s(e, "string_to_sign"),
            "{name}: string to sign"
        );
        let (k_date, k_service, k_signing) = derive_keys(r.secret_key, &date, r.service);
        for (key, got) in [
            ("k_date_hex", k_date),
            ("k_service_hex", k_service),
            ("k_signing_hex", k_signing),
        ] {
            if let Some(want) = e[key].as_str() {
                assert_eq!(hex::encode(got), want, "{name}: {key}");
            }
        }
        assert_eq!(signature(&r), s(e, "signature"), "{name}: signature");
        assert_eq!(
            authorization(&r),
            s(e, "authorization"),
            "{name}: authorization"
        );
    }
    assert!(
        saw_extra_header,
        "no vector exercised an extra signed header (x-tc-action)"
    );
}

#[test]
fn changing_any_input_byte_changes_canonical_request_and_signature() {
    let vectors = load_vectors();
    let v = &vectors[0];
    let i = &v["inputs"];
    let e = &v["expected"];
    let original = hex::decode(s(i, "body_hex")).expect("body_hex");

    let mut body = original.clone();
    body[5] ^= 0x01;
    let r = request_from(i, &body, &[]);
    assert_ne!(canonical_request(&r), s(e, "canonical_request"));
    assert_ne!(signature(&r), s(e, "signature"));

    let r = SignRequest {
        host: "clb.ap-guangzhou.tencentcloudapi.com",
        ..request_from(i, &original, &[])
    };
    assert_ne!(canonical_request(&r), s(e, "canonical_request"));
    assert_ne!(signature(&r), s(e, "signature"));

    let r = SignRequest {
        content_type: "application/json; charset=utf-8",
        ..request_from(i, &original, &[])
    };
    assert_ne!(signature(&r), s(e, "signature"));

    // Sanity: the unmodified inputs do reproduce the vector, so the inequalities above mean something.
    assert_eq!(
        signature(&request_from(i, &original, &[])),
        s(e, "signature")
    );
}
