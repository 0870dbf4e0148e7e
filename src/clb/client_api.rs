//! [`ClbApi`] on the real API client (`crate::tencentcloud`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::clb::api::*;
use crate::clb::id::AssociationId;
use crate::clb::provider_config::ProviderSettings;
use crate::tencentcloud::clb::task_waiter::{TaskError, TaskWaiter};
use crate::tencentcloud::clb::types as wire;
use crate::tencentcloud::client::{Client, ClientConfig};
use crate::tencentcloud::credentials::CredentialOptions;
use crate::tencentcloud::endpoint::EndpointOptions;
use crate::tencentcloud::error::{ApiError, ClbObject};

/// Builds the API handle from the provider settings (runs the credentials chain).
pub async fn connect(settings: ProviderSettings) -> Result<Arc<dyn ClbApi>, String> {
    let config = ClientConfig {
        credentials: CredentialOptions {
            secret_id: settings.secret_id,
            secret_key: settings.secret_key,
            security_token: settings.security_token,
            profile: settings.profile,
            shared_credentials_dir: settings.shared_credentials_dir,
            metadata_base_url: None,
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
    let client = Client::new(config).await.map_err(|e| e.to_string())?;
    Ok(Arc::new(ClientApi::new(client)))
}

/// The real API behind [`ClbApi`].
pub struct ClientApi {
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
        .filter_map(|item| {
            Some(Binding {
                load_balancer_id: non_empty(item.load_balancer_id)?,
                listener_id: non_empty(item.listener_id)?,
                location_id: non_empty(item.location_id),
                weight: item.weight,
            })
        })
        .collect();
    Some(TargetGroup {
        id,
        vpc_id: non_empty(info.vpc_id),
        kind,
        bindings,
    })
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
            Err(e) if e.says_absent(ClbObject::TargetGroup) => return Ok(Vec::new()),
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
}
