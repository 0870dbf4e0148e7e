//! Typed access to values through serde, so resource code works with plain structs.
//!
//! Null maps to `None` (`Option` fields), unknown is an error naming the attribute, because a
//! typed struct has no way to say "not known yet". Use the raw [`Value`] where unknowns matter
//! (validation and plan modification).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::{AttributePath, Number, Type, Value, ValueError, from_json};

/// Converts a wholly known value into `T` (null → `None`; unknown → error with its path).
pub fn from_value<T: DeserializeOwned>(v: &Value) -> Result<T, ValueError> {
    let json = plain_json(v, &AttributePath::root())?;
    serde_json::from_value(json).map_err(|e| ValueError::new(format!("cannot read value: {e}")))
}

/// Converts `t` into a value of type `ty`. Every attribute of an object type is present in the
/// result (absent or `None` fields become null); fields not in the type are dropped.
pub fn to_value<T: Serialize>(t: &T, ty: &Type) -> Result<Value, ValueError> {
    let json = serde_json::to_value(t)
        .map_err(|e| ValueError::new(format!("cannot serialise value: {e}")))?;
    from_json(&json, ty)
}

fn plain_json(v: &Value, path: &AttributePath) -> Result<Json, ValueError> {
    Ok(match v {
        Value::Null => Json::Null,
        Value::Unknown => {
            return Err(ValueError::at(
                path,
                "value is not known yet (it depends on something that will be known only after apply)",
            ));
        }
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => match n {
            Number::Int(i) => Json::from(*i),
            Number::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Number::Big(s) => s
                .parse::<serde_json::Number>()
                .map_or(Json::Null, Json::Number),
        },
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| plain_json(x, &path.clone().index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), plain_json(x, &path.clone().key(k))?)))
                .collect::<Result<_, ValueError>>()?,
        ),
        Value::Object(m) => Json::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), plain_json(x, &path.clone().attr(k))?)))
                .collect::<Result<_, ValueError>>()?,
        ),
        Value::Dynamic(_, inner) => plain_json(inner, path)?,
    })
}
