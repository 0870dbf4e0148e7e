//! Redaction of request and response bodies before they reach the trace log.

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
];

/// Longest body text written to the log.
const MAX_LOGGED: usize = 4096;

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
pub fn redacted_body(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            scrub(&mut v);
            let mut text = v.to_string();
            if text.len() > MAX_LOGGED {
                let mut cut = MAX_LOGGED;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push('…');
            }
            text
        }
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
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
    fn non_json_is_not_shown() {
        assert_eq!(redacted_body(b"Authorization: x"), "<16 bytes, not JSON>");
    }
}
