//! Resource identity: UpgradeResourceIdentity, and the rules every response that carries an
//! identity must follow (Terraform ≥ 1.12 rejects answers that break them).

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{UpgradeIdentityRequest, UpgradeIdentityResponse};
use crate::schema::{IdentitySchema, ImportRole};
use crate::typed::{TypedValue, ValueRole};
use crate::value::{AttributePath, Value, from_json};

use super::convert::{diags_to_proto, identity_from_proto, identity_to_proto, value_error_diag};
use super::{FrameworkServer, ResourceEntry};

/// The identity a request carries, for a resource with identity (null when absent); `None` for
/// a resource without.
pub(super) fn request_identity(
    entry: &ResourceEntry,
    data: Option<&pb::ResourceIdentityData>,
) -> Result<Option<TypedValue>, Diagnostics> {
    entry
        .identity
        .as_ref()
        .map(|schema| identity_from_proto(data, &schema.value_type()))
        .transpose()
}

/// A null identity of the resource's identity type, or `None` without identity.
pub(super) fn null_identity(entry: &ResourceEntry) -> Option<TypedValue> {
    entry
        .identity
        .as_ref()
        .map(|s| TypedValue::null(ValueRole::Identity, s.value_type()))
}

/// Checks the identity a resource left after `operation` and encodes it. With identity, the
/// identity must be present and wholly known; without, none may be set.
pub(super) fn finish_identity(
    entry: &ResourceEntry,
    identity: Option<&TypedValue>,
    operation: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    match (&entry.identity, identity) {
        (None, None) => None,
        (None, Some(v)) if v.is_null() => None,
        (None, Some(_)) => {
            diags.error(
                "Identity set for a resource without identity",
                format!(
                    "After {operation}, {type_name} set an identity, but it declares no identity \
                     schema. This is a bug in the provider; please report it."
                ),
            );
            None
        }
        (Some(_), None) => {
            missing(operation, type_name, diags);
            None
        }
        (Some(_), Some(v)) => {
            if v.is_null() {
                missing(operation, type_name, diags);
                return None;
            }
            if !v.is_fully_known() {
                diags.error(
                    "Resource identity not wholly known",
                    format!(
                        "After {operation}, {type_name} returned an identity with unknown values. \
                         Identities must be wholly known. This is a bug in the provider; please \
                         report it."
                    ),
                );
                return None;
            }
            match identity_to_proto(Some(v)) {
                Ok(p) => p,
                Err(d) => {
                    diags.extend(d);
                    None
                }
            }
        }
    }
}

fn missing(operation: &str, type_name: &str, diags: &mut Diagnostics) {
    diags.error(
        "Missing resource identity",
        format!(
            "After {operation}, {type_name} returned no identity although it declares an identity \
             schema. This is a bug in the provider; please report it."
        ),
    );
}

/// True when `after` names the same object as the stored `before`: every attribute `before`
/// holds is kept. An attribute stored null may be filled in, as a read after an import does:
/// an identity upgraded to a version with a new attribute has it null until the next read
/// (Terraform itself only requires identities to be known and of the schema).
pub(super) fn keeps_identity(before: &Value, after: &Value) -> bool {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => b.iter().all(|(name, stored)| {
            stored.is_null() || a.get(name).is_some_and(|now| stored.equals(now))
        }),
        _ => before.equals(after),
    }
}

/// Once stored, an identity names the same object for ever: a read or update must not change it
/// (it may complete attributes stored null, see [`keeps_identity`]).
pub(super) fn require_unchanged(
    before: Option<&TypedValue>,
    after: Option<&TypedValue>,
    operation: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) {
    let (Some(before), Some(after)) = (before, after) else {
        return;
    };
    if before.is_null() || after.is_null() || keeps_identity(before.value(), after.value()) {
        return;
    }
    diags.error(
        "Unexpected identity change",
        format!(
            "During {operation}, {type_name} returned an identity different from the stored one. \
             An identity must not change for the life of the object. This is a bug in the \
             provider; please report it."
        ),
    );
}

/// Checks an identity Terraform sent to import by: wholly known, required attributes set.
pub(super) fn check_import_identity(
    schema: &IdentitySchema,
    identity: &TypedValue,
    diags: &mut Diagnostics,
) {
    if identity.is_null() {
        diags.error(
            "Missing identity",
            "The import names no identity. Set the identity attributes in the `import` block.",
        );
        return;
    }
    for a in &schema.attributes {
        let path = AttributePath::attr_root(&a.name);
        let v = identity.value().at_path(&path);
        if v.is_some_and(|v| v.is_unknown()) {
            diags.attribute_error(
                path,
                "Identity attribute not known",
                format!(
                    "{} must be known to import by identity; use a value known at plan time.",
                    a.name
                ),
            );
        } else if a.import == ImportRole::Required && v.is_none_or(|v| v.is_null()) {
            let required: Vec<&str> = schema
                .attributes
                .iter()
                .filter(|a| a.import == ImportRole::Required)
                .map(|a| a.name.as_str())
                .collect();
            diags.attribute_error(
                path,
                "Missing required identity attribute",
                format!(
                    "Importing by identity needs {}; set {} in the `import` block's identity.",
                    required.join(", "),
                    a.name
                ),
            );
        }
    }
}

impl FrameworkServer {
    pub(super) async fn upgrade_resource_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        let mut diags = Diagnostics::new();
        let upgraded = self.upgrade_identity_inner(&req, &mut diags).await;
        pb::upgrade_resource_identity::Response {
            upgraded_identity: upgraded,
            diagnostics: diags_to_proto(&diags),
        }
    }

    async fn upgrade_identity_inner(
        &self,
        req: &pb::upgrade_resource_identity::Request,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let (Some(schema), Some(capability)) = (&entry.identity, entry.resource.identity()) else {
            diags.error(
                "Resource has no identity",
                format!(
                    "{} declares no identity schema, so a stored identity cannot be upgraded. \
                     Remove the resource from state with `terraform state rm` and import it again.",
                    req.type_name
                ),
            );
            return None;
        };
        let stored = req
            .raw_identity
            .as_ref()
            .map_or(&[][..], |r| r.json.as_slice());
        let raw: serde_json::Value = match serde_json::from_slice(stored) {
            Ok(j) => j,
            Err(e) => {
                diags.error(
                    "Stored identity is not valid JSON",
                    format!(
                        "The stored identity of this {} could not be parsed ({e}). Restore the \
                         state from a backup.",
                        req.type_name
                    ),
                );
                return None;
            }
        };
        let ty = schema.value_type();
        let identity = if req.version > schema.version {
            diags.error(
                "Identity written by a newer provider",
                format!(
                    "This {} identity was stored with identity schema version {}, but this \
                     provider only knows up to version {}. Upgrade the provider to the version \
                     that wrote the state.",
                    req.type_name, req.version, schema.version
                ),
            );
            return None;
        } else if req.version == schema.version {
            match from_json(&raw, &ty) {
                Ok(v) => TypedValue::new(ValueRole::Identity, ty, v),
                Err(e) => {
                    diags.extend(value_error_diag("Could not read the stored identity", &e));
                    return None;
                }
            }
        } else {
            let mut resp = UpgradeIdentityResponse {
                identity: TypedValue::null(ValueRole::Identity, ty),
                diagnostics: Diagnostics::new(),
            };
            capability
                .upgrade_identity(
                    &self.context(),
                    UpgradeIdentityRequest {
                        version: req.version,
                        raw_identity: raw,
                    },
                    &mut resp,
                )
                .await;
            diags.extend(resp.diagnostics);
            if diags.has_errors() {
                return None;
            }
            resp.identity
        };
        finish_identity(
            entry,
            Some(&identity),
            "upgrading its identity",
            &req.type_name,
            diags,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::keeps_identity;
    use crate::value::Value;

    #[test]
    fn an_identity_may_fill_in_attributes_stored_null_but_not_change_others() {
        let stored = Value::object([("name", "a".into()), ("region", Value::Null)]);
        let filled = Value::object([("name", "a".into()), ("region", "r1".into())]);
        assert!(keeps_identity(&stored, &stored));
        assert!(keeps_identity(&stored, &filled));
        assert!(
            !keeps_identity(&filled, &stored),
            "a value cannot be dropped"
        );
        let other = Value::object([("name", "b".into()), ("region", "r1".into())]);
        assert!(!keeps_identity(&stored, &other));
        assert!(!keeps_identity(&filled, &other));
    }
}
