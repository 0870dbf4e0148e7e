//! The resource identity of `tencentcloud_clb_target_group_association` (Terraform 1.12+,
//! OpenTofu 1.10+): the binding's coordinates and its region as an object, which
//! `import { identity = {...} }` accepts instead of the `#`-joined ID.
//!
//! Version 0 was the coordinates alone ([`AssociationId`]); version 1 adds `region`, as
//! hashicorp/aws 6.x's identities carry it: optional for import (the provider's region when
//! left out), always set in the identities the provider returns. An identity upgraded from
//! version 0 has no region yet; the next read fills it in from the state.

use serde::{Deserialize, Serialize};

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::validate::{IdKind, check_id, check_region};
use tfplug::diag::{Diagnostic, Diagnostics};
use tfplug::schema::{IdentityAttribute, IdentitySchema};

/// Identity schema version; bump it (and upgrade old identities) if the attributes change.
pub(crate) const IDENTITY_VERSION: i64 = 1;

/// Identity attributes with their descriptions, in schema order; the bool says whether import
/// requires it.
pub(crate) const IDENTITY_ATTRIBUTES: [(&str, bool, &str); 5] = [
    (
        "load_balancer_id",
        true,
        "ID of the load balancer (`lb-…`).",
    ),
    ("listener_id", true, "ID of the listener (`lbl-…`)."),
    (
        "target_group_id",
        true,
        "ID of the target group (`lbtg-…`).",
    ),
    (
        "location_id",
        false,
        "ID of the forwarding rule (`loc-…`) for a layer-7 listener; null for a layer-4 listener.",
    ),
    (
        "region",
        false,
        "Region of the binding, e.g. `ap-shanghai`; on import, the provider's region when omitted.",
    ),
];

/// The identity (version 1) as a serde model: the binding's [`AssociationId`] (its four
/// attributes, `location_id` null for a layer-4 listener) and the region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingIdentity {
    /// The binding's coordinates, as attributes of the identity itself.
    #[serde(flatten)]
    pub binding: AssociationId,
    /// The binding's region; `None` only in an identity upgraded from version 0 (until the next
    /// read) or an import that leaves it to the provider.
    #[serde(default)]
    pub region: Option<String>,
}

impl BindingIdentity {
    /// The identity of binding `id` in `region`.
    pub fn new(id: &AssociationId, region: Option<&str>) -> Self {
        BindingIdentity {
            binding: id.clone(),
            region: region.map(str::to_string),
        }
    }

    /// A version-0 identity (the coordinates alone) in version 1: no region yet, so that the
    /// read which follows fills it in from the state instead of guessing it here (the upgrade
    /// sees neither the state nor, reliably, the provider's configuration).
    pub(crate) fn from_version_0(stored: AssociationId) -> Self {
        Self::new(&stored, None)
    }
}

/// The binding and region an identity from `import { identity = {...} }` names, with the same
/// shape checks as an import ID (an empty `location_id` means layer 4, an empty `region` the
/// provider's); otherwise every problem, each on its attribute.
pub(crate) fn checked_identity(
    identity: &BindingIdentity,
) -> Result<(AssociationId, Option<String>), Diagnostics> {
    let trimmed = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let given = &identity.binding;
    let location_id = trimmed(&given.location_id);
    let region = trimmed(&identity.region);
    let parts = [
        (
            "load_balancer_id",
            Some(given.load_balancer_id.trim()),
            IdKind::LoadBalancer,
        ),
        (
            "listener_id",
            Some(given.listener_id.trim()),
            IdKind::Listener,
        ),
        (
            "target_group_id",
            Some(given.target_group_id.trim()),
            IdKind::TargetGroup,
        ),
        ("location_id", location_id.as_deref(), IdKind::Location),
    ];
    let mut problems: Diagnostics = parts
        .into_iter()
        .filter_map(|(attribute, value, kind)| {
            let message = check_id(kind, value?).err()?;
            Some(Diagnostic::error("Invalid identity", message).at(attribute))
        })
        .collect();
    if let Some(Err(message)) = region.as_deref().map(check_region) {
        problems.add(Diagnostic::error("Invalid identity", message).at("region"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let id = AssociationId {
        load_balancer_id: given.load_balancer_id.trim().to_string(),
        listener_id: given.listener_id.trim().to_string(),
        location_id,
        target_group_id: given.target_group_id.trim().to_string(),
    };
    Ok((id, region))
}

/// The identity schema of the resource.
pub fn identity_schema() -> IdentitySchema {
    IDENTITY_ATTRIBUTES.iter().fold(
        IdentitySchema::new(IDENTITY_VERSION),
        |schema, (name, required, description)| {
            let a = if *required {
                IdentityAttribute::required_string(*name)
            } else {
                IdentityAttribute::optional_string(*name)
            };
            schema.attribute(a.description(*description))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(raw: &str, region: Option<&str>) -> BindingIdentity {
        BindingIdentity::new(&AssociationId::parse(raw).unwrap(), region)
    }

    #[test]
    fn identity_round_trips_through_the_association_id() {
        for raw in [
            "lb-demo0001#lbl-tcp00001#lbtg-web00001",
            "lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001",
        ] {
            let id = AssociationId::parse(raw).unwrap();
            let (back, region) = checked_identity(&named(raw, Some("ap-shanghai"))).unwrap();
            assert_eq!((back, region.as_deref()), (id, Some("ap-shanghai")));
        }
    }

    #[test]
    fn empty_location_means_layer4_and_bad_ids_are_refused_on_their_attribute() {
        let mut identity = named("lb-demo0001#lbl-tcp00001#lbtg-web00001", Some(" "));
        identity.binding.location_id = Some("".into());
        let (id, region) = checked_identity(&identity).unwrap();
        assert_eq!((id.location_id, region), (None, None));
        let bad = BindingIdentity {
            binding: AssociationId {
                listener_id: "lbx-1".into(),
                target_group_id: " ".into(),
                location_id: Some("rule-1".into()),
                ..identity.binding
            },
            region: Some("Shanghai".into()),
        };
        let problems = checked_identity(&bad).unwrap_err();
        let attrs: Vec<_> = problems
            .iter()
            .map(|p| p.attribute.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(
            attrs,
            ["listener_id", "target_group_id", "location_id", "region"]
        );
        let first = problems.iter().next().unwrap();
        assert!(first.detail.contains("\"lbl-\""), "{problems:?}");
    }

    #[test]
    fn a_version_0_identity_reads_as_version_1_without_region() {
        let stored = serde_json::json!({"load_balancer_id": "lb-a1", "listener_id": "lbl-a1",
            "target_group_id": "lbtg-a1", "location_id": null});
        let v0: AssociationId = serde_json::from_value(stored).unwrap();
        let v1 = BindingIdentity::from_version_0(v0.clone());
        assert_eq!(v1, BindingIdentity::new(&v0, None));
    }

    #[test]
    fn schema_requires_three_attributes_for_import() {
        use tfplug::schema::ImportRole;
        use tfplug::typed::{TypedValue, ValueRole};
        let s = identity_schema();
        assert_eq!(s.version, 1);
        let roles: Vec<_> = s
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.import))
            .collect();
        assert_eq!(
            roles,
            [
                ("load_balancer_id", ImportRole::Required),
                ("listener_id", ImportRole::Required),
                ("target_group_id", ImportRole::Required),
                ("location_id", ImportRole::Optional),
                ("region", ImportRole::Optional),
            ]
        );
        assert!(s.attributes.iter().all(|a| !a.description.is_empty()));
        let id = named("lb-a1#lbl-a1#lbtg-a1", Some("ap-guangzhou"));
        let v = TypedValue::from_model(ValueRole::Identity, s.value_type(), &id).unwrap();
        assert!(v.is_fully_known());
        let back: BindingIdentity = v.get().unwrap();
        assert_eq!(back, id);
    }
}
