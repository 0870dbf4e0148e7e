//! The dynamic value tree: every cty value, including null and unknown.

use std::collections::BTreeMap;

use super::{AttributePath, Number, PathStep, Type};

/// A Terraform value. Its type comes from the schema; codecs are type-driven.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// Null of any type.
    #[default]
    Null,
    /// Not known until apply (refinements are not kept).
    Unknown,
    /// `bool`
    Bool(bool),
    /// `number`
    Number(Number),
    /// `string`
    String(String),
    /// `list(T)`
    List(Vec<Value>),
    /// `set(T)`; element order carries no meaning.
    Set(Vec<Value>),
    /// `map(T)`
    Map(BTreeMap<String, Value>),
    /// `object({...})`; codecs always write every attribute of the type.
    Object(BTreeMap<String, Value>),
    /// `tuple([...])`
    Tuple(Vec<Value>),
    /// A known, non-null value stored in a `dynamic` slot, with its concrete type.
    Dynamic(Type, Box<Value>),
}

impl Value {
    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// True for [`Value::Unknown`] (the value itself, not something inside it).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// True if no unknown appears anywhere inside.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.iter().all(Value::is_fully_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_fully_known),
            Value::Dynamic(_, v) => v.is_fully_known(),
            _ => true,
        }
    }
    /// Attribute of an object; `None` if not an object or absent.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            Value::Dynamic(_, v) => v.get_attr(name),
            _ => None,
        }
    }
    /// Sets an attribute on an object (no effect on other values).
    pub fn set_attr(&mut self, name: impl Into<String>, v: Value) {
        if let Value::Object(m) = self {
            m.insert(name.into(), v);
        }
    }
    /// Follows a path; `None` where it leaves the value.
    pub fn at_path(&self, path: &AttributePath) -> Option<&Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attr(n), v) => v.get_attr(n)?,
                (PathStep::Key(k), Value::Map(m)) => m.get(k)?,
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }
    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The number as `i64`, if it is a known integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    /// The bool, if known.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    /// An integer number value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
    /// An object from `(name, value)` pairs.
    pub fn object<I, S>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// Like `==`, but sets compare regardless of element order.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.equals(y)))
            }
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| x.equals(y)))
            }
            (Value::Dynamic(_, a), b) => a.equals(b),
            (a, Value::Dynamic(_, b)) => a.equals(b),
            (a, b) => a == b,
        }
    }

    /// Reshapes the value to `ty`: missing object attributes become null, unknown keys are
    /// dropped. Used where a producer (a resource, an old state) may not be exact.
    pub(crate) fn conform(self, ty: &Type) -> Value {
        match (ty, self) {
            (_, Value::Null) => Value::Null,
            (_, Value::Unknown) => Value::Unknown,
            (Type::Object(attrs), Value::Object(mut m)) => Value::Object(
                attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), m.remove(k).unwrap_or_default().conform(t)))
                    .collect(),
            ),
            (Type::List(e), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                Value::List(v.into_iter().map(|x| x.conform(e)).collect())
            }
            (Type::Set(e), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                Value::Set(v.into_iter().map(|x| x.conform(e)).collect())
            }
            (Type::Map(e), Value::Map(m) | Value::Object(m)) => {
                Value::Map(m.into_iter().map(|(k, x)| (k, x.conform(e))).collect())
            }
            (Type::Object(_), Value::Map(m)) => Value::Object(m).conform(ty),
            (_, v) => v,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
