//! Typed access to values through serde, so resource code works with plain structs.
//!
//! Null maps to `None` (`Option` fields). Unknown maps to [`Unknowable::Unknown`]; a field of
//! any other type that meets an unknown value is an error naming the attribute, because such a
//! field has no way to say "not known yet".
//!
//! serde goes through `serde_json::Value`, which has no unknown; an unknown travels as a
//! reserved one-key object that only [`Unknowable`] reads and writes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use super::{AttributePath, Number, Type, Value, ValueError, from_json};

/// The key of the object an unknown value becomes on its way through serde.
const UNKNOWN_MARKER: &str = "\u{0}tfplug:unknown";

fn unknown_json() -> Json {
    let mut m = serde_json::Map::new();
    m.insert(UNKNOWN_MARKER.to_string(), Json::Bool(true));
    Json::Object(m)
}

fn is_unknown_json(j: &Json) -> bool {
    matches!(j, Json::Object(m) if m.len() == 1 && m.contains_key(UNKNOWN_MARKER))
}

/// A model field that may be unknown (in configuration and plans: "known after apply").
///
/// Null is `Known(None)` for `Unknowable<Option<T>>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unknowable<T> {
    /// Not known until apply.
    Unknown,
    /// A known value.
    Known(T),
}

impl<T> Unknowable<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Unknowable::Known(t) => Some(t),
            Unknowable::Unknown => None,
        }
    }
    /// The value, when known.
    pub fn into_known(self) -> Option<T> {
        match self {
            Unknowable::Known(t) => Some(t),
            Unknowable::Unknown => None,
        }
    }
    /// True for [`Unknowable::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Unknowable::Unknown)
    }
}

impl<T> Unknowable<Option<T>> {
    /// The value when known and not null.
    pub fn known_value(&self) -> Option<&T> {
        self.known().and_then(Option::as_ref)
    }
}

impl<T: Default> Default for Unknowable<T> {
    fn default() -> Self {
        Unknowable::Known(T::default())
    }
}

impl<T> From<T> for Unknowable<T> {
    fn from(t: T) -> Self {
        Unknowable::Known(t)
    }
}

impl<T: Serialize> Serialize for Unknowable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Unknowable::Known(t) => t.serialize(s),
            Unknowable::Unknown => unknown_json().serialize(s),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Unknowable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = Json::deserialize(d)?;
        if is_unknown_json(&json) {
            return Ok(Unknowable::Unknown);
        }
        T::deserialize(json)
            .map(Unknowable::Known)
            .map_err(serde::de::Error::custom)
    }
}

/// Converts a value into `T` (null → `None`; unknown → [`Unknowable::Unknown`], or an error with
/// its path when the field cannot hold it). Errors name the attribute at fault.
pub fn from_value<T: DeserializeOwned>(v: &Value) -> Result<T, ValueError> {
    let json = plain_json(v);
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = attribute_path(v, e.path());
        match v.at_path(&path) {
            Some(Value::Unknown) => ValueError::at(
                &path,
                "value is not known yet (it depends on something that will be known only after \
                 apply); read it into an `Unknowable` field to accept that",
            ),
            _ => ValueError::at(&path, format!("cannot read value: {}", e.inner())),
        }
    })
}

/// The attribute path serde's path names, following `v` to tell attributes from map keys.
fn attribute_path(v: &Value, path: &serde_path_to_error::Path) -> AttributePath {
    use serde_path_to_error::Segment;
    let mut out = AttributePath::root();
    let mut cur = Some(v);
    for seg in path.iter() {
        let here = cur.map(|c| match c {
            Value::Dynamic(_, inner) => inner.as_ref(),
            other => other,
        });
        match (seg, here) {
            (Segment::Map { key }, Some(Value::Map(m))) => {
                cur = m.get(key);
                out = out.key(key);
            }
            (Segment::Map { key }, Some(Value::Object(m))) => {
                cur = m.get(key);
                out = out.attr(key);
            }
            (
                Segment::Seq { index },
                Some(Value::List(items) | Value::Set(items) | Value::Tuple(items)),
            ) => {
                cur = items.get(*index);
                out = out.index(*index as i64);
            }
            // Inside the unknown marker or past the value: the path so far is the attribute.
            _ => break,
        }
    }
    out
}

/// Converts `t` into a value of type `ty`. Every attribute of an object type is present in the
/// result (absent or `None` fields become null); fields not in the type are dropped;
/// [`Unknowable::Unknown`] becomes unknown.
pub fn to_value<T: Serialize>(t: &T, ty: &Type) -> Result<Value, ValueError> {
    let json = serde_json::to_value(t)
        .map_err(|e| ValueError::new(format!("cannot serialise value: {e}")))?;
    with_unknowns(&json, ty, &AttributePath::root())
}

/// `from_json`, except that the unknown marker becomes [`Value::Unknown`] at any depth.
fn with_unknowns(json: &Json, ty: &Type, path: &AttributePath) -> Result<Value, ValueError> {
    if is_unknown_json(json) {
        return Ok(Value::Unknown);
    }
    let all = |items: &[Json], et: &Type| -> Result<Vec<Value>, ValueError> {
        items
            .iter()
            .enumerate()
            .map(|(i, j)| with_unknowns(j, et, &path.clone().index(i as i64)))
            .collect()
    };
    Ok(match (ty, json) {
        (Type::Object(attrs), Json::Object(o)) => Value::Object(
            attrs
                .iter()
                .map(|(k, at)| {
                    let v = match o.get(k) {
                        Some(j) => with_unknowns(j, at, &path.clone().attr(k))?,
                        None => Value::Null,
                    };
                    Ok((k.clone(), v))
                })
                .collect::<Result<_, ValueError>>()?,
        ),
        (Type::Map(et), Json::Object(o)) => Value::Map(
            o.iter()
                .map(|(k, j)| Ok((k.clone(), with_unknowns(j, et, &path.clone().key(k))?)))
                .collect::<Result<_, ValueError>>()?,
        ),
        (Type::List(et), Json::Array(items)) => Value::List(all(items, et)?),
        (Type::Set(et), Json::Array(items)) => Value::Set(all(items, et)?),
        _ => from_json(json, ty).map_err(|e| {
            if path.is_root() {
                e
            } else {
                ValueError::at(&path.clone(), e.message)
            }
        })?,
    })
}

fn plain_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Unknown => unknown_json(),
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => match n {
            Number::Int(i) => Json::from(*i),
            Number::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Number::Big(s) => s
                .parse::<serde_json::Number>()
                .map_or(Json::Null, Json::Number),
        },
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(plain_json).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            Json::Object(m.iter().map(|(k, x)| (k.clone(), plain_json(x))).collect())
        }
        Value::Dynamic(_, inner) => plain_json(inner),
    }
}
