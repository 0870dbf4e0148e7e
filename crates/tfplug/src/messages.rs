//! Typed access on requests and responses, so a resource never handles raw JSON or an error it
//! can only forward:
//! - setters (`set_state`, `set_identity`, `set_private`, `set_plan_attr`) record their own
//!   problems in the response's diagnostics and return whether they succeeded;
//! - state stored by another schema version or resource type is read into a serde model
//!   (`source_state_as`, `raw_state_as`, `raw_identity_as`), with a diagnostic naming the
//!   attribute that did not fit.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::datasource::DataSourceReadResponse;
use crate::diag::{Diagnostic, Diagnostics};
use crate::resource::{
    CreateResponse, ImportResponse, ModifyPlanResponse, MoveStateRequest, MoveStateResponse,
    ReadResponse, UpdateResponse, UpgradeIdentityRequest, UpgradeIdentityResponse,
    UpgradeStateRequest, UpgradeStateResponse,
};
use crate::value::{AttributePath, excerpt};

/// Records the problems of `r` in `diags`; true when there were none.
fn record(diags: &mut Diagnostics, r: Result<(), Diagnostics>) -> bool {
    diags.capture(r).is_some()
}

/// The setters of each response, by the parts it carries (`state`, `private`, `identity`).
macro_rules! setters {
    ($($response:ty: $($part:ident),+;)*) => {$(
        impl $response {
            $(setters!(@$part);)+
        }
    )*};
    (@state) => {
        /// Sets the whole state from `model`; a model that does not fit the schema is
        /// recorded in `diagnostics` and gives false.
        pub fn set_state<T: Serialize>(&mut self, model: &T) -> bool {
            let r = self.state.set(model);
            record(&mut self.diagnostics, r)
        }
    };
    (@private) => {
        /// Stores `model` under `key` in the private data; a problem is recorded in
        /// `diagnostics` and gives false.
        pub fn set_private<T: Serialize>(&mut self, key: &str, model: &T) -> bool {
            let r = self.private.set(key, model);
            record(&mut self.diagnostics, r)
        }
    };
    (@identity) => {
        /// Sets the identity from `model`. A resource without the identity capability has
        /// no identity to set: that, like a model that does not fit, is recorded in
        /// `diagnostics` and gives false.
        pub fn set_identity<T: Serialize>(&mut self, model: &T) -> bool {
            let r = match &mut self.identity {
                Some(identity) => identity.set(model),
                None => Err(Diagnostic::error(
                    "Identity set for a resource without identity",
                    "This resource declares no identity schema, so it has no identity to \
                     set. This is a bug in the provider; please report it.",
                )
                .into()),
            };
            record(&mut self.diagnostics, r)
        }
    };
}

setters!(
    CreateResponse: state, private, identity;
    ReadResponse: state, private, identity;
    UpdateResponse: state, private, identity;
    ImportResponse: state, private, identity;
    MoveStateResponse: state, private, identity;
    ModifyPlanResponse: private, identity;
    UpgradeStateResponse: state;
    DataSourceReadResponse: state;
);

impl UpgradeIdentityResponse {
    /// Sets the upgraded identity from `model`; a problem is recorded and gives false.
    pub fn set_identity<T: Serialize>(&mut self, model: &T) -> bool {
        let r = self.identity.set(model);
        record(&mut self.diagnostics, r)
    }
}

impl ModifyPlanResponse {
    /// Replaces one attribute of the plan; a problem is recorded and gives false.
    pub fn set_plan_attr<T: Serialize>(
        &mut self,
        path: impl Into<AttributePath>,
        value: &T,
    ) -> bool {
        let r = self.plan.set_attr(path, value);
        record(&mut self.diagnostics, r)
    }
}

impl MoveStateRequest {
    /// The source state (stored by the source resource type) as a serde model of its schema.
    pub fn source_state_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        stored_as(&self.source_state, "the state being moved")
    }
}

impl UpgradeStateRequest {
    /// The stored state (written with an older schema version) as a serde model of it.
    pub fn raw_state_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        stored_as(&self.raw_state, "the stored state")
    }
}

impl UpgradeIdentityRequest {
    /// The stored identity (written with an older identity version) as a serde model of it.
    pub fn raw_identity_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        stored_as(&self.raw_identity, "the stored identity")
    }
}

/// Reads stored JSON into `T`. The diagnostic names the attribute that did not fit and what
/// was expected there, never the stored value (it may be large or secret).
fn stored_as<T: DeserializeOwned>(json: &Json, what: &str) -> Result<T, Diagnostics> {
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = stored_path(e.path());
        let problem = without_value(&e.inner().to_string());
        let at = if path.is_root() {
            format!("{what} is {}", json_kind(json))
        } else {
            format!("{path} in {what}")
        };
        let d = Diagnostic::error(
            format!("Cannot read {what}"),
            format!("{}: {problem}.", capitalized(&at)),
        );
        if path.is_root() {
            d.into()
        } else {
            d.at(path).into()
        }
    })
}

/// The attribute path serde reports, as Terraform writes one.
fn stored_path(path: &serde_path_to_error::Path) -> AttributePath {
    use serde_path_to_error::Segment;
    path.iter().fold(AttributePath::root(), |p, seg| match seg {
        Segment::Map { key } => p.attr(key.clone()),
        Segment::Seq { index } => p.index(*index as i64),
        Segment::Enum { variant } => p.attr(variant.clone()),
        Segment::Unknown => p,
    })
}

/// serde's message without the offending value: `invalid type: string "x", expected a number`
/// becomes `expected a number`.
fn without_value(message: &str) -> String {
    match message.rsplit_once(", expected ") {
        Some((_, expected)) => format!("expected {}", excerpt(expected, 200)),
        None => excerpt(message, 200),
    }
}

/// What a JSON value is ("an array"), without its contents.
fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Stored {
        name: String,
        ports: Vec<i64>,
    }

    #[test]
    fn stored_json_reads_into_a_model_or_names_the_attribute() {
        let ok: Stored = stored_as(&json!({"name": "a", "ports": [1]}), "the state").unwrap();
        assert_eq!(ok.name, "a");

        let d = stored_as::<Stored>(&json!({"name": "a", "ports": [1, "secret"]}), "the state")
            .unwrap_err();
        let d = d.iter().next().unwrap();
        assert_eq!(d.summary, "Cannot read the state");
        assert_eq!(d.attribute.as_ref().unwrap().to_string(), "ports[1]");
        assert!(d.detail.contains("expected i64"), "{}", d.detail);
        assert!(
            !d.detail.contains("secret"),
            "the value was echoed: {}",
            d.detail
        );

        let huge = "secret-".repeat(10_000);
        let d = stored_as::<Stored>(&json!([huge]), "the state").unwrap_err();
        let d = d.iter().next().unwrap();
        assert!(
            d.detail.starts_with("The state is an array"),
            "{}",
            d.detail
        );
        assert!(
            !d.detail.contains("secret-") && d.detail.len() < 300,
            "{}",
            d.detail
        );
    }

    #[test]
    fn setters_record_their_own_problems() {
        use crate::typed::{Private, TypedValue, ValueRole};
        use crate::value::Type;
        let ty = Type::object([("name", Type::String)]);
        let mut resp = CreateResponse {
            state: TypedValue::null(ValueRole::State, ty.clone()),
            private: Private::new(),
            identity: None,
            diagnostics: Diagnostics::new(),
        };
        assert!(resp.set_state(&json!({"name": "a"})));
        assert!(resp.diagnostics.is_empty());
        assert!(!resp.set_state(&json!({"name": ["not", "a", "string"]})));
        assert!(!resp.set_identity(&json!({"name": "a"})));
        assert!(!resp.set_private(".reserved", &1));
        let summaries: Vec<_> = resp
            .diagnostics
            .iter()
            .map(|d| d.summary.as_str())
            .collect();
        assert_eq!(summaries.len(), 3, "{summaries:?}");
        assert_eq!(summaries[1], "Identity set for a resource without identity");
    }
}
