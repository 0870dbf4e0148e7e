//! The CLB service (`clb`, version 2018-03-17): its actions, the world of load balancers,
//! listeners, rules and target groups they act on, and the asynchronous tasks they start.

pub(crate) mod action;
pub(crate) mod associate;
pub(crate) mod describe;
pub mod tasks;
pub mod world;
