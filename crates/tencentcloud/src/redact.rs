//! Redaction of request and response bodies before they reach the trace log or an error
//! message: one rule for both, so what an error quotes is never more than a log would show.

use serde_json::Value;

/// Key fragments (lower-case) whose values are never logged.
const SENSITIVE: &[&str] = &[
    "secret",
    "token",
    "password",
    "authorization",
    "signature",
    "credential",
    "privatekey",
    "assertion",
];

/// Longest body text written to the log, in characters.
const MAX_LOGGED: usize = 4096;
/// Longest body text quoted in an error message, in characters.
const MAX_QUOTED: usize = 300;

fn is_sensitive(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SENSITIVE.iter().any(|s| lower.contains(s))
}

fn scrub(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_sensitive(k) {
                    *val = Value::String("<redacted>".into());
                } else {
                    scrub(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// A JSON body with the values of secret-looking keys replaced, truncated for the log. Bodies that
/// are not JSON are not shown at all, since nothing can be said about what they contain.
pub(crate) fn redacted_body(body: &[u8]) -> String {
    redacted_excerpt(body, MAX_LOGGED)
}

/// The same redaction, cut shorter, for a body quoted in an error message.
pub(crate) fn quoted_body(body: &[u8]) -> String {
    redacted_excerpt(body, MAX_QUOTED)
}

/// At most `max_chars` characters of `text`, with `…` when cut: how untrusted text is quoted, so
/// a huge value cannot make a huge message.
pub fn excerpt(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn redacted_excerpt(body: &[u8], max_chars: usize) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            scrub(&mut v);
            excerpt(v.to_string(), max_chars)
        }
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    }
}

/// `text` with the user-info part of a URL (`user:password@`) replaced, whether or not the URL
/// is otherwise valid, so an endpoint setting can be quoted in errors and logs.
pub fn without_user_info(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}<redacted>@{}", &text[..start], &text[start + at + 1..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_replaced_at_any_depth() {
        let body = br#"{"Response":{"TmpSecretKey":"k1","Token":"t1","Nested":[{"secretId":"i1","Ok":"visible"}]}}"#;
        let out = redacted_body(body);
        for secret in ["k1", "t1", "i1"] {
            assert!(!out.contains(&format!("\"{secret}\"")), "{out}");
        }
        assert!(out.contains("visible"));
    }

    #[test]
    fn user_info_is_replaced_in_any_url_text() {
        assert_eq!(
            without_user_info("http://u:p@127.0.0.1:8/x?y=@z"),
            "http://<redacted>@127.0.0.1:8/x?y=@z"
        );
        assert_eq!(without_user_info("u:p@h:1@host"), "<redacted>@host");
        assert_eq!(
            without_user_info("https://clb.tencentcloudapi.com/"),
            "https://clb.tencentcloudapi.com/"
        );
        assert_eq!(without_user_info("http://h/p@q"), "http://h/p@q");
    }

    #[test]
    fn quoted_bodies_are_redacted_and_short() {
        let body = format!(r#"{{"SecretKey":"k1","Pad":"{}"}}"#, "x".repeat(1000));
        let q = quoted_body(body.as_bytes());
        assert!(!q.contains("k1") && q.contains("<redacted>"), "{q}");
        assert!(q.chars().count() <= MAX_QUOTED + 1, "{}", q.len());
    }

    #[test]
    fn non_json_is_not_shown() {
        assert_eq!(redacted_body(b"Authorization: x"), "<16 bytes, not JSON>");
    }
}
