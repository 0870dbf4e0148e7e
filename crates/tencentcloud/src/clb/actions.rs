//! The CLB actions as methods on [`Client`].

use super::types::*;
use crate::client::{CallKind, Client};
use crate::deadline::Deadline;
use crate::error::ApiError;

/// Service name used in the signature and the default host.
pub const SERVICE: &str = "clb";
/// API version of every CLB action used here.
pub const VERSION: &str = "2018-03-17";

/// Page size used by [`Client::describe_all_target_groups`] (the documented default).
const TARGET_GROUP_PAGE: u64 = 20;

/// An asynchronous action was accepted; poll [`Client::describe_task_status`] with `request_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskAccepted {
    /// RequestId of the call, which is the TaskId.
    pub request_id: String,
}

fn accepted(action: &str, resp: AsyncActionResponse) -> Result<TaskAccepted, ApiError> {
    match resp.request_id.filter(|id| !id.is_empty()) {
        Some(request_id) => Ok(TaskAccepted { request_id }),
        // The write arrived, but without a task ID nothing says whether it was applied.
        None => Err(ApiError::OutcomeUnknown {
            action: action.to_string(),
            cause: Box::new(ApiError::Decode {
                action: action.to_string(),
                detail: "the answer has no RequestId, so the task cannot be tracked".to_string(),
            }),
        }),
    }
}

/// A read reply without the field that carries its answer is malformed: an absent list is never
/// read as "nothing there" (which would make a binding look deleted).
fn required<T>(action: &str, field: &str, value: &Option<T>) -> Result<(), ApiError> {
    match value {
        Some(_) => Ok(()),
        None => Err(ApiError::Decode {
            action: action.to_string(),
            detail: format!(
                "the reply has no `{field}`, which the API always sends; the endpoint (or a proxy in between) did not answer as the API does"
            ),
        }),
    }
}

impl Client {
    /// Binds target groups to listeners or rules (asynchronous).
    pub async fn associate_target_groups(
        &self,
        req: &AssociateTargetGroupsRequest,
        deadline: &Deadline,
    ) -> Result<TaskAccepted, ApiError> {
        const ACTION: &str = "AssociateTargetGroups";
        let resp: AsyncActionResponse = self
            .call(SERVICE, VERSION, ACTION, req, CallKind::Write, deadline)
            .await?;
        accepted(ACTION, resp)
    }

    /// Unbinds target groups (asynchronous).
    pub async fn disassociate_target_groups(
        &self,
        req: &DisassociateTargetGroupsRequest,
        deadline: &Deadline,
    ) -> Result<TaskAccepted, ApiError> {
        const ACTION: &str = "DisassociateTargetGroups";
        let resp: AsyncActionResponse = self
            .call(SERVICE, VERSION, ACTION, req, CallKind::Write, deadline)
            .await?;
        accepted(ACTION, resp)
    }

    /// Status of an asynchronous task.
    pub async fn describe_task_status(
        &self,
        task_id: &str,
        deadline: &Deadline,
    ) -> Result<DescribeTaskStatusResponse, ApiError> {
        let req = DescribeTaskStatusRequest {
            task_id: Some(task_id.to_string()),
            deal_name: None,
        };
        self.call(
            SERVICE,
            VERSION,
            "DescribeTaskStatus",
            &req,
            CallKind::Read,
            deadline,
        )
        .await
    }

    /// One page of target groups.
    pub(crate) async fn describe_target_groups(
        &self,
        req: &DescribeTargetGroupsRequest,
        deadline: &Deadline,
    ) -> Result<DescribeTargetGroupsResponse, ApiError> {
        const ACTION: &str = "DescribeTargetGroups";
        let resp: DescribeTargetGroupsResponse = self
            .call(SERVICE, VERSION, ACTION, req, CallKind::Read, deadline)
            .await?;
        required(ACTION, "TargetGroupSet", &resp.target_group_set)?;
        Ok(resp)
    }

    /// All target groups with the given IDs (every page); all target groups if `ids` is empty.
    pub async fn describe_all_target_groups(
        &self,
        ids: &[String],
        deadline: &Deadline,
    ) -> Result<Vec<TargetGroupInfo>, ApiError> {
        let mut all = Vec::new();
        let mut offset = 0u64;
        loop {
            let req = DescribeTargetGroupsRequest {
                target_group_ids: (!ids.is_empty()).then(|| ids.to_vec()),
                limit: Some(TARGET_GROUP_PAGE),
                offset: Some(offset),
                filters: None,
            };
            let page = self.describe_target_groups(&req, deadline).await?;
            let items = page.target_group_set.unwrap_or_default();
            let got = items.len() as u64;
            all.extend(items);
            offset += got;
            // Stop on a short page as well as on TotalCount, so a server that miscounts cannot
            // make this loop forever.
            let total = page.total_count.unwrap_or(0);
            if got < TARGET_GROUP_PAGE || offset >= total {
                return Ok(all);
            }
        }
    }

    /// Listeners of a load balancer.
    pub async fn describe_listeners(
        &self,
        req: &DescribeListenersRequest,
        deadline: &Deadline,
    ) -> Result<DescribeListenersResponse, ApiError> {
        const ACTION: &str = "DescribeListeners";
        let resp: DescribeListenersResponse = self
            .call(SERVICE, VERSION, ACTION, req, CallKind::Read, deadline)
            .await?;
        required(ACTION, "Listeners", &resp.listeners)?;
        Ok(resp)
    }

    /// Load balancers.
    pub async fn describe_load_balancers(
        &self,
        req: &DescribeLoadBalancersRequest,
        deadline: &Deadline,
    ) -> Result<DescribeLoadBalancersResponse, ApiError> {
        const ACTION: &str = "DescribeLoadBalancers";
        let resp: DescribeLoadBalancersResponse = self
            .call(SERVICE, VERSION, ACTION, req, CallKind::Read, deadline)
            .await?;
        required(ACTION, "LoadBalancerSet", &resp.load_balancer_set)?;
        Ok(resp)
    }
}
