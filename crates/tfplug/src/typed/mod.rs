//! Typed access to everything a resource, data source or provider reads and writes:
//! configuration, plan, state and identity ([`TypedValue`], through the schema they belong to)
//! and private data ([`Private`]). Resource code gets and sets serde models; unknown values are
//! read into [`Unknowable`] fields.

mod private;

/// Re-exported here because models read through [`TypedValue`] use it.
pub use super::value::Unknowable;
pub use private::Private;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::diag::Diagnostics;
use super::value::{AttributePath, Type, Value, ValueError, from_value, to_value};

/// What a [`TypedValue`] holds, for diagnostics that say which value was at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRole {
    /// A resource's or data source's configuration.
    Config,
    /// A planned state.
    Plan,
    /// A stored or new state.
    State,
    /// A resource identity.
    Identity,
    /// The provider block.
    ProviderConfig,
}

impl ValueRole {
    /// What the value is, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            ValueRole::Config => "configuration",
            ValueRole::Plan => "plan",
            ValueRole::State => "state",
            ValueRole::Identity => "identity",
            ValueRole::ProviderConfig => "provider configuration",
        }
    }
}

/// A value together with the schema type it belongs to.
///
/// [`get`](Self::get)/[`set`](Self::set) move whole serde models in and out;
/// [`get_attr`](Self::get_attr)/[`set_attr`](Self::set_attr) move one attribute. Errors come
/// back as diagnostics pointing at the attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedValue {
    role: ValueRole,
    ty: Type,
    value: Value,
}

impl TypedValue {
    /// `value` of type `ty`, reshaped to it (missing attributes null, unknown keys dropped).
    pub fn new(role: ValueRole, ty: Type, value: Value) -> Self {
        let value = value.conform(&ty);
        TypedValue { role, ty, value }
    }

    /// A null value of type `ty` ("no object").
    pub fn null(role: ValueRole, ty: Type) -> Self {
        TypedValue {
            role,
            ty,
            value: Value::Null,
        }
    }

    /// A value of type `ty` holding `model`.
    pub fn from_model<T: Serialize>(
        role: ValueRole,
        ty: Type,
        model: &T,
    ) -> Result<Self, Diagnostics> {
        let mut v = Self::null(role, ty);
        v.set(model)?;
        Ok(v)
    }

    /// Reads the whole value into a model. A null value reads as `T`'s reading of null
    /// (use `Option<Model>` where the object may be absent).
    pub fn get<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        from_value(&self.value).map_err(|e| self.error("read", &e))
    }

    /// Reads one attribute (a top-level name converts into a path). An attribute the value does
    /// not reach (null parent) reads as null.
    pub fn get_attr<T: DeserializeOwned>(
        &self,
        path: impl Into<AttributePath>,
    ) -> Result<T, Diagnostics> {
        let path = path.into();
        let v = self.value.at_path(&path).cloned().unwrap_or(Value::Null);
        from_value(&v).map_err(|e| self.error("read", &rebase(&path, e)))
    }

    /// Replaces the whole value with `model`, encoded with the schema's type.
    pub fn set<T: Serialize>(&mut self, model: &T) -> Result<(), Diagnostics> {
        let v = to_value(model, &self.ty).map_err(|e| self.error("write", &e))?;
        self.value = v;
        Ok(())
    }

    /// Replaces one attribute. The value must not be null (set the whole model instead).
    pub fn set_attr<T: Serialize>(
        &mut self,
        path: impl Into<AttributePath>,
        value: &T,
    ) -> Result<(), Diagnostics> {
        let path = path.into();
        let Some(ty) = type_at(&self.ty, &path) else {
            return Err(self.error(
                "write",
                &ValueError::at(&path, "no such attribute in the schema"),
            ));
        };
        let v = to_value(value, &ty).map_err(|e| self.error("write", &rebase(&path, e)))?;
        match value_at_mut(&mut self.value, &path) {
            Some(slot) => {
                *slot = v;
                Ok(())
            }
            None => Err(self.error(
                "write",
                &ValueError::at(&path, "its parent is null; set the whole object instead"),
            )),
        }
    }

    /// True when there is no object (a resource that does not exist, a destroy plan).
    pub fn is_null(&self) -> bool {
        self.value.is_null()
    }

    /// True when no part of the value is unknown.
    pub fn is_fully_known(&self) -> bool {
        self.value.is_fully_known()
    }

    /// True when the attribute at `path` is unknown.
    pub fn is_unknown(&self, path: impl Into<AttributePath>) -> bool {
        self.value
            .at_path(&path.into())
            .is_some_and(Value::is_unknown)
    }

    /// Makes the value null: for a read, "the object no longer exists".
    pub fn set_null(&mut self) {
        self.value = Value::Null;
    }

    /// Same type and value (ignores the role).
    pub(crate) fn same_as(&self, other: &TypedValue) -> bool {
        self.value.equals(&other.value)
    }

    /// The schema type.
    pub fn value_type(&self) -> &Type {
        &self.ty
    }

    /// The role.
    pub fn role(&self) -> ValueRole {
        self.role
    }

    /// The raw value, for generic code (the framework's own rules, tests). Resource code should
    /// not need it.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Consumes into the raw value.
    pub(crate) fn into_value(self) -> Value {
        self.value
    }

    /// The same value in another role (e.g. a plan that becomes the new state).
    pub(crate) fn with_role(mut self, role: ValueRole) -> Self {
        self.role = role;
        self
    }

    pub(crate) fn replace_value(&mut self, value: Value) {
        self.value = value;
    }

    fn error(&self, verb: &str, e: &ValueError) -> Diagnostics {
        let mut d = Diagnostics::new();
        let summary = format!("Cannot {verb} the {}", self.role.noun());
        let detail = match self.role {
            ValueRole::Config | ValueRole::ProviderConfig => e.message.clone(),
            _ => format!(
                "{}. This is a bug in the provider; please report it.",
                e.message
            ),
        };
        if e.path.is_root() {
            d.error(summary, detail);
        } else {
            d.attribute_error(e.path.clone(), summary, detail);
        }
        d
    }
}

/// Makes an error found inside the value at `path` point at its full path.
fn rebase(path: &AttributePath, e: ValueError) -> ValueError {
    let mut steps = path.steps().to_vec();
    steps.extend(e.path.steps().iter().cloned());
    let full = AttributePath::from_steps(steps);
    let message = e
        .message
        .strip_prefix(&format!("{}: ", e.path))
        .map(str::to_string)
        .unwrap_or(e.message);
    ValueError::at(&full, message)
}

fn type_at(ty: &Type, path: &AttributePath) -> Option<Type> {
    use super::value::PathStep;
    let mut cur = ty;
    for step in path.steps() {
        cur = match (step, cur) {
            (PathStep::Attr(n), Type::Object(attrs)) => attrs.get(n)?,
            (PathStep::Key(_), Type::Map(e)) => e,
            (PathStep::Index(_), Type::List(e) | Type::Set(e)) => e,
            (PathStep::Index(i), Type::Tuple(ts)) => ts.get(usize::try_from(*i).ok()?)?,
            _ => return None,
        };
    }
    Some(cur.clone())
}

fn value_at_mut<'a>(v: &'a mut Value, path: &AttributePath) -> Option<&'a mut Value> {
    use super::value::PathStep;
    let mut cur = v;
    for step in path.steps() {
        cur = match (step, cur) {
            (PathStep::Attr(n), Value::Object(m)) => m.get_mut(n)?,
            (PathStep::Key(k), Value::Map(m)) => m.get_mut(k)?,
            (PathStep::Index(i), Value::List(items) | Value::Tuple(items) | Value::Set(items)) => {
                items.get_mut(usize::try_from(*i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests;
