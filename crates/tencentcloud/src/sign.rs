//! TC3-HMAC-SHA256 request signing for Tencent Cloud API 3.0, as pure functions.
//!
//! Everything here is deterministic: the caller supplies the timestamp and the exact body bytes
//! that go on the wire. The emulator uses the same functions to verify incoming requests, so both
//! sides are pinned by the shared test vectors.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Name of the signing algorithm, as it appears in the string to sign and the Authorization header.
pub(crate) const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Everything needed to sign one request.
///
/// `host` and `content_type` must be byte-identical to the `Host` and `Content-Type` headers that
/// are sent; `payload` must be the exact body bytes.
#[derive(Clone, Copy)]
pub struct SignRequest<'a> {
    /// Access key ID (`AKID…`); appears in clear in the Authorization header.
    pub secret_id: &'a str,
    /// Secret key; only used to derive the signing key.
    pub secret_key: &'a str,
    /// Product name, e.g. `clb` (never derived from the host).
    pub service: &'a str,
    /// The `Host` header value exactly as sent, e.g. `clb.tencentcloudapi.com` or `127.0.0.1:8080`.
    pub host: &'a str,
    /// Unix seconds, also sent as `X-TC-Timestamp`.
    pub timestamp: i64,
    /// HTTP method, normally `POST`.
    pub method: &'a str,
    /// Path, always `/` for API 3.0.
    pub canonical_uri: &'a str,
    /// Query string, empty for POST.
    pub canonical_query: &'a str,
    /// The `Content-Type` header value exactly as sent.
    pub content_type: &'a str,
    /// The body bytes exactly as sent.
    pub payload: &'a [u8],
    /// Headers signed in addition to `content-type` and `host`, e.g. `("x-tc-action", "associatetargetgroups")`.
    pub extra_signed_headers: &'a [(&'a str, &'a str)],
}

impl std::fmt::Debug for SignRequest<'_> {
    // The secret key must never reach logs, even through a stray `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignRequest")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("service", &self.service)
            .field("host", &self.host)
            .field("timestamp", &self.timestamp)
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field("payload_len", &self.payload.len())
            .field("extra_signed_headers", &self.extra_signed_headers)
            .finish()
    }
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp; the credential scope uses UTC, never local time.
pub fn utc_date(timestamp: i64) -> String {
    let days = timestamp.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm); total for any i64
// timestamp, unlike a calendar library that would reject out-of-range years.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `<date>/<service>/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    format!("{date}/{service}/tc3_request")
}

/// The signed headers as sorted `(lowercase name, trimmed lowercase value)` pairs.
fn signed_headers(r: &SignRequest) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "content-type".to_string(),
            r.content_type.trim().to_ascii_lowercase(),
        ),
        ("host".to_string(), r.host.trim().to_ascii_lowercase()),
    ];
    for (name, value) in r.extra_signed_headers {
        let name = name.trim().to_ascii_lowercase();
        // content-type and host are always signed from the dedicated fields; a duplicate would
        // produce a header list the server cannot reproduce.
        if headers.iter().any(|(n, _)| *n == name) {
            continue;
        }
        headers.push((name, value.trim().to_ascii_lowercase()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    headers
}

/// The `SignedHeaders` value, e.g. `content-type;host`.
pub(crate) fn signed_header_names(r: &SignRequest) -> String {
    signed_headers(r)
        .into_iter()
        .map(|(n, _)| n)
        .collect::<Vec<_>>()
        .join(";")
}

/// The canonical request: method, URI, query, canonical headers, signed header names, payload hash.
pub fn canonical_request(r: &SignRequest) -> String {
    let headers = signed_headers(r);
    let mut canonical_headers = String::new();
    for (name, value) in &headers {
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value);
        canonical_headers.push('\n');
    }
    let names = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        r.method,
        r.canonical_uri,
        r.canonical_query,
        canonical_headers,
        names,
        sha256_hex(r.payload)
    )
}

/// The string to sign for a given canonical request.
pub fn string_to_sign(r: &SignRequest, canonical_request: &str) -> String {
    let scope = credential_scope(&utc_date(r.timestamp), r.service);
    format!(
        "{ALGORITHM}\n{}\n{scope}\n{}",
        r.timestamp,
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The derived keys `(kDate, kService, kSigning)` for a secret key, date and service.
pub fn derive_keys(secret_key: &str, date: &str, service: &str) -> ([u8; 32], [u8; 32], [u8; 32]) {
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    (k_date, k_service, k_signing)
}

/// The lowercase hex signature of a request.
pub fn signature(r: &SignRequest) -> String {
    let canonical = canonical_request(r);
    let to_sign = string_to_sign(r, &canonical);
    let (_, _, k_signing) = derive_keys(r.secret_key, &utc_date(r.timestamp), r.service);
    hex::encode(hmac_sha256(&k_signing, to_sign.as_bytes()))
}

/// The full `Authorization` header value.
pub fn authorization(r: &SignRequest) -> String {
    format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
        r.secret_id,
        credential_scope(&utc_date(r.timestamp), r.service),
        signed_header_names(r),
        signature(r)
    )
}

/// Compares two signatures in time independent of where they differ, so a verifying server does
/// not leak how much of a forged signature was right.
pub fn signatures_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The parts of a TC3 `Authorization` header, for servers that verify requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// Access key ID.
    pub secret_id: String,
    /// `YYYY-MM-DD` of the credential scope.
    pub date: String,
    /// Service of the credential scope.
    pub service: String,
    /// Signed header names, as listed (lower-case, `;`-separated on the wire).
    pub signed_headers: Vec<String>,
    /// Lowercase hex signature.
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>`.
///
/// Whitespace after the commas is optional. Returns `None` for anything else, so a server can
/// answer `AuthFailure.InvalidAuthorization` without further checks.
pub fn parse_authorization(header: &str) -> Option<ParsedAuthorization> {
    let rest = header.trim().strip_prefix(ALGORITHM)?.trim_start();
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(value.to_string()).is_some() {
            return None;
        }
    }
    let credential = credential?;
    let mut scope = credential.split('/');
    let (secret_id, date, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if scope.next().is_some() || terminator != "tc3_request" || secret_id.is_empty() {
        return None;
    }
    let signature = signature?;
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    let signed_headers: Vec<String> = signed?.split(';').map(str::to_string).collect();
    if signed_headers.iter().any(String::is_empty) {
        return None;
    }
    Some(ParsedAuthorization {
        secret_id: secret_id.to_string(),
        date: date.to_string(),
        service: service.to_string(),
        signed_headers,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_uses_utc_not_local_time() {
        // 16:44Z on the 25th is already the 26th in UTC+8.
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
    }

    #[test]
    fn extra_headers_are_sorted_and_lowercased() {
        let r = SignRequest {
            secret_id: "id",
            secret_key: "key",
            service: "clb",
            host: "h",
            timestamp: 0,
            method: "POST",
            canonical_uri: "/",
            canonical_query: "",
            content_type: "application/json",
            payload: b"{}",
            extra_signed_headers: &[("X-TC-Action", " AssociateTargetGroups "), ("a-first", "v")],
        };
        assert_eq!(
            signed_header_names(&r),
            "a-first;content-type;host;x-tc-action"
        );
        assert!(canonical_request(&r).contains("\nx-tc-action:associatetargetgroups\n"));
    }

    #[test]
    fn debug_redacts_secret_key() {
        let r = SignRequest {
            secret_id: "id",
            secret_key: "very-secret",
            service: "clb",
            host: "h",
            timestamp: 0,
            method: "POST",
            canonical_uri: "/",
            canonical_query: "",
            content_type: "application/json",
            payload: b"{}",
            extra_signed_headers: &[],
        };
        assert!(!format!("{r:?}").contains("very-secret"));
    }

    #[test]
    fn authorization_round_trips_through_the_parser() {
        let r = SignRequest {
            secret_id: "AKIDEXAMPLE",
            secret_key: "key",
            service: "clb",
            host: "127.0.0.1:1",
            timestamp: 1_551_113_065,
            method: "POST",
            canonical_uri: "/",
            canonical_query: "",
            content_type: "application/json",
            payload: b"{}",
            extra_signed_headers: &[("x-tc-action", "describetaskstatus")],
        };
        let parsed = parse_authorization(&authorization(&r)).unwrap();
        assert_eq!(parsed.secret_id, "AKIDEXAMPLE");
        assert_eq!(parsed.date, "2019-02-25");
        assert_eq!(parsed.service, "clb");
        assert_eq!(
            parsed.signed_headers,
            ["content-type", "host", "x-tc-action"]
        );
        assert_eq!(parsed.signature, signature(&r));
        assert!(signatures_match(&parsed.signature, &signature(&r)));
        assert!(!signatures_match(&parsed.signature, &"0".repeat(64)));
        assert!(!signatures_match(&parsed.signature, "short"));
        let tight = authorization(&r).replace(", ", ",");
        assert_eq!(parse_authorization(&tight), Some(parsed));
    }

    #[test]
    fn malformed_authorization_is_rejected() {
        let sig = "a".repeat(64);
        for bad in [
            String::new(),
            "Bearer x".to_string(),
            format!(
                "TC3-HMAC-SHA256 Credential=id/2019-02-25/clb, SignedHeaders=host, Signature={sig}"
            ),
            "TC3-HMAC-SHA256 Credential=id/2019-02-25/clb/tc3_request, SignedHeaders=host, Signature=XYZ".to_string(),
            format!("TC3-HMAC-SHA256 Credential=id/2019-02-25/clb/tc3_request, Signature={sig}"),
            format!(
                "TC3-HMAC-SHA256 Credential=id/2019-02-25/clb/tc3_request, SignedHeaders=host;;a, Signature={sig}"
            ),
        ] {
            assert_eq!(parse_authorization(&bad), None, "{bad}");
        }
    }
}
