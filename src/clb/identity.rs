//! The resource identity of `tencentcloud_clb_target_group_association` (Terraform 1.12+,
//! OpenTofu 1.10+): the binding's coordinates as an object, which `import { identity = {...} }`
//! accepts instead of the `#`-joined ID.

use serde::{Deserialize, Serialize};

use crate::clb::id::{AssociationId, ParseIdError};

/// Identity schema version; bump it (and upgrade old identities) if the attributes change.
pub const IDENTITY_VERSION: i64 = 0;

/// The identity of one binding. `location_id` is null for a layer-4 listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationIdentity {
    /// `lb-…`
    pub load_balancer_id: String,
    /// `lbl-…`
    pub listener_id: String,
    /// `lbtg-…`
    pub target_group_id: String,
    /// `loc-…`, or null for layer 4.
    pub location_id: Option<String>,
}

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

impl From<&AssociationId> for AssociationIdentity {
    fn from(id: &AssociationId) -> Self {
        AssociationIdentity {
            load_balancer_id: id.load_balancer_id.clone(),
            listener_id: id.listener_id.clone(),
            target_group_id: id.target_group_id.clone(),
            location_id: id.location_id.clone(),
        }
    }
}

impl AssociationIdentity {
    /// The binding this identity names, with the same checks as an import ID (an empty
    /// `location_id` means layer 4).
    pub fn association_id(&self) -> Result<AssociationId, ParseIdError> {
        let id = AssociationId {
            load_balancer_id: self.load_balancer_id.trim().to_string(),
            listener_id: self.listener_id.trim().to_string(),
            location_id: self
                .location_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            target_group_id: self.target_group_id.trim().to_string(),
        };
        if id.load_balancer_id.is_empty()
            || id.listener_id.is_empty()
            || id.target_group_id.is_empty()
        {
            return Err(ParseIdError {
                problem: "The identity needs load_balancer_id, listener_id and target_group_id (and location_id for a layer-7 rule).".into(),
            });
        }
        AssociationId::parse(&id.to_string())
    }
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
            let identity = AssociationIdentity::from(&id);
            assert_eq!(identity.association_id().unwrap(), id);
        }
    }

    #[test]
    fn empty_location_means_layer4_and_bad_ids_are_refused() {
        let identity = AssociationIdentity {
            load_balancer_id: "lb-demo0001".into(),
            listener_id: "lbl-tcp00001".into(),
            target_group_id: "lbtg-web00001".into(),
            location_id: Some("".into()),
        };
        assert_eq!(identity.association_id().unwrap().location_id, None);
        let bad = AssociationIdentity {
            listener_id: "lbx-1".into(),
            ..identity.clone()
        };
        let err = bad.association_id().unwrap_err();
        assert!(err.problem.contains("listener ID \"lbx-1\""), "{err}");
        let missing = AssociationIdentity {
            target_group_id: " ".into(),
            ..identity
        };
        assert!(
            missing
                .association_id()
                .unwrap_err()
                .problem
                .contains("needs load_balancer_id")
        );
    }
}
