//! [`ClbApi`] on the real API client (`crate::tencentcloud`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::*;
use crate::clb::provider::config::ProviderSettings;
use tencentcloud::clb::task_waiter::{TaskError, TaskWaiter};
use tencentcloud::clb::types as wire;
use tencentcloud::client::{Client, ClientConfig};
use tencentcloud::credentials::CredentialOptions;
use tencentcloud::endpoint::EndpointOptions;
use tencentcloud::error::{ApiError, ClbObject, ConfigError};

/// The API of the provider's region, and how to reach any other region with the same client.
pub struct Connected {
    /// The region the provider configuration resolved to.
    pub region: String,
    /// The API in that region.
    pub api: Arc<dyn ClbApi>,
    /// The API in another region (same credentials, connections and rate limits).
    pub in_region: crate::clb::provider::ConnectRegion,
}

/// Builds the API handle from the provider settings (runs the credentials chain, assumes the
/// configured role and checks the account).
pub async fn connect(settings: ProviderSettings) -> Result<Connected, ConfigError> {
    let auth = settings.auth;
    let config = ClientConfig {
        credentials: CredentialOptions {
            secret_id: settings.secret_id,
            secret_key: settings.secret_key,
            security_token: settings.security_token,
            profile: settings.profile,
            shared_credentials_dir: settings.shared_credentials_dir,
            metadata_base_url: None,
            cam_role_name: auth.cam_role_name,
            assume_role: auth.assume_role,
            assume_role_with_web_identity: auth.assume_role_with_web_identity,
            assume_role_with_saml: auth.assume_role_with_saml,
            mfa_certification: auth.mfa_certification,
            enable_pod_oidc: auth.enable_pod_oidc,
            sts_endpoint: auth.sts_endpoint,
            allowed_account_ids: auth.allowed_account_ids,
            forbidden_account_ids: auth.forbidden_account_ids,
        },
        region: settings.region,
        endpoint: EndpointOptions {
            protocol: settings.protocol,
            domain: settings.domain,
            endpoint: settings.endpoint,
            allow_insecure_http: false,
        },
        rate_limit_per_second: settings.rate_limit,
        ..ClientConfig::default()
    };
    let client = Client::new(config).await?;
    let region = client.region().to_string();
    let api: Arc<dyn ClbApi> = Arc::new(ClientApi::new(client.clone()));
    Ok(Connected {
        region,
        api,
        in_region: Arc::new(move |region: &str| -> Arc<dyn ClbApi> {
            Arc::new(ClientApi::new(client.in_region(region)))
        }),
    })
}

/// The real API behind [`ClbApi`].
pub(crate) struct ClientApi {
    client: Client,
    /// One waiter for every task, so what it learns about task times serves all of them.
    tasks: TaskWaiter,
}

impl ClientApi {
    /// Wraps an existing client.
    pub fn new(client: Client) -> Self {
        ClientApi {
            tasks: TaskWaiter::new(client.clone()),
            client,
        }
    }
}

fn wire_association(id: &AssociationId, weight: Option<Weight>) -> wire::TargetGroupAssociation {
    wire::TargetGroupAssociation {
        load_balancer_id: id.load_balancer_id.clone(),
        target_group_id: id.target_group_id.clone(),
        listener_id: Some(id.listener_id.clone()),
        location_id: id.location_id.clone(),
        weight,
    }
}

fn target_group(info: wire::TargetGroupInfo) -> Option<TargetGroup> {
    let id = non_empty(info.target_group_id)?;
    let kind = TargetGroupType::from_api(info.target_group_type.as_deref());
    let bindings = info
        .associated_rule
        .unwrap_or_default()
        .into_iter()
        .filter_map(binding_of)
        .collect();
    Some(TargetGroup {
        id,
        vpc_id: non_empty(info.vpc_id),
        kind,
        bindings,
    })
}

/// The binding an `AssociatedRule` item describes; `None` when it lacks its load balancer or
/// listener.
fn binding_of(item: wire::AssociationItem) -> Option<Binding> {
    Some(Binding {
        load_balancer_id: non_empty(item.load_balancer_id)?,
        listener_id: non_empty(item.listener_id)?,
        location_id: non_empty(item.location_id),
        weight: item.weight,
    })
}

/// The bindings `DescribeListeners` shows on one listener and its rules.
fn listener_binding_details(load_balancer_id: &str, l: wire::Listener) -> Vec<BindingDetail> {
    let Some(listener_id) = non_empty(l.listener_id) else {
        return Vec::new();
    };
    let protocol = l.protocol.unwrap_or_default().to_ascii_uppercase();
    let detail = |g: wire::BasicTargetGroupInfo, rule: Option<&wire::RuleOutput>| {
        Some(BindingDetail {
            target_group_id: non_empty(g.target_group_id)?,
            binding: Binding {
                load_balancer_id: load_balancer_id.to_string(),
                listener_id: listener_id.clone(),
                location_id: rule.and_then(|r| non_empty(r.location_id.clone())),
                weight: g.weight,
            },
            protocol: protocol.clone(),
            port: l.port,
            domain: rule.and_then(|r| non_empty(r.domain.clone())),
            url: rule.and_then(|r| non_empty(r.url.clone())),
        })
    };
    // `TargetGroupList` lists every bound group; `TargetGroup` alone (the first one) is the
    // fallback for answers that leave the list out.
    let bound = |list: Option<Vec<wire::BasicTargetGroupInfo>>,
                 first: Option<wire::BasicTargetGroupInfo>| {
        list.filter(|l| !l.is_empty())
            .unwrap_or_else(|| first.into_iter().collect())
    };
    let mut out: Vec<BindingDetail> = bound(l.target_group_list.clone(), l.target_group.clone())
        .into_iter()
        .filter_map(|g| detail(g, None))
        .collect();
    for rule in l.rules.clone().unwrap_or_default() {
        out.extend(
            bound(rule.target_group_list.clone(), rule.target_group.clone())
                .into_iter()
                .filter_map(|g| detail(g, Some(&rule))),
        );
    }
    out
}

fn listener(l: wire::Listener) -> Option<Listener> {
    let mut target_group_ids: Vec<String> = Vec::new();
    let mut note = |one: Option<wire::BasicTargetGroupInfo>,
                    list: Option<Vec<wire::BasicTargetGroupInfo>>| {
        for tg in one.into_iter().chain(list.unwrap_or_default()) {
            if let Some(id) = non_empty(tg.target_group_id)
                && !target_group_ids.contains(&id)
            {
                target_group_ids.push(id);
            }
        }
    };
    note(l.target_group, l.target_group_list);
    let rules = l.rules.unwrap_or_default();
    let mut rule_ids = Vec::new();
    for r in rules {
        note(r.target_group, r.target_group_list);
        if let Some(id) = non_empty(r.location_id) {
            rule_ids.push(id);
        }
    }
    Some(Listener {
        id: non_empty(l.listener_id)?,
        protocol: l.protocol.unwrap_or_default(),
        target_type: non_empty(l.target_type),
        rule_ids,
        target_group_ids,
    })
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

#[async_trait]
impl ClbApi for ClientApi {
    async fn target_groups(
        &self,
        ids: &[String],
        deadline: &Deadline,
    ) -> Result<Vec<TargetGroup>, ApiError> {
        let found = match self.client.describe_all_target_groups(ids, deadline).await {
            Ok(found) => found,
            // One ID refused: that target group does not exist. Several: the caller reads them
            // one by one to find out which.
            Err(e) if ids.len() == 1 && e.refuses_id(ClbObject::TargetGroup, &ids[0]) => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        Ok(found
            .into_iter()
            .filter_map(target_group)
            .filter(|tg| ids.contains(&tg.id))
            .collect())
    }

    async fn load_balancer(
        &self,
        id: &str,
        deadline: &Deadline,
    ) -> Result<Option<LoadBalancer>, ApiError> {
        let req = wire::DescribeLoadBalancersRequest {
            load_balancer_ids: Some(vec![id.to_string()]),
            ..Default::default()
        };
        let resp = match self.client.describe_load_balancers(&req, deadline).await {
            Ok(r) => r,
            Err(e) if e.says_absent(ClbObject::LoadBalancer) => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        Ok(resp
            .load_balancer_set
            .unwrap_or_default()
            .into_iter()
            .find(|lb| lb.load_balancer_id.as_deref() == Some(id))
            .map(|lb| LoadBalancer {
                id: id.to_string(),
                // The VPC the load balancer forwards into is what target groups must match.
                vpc_id: non_empty(lb.target_region_info.and_then(|t| t.vpc_id))
                    .or(non_empty(lb.vpc_id)),
            }))
    }

    async fn listeners(
        &self,
        load_balancer_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Vec<Listener>>, ApiError> {
        let req = wire::DescribeListenersRequest {
            load_balancer_id: load_balancer_id.to_string(),
            ..Default::default()
        };
        let resp = match self.client.describe_listeners(&req, deadline).await {
            Ok(r) => r,
            // Listing every listener, only the load balancer can be missing.
            Err(e)
                if e.says_absent(ClbObject::LoadBalancer) || e.says_absent(ClbObject::Listener) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        Ok(Some(
            resp.listeners
                .unwrap_or_default()
                .into_iter()
                .filter_map(listener)
                .collect(),
        ))
    }

    async fn associate(
        &self,
        bindings: &[(AssociationId, Option<Weight>)],
        deadline: &Deadline,
    ) -> Result<String, ApiError> {
        let body = wire::AssociateTargetGroupsRequest {
            associations: bindings
                .iter()
                .map(|(id, weight)| wire_association(id, *weight))
                .collect(),
        };
        let accepted = self.client.associate_target_groups(&body, deadline).await?;
        Ok(accepted.request_id)
    }

    async fn disassociate(
        &self,
        bindings: &[AssociationId],
        deadline: &Deadline,
    ) -> Result<String, ApiError> {
        // A binding is identified by its coordinates alone; the weight means nothing to unbinding.
        let body = wire::DisassociateTargetGroupsRequest {
            associations: bindings
                .iter()
                .map(|id| wire_association(id, None))
                .collect(),
        };
        let accepted = self
            .client
            .disassociate_target_groups(&body, deadline)
            .await?;
        Ok(accepted.request_id)
    }

    async fn wait_task(&self, task_id: &str, deadline: &Deadline) -> Result<(), TaskError> {
        self.tasks.wait(task_id, deadline).await.map(|_| ())
    }

    async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        let found = match self
            .client
            .describe_all_target_groups(&[target_group_id.to_string()], deadline)
            .await
        {
            Ok(found) => found,
            Err(e) if e.refuses_id(ClbObject::TargetGroup, target_group_id) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(info) = found
            .into_iter()
            .find(|tg| tg.target_group_id.as_deref() == Some(target_group_id))
        else {
            return Ok(None);
        };
        Ok(Some(
            info.associated_rule
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| {
                    let protocol = item
                        .protocol
                        .clone()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let port = item.port.map(|p| p as i64);
                    let domain = non_empty(item.domain.clone());
                    let url = non_empty(item.url.clone());
                    Some(BindingDetail {
                        target_group_id: target_group_id.to_string(),
                        binding: binding_of(item)?,
                        protocol,
                        port,
                        domain,
                        url,
                    })
                })
                .collect(),
        ))
    }

    async fn load_balancer_binding_details(
        &self,
        load_balancer_id: &str,
        listener_id: Option<&str>,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        let req = wire::DescribeListenersRequest {
            load_balancer_id: load_balancer_id.to_string(),
            listener_ids: listener_id.map(|l| vec![l.to_string()]),
            ..Default::default()
        };
        let resp = match self.client.describe_listeners(&req, deadline).await {
            Ok(r) => r,
            Err(e) if e.says_absent(ClbObject::LoadBalancer) => return Ok(None),
            // An unknown listener has no bindings.
            Err(e) if e.says_absent(ClbObject::Listener) => return Ok(Some(Vec::new())),
            Err(e) => return Err(e),
        };
        Ok(Some(
            resp.listeners
                .unwrap_or_default()
                .into_iter()
                .filter(|l| listener_id.is_none_or(|id| l.listener_id.as_deref() == Some(id)))
                .flat_map(|l| listener_binding_details(load_balancer_id, l))
                .collect(),
        ))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_details_read_rules_lists_and_the_single_group_fallback() {
        // Shaped like the documented DescribeListeners answer: a layer-7 listener whose rule
        // names its group in `TargetGroup` and `TargetGroupList`, a lower-case protocol, and a
        // layer-4 listener that reports only `TargetGroup`.
        let answer: wire::DescribeListenersResponse = serde_json::from_value(serde_json::json!({
            "Listeners": [
                {"ListenerId": "lbl-m2q6sp9m", "Protocol": "http", "Port": 80, "TargetGroup": null,
                 "TargetGroupList": null,
                 "Rules": [{"LocationId": "loc-jjqr0ric", "Domain": "aaaa.com", "Url": "/group",
                   "TargetGroup": {"TargetGroupId": "lbtg-5xunivs0", "TargetGroupName": "a"},
                   "TargetGroupList": [{"TargetGroupId": "lbtg-5xunivs0", "TargetGroupName": "a"},
                                       {"TargetGroupId": "lbtg-other001", "Weight": 20}]}]},
                {"ListenerId": "lbl-tcp00001", "Protocol": "TCP", "Port": 7000, "Rules": null,
                 "TargetGroup": {"TargetGroupId": "lbtg-l4000001", "Weight": 10}}
            ]
        }))
        .unwrap();
        let found: Vec<BindingDetail> = answer
            .listeners
            .unwrap()
            .into_iter()
            .flat_map(|l| listener_binding_details("lb-phbx2420", l))
            .collect();
        let summary: Vec<_> = found
            .iter()
            .map(|d| {
                (
                    d.binding.listener_id.as_str(),
                    d.binding.location_id.as_deref(),
                    d.target_group_id.as_str(),
                    d.binding.weight,
                    d.protocol.as_str(),
                    d.port,
                    d.domain.as_deref(),
                    d.url.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "lbl-m2q6sp9m",
                    Some("loc-jjqr0ric"),
                    "lbtg-5xunivs0",
                    None,
                    "HTTP",
                    Some(80),
                    Some("aaaa.com"),
                    Some("/group")
                ),
                (
                    "lbl-m2q6sp9m",
                    Some("loc-jjqr0ric"),
                    "lbtg-other001",
                    Some(20),
                    "HTTP",
                    Some(80),
                    Some("aaaa.com"),
                    Some("/group")
                ),
                (
                    "lbl-tcp00001",
                    None,
                    "lbtg-l4000001",
                    Some(10),
                    "TCP",
                    Some(7000),
                    None,
                    None
                ),
            ]
        );
        assert!(
            found
                .iter()
                .all(|d| d.binding.load_balancer_id == "lb-phbx2420")
        );
    }
}
