//! The CLB (`clb`, version `2018-03-17`) actions the provider uses, with typed requests and
//! responses, and a waiter for the asynchronous tasks they start.

mod actions;
pub mod codes;
pub(crate) mod poll_schedule;
pub mod rules;
pub mod task_waiter;
pub mod types;

pub use actions::{SERVICE, TaskAccepted, VERSION};
pub use codes::{ListenerMode, MAX_ASSOCIATIONS_PER_CALL};
pub use task_waiter::{TaskError, TaskOutcome, TaskWaiter};
pub use types::*;
