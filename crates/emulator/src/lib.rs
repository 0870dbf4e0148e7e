//! A local emulator of the Tencent Cloud CLB API (version 2018-03-17), in the spirit of
//! LocalStack: a real HTTP server on loopback that verifies TC3 signatures, validates
//! requests like the cloud does, runs association tasks asynchronously, and can persist its
//! world and inject faults reproducibly.
//!
//! ```no_run
//! # async fn demo() {
//! use tencentcloud_emulator::{EmulatorConfig, start};
//! let emu = start(EmulatorConfig::default()).await.unwrap();
//! println!("{}", emu.base_url());
//! let world = emu.world();
//! # drop(world);
//! emu.shutdown().await;
//! # }
//! ```

mod admin;
pub mod auth;
pub mod cam;
mod clb;
mod cli;
mod config;
mod error;
mod faults;
mod oidc;
mod params;
mod persist;
pub mod probe;
mod ratelimit;
mod server;
mod state;
pub mod sts;

pub use clb::tasks::{Task, TaskAction};
pub use clb::world::{
    DEFAULT_CREATED_TIME, Listener, LoadBalancer, Rule, TargetGroup, TargetGroupAssociation, World,
};
pub use cli::main;
pub use config::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, EmulatorConfig, Faults, UnknownIds};
pub use error::{ApiFailure, EmulatorError};
pub use persist::Snapshot;
pub use server::{API_VERSION, RunningEmulator, start};
pub use state::Metrics;
