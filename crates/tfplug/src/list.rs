//! List resources (Terraform 1.14+, `terraform query`): find existing objects of a managed
//! resource type and stream them with their identity, a display name and, when asked, the full
//! object a `terraform import` would produce.
//!
//! The list resource's type name is a managed resource type that has an identity. The framework
//! checks every result before it leaves (identity known and of the identity schema, object of the
//! resource schema), drops the object when Terraform did not ask for it, and stops the stream at
//! `limit`, so a list resource only finds objects and sends them.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::provider::{ConfigValidator, Context};
use super::schema::Schema;
use super::typed::{TypedValue, ValueRole};
use crate::framework::list::ResultChecker;
use crate::proto::tfplugin6 as pb;

/// Input of [`ListResource::list`].
#[derive(Debug, Clone)]
pub struct ListRequest {
    /// The list block's `config { }`, of [`ListResource::config_schema`] (wholly known).
    pub config: TypedValue,
    /// Terraform wants each result's full object ([`ListResult::resource_object`]). When false,
    /// a list resource may skip the work of building it (the framework drops it anyway).
    pub include_resource_object: bool,
    /// Terraform stops reading after this many results; [`ListStream::send`] returns false
    /// then, so a list resource need not count.
    pub limit: i64,
}

/// One object found.
#[derive(Debug, Clone)]
pub struct ListResult {
    /// Its identity (of the managed resource's identity schema), wholly known.
    pub identity: TypedValue,
    /// What a person reads in `terraform query`'s output.
    pub display_name: String,
    /// Its full state, as an import would produce it (of the managed resource's schema); may
    /// stay null when not asked for.
    pub resource_object: TypedValue,
    /// Warnings about this object (an error here ends the whole stream).
    pub diagnostics: Diagnostics,
}

/// Where a list resource sends what it finds. Obtained from the framework.
pub struct ListStream {
    pub(crate) checker: Arc<ResultChecker>,
    pub(crate) events: mpsc::Sender<pb::list_resource::Event>,
    /// Results accepted so far (events with an identity).
    pub(crate) sent: i64,
    pub(crate) limit: i64,
    pub(crate) stopped: bool,
}

impl ListStream {
    /// An empty result of the right types, to fill in and [`send`](Self::send).
    pub fn new_result(&self) -> ListResult {
        ListResult {
            identity: TypedValue::null(ValueRole::Identity, self.checker.identity_type()),
            display_name: String::new(),
            resource_object: TypedValue::null(ValueRole::State, self.checker.resource_type()),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Sends one result after the framework's checks. Returns false when the stream is over
    /// (limit reached, Terraform stopped reading, or this result was refused with an error):
    /// stop listing then.
    pub async fn send(&mut self, result: ListResult) -> bool {
        if self.stopped || self.sent >= self.limit {
            self.stopped = true;
            return false;
        }
        let (event, fatal) = self.checker.check(result);
        let counted = event.identity.is_some();
        if self.events.send(event).await.is_err() || fatal {
            self.stopped = true;
            return false;
        }
        if counted {
            self.sent += 1;
        }
        if self.sent >= self.limit {
            self.stopped = true;
        }
        !self.stopped
    }

    /// Sends diagnostics that belong to no single object (a failed read: an error ends the
    /// stream, and Terraform fails the list block). Returns false when the stream is over.
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) -> bool {
        if self.stopped || diagnostics.is_empty() {
            return !self.stopped;
        }
        let fatal = diagnostics.has_errors();
        let event = self.checker.diagnostics_only(&diagnostics);
        if self.events.send(event).await.is_err() || fatal {
            self.stopped = true;
        }
        !self.stopped
    }

    /// Results accepted so far.
    pub fn sent(&self) -> i64 {
        self.sent
    }

    /// True once nothing more will be accepted.
    pub fn is_stopped(&self) -> bool {
        self.stopped || self.events.is_closed()
    }
}

/// A list resource.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The managed resource type it lists (which must have an identity).
    fn type_name(&self) -> &str;
    /// What goes inside the list block's `config { }`.
    fn config_schema(&self) -> Schema;
    /// Extra validation of that config (it may hold unknowns at validation time).
    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        None
    }
    /// Finds the objects and sends them; stop when [`ListStream::send`] returns false or
    /// `ctx.cancel` fires.
    async fn list(&self, ctx: &Context, req: ListRequest, stream: &mut ListStream);
}
