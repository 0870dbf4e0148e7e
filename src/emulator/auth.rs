//! TC3-HMAC-SHA256 verification, server side.
//!
//! The emulator rebuilds the canonical request from what it actually received (the `Host`
//! header verbatim, whatever headers the client listed in `SignedHeaders`, the raw body bytes)
//! and compares signatures in constant time. The small signing helpers are public so tests can
//! produce valid requests without depending on the client layer.

use super::error::ApiFailure;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

/// Allowed difference between `X-TC-Timestamp` and the emulator's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Credential-scope service name for CLB.
pub const SERVICE: &str = "clb";

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp; `None` when out of range.
pub fn utc_date(timestamp: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// `HMAC(kSigning, string_to_sign)` in hex, deriving kSigning from the key, date and service.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

/// The string to sign for a canonical request.
pub fn string_to_sign(
    timestamp: i64,
    date: &str,
    service: &str,
    canonical_request: &str,
) -> String {
    format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The canonical request for a POST to `/` with the given canonical headers block
/// (`name:value\n` lines) and signed-header list.
pub fn canonical_request(
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{hashed_payload}")
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
    let date = utc_date(timestamp).unwrap_or_default();
    let headers = format!("content-type:{content_type}\nhost:{host}\n");
    let canonical = canonical_request(&headers, "content-type;host", &sha256_hex(body));
    let sts = string_to_sign(timestamp, &date, SERVICE, &canonical);
    let sig = signature(secret_key, &date, SERVICE, &sts);
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{date}/{SERVICE}/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
    )
}

/// The parts of an `Authorization` header.
#[derive(Debug, PartialEq)]
struct ParsedAuthorization {
    secret_id: String,
    date: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.trim().strip_prefix("TC3-HMAC-SHA256 ")?;
    let (mut credential, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => sig = Some(v.trim()),
            _ => return None,
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope[..] else {
        return None;
    };
    let signed = signed?;
    let sig = sig?;
    let headers_ok = !signed.is_empty()
        && signed
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b';' || b == b'-');
    let sig_ok = sig.len() == 64
        && sig
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if secret_id.is_empty() || date.len() != 10 || service.is_empty() || !headers_ok || !sig_ok {
        return None;
    }
    Some(ParsedAuthorization {
        secret_id: secret_id.to_string(),
        date: date.to_string(),
        service: service.to_string(),
        signed_headers: signed.split(';').map(str::to_string).collect(),
        signature: sig.to_string(),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn failure(message: &str) -> ApiFailure {
    ApiFailure::new("AuthFailure.SignatureFailure", message)
}

/// Verifies the TC3 signature of a received request against the one accepted key pair.
/// `now` is the server clock in Unix seconds.
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    secret_id: &str,
    secret_key: &str,
    now: i64,
) -> Result<(), ApiFailure> {
    let invalid = |m: &str| ApiFailure::new("AuthFailure.InvalidAuthorization", m);
    let raw = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| invalid("Authorization header is missing"))?;
    let auth = raw
        .to_str()
        .ok()
        .and_then(parse_authorization)
        .ok_or_else(|| invalid("Authorization header is not in the TC3-HMAC-SHA256 format"))?;
    if auth.secret_id != secret_id {
        return Err(ApiFailure::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    let timestamp = headers
        .get("x-tc-timestamp")
        .and_then(|v| v.to_str().ok())
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
    if utc_date(timestamp).as_deref() != Some(auth.date.as_str()) {
        return Err(failure(
            "The credential date does not match the UTC date of X-TC-Timestamp.",
        ));
    }
    if auth.service != SERVICE {
        return Err(failure("The credential scope must name the service clb."));
    }
    let signed = &auth.signed_headers;
    if !signed.iter().any(|h| h == "content-type") || !signed.iter().any(|h| h == "host") {
        return Err(failure("SignedHeaders must include content-type and host."));
    }
    let mut sorted = signed.clone();
    sorted.sort();
    sorted.dedup();
    let mut values = Vec::with_capacity(sorted.len());
    for name in &sorted {
        let v = headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                failure(&format!(
                    "Signed header {name} is missing from the request."
                ))
            })?;
        values.push((name.as_str(), v.trim()));
    }
    let unsigned = headers
        .get("x-tc-content-sha256")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "UNSIGNED-PAYLOAD");
    let hashed_payload = if unsigned {
        sha256_hex(b"UNSIGNED-PAYLOAD")
    } else {
        sha256_hex(body)
    };
    let signed_list = sorted.join(";");
    // The SDKs sign values as sent; the signing document lower-cases them. Accept either,
    // but the host is always taken verbatim (tccli signs "http://127.0.0.1:PORT").
    for lowercase in [false, true] {
        let block: String = values
            .iter()
            .map(|(n, v)| {
                if lowercase && *n != "host" {
                    format!("{n}:{}\n", v.to_ascii_lowercase())
                } else {
                    format!("{n}:{v}\n")
                }
            })
            .collect();
        let canonical = canonical_request(&block, &signed_list, &hashed_payload);
        let sts = string_to_sign(timestamp, &auth.date, SERVICE, &canonical);
        let expected = signature(secret_key, &auth.date, SERVICE, &sts);
        if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
            return Ok(());
        }
    }
    Err(failure(
        "The provided credentials could not be validated. Please check your signature is correct.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn vectors() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/emulator/testdata/tc3-vectors.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn headers_for(v: &serde_json::Value) -> HeaderMap {
        let i = &v["inputs"];
        let e = &v["expected"];
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            HeaderValue::from_str(i["content_type"].as_str().unwrap()).unwrap(),
        );
        h.insert(
            "host",
            HeaderValue::from_str(i["host"].as_str().unwrap()).unwrap(),
        );
        h.insert(
            "x-tc-action",
            HeaderValue::from_str(i["action"].as_str().unwrap()).unwrap(),
        );
        h.insert(
            "x-tc-timestamp",
            HeaderValue::from_str(&i["timestamp"].to_string()).unwrap(),
        );
        h.insert(
            "authorization",
            HeaderValue::from_str(e["authorization"].as_str().unwrap()).unwrap(),
        );
        h
    }

    fn body_of(v: &serde_json::Value) -> Vec<u8> {
        hex::decode(v["inputs"]["body_hex"].as_str().unwrap()).unwrap()
    }

    #[test]
    fn primitives_match_every_official_vector() {
        for v in vectors()["vectors"].as_array().unwrap() {
            let i = &v["inputs"];
            let e = &v["expected"];
            let name = v["name"].as_str().unwrap();
            let ts = i["timestamp"].as_i64().unwrap();
            let date = utc_date(ts).unwrap();
            assert_eq!(date, e["date"].as_str().unwrap(), "{name}");
            assert_eq!(
                sha256_hex(&body_of(v)),
                e["hashed_request_payload"].as_str().unwrap(),
                "{name}"
            );
            let canonical = e["canonical_request"].as_str().unwrap();
            let sts = string_to_sign(ts, &date, i["service"].as_str().unwrap(), canonical);
            assert_eq!(sts, e["string_to_sign"].as_str().unwrap(), "{name}");
            let sig = signature(
                i["secret_key"].as_str().unwrap(),
                &date,
                i["service"].as_str().unwrap(),
                &sts,
            );
            assert_eq!(sig, e["signature"].as_str().unwrap(), "{name}");
        }
    }

    #[test]
    fn verify_accepts_every_clb_vector_including_extra_signed_headers() {
        let mut checked = 0;
        for v in vectors()["vectors"].as_array().unwrap() {
            let i = &v["inputs"];
            if i["service"] != "clb" && !v["name"].as_str().unwrap().contains("x_tc_action") {
                continue;
            }
            let ts = i["timestamp"].as_i64().unwrap();
            let id = i["secret_id"].as_str().unwrap();
            let key = i["secret_key"].as_str().unwrap();
            let r = if i["service"] == "clb" {
                verify(&headers_for(v), &body_of(v), id, key, ts + 10)
            } else {
                // The cvm vector names another service; check the x-tc-action canonicalisation
                // by rebuilding its canonical request from the received headers instead.
                let h = headers_for(v);
                let block = format!(
                    "content-type:{}\nhost:{}\nx-tc-action:{}\n",
                    h["content-type"].to_str().unwrap(),
                    h["host"].to_str().unwrap(),
                    h["x-tc-action"].to_str().unwrap().to_ascii_lowercase()
                );
                let c = canonical_request(
                    &block,
                    "content-type;host;x-tc-action",
                    &sha256_hex(&body_of(v)),
                );
                assert_eq!(c, v["expected"]["canonical_request"].as_str().unwrap());
                Ok(())
            };
            assert_eq!(r, Ok(()), "{}", v["name"]);
            checked += 1;
        }
        assert!(checked >= 10);
    }

    #[test]
    fn verify_honours_x_tc_action_in_signed_headers() {
        let (id, key, ts) = ("AKIDEXAMPLE", "secret", 1_700_000_000);
        let body = br#"{}"#;
        let date = utc_date(ts).unwrap();
        let block =
            "content-type:application/json\nhost:127.0.0.1:9\nx-tc-action:describeloadbalancers\n";
        let c = canonical_request(block, "content-type;host;x-tc-action", &sha256_hex(body));
        let sig = signature(key, &date, "clb", &string_to_sign(ts, &date, "clb", &c));
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.insert("host", HeaderValue::from_static("127.0.0.1:9"));
        h.insert(
            "x-tc-action",
            HeaderValue::from_static("DescribeLoadBalancers"),
        );
        h.insert(
            "x-tc-timestamp",
            HeaderValue::from_str(&ts.to_string()).unwrap(),
        );
        let auth = format!(
            "TC3-HMAC-SHA256 Credential={id}/{date}/clb/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={sig}"
        );
        h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
        assert_eq!(verify(&h, body, id, key, ts), Ok(()));
        h.insert("x-tc-action", HeaderValue::from_static("DescribeListeners"));
        assert_eq!(
            verify(&h, body, id, key, ts).unwrap_err().code,
            "AuthFailure.SignatureFailure"
        );
    }

    fn signed(ts: i64, key: &str, body: &[u8]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.insert("host", HeaderValue::from_static("http://127.0.0.1:1234"));
        h.insert(
            "x-tc-timestamp",
            HeaderValue::from_str(&ts.to_string()).unwrap(),
        );
        let a = authorization(
            "AKIDEXAMPLE",
            key,
            "http://127.0.0.1:1234",
            "application/json",
            ts,
            body,
        );
        h.insert("authorization", HeaderValue::from_str(&a).unwrap());
        h
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
        let date = utc_date(ts).unwrap();
        let block = "content-type:application/json\nhost:h\n";
        let c = canonical_request(block, "content-type;host", &sha256_hex(b"UNSIGNED-PAYLOAD"));
        let sig = signature(key, &date, "clb", &string_to_sign(ts, &date, "clb", &c));
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.insert("host", HeaderValue::from_static("h"));
        h.insert(
            "x-tc-timestamp",
            HeaderValue::from_str(&ts.to_string()).unwrap(),
        );
        let auth = format!(
            "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/{date}/clb/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
        );
        h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
        // Without the marker header the body hash is used, so this signature is wrong.
        assert!(verify(&h, b"{\"any\":1}", "AKIDEXAMPLE", key, ts).is_err());
        h.insert(
            "x-tc-content-sha256",
            HeaderValue::from_static("UNSIGNED-PAYLOAD"),
        );
        assert_eq!(verify(&h, b"{\"any\":1}", "AKIDEXAMPLE", key, ts), Ok(()));
    }

    #[test]
    fn parse_authorization_is_lenient_on_spaces_but_strict_on_shape() {
        let sig = "0".repeat(64);
        let ok = format!(
            "TC3-HMAC-SHA256 Credential=AK/2026-01-01/clb/tc3_request,SignedHeaders=content-type;host,  Signature={sig}"
        );
        assert!(parse_authorization(&ok).is_some());
        let bad = format!(
            "TC3-HMAC-SHA256 Credential=AK/2026-01-01/clb/other, SignedHeaders=content-type;host, Signature={sig}"
        );
        assert!(parse_authorization(&bad).is_none());
        assert!(parse_authorization("TC3-HMAC-SHA256 Credential=AK/2026-01-01/clb/tc3_request, SignedHeaders=content-type;host, Signature=XYZ").is_none());
    }
}
