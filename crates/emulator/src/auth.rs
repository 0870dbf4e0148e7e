//! TC3-HMAC-SHA256 verification, server side.
//!
//! The emulator rebuilds the canonical request from what it actually received (the `Host`
//! header verbatim, whatever headers the client listed in `SignedHeaders`, the raw body bytes)
//! and compares signatures in constant time. The signing arithmetic is the client's own
//! [`tencentcloud::sign`], which the official vectors pin; the real `tccli` driving the
//! emulator keeps both honest end to end.

use crate::cam::DEFAULT_ACCOUNT_UIN;
use crate::clb::world::World;
use crate::config::EmulatorConfig;
use crate::error::ApiFailure;
use crate::sts::sessions::{Session, Sessions};
use http::HeaderMap;
use tencentcloud::sign::{self, SignRequest};

/// Allowed difference between `X-TC-Timestamp` and the emulator's clock.
pub(crate) const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Credential-scope service name for CLB.
pub const SERVICE: &str = "clb";

/// The request the SDKs sign for a POST to `/`: `content-type` and `host` plus any extra headers.
#[allow(clippy::too_many_arguments)]
fn sign_request<'a>(
    service: &'a str,
    secret_id: &'a str,
    secret_key: &'a str,
    host: &'a str,
    content_type: &'a str,
    timestamp: i64,
    payload: &'a [u8],
    extra_signed_headers: &'a [(&'a str, &'a str)],
) -> SignRequest<'a> {
    SignRequest {
        secret_id,
        secret_key,
        service,
        host,
        timestamp,
        method: "POST",
        canonical_uri: "/",
        canonical_query: "",
        content_type,
        payload,
        extra_signed_headers,
    }
}

/// Builds an `Authorization` value the way the SDKs do (signing `content-type;host`).
/// Meant for tests and tools that need to talk to the emulator.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    content_type: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    sign::authorization(&sign_request(
        SERVICE,
        secret_id,
        secret_key,
        host,
        content_type,
        timestamp,
        body,
        &[],
    ))
}

fn failure(message: &str) -> ApiFailure {
    ApiFailure::new("AuthFailure.SignatureFailure", message)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Verifies the TC3 signature of a received CLB request against the one accepted key pair.
/// `now` is the server clock in Unix seconds.
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    secret_id: &str,
    secret_key: &str,
    now: i64,
) -> Result<(), ApiFailure> {
    verify_signed(headers, body, SERVICE, now, |id| {
        (id == secret_id).then(|| secret_key.to_string())
    })
    .map(|_| ())
}

/// Who signed a request.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// A long-term key of this root account.
    Account { uin: String },
    /// Temporary credentials of a role session.
    Session(Box<Session>),
}

impl Caller {
    /// The account the caller acts in (for a role session: the role's owner).
    pub fn account_id(&self) -> &str {
        match self {
            Caller::Account { uin } => uin,
            Caller::Session(s) => &s.account_id,
        }
    }

    /// `LongTermKey` or `SessionToken`, as the metrics count calls.
    pub(crate) fn credential_kind(&self) -> &'static str {
        match self {
            Caller::Account { .. } => "LongTermKey",
            Caller::Session(_) => "SessionToken",
        }
    }

    /// Checks CAM permissions: a root account may do anything; a session what its role and
    /// session policy allow.
    pub(crate) fn authorize(
        &self,
        operation: &str,
        resource: &str,
        request_id: &str,
    ) -> Result<(), ApiFailure> {
        match self {
            Caller::Account { .. } => Ok(()),
            Caller::Session(s) if s.allows(operation, resource) => Ok(()),
            Caller::Session(_) => Err(ApiFailure::new(
                "UnauthorizedOperation",
                crate::cam::denial(request_id, operation, resource),
            )),
        }
    }
}

/// The account owning a long-term SecretId.
fn owner_of(world: &World, secret_id: &str) -> String {
    world
        .accounts
        .iter()
        .find(|a| a.secret_ids.iter().any(|id| id == secret_id))
        .map(|a| a.uin.clone())
        .unwrap_or_else(|| DEFAULT_ACCOUNT_UIN.to_string())
}

/// Verifies a signed request for `service` and says who sent it: the emulator's long-term key,
/// or temporary credentials it issued, whose `X-TC-Token` must match and be unexpired.
pub(crate) fn authenticate(
    config: &EmulatorConfig,
    world: &World,
    sessions: &Sessions,
    headers: &HeaderMap,
    body: &[u8],
    service: &str,
    now: i64,
) -> Result<Caller, ApiFailure> {
    let secret_id = verify_signed(headers, body, service, now, |id| {
        if id == config.secret_id {
            Some(config.secret_key.clone())
        } else {
            sessions.get(id).map(|s| s.tmp_secret_key.clone())
        }
    })?;
    if secret_id == config.secret_id {
        return Ok(Caller::Account {
            uin: owner_of(world, &secret_id),
        });
    }
    let Some(session) = sessions.get(&secret_id) else {
        return Err(ApiFailure::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    };
    let token_failure = |m: &str| ApiFailure::new("AuthFailure.TokenFailure", m);
    match header(headers, "x-tc-token") {
        None => {
            return Err(token_failure(
                "Token error: the request is signed with temporary credentials but carries no X-TC-Token.",
            ));
        }
        Some(t) if !sign::signatures_match(t.trim(), &session.token) => {
            return Err(token_failure(
                "Token error: X-TC-Token does not belong to this TmpSecretId.",
            ));
        }
        Some(_) => {}
    }
    if u64::try_from(now).unwrap_or(0) >= session.expires_at {
        return Err(token_failure(&format!(
            "Token error: the temporary credentials expired at {} (Unix seconds); get new ones.",
            session.expires_at
        )));
    }
    Ok(Caller::Session(Box::new(session.clone())))
}

/// Verifies the TC3 signature with the key `key_of` gives for the signing SecretId; returns
/// that SecretId.
pub(crate) fn verify_signed(
    headers: &HeaderMap,
    body: &[u8],
    service: &str,
    now: i64,
    key_of: impl Fn(&str) -> Option<String>,
) -> Result<String, ApiFailure> {
    let invalid = |m: &str| ApiFailure::new("AuthFailure.InvalidAuthorization", m);
    let raw = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| invalid("Authorization header is missing"))?;
    let auth = raw
        .to_str()
        .ok()
        .and_then(sign::parse_authorization)
        .ok_or_else(|| invalid("Authorization header is not in the TC3-HMAC-SHA256 format"))?;
    let Some(secret_key) = key_of(&auth.secret_id) else {
        return Err(ApiFailure::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    };
    let timestamp = header(headers, "x-tc-timestamp")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            ApiFailure::new(
                "MissingParameter",
                "The X-TC-Timestamp header is missing or not an integer.",
            )
        })?;
    // Saturating: a hostile timestamp such as i64::MIN must not overflow.
    if now.saturating_sub(timestamp).saturating_abs() > MAX_CLOCK_SKEW_SECS {
        return Err(ApiFailure::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired: X-TC-Timestamp {timestamp} differs from server time {now} by more than 5 minutes."
            ),
        ));
    }
    if sign::utc_date(timestamp) != auth.date {
        return Err(failure(
            "The credential date does not match the UTC date of X-TC-Timestamp.",
        ));
    }
    if auth.service != service {
        return Err(failure(&format!(
            "The credential scope must name the service {service}."
        )));
    }
    let listed = &auth.signed_headers;
    if !listed.iter().any(|h| h == "content-type") || !listed.iter().any(|h| h == "host") {
        return Err(failure("SignedHeaders must include content-type and host."));
    }
    let mut values: Vec<(&str, &str)> = Vec::with_capacity(listed.len());
    for name in listed {
        let value = header(headers, name).ok_or_else(|| {
            failure(&format!(
                "Signed header {name} is missing from the request."
            ))
        })?;
        if !values.iter().any(|(n, _)| n == name) {
            values.push((name.as_str(), value));
        }
    }
    let value_of = |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let (content_type, host) = (
        value_of("content-type").unwrap_or_default(),
        value_of("host").unwrap_or_default(),
    );
    let extra: Vec<(&str, &str)> = values
        .iter()
        .copied()
        .filter(|(n, _)| *n != "content-type" && *n != "host")
        .collect();
    // With this marker the client signed the marker itself instead of the body.
    let unsigned =
        header(headers, "x-tc-content-sha256").is_some_and(|v| v.trim() == "UNSIGNED-PAYLOAD");
    let payload: &[u8] = if unsigned { b"UNSIGNED-PAYLOAD" } else { body };
    let expected = sign::signature(&sign_request(
        service,
        &auth.secret_id,
        &secret_key,
        host,
        content_type,
        timestamp,
        payload,
        &extra,
    ));
    if sign::signatures_match(&expected, &auth.signature) {
        Ok(auth.secret_id)
    } else {
        Err(failure(
            "The provided credentials could not be validated. Please check your signature is correct.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    /// The shared official vectors: `shared/` sits beside the checkout (CI) or higher up.
    fn vectors() -> serde_json::Value {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = root
            .ancestors()
            .map(|dir| dir.join("shared/reference/tc3-vectors.json"))
            .find(|p| p.is_file())
            .expect("shared/reference/tc3-vectors.json not found beside or above the checkout");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        h
    }

    #[test]
    fn verify_accepts_every_official_clb_vector() {
        let mut checked = 0;
        for v in vectors()["vectors"].as_array().unwrap() {
            let (i, e) = (&v["inputs"], &v["expected"]);
            if i["service"] != "clb" {
                continue;
            }
            let ts = i["timestamp"].as_i64().unwrap();
            let body = hex::decode(i["body_hex"].as_str().unwrap()).unwrap();
            let h = headers(&[
                ("content-type", i["content_type"].as_str().unwrap()),
                ("host", i["host"].as_str().unwrap()),
                ("x-tc-action", i["action"].as_str().unwrap()),
                ("x-tc-timestamp", &ts.to_string()),
                ("authorization", e["authorization"].as_str().unwrap()),
            ]);
            let (id, key) = (
                i["secret_id"].as_str().unwrap(),
                i["secret_key"].as_str().unwrap(),
            );
            assert_eq!(verify(&h, &body, id, key, ts + 10), Ok(()), "{}", v["name"]);
            // One changed body byte must break it.
            let mut tampered = body.clone();
            tampered.push(b' ');
            assert!(verify(&h, &tampered, id, key, ts).is_err(), "{}", v["name"]);
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} clb vectors found");
    }

    #[test]
    fn verify_honours_x_tc_action_in_signed_headers() {
        let (id, key, ts, body) = ("AKIDEXAMPLE", "secret", 1_700_000_000, b"{}");
        let extra = [("x-tc-action", "DescribeLoadBalancers")];
        let request = sign_request(
            SERVICE,
            id,
            key,
            "127.0.0.1:9",
            "application/json",
            ts,
            body,
            &extra,
        );
        let auth = sign::authorization(&request);
        assert!(auth.contains("SignedHeaders=content-type;host;x-tc-action"));
        let mut h = headers(&[
            ("content-type", "application/json"),
            ("host", "127.0.0.1:9"),
            ("x-tc-action", "DescribeLoadBalancers"),
            ("x-tc-timestamp", &ts.to_string()),
            ("authorization", &auth),
        ]);
        assert_eq!(verify(&h, body, id, key, ts), Ok(()));
        h.insert("x-tc-action", HeaderValue::from_static("DescribeListeners"));
        assert_eq!(
            verify(&h, body, id, key, ts).unwrap_err().code,
            "AuthFailure.SignatureFailure"
        );
    }

    fn signed(ts: i64, key: &str, body: &[u8]) -> HeaderMap {
        let host = "http://127.0.0.1:1234";
        let a = authorization("AKIDEXAMPLE", key, host, "application/json", ts, body);
        headers(&[
            ("content-type", "application/json"),
            ("host", host),
            ("x-tc-timestamp", &ts.to_string()),
            ("authorization", &a),
        ])
    }

    #[test]
    fn verify_failures_have_the_documented_codes() {
        let ts = 1_800_000_000;
        let body = b"{}";
        let code = |h: &HeaderMap, b: &[u8], now: i64| {
            verify(h, b, "AKIDEXAMPLE", "k", now).unwrap_err().code
        };
        assert_eq!(
            verify(&signed(ts, "k", body), body, "AKIDEXAMPLE", "k", ts),
            Ok(())
        );
        assert_eq!(
            code(&signed(ts, "wrong", body), body, ts),
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            code(&signed(ts, "k", body), b"{ }", ts),
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            code(&signed(ts, "k", body), body, ts + 301),
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            code(&signed(ts, "k", body), body, ts - 301),
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            verify(&signed(ts, "k", body), body, "AKIDEXAMPLE", "k", ts + 300),
            Ok(())
        );
        assert_eq!(
            verify(&signed(ts, "k", body), body, "AKIDOTHER", "k", ts)
                .unwrap_err()
                .code,
            "AuthFailure.SecretIdNotFound"
        );
        let mut h = signed(ts, "k", body);
        h.remove("authorization");
        assert_eq!(code(&h, body, ts), "AuthFailure.InvalidAuthorization");
        h.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(code(&h, body, ts), "AuthFailure.InvalidAuthorization");
        // Extreme timestamps are expired, never an arithmetic overflow.
        for ts_text in ["-9223372036854775808", "9223372036854775807"] {
            let mut h = signed(ts, "k", body);
            h.insert("x-tc-timestamp", HeaderValue::from_static(ts_text));
            assert_eq!(code(&h, body, ts), "AuthFailure.SignatureExpire");
        }
        // A different Host than the one signed must fail: the host is part of the signature.
        let mut h = signed(ts, "k", body);
        h.insert("host", HeaderValue::from_static("127.0.0.1:1234"));
        assert_eq!(code(&h, body, ts), "AuthFailure.SignatureFailure");
    }

    #[test]
    fn unsigned_payload_signs_the_marker_instead_of_the_body() {
        let (ts, key) = (1_800_000_000, "k");
        let marker = b"UNSIGNED-PAYLOAD";
        let auth = sign::authorization(&sign_request(
            SERVICE,
            "AKIDEXAMPLE",
            key,
            "h",
            "application/json",
            ts,
            marker,
            &[],
        ));
        let mut h = headers(&[
            ("content-type", "application/json"),
            ("host", "h"),
            ("x-tc-timestamp", &ts.to_string()),
            ("authorization", &auth),
        ]);
        // Without the marker header the body hash is used, so this signature is wrong.
        assert!(verify(&h, b"{\"any\":1}", "AKIDEXAMPLE", key, ts).is_err());
        h.insert(
            "x-tc-content-sha256",
            HeaderValue::from_static("UNSIGNED-PAYLOAD"),
        );
        assert_eq!(verify(&h, b"{\"any\":1}", "AKIDEXAMPLE", key, ts), Ok(()));
    }
}
