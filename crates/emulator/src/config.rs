//! Configuration of an emulator instance.

use crate::clb::world::World;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The documented example SecretId, accepted by default (local use only).
pub const DEFAULT_SECRET_ID: &str = "AKIDEXAMPLE";
/// The documented example SecretKey, accepted by default (local use only).
pub const DEFAULT_SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// How an emulator is started.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; must be a loopback address (port 0 picks a free port).
    pub listen: SocketAddr,
    /// World to start from (ignored when `state_file` already exists).
    pub seed: Option<World>,
    /// Where the world and tasks are persisted after every change and reloaded at start.
    pub state_file: Option<PathBuf>,
    /// The only SecretId the emulator accepts.
    pub secret_id: String,
    /// Key used to verify TC3 signatures.
    pub secret_key: String,
    /// How long an association task stays "in progress" before it applies.
    pub task_duration: Duration,
    /// Requests per second per action before `RequestLimitExceeded`; 0 disables the limit.
    pub rate_limit_per_second: u32,
    /// Injected faults.
    pub faults: Faults,
    /// Caps every STS session at this many seconds (tests of credential refresh).
    pub sts_max_session_seconds: Option<u64>,
    /// Answer with the detailed CLB codes (`InvalidParameter.LBIdNotFound`, `ResourceNotFound`,
    /// `InvalidParameterValue.Range`, …) instead of only the codes each action documents.
    pub detailed_errors: bool,
    /// How `DescribeTargetGroups` treats target group IDs it does not know.
    pub describe_unknown_ids: UnknownIds,
    /// Most bindings one load balancer may hold; one more is refused with `LimitExceeded`.
    pub binding_quota: Option<usize>,
    /// The region of every load balancer and target group whose seed names none.
    pub region: String,
}

/// The emulator's region unless configured otherwise.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// Regions the emulator answers besides those its world uses (Tencent Cloud region names); a
/// request for any other gets `UnsupportedRegion`.
pub(crate) const KNOWN_REGIONS: &[&str] = &[
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-nanjing",
    "ap-hongkong",
    "ap-singapore",
    "ap-tokyo",
    "ap-seoul",
    "ap-bangkok",
    "ap-jakarta",
    "ap-mumbai",
    "na-siliconvalley",
    "na-ashburn",
    "eu-frankfurt",
    "sa-saopaulo",
];

/// What `DescribeTargetGroups` does with a `TargetGroupIds` entry that names no target group
/// (the API reference does not say; both are seen from clouds of this kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownIds {
    /// Answer with the target groups that exist, leaving the unknown ones out.
    #[default]
    AnswerKnown,
    /// Refuse the whole call with `InvalidParameterValue` naming the unknown ID.
    Refuse,
}

/// Faults to inject, drawn from a random generator seeded with `rng_seed` so a run replays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Probability that an API call answers `InternalError` without doing anything.
    pub internal_error: f64,
    /// Probability that an API call is processed but the connection is dropped before the
    /// reply arrives (the client cannot know whether a write happened).
    pub drop_connection: f64,
    /// Probability that an accepted task ends with status 1 (failed) and applies nothing.
    pub task_failure: f64,
    /// Probability that a task failed by `task_failure` first applies the first half of its
    /// members (rounded up): a failed batch task that changed part of the cloud.
    pub partial_task_failure: f64,
    /// Probability that a write (`AssociateTargetGroups`, `DisassociateTargetGroups`) is
    /// processed but answered with a cut-off body that is not valid JSON (a broken proxy).
    pub garbled_write_reply: f64,
    /// Probability that a read (`Describe…`) is answered with an empty success,
    /// `{"Response":{"RequestId":…}}`, every documented field missing.
    pub empty_read_reply: f64,
    /// Extra latency before every API call is processed.
    pub delay: Duration,
    /// Seed of the fault generator.
    pub rng_seed: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            state_file: None,
            secret_id: DEFAULT_SECRET_ID.to_string(),
            secret_key: DEFAULT_SECRET_KEY.to_string(),
            task_duration: Duration::from_millis(1500),
            rate_limit_per_second: 20,
            faults: Faults::default(),
            sts_max_session_seconds: None,
            detailed_errors: false,
            describe_unknown_ids: UnknownIds::AnswerKnown,
            binding_quota: None,
            region: DEFAULT_REGION.to_string(),
        }
    }
}

impl Faults {
    /// Checks that every probability lies in [0, 1].
    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in [
            ("internal_error", self.internal_error),
            ("drop_connection", self.drop_connection),
            ("task_failure", self.task_failure),
            ("partial_task_failure", self.partial_task_failure),
            ("garbled_write_reply", self.garbled_write_reply),
            ("empty_read_reply", self.empty_read_reply),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "fault probability {name} = {p} is not within [0, 1]"
                ));
            }
        }
        Ok(())
    }
}
