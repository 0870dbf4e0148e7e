//! The API 3.0 response envelope: `{"Response": {..., "RequestId": ...}}`, with `Response.Error`
//! for failures (still HTTP 200).

use serde_json::Value;

use super::error::ApiError;
use super::redact::quoted_body;

/// Splits a 200 answer into its RequestId and `Response` object, or the typed API error it carries.
pub fn parse(action: &str, body: &[u8]) -> Result<(String, Value), ApiError> {
    let decode = |detail: String| ApiError::Decode {
        action: action.to_string(),
        detail: format!("{detail}; the body (redacted): {}", quoted_body(body)),
    };
    let mut root: Value =
        serde_json::from_slice(body).map_err(|e| decode(format!("not JSON ({e})")))?;
    let Some(response) = root.get_mut("Response").map(Value::take) else {
        return Err(decode("no `Response` object".to_string()));
    };
    if !response.is_object() {
        return Err(decode("`Response` is not an object".to_string()));
    }
    let request_id = response
        .get("RequestId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(error) = response.get("Error") {
        let code = error.get("Code").and_then(Value::as_str);
        let message = error.get("Message").and_then(Value::as_str).unwrap_or("");
        return match code {
            Some(code) => Err(ApiError::Api {
                code: code.to_string(),
                message: message.to_string(),
                request_id,
            }),
            None => Err(decode("`Response.Error` without a `Code`".to_string())),
        };
    }
    Ok((request_id, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_becomes_a_typed_error() {
        let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},"RequestId":"r-1"}}"#;
        match parse("A", body) {
            Err(ApiError::Api {
                code,
                message,
                request_id,
            }) => {
                assert_eq!(code, "AuthFailure.SignatureFailure");
                assert_eq!(message, "bad sig");
                assert_eq!(request_id, "r-1");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn success_keeps_the_response_object() {
        let (id, v) = parse("A", br#"{"Response":{"Status":0,"RequestId":"r-2"}}"#).unwrap();
        assert_eq!(id, "r-2");
        assert_eq!(v["Status"], 0);
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        for body in [
            &b"<html>"[..],
            b"{}",
            br#"{"Response":3}"#,
            br#"{"Response":{"Error":{}}}"#,
        ] {
            assert!(
                matches!(parse("A", body), Err(ApiError::Decode { .. })),
                "{body:?}"
            );
        }
    }
}
