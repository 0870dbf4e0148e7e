//! Private data: opaque to Terraform, stored next to the state, read back on the next call.
//!
//! Stored as one JSON object; each key holds one serde model, so independent pieces of
//! provider code can keep their own keys. Keys starting with `.` belong to the framework and
//! are never shown to resources.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::diag::Diagnostics;

/// Prefix of the framework's own keys.
const FRAMEWORK_PREFIX: char = '.';
/// Set by an import, cleared by the read that follows it: that read may complete the identity.
const IMPORTED: &str = ".tfplug.imported";

/// A resource instance's private data, keyed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Private {
    entries: Map<String, Json>,
    framework: Map<String, Json>,
}

impl Private {
    /// No entries.
    pub fn new() -> Self {
        Self::default()
    }

    /// The model stored under `key`, if any.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Diagnostics> {
        match self.entries.get(key) {
            None => Ok(None),
            Some(j) => serde_json::from_value(j.clone()).map(Some).map_err(|e| {
                let mut d = Diagnostics::new();
                d.error(
                    "Cannot read private data",
                    format!("Private data {key:?} could not be read ({e}). This is a bug in the provider; please report it."),
                );
                d
            }),
        }
    }

    /// Stores `value` under `key` (which must not start with `.`, reserved for the framework).
    pub fn set<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), Diagnostics> {
        if key.starts_with(FRAMEWORK_PREFIX) {
            let mut d = Diagnostics::new();
            d.error(
                "Cannot write private data",
                format!("Private data key {key:?} starts with '.', which is reserved for the framework. This is a bug in the provider; please report it."),
            );
            return Err(d);
        }
        let j = serde_json::to_value(value).map_err(|e| {
            let mut d = Diagnostics::new();
            d.error(
                "Cannot write private data",
                format!("Private data {key:?} could not be written ({e}). This is a bug in the provider; please report it."),
            );
            d
        })?;
        self.entries.insert(key.to_string(), j);
        Ok(())
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses stored bytes. Empty bytes are no entries; anything that is not a JSON object
    /// (written by something else) is an error.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Private, Diagnostics> {
        if bytes.is_empty() {
            return Ok(Private::new());
        }
        match serde_json::from_slice::<Json>(bytes) {
            Ok(Json::Object(all)) => {
                let (framework, entries) = all
                    .into_iter()
                    .partition(|(k, _)| k.starts_with(FRAMEWORK_PREFIX));
                Ok(Private { entries, framework })
            }
            _ => {
                let mut d = Diagnostics::new();
                d.error(
                    "Unreadable private data",
                    "The private data Terraform stored with this resource is not in the format this provider writes. Remove the resource from state with `terraform state rm` and import it again.",
                );
                Err(d)
            }
        }
    }

    /// The bytes Terraform stores (empty when there are no entries).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        if self.entries.is_empty() && self.framework.is_empty() {
            return Vec::new();
        }
        let mut all = self.entries.clone();
        all.extend(self.framework.clone());
        Json::Object(all).to_string().into_bytes()
    }

    /// Marks the object as just imported.
    pub(crate) fn mark_imported(&mut self) {
        self.framework
            .insert(IMPORTED.to_string(), Json::Bool(true));
    }

    /// True (once) when the object was just imported.
    pub(crate) fn take_imported(&mut self) -> bool {
        self.framework.remove(IMPORTED).is_some()
    }
}
