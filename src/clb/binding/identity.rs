//! The resource identity of `tencentcloud_clb_target_group_association` (Terraform 1.12+,
//! OpenTofu 1.10+): the binding's coordinates as an object, which `import { identity = {...} }`
//! accepts instead of the `#`-joined ID. The identity's serde model is [`AssociationId`]
//! itself (the same four attributes; `location_id` null for a layer-4 listener).

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::validate::{IdKind, check_id};
use tfplug::diag::{Diagnostic, Diagnostics};
use tfplug::schema::{IdentityAttribute, IdentitySchema};

/// Identity schema version; bump it (and upgrade old identities) if the attributes change.
pub const IDENTITY_VERSION: i64 = 0;

/// Identity attributes with their descriptions, in schema order; the bool says whether import
/// requires it.
pub const IDENTITY_ATTRIBUTES: [(&str, bool, &str); 4] = [
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
];

/// The binding an identity from `import { identity = {...} }` names, with the same shape checks
/// as an import ID (an empty `location_id` means layer 4); otherwise every problem, each on its
/// attribute.
pub fn checked_identity(identity: &AssociationId) -> Result<AssociationId, Diagnostics> {
    let location_id = identity
        .location_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let parts = [
        (
            "load_balancer_id",
            Some(identity.load_balancer_id.trim()),
            IdKind::LoadBalancer,
        ),
        (
            "listener_id",
            Some(identity.listener_id.trim()),
            IdKind::Listener,
        ),
        (
            "target_group_id",
            Some(identity.target_group_id.trim()),
            IdKind::TargetGroup,
        ),
        ("location_id", location_id, IdKind::Location),
    ];
    let problems: Diagnostics = parts
        .into_iter()
        .filter_map(|(attribute, value, kind)| {
            let message = check_id(kind, value?).err()?;
            Some(Diagnostic::error("Invalid identity", message).at(attribute))
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(AssociationId {
        load_balancer_id: identity.load_balancer_id.trim().to_string(),
        listener_id: identity.listener_id.trim().to_string(),
        location_id: location_id.map(str::to_string),
        target_group_id: identity.target_group_id.trim().to_string(),
    })
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

    #[test]
    fn identity_round_trips_through_the_association_id() {
        for raw in [
            "lb-demo0001#lbl-tcp00001#lbtg-web00001",
            "lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001",
        ] {
            let id = AssociationId::parse(raw).unwrap();
            assert_eq!(checked_identity(&id).unwrap(), id);
        }
    }

    #[test]
    fn empty_location_means_layer4_and_bad_ids_are_refused_on_their_attribute() {
        let identity = AssociationId {
            load_balancer_id: "lb-demo0001".into(),
            listener_id: "lbl-tcp00001".into(),
            target_group_id: "lbtg-web00001".into(),
            location_id: Some("".into()),
        };
        assert_eq!(checked_identity(&identity).unwrap().location_id, None);
        let bad = AssociationId {
            listener_id: "lbx-1".into(),
            target_group_id: " ".into(),
            location_id: Some("rule-1".into()),
            ..identity
        };
        let problems = checked_identity(&bad).unwrap_err();
        let attrs: Vec<_> = problems
            .iter()
            .map(|p| p.attribute.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(attrs, ["listener_id", "target_group_id", "location_id"]);
        let first = problems.iter().next().unwrap();
        assert!(first.detail.contains("\"lbl-\""), "{problems:?}");
    }

    #[test]
    fn schema_requires_three_attributes_for_import() {
        use tfplug::schema::ImportRole;
        use tfplug::typed::{TypedValue, ValueRole};
        let s = identity_schema();
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
            ]
        );
        assert!(s.attributes.iter().all(|a| !a.description.is_empty()));
        let id = AssociationId::parse("lb-a1#lbl-a1#lbtg-a1").unwrap();
        let v = TypedValue::from_model(ValueRole::Identity, s.value_type(), &id).unwrap();
        assert!(v.is_fully_known());
        let back: AssociationId = v.get().unwrap();
        assert_eq!(back.location_id, None);
    }
}
