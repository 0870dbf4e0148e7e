//! The emulator's mutable core: world, tasks, metrics, rate limiter and fault dice, behind
//! one mutex, plus persistence after every change.

use crate::clb::tasks::{Task, status};
use crate::clb::world::World;
use crate::config::EmulatorConfig;
use crate::error::EmulatorError;
use crate::faults::FaultDice;
use crate::persist::{self, Snapshot};
use crate::ratelimit::RateLimiter;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// Finished tasks kept for DescribeTaskStatus beyond this count are forgotten, oldest first.
const MAX_FINISHED_TASKS: usize = 10_000;

/// Counters served by `GET /_emulator/metrics`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metrics {
    /// API calls per `X-TC-Action` (every call, including rejected ones).
    pub calls: BTreeMap<String, u64>,
    /// Error replies per error code.
    pub errors: BTreeMap<String, u64>,
    /// Tasks accepted.
    pub tasks_started: u64,
    /// Tasks that finished with status 0.
    pub tasks_succeeded: u64,
    /// Tasks that finished with status 1.
    pub tasks_failed: u64,
    /// Tasks currently in progress.
    pub tasks_running: u64,
    /// API calls per kind of credential (`LongTermKey`, `SessionToken`, `Unsigned`) and action.
    pub calls_by_credential: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Metrics {
    /// Counts one call under its kind of credential.
    pub(crate) fn count_credential(&mut self, kind: &str, action: &str) {
        let key = crate::sts::metrics_key(action)
            .unwrap_or_else(|| crate::clb::action::Action::metrics_key(action));
        *self
            .calls_by_credential
            .entry(kind.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }
}

/// Current time in Unix milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Everything that changes while the emulator runs.
#[derive(Debug)]
pub(crate) struct Core {
    /// The current world.
    pub world: World,
    /// Running and finished tasks, oldest first.
    pub tasks: Vec<Task>,
    /// Counters.
    pub metrics: Metrics,
    /// Per-action rate limiting.
    pub limiter: RateLimiter,
    /// Fault decisions.
    pub dice: FaultDice,
    /// Temporary credentials STS issued (not persisted: a restart ends every session).
    pub(crate) sessions: crate::sts::sessions::Sessions,
    seed: World,
    config: EmulatorConfig,
}

impl Core {
    /// Builds the core from the state file if it exists, else from the seed. Tasks that were
    /// in flight when the state was written are finished now, so nothing stays half done.
    pub fn new(config: &EmulatorConfig) -> Result<Core, EmulatorError> {
        let mut seed = config.seed.clone().unwrap_or_default();
        seed.normalize().map_err(EmulatorError::InvalidWorld)?;
        let (world, tasks) = match &config.state_file {
            Some(path) => match persist::load(path) {
                Ok(Some(snapshot)) => {
                    let (mut world, tasks) = snapshot.into_parts();
                    world.normalize().map_err(|e| EmulatorError::StateFile {
                        path: path.display().to_string(),
                        message: e,
                    })?;
                    (world, tasks)
                }
                Ok(None) => (seed.clone(), Vec::new()),
                Err(message) => {
                    return Err(EmulatorError::StateFile {
                        path: path.display().to_string(),
                        message,
                    });
                }
            },
            None => (seed.clone(), Vec::new()),
        };
        let mut core = Core {
            world,
            tasks,
            metrics: Metrics::default(),
            limiter: RateLimiter::new(config.rate_limit_per_second),
            dice: FaultDice::new(config.faults.clone()),
            sessions: Default::default(),
            seed,
            config: config.clone(),
        };
        core.settle_due(u64::MAX);
        if let Some(path) = &config.state_file {
            persist::save(path, &core.snapshot()).map_err(|e| EmulatorError::StateFile {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(core)
    }

    /// Finishes every running task whose deadline is at or before `now_ms`.
    /// Returns whether anything changed.
    pub(crate) fn settle_due(&mut self, now_ms: u64) -> bool {
        let mut changed = false;
        for t in self
            .tasks
            .iter_mut()
            .filter(|t| t.running() && t.deadline_ms <= now_ms)
        {
            t.complete(&mut self.world);
            if t.status == status::SUCCEEDED {
                self.metrics.tasks_succeeded += 1;
            } else {
                self.metrics.tasks_failed += 1;
            }
            changed = true;
        }
        if changed {
            self.prune();
        }
        self.metrics.tasks_running = self.tasks.iter().filter(|t| t.running()).count() as u64;
        changed
    }

    fn prune(&mut self) {
        let finished = self.tasks.iter().filter(|t| !t.running()).count();
        let mut excess = finished.saturating_sub(MAX_FINISHED_TASKS);
        self.tasks.retain(|t| {
            if excess > 0 && !t.running() {
                excess -= 1;
                false
            } else {
                true
            }
        });
    }

    /// Whether a task is running on this load balancer.
    pub fn busy(&self, load_balancer_id: &str) -> bool {
        self.tasks
            .iter()
            .any(|t| t.running() && t.load_balancer_ids.iter().any(|id| id == load_balancer_id))
    }

    /// Records a newly accepted task.
    pub(crate) fn add_task(&mut self, task: Task) {
        self.metrics.tasks_started += 1;
        self.metrics.tasks_running += 1;
        self.tasks.push(task);
    }

    /// World plus tasks.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::new(&self.world, &self.tasks)
    }

    /// Writes the state file, if one is configured. A failed write is logged, not fatal:
    /// the API keeps answering from memory.
    pub(crate) fn persist(&self) {
        if let Some(path) = &self.config.state_file
            && let Err(e) = persist::save(path, &self.snapshot())
        {
            tracing::error!(path = %path.display(), error = %e, "cannot write state file");
        }
    }

    /// Replaces the world (admin `PUT state`); running tasks keep running and re-check the
    /// world when they finish.
    pub(crate) fn replace_world(&mut self, mut world: World) -> Result<(), String> {
        world.normalize()?;
        self.world = world;
        self.persist();
        Ok(())
    }

    /// Back to the seed: no tasks, zeroed metrics, fresh rate limiter and fault dice.
    pub fn reset(&mut self) {
        self.world = self.seed.clone();
        self.tasks.clear();
        self.metrics = Metrics::default();
        self.limiter = RateLimiter::new(self.config.rate_limit_per_second);
        self.dice = FaultDice::new(self.config.faults.clone());
        self.sessions.clear();
        self.persist();
    }
}
