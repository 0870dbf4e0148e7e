//! The API 3.0 response envelope: `{"Response": {..., "RequestId": ...}}`, with `Response.Error`
//! for failures (still HTTP 200).
//!
//! The body is decoded once, straight into the caller's type: `Error` and `RequestId` are taken
//! aside while the other fields of `Response` stream into `T`. No generic JSON tree is built, so
//! decoding costs about the size of what `T` keeps, whatever else the body holds.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, IntoDeserializer, MapAccess, Visitor,
};
use serde::{Deserialize, Deserializer};

use super::error::ApiError;
use super::redact::quoted_body;

/// Splits a 200 answer into its RequestId and the typed `Response`, or the typed API error it
/// carries.
pub fn parse<T: DeserializeOwned>(action: &str, body: &[u8]) -> Result<(String, T), ApiError> {
    let decode = |detail: String| ApiError::Decode {
        action: action.to_string(),
        detail: format!("{detail}; the body (redacted): {}", quoted_body(body)),
    };
    let root: Root<T> = serde_json::from_slice(body)
        .map_err(|e| decode(format!("not a valid API 3.0 reply ({e})")))?;
    let Some(response) = root.response else {
        return Err(decode("no `Response` object".to_string()));
    };
    let request_id = response.request_id.unwrap_or_default();
    if let Some(error) = response.error {
        return match error.code {
            Some(code) => Err(ApiError::Api {
                code,
                message: error.message.unwrap_or_default(),
                request_id,
            }),
            None => Err(decode("`Response.Error` without a `Code`".to_string())),
        };
    }
    match response.fields {
        Ok(fields) => Ok((request_id, fields)),
        Err(detail) => Err(decode(format!("unexpected response fields: {detail}"))),
    }
}

/// `Response.Error`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

struct Root<T> {
    response: Option<Reply<T>>,
}

/// `Response`, split: the envelope's own fields, and the rest decoded as `T` (or why not).
struct Reply<T> {
    error: Option<ErrorBody>,
    request_id: Option<String>,
    fields: Result<T, String>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Root<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RootVisitor<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for RootVisitor<T> {
            type Value = Root<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object with a `Response` object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root<T>, A::Error> {
                let mut response = None;
                while let Some(key) = map.next_key::<KeyName>()? {
                    if key.0 == "Response" && response.is_none() {
                        response = Some(map.next_value_seed(ReplySeed(PhantomData))?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Root { response })
            }
        }
        d.deserialize_map(RootVisitor(PhantomData))
    }
}

/// A key, borrowed when the input allows it.
struct KeyName(String);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(KeyName)
    }
}

struct ReplySeed<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ReplySeed<T> {
    type Value = Reply<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Reply<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ReplySeed<T> {
    type Value = Reply<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the `Response` object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Reply<T>, A::Error> {
        let mut side = Aside::default();
        let fields = T::deserialize(de::value::MapAccessDeserializer::new(Split {
            inner: &mut map,
            aside: &mut side,
            pending_request_id: None,
        }));
        let fields = match fields {
            Ok(fields) => Ok(fields),
            Err(e) => {
                // `T` stopped at a field boundary (a missing or mistyped field): skip the rest,
                // still collecting `Error`, which explains a missing field better than `T` can.
                let detail = e.to_string();
                while let Some(key) = map.next_key::<KeyName>()? {
                    match key.0.as_str() {
                        "Error" => side.error = Some(map.next_value()?),
                        "RequestId" => side.request_id = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Err(detail)
            }
        };
        Ok(Reply {
            error: side.error,
            request_id: side.request_id,
            fields,
        })
    }
}

#[derive(Default)]
struct Aside {
    error: Option<ErrorBody>,
    request_id: Option<String>,
}

/// The `Response` map as `T` sees it: without `Error`, with `RequestId` passed through (some
/// types keep it) after a copy was taken aside.
struct Split<'a, A> {
    inner: &'a mut A,
    aside: &'a mut Aside,
    pending_request_id: Option<Option<String>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Split<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<KeyName>()? else {
                return Ok(None);
            };
            match key.0.as_str() {
                "Error" => {
                    self.aside.error = Some(self.inner.next_value()?);
                }
                "RequestId" => {
                    let id: Option<String> = self.inner.next_value()?;
                    self.aside.request_id = id.clone();
                    self.pending_request_id = Some(id);
                    return seed.deserialize(key.0.into_deserializer()).map(Some);
                }
                _ => return seed.deserialize(key.0.into_deserializer()).map(Some),
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending_request_id.take() {
            Some(id) => seed.deserialize(TakenRequestId(id, PhantomData)),
            None => self.inner.next_value_seed(seed),
        }
    }
}

/// The `RequestId` value handed on to `T` (a string, or null), as an `Option` or a plain string.
struct TakenRequestId<E>(Option<String>, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for TakenRequestId<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Some(id) => visitor.visit_string(id),
            None => visitor.visit_unit(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Some(id) => visitor.visit_some(IntoDeserializer::<E>::into_deserializer(id)),
            None => visitor.visit_none(),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Status {
        status: u64,
        request_id: Option<String>,
    }

    #[test]
    fn error_envelope_becomes_a_typed_error() {
        let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},"RequestId":"r-1"}}"#;
        match parse::<Status>("A", body) {
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
    fn error_wins_even_when_it_comes_after_other_fields() {
        let body =
            br#"{"Response":{"Status":"x","RequestId":"r","Error":{"Code":"InternalError"}}}"#;
        assert!(matches!(
            parse::<Status>("A", body),
            Err(ApiError::Api { code, .. }) if code == "InternalError"
        ));
    }

    #[test]
    fn success_is_decoded_into_the_type_with_its_request_id() {
        let (id, v) =
            parse::<Status>("A", br#"{"Response":{"Status":0,"RequestId":"r-2"}}"#).unwrap();
        assert_eq!(id, "r-2");
        assert_eq!(v.status, 0);
        assert_eq!(v.request_id.as_deref(), Some("r-2"));
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        for body in [
            &b"<html>"[..],
            b"{}",
            br#"{"Response":3}"#,
            br#"{"Response":{"Error":{}}}"#,
            br#"{"Response":{"RequestId":"x"}}"#,
            br#"{"Response":{"Status":"zero","RequestId":"x"}}"#,
            br#"{"Response":{"Status":0,"RequestId":"x""#,
        ] {
            assert!(
                matches!(parse::<Status>("A", body), Err(ApiError::Decode { .. })),
                "{body:?}"
            );
        }
    }
}
