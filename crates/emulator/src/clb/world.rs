//! The emulator's world: load balancers, listeners, rules, target groups and associations.
//!
//! The same types are the seed file format, the `--state` file format and the body of the
//! admin `state` endpoint, so they use the API's own PascalCase field names.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use tencentcloud::clb::ListenerMode;
use tencentcloud::clb::rules::{self, Layer, Refusal};

/// Timestamp used for creation times that the seed does not give.
pub const DEFAULT_CREATED_TIME: &str = "2026-01-01 00:00:00";

/// Everything the emulator knows about (except tasks, which live beside it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct World {
    /// CLB instances with their listeners and rules.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// Target groups (v1 or v2).
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// Bindings of target groups to layer-4 listeners or layer-7 rules.
    #[serde(default)]
    pub associations: Vec<TargetGroupAssociation>,
    /// CAM: accounts owning keys (see docs/emulator.md, "STS, CAM and OIDC").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<crate::cam::Account>,
    /// CAM: roles with their trust and permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<crate::cam::Role>,
    /// CAM: OIDC identity providers whose tokens the emulator signs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oidc_providers: Vec<crate::cam::OidcProvider>,
    /// CAM: SAML identity providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saml_providers: Vec<crate::cam::SamlProvider>,
}

/// A CLB instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LoadBalancer {
    /// `lb-…`
    pub load_balancer_id: String,
    /// Display name; defaults to the ID.
    #[serde(default)]
    pub load_balancer_name: String,
    /// VPC the instance lives in (`vpc-…`, or `"0"` for the basic network).
    pub vpc_id: String,
    /// Region of the instance; the emulator's region (`--region`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// 1 = CLB, 0 = classic CLB.
    #[serde(default = "default_forward")]
    pub forward: i64,
    /// `OPEN` or `INTERNAL`.
    #[serde(default = "default_lb_type")]
    pub load_balancer_type: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    #[serde(default = "default_time")]
    pub create_time: String,
    /// Listeners of this instance.
    #[serde(default)]
    pub listeners: Vec<Listener>,
}

/// A listener on a load balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Listener {
    /// `lbl-…`
    pub listener_id: String,
    /// Display name; defaults to the ID.
    #[serde(default)]
    pub listener_name: String,
    /// TCP, UDP, TCP_SSL, QUIC (layer 4) or HTTP, HTTPS (layer 7).
    pub protocol: String,
    /// Listening port.
    pub port: i64,
    /// Layer 4 only: `NODE` (default), `TARGETGROUP` (v1 target groups), `TARGETGROUP-V2` (v2
    /// target groups) or `POLARIS` (Polaris registry; the emulator binds no target group there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`.
    #[serde(default = "default_time")]
    pub create_time: String,
    /// Layer 7 only: forwarding rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A layer-7 forwarding rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Rule {
    /// `loc-…`
    pub location_id: String,
    /// Host name the rule matches.
    pub domain: String,
    /// Path the rule matches.
    pub url: String,
    /// `NODE` or `TARGETGROUP` when nothing is bound (a bound rule always reports `TARGETGROUP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`.
    #[serde(default = "default_time")]
    pub create_time: String,
}

/// A target group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TargetGroup {
    /// `lbtg-…`
    pub target_group_id: String,
    /// Display name; defaults to the ID.
    #[serde(default)]
    pub target_group_name: String,
    /// VPC of the group; must equal the load balancer's to bind.
    pub vpc_id: String,
    /// Region of the group; the emulator's region (`--region`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Default port (0 for a full-listen group).
    #[serde(default)]
    pub port: Option<u64>,
    /// `v1` (legacy) or `v2`.
    #[serde(default = "default_tg_type")]
    pub target_group_type: String,
    /// Backend protocol; only meaningful for v2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Default weight; only meaningful for v2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u64>,
    /// `YYYY-MM-DD HH:MM:SS`.
    #[serde(default = "default_time")]
    pub created_time: String,
}

/// One binding, in the API's `TargetGroupAssociation` shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TargetGroupAssociation {
    /// `lb-…`
    pub load_balancer_id: String,
    /// `lbl-…`
    pub listener_id: String,
    /// `loc-…` for a layer-7 rule; absent for a layer-4 listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// `lbtg-…`
    pub target_group_id: String,
    /// v2 only: weight in [0, 100].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u64>,
}

impl TargetGroupAssociation {
    /// Identity of a binding: everything except the weight.
    pub(crate) fn same_binding(&self, other: &TargetGroupAssociation) -> bool {
        self.load_balancer_id == other.load_balancer_id
            && self.listener_id == other.listener_id
            && self.location_id == other.location_id
            && self.target_group_id == other.target_group_id
    }

    /// Whether this binding sits on the given listener or rule.
    pub(crate) fn on_target(&self, lb: &str, listener: &str, location: Option<&str>) -> bool {
        self.load_balancer_id == lb
            && self.listener_id == listener
            && self.location_id.as_deref() == location
    }
}

fn default_forward() -> i64 {
    1
}
fn default_lb_type() -> String {
    "OPEN".to_string()
}
fn default_time() -> String {
    DEFAULT_CREATED_TIME.to_string()
}
fn default_tg_type() -> String {
    "v1".to_string()
}

impl Listener {
    /// True for TCP/UDP/TCP_SSL/QUIC listeners.
    pub(crate) fn is_layer4(&self) -> bool {
        Layer::of_protocol(&self.protocol) == Layer::Four
    }

    /// The rule with this `LocationId`, if any.
    pub fn rule(&self, location_id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.location_id == location_id)
    }
}

impl LoadBalancer {
    /// The listener with this ID, if any.
    pub fn listener(&self, listener_id: &str) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.listener_id == listener_id)
    }
}

impl World {
    /// What a caller in `region` sees: its load balancers and target groups (those without a
    /// region are in `default_region`), and the bindings on those load balancers.
    pub fn in_region(&self, region: &str, default_region: &str) -> World {
        let here = |r: &Option<String>| r.as_deref().unwrap_or(default_region) == region;
        let load_balancers: Vec<LoadBalancer> = self
            .load_balancers
            .iter()
            .filter(|lb| here(&lb.region))
            .map(|lb| LoadBalancer {
                region: Some(region.to_string()),
                ..lb.clone()
            })
            .collect();
        let associations = self
            .associations
            .iter()
            .filter(|a| {
                load_balancers
                    .iter()
                    .any(|lb| lb.load_balancer_id == a.load_balancer_id)
            })
            .cloned()
            .collect();
        World {
            load_balancers,
            target_groups: self
                .target_groups
                .iter()
                .filter(|tg| here(&tg.region))
                .map(|tg| TargetGroup {
                    region: Some(region.to_string()),
                    ..tg.clone()
                })
                .collect(),
            associations,
            ..World::default()
        }
    }

    /// Every region the world places something in.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.load_balancers
            .iter()
            .filter_map(|lb| lb.region.as_deref())
            .chain(
                self.target_groups
                    .iter()
                    .filter_map(|tg| tg.region.as_deref()),
            )
    }

    /// The load balancer with this ID, if any.
    pub fn load_balancer(&self, id: &str) -> Option<&LoadBalancer> {
        self.load_balancers
            .iter()
            .find(|lb| lb.load_balancer_id == id)
    }

    /// The target group with this ID, if any.
    pub fn target_group(&self, id: &str) -> Option<&TargetGroup> {
        self.target_groups
            .iter()
            .find(|tg| tg.target_group_id == id)
    }

    /// Fills defaulted names and checks that the world is consistent: unique IDs, known
    /// protocols and types, and associations that point at things that exist.
    pub fn normalize(&mut self) -> Result<(), String> {
        crate::cam::check(
            &self.accounts,
            &self.roles,
            &self.oidc_providers,
            &self.saml_providers,
        )?;
        let mut ids = HashSet::new();
        let mut unique = |id: &str| -> Result<(), String> {
            if id.is_empty() {
                return Err("an ID is empty".to_string());
            }
            if !ids.insert(id.to_string()) {
                return Err(format!("ID {id} appears more than once"));
            }
            Ok(())
        };
        for lb in &mut self.load_balancers {
            unique(&lb.load_balancer_id)?;
            if lb.load_balancer_name.is_empty() {
                lb.load_balancer_name = lb.load_balancer_id.clone();
            }
            for l in &mut lb.listeners {
                unique(&l.listener_id)?;
                if l.listener_name.is_empty() {
                    l.listener_name = l.listener_id.clone();
                }
                let proto = l.protocol.to_ascii_uppercase();
                if !matches!(
                    proto.as_str(),
                    "TCP" | "UDP" | "TCP_SSL" | "QUIC" | "HTTP" | "HTTPS"
                ) {
                    return Err(format!(
                        "listener {} has unknown Protocol {}",
                        l.listener_id, l.protocol
                    ));
                }
                l.protocol = proto;
                if let Some(mode) = &l.target_type
                    && !ListenerMode::DOCUMENTED.contains(&mode.as_str())
                {
                    return Err(format!(
                        "listener {} has TargetType {mode} (want one of {})",
                        l.listener_id,
                        ListenerMode::DOCUMENTED.join(", ")
                    ));
                }
                if l.is_layer4() {
                    if !l.rules.is_empty() {
                        return Err(format!("layer-4 listener {} has Rules", l.listener_id));
                    }
                    if l.target_type.is_none() {
                        l.target_type = Some("NODE".to_string());
                    }
                }
                for r in &l.rules {
                    unique(&r.location_id)?;
                }
            }
        }
        for tg in &mut self.target_groups {
            unique(&tg.target_group_id)?;
            if tg.target_group_name.is_empty() {
                tg.target_group_name = tg.target_group_id.clone();
            }
            if tg.target_group_type != "v1" && tg.target_group_type != "v2" {
                return Err(format!(
                    "target group {} has TargetGroupType {} (want v1 or v2)",
                    tg.target_group_id, tg.target_group_type
                ));
            }
        }
        for (i, a) in self.associations.iter().enumerate() {
            let lb = self
                .load_balancer(&a.load_balancer_id)
                .ok_or_else(|| format!("association {i}: unknown load balancer"))?;
            let l = lb
                .listener(&a.listener_id)
                .ok_or_else(|| format!("association {i}: unknown listener"))?;
            match rules::check_location(Layer::of_protocol(&l.protocol), a.location_id.is_some()) {
                Err(Refusal::LocationRequired) => {
                    return Err(format!(
                        "association {i}: layer-7 listener needs LocationId"
                    ));
                }
                Err(_) => {
                    return Err(format!("association {i}: LocationId on a layer-4 listener"));
                }
                Ok(()) => {}
            }
            if let Some(loc) = &a.location_id
                && l.rule(loc).is_none()
            {
                return Err(format!("association {i}: unknown rule {loc}"));
            }
            if self.target_group(&a.target_group_id).is_none() {
                return Err(format!("association {i}: unknown target group"));
            }
            if self.associations[..i].iter().any(|b| b.same_binding(a)) {
                return Err(format!("association {i} appears more than once"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        serde_json::from_str(
            r#"{"LoadBalancers":[{"LoadBalancerId":"lb-1","VpcId":"vpc-1","Listeners":[
                {"ListenerId":"lbl-1","Protocol":"tcp","Port":80},
                {"ListenerId":"lbl-2","Protocol":"HTTP","Port":81,"Rules":[{"LocationId":"loc-1","Domain":"a","Url":"/"}]}]}],
               "TargetGroups":[{"TargetGroupId":"lbtg-1","VpcId":"vpc-1"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_region_sees_only_its_own_objects() {
        let mut w = world();
        let mut far = w.load_balancers[0].clone();
        far.load_balancer_id = "lb-2".into();
        far.region = Some("ap-shanghai".into());
        far.listeners.clear();
        w.load_balancers.push(far);
        let home = w.in_region("ap-guangzhou", "ap-guangzhou");
        assert_eq!(home.load_balancers.len(), 1);
        assert_eq!(home.target_groups.len(), 1);
        let away = w.in_region("ap-shanghai", "ap-guangzhou");
        assert_eq!(away.load_balancers[0].load_balancer_id, "lb-2");
        assert!(away.target_groups.is_empty());
        assert!(
            w.in_region("ap-beijing", "ap-guangzhou")
                .load_balancers
                .is_empty()
        );
        assert_eq!(w.regions().collect::<Vec<_>>(), ["ap-shanghai"]);
    }

    #[test]
    fn normalize_fills_defaults() {
        let mut w = world();
        w.normalize().unwrap();
        let l = &w.load_balancers[0].listeners[0];
        assert_eq!(l.protocol, "TCP");
        assert_eq!(l.target_type.as_deref(), Some("NODE"));
        assert_eq!(w.load_balancers[0].load_balancer_name, "lb-1");
        assert_eq!(w.target_groups[0].target_group_type, "v1");
    }

    #[test]
    fn normalize_rejects_duplicate_ids_and_bad_associations() {
        let mut w = world();
        w.target_groups.push(w.target_groups[0].clone());
        assert!(w.normalize().unwrap_err().contains("more than once"));

        let mut w = world();
        w.associations.push(TargetGroupAssociation {
            load_balancer_id: "lb-1".into(),
            listener_id: "lbl-2".into(),
            location_id: None,
            target_group_id: "lbtg-1".into(),
            weight: None,
        });
        assert!(w.normalize().unwrap_err().contains("LocationId"));
    }

    #[test]
    fn unknown_seed_fields_are_rejected() {
        let r: Result<World, _> = serde_json::from_str(r#"{"LoadBalancerz":[]}"#);
        assert!(r.is_err());
    }
}
