//! Coalesced, briefly cached reads of target groups (`DescribeTargetGroups`).
//!
//! Readers of a target group whose call is already under way join it (unless a write touched the
//! group since it was sent); others queue up and share the next call, which asks for up to
//! [`MAX_TARGET_GROUPS_PER_READ`] target groups at once, filling spare room with the target groups
//! the readers said were likely next (the others bound on the same load balancer), so a refresh
//! of many bindings needs about one call per 20 target groups. Answers are kept for a short time
//! for this process only (each Terraform command starts a new one). Any write that touches a
//! target group invalidates it first: a read asked for after the write was acknowledged never gets
//! an answer fetched before it, because every invalidation bumps the group's generation and an
//! answer is only kept if no invalidation happened while it was being fetched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::clb::cloud::{ClbApi, Deadline, MAX_TARGET_GROUPS_PER_READ, TargetGroup};
use tencentcloud::deadline::Ended;
use tencentcloud::error::{ApiError, ClbObject};

/// How long an answer may be reused within this process (writes invalidate it sooner).
pub(crate) const READ_TTL: Duration = Duration::from_secs(30);
/// How long a call waits for more readers before it is sent: readers that come a few
/// milliseconds apart (the read-backs of load balancers whose tasks ended in the same round, the
/// reads of a refresh as each load balancer's listeners arrive) then share it.
pub(crate) const READ_GATHER: Duration = Duration::from_millis(5);

type Answer = Result<Option<TargetGroup>, ApiError>;

struct Waiting {
    id: String,
    /// Target groups likely to be read next (siblings on the same load balancer).
    siblings: Vec<String>,
    deadline: Deadline,
    reply: oneshot::Sender<Answer>,
}

struct Cached {
    at: Instant,
    value: Option<TargetGroup>,
}

#[derive(Default)]
struct State {
    cache: HashMap<String, Cached>,
    generation: HashMap<String, u64>,
    waiting: Vec<Waiting>,
    /// Calls under way: per target group, its generation when the call was sent and the readers
    /// who joined it since (only while no write has touched the group).
    in_flight: HashMap<String, (u64, Vec<oneshot::Sender<Answer>>)>,
    fetching: bool,
}

/// Target-group reads shared by every resource instance of the process.
pub struct TargetGroupReads {
    api: Arc<dyn ClbApi>,
    state: Mutex<State>,
}

/// How old an answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// A cached answer younger than [`READ_TTL`] will do.
    Recent,
    /// Ask the cloud (sharing a call that has not been sent yet).
    Fresh,
}

/// The error of a wait for `action` that ended before its answer came.
pub(crate) fn ended_error(ended: Ended, action: &str) -> ApiError {
    match ended {
        Ended::Cancelled => ApiError::Cancelled,
        Ended::Expired => ApiError::DeadlineExceeded {
            action: Some(action.to_string()),
            last: None,
        },
    }
}

impl TargetGroupReads {
    /// Reads through `api`.
    pub fn new(api: Arc<dyn ClbApi>) -> Arc<Self> {
        Arc::new(TargetGroupReads {
            api,
            state: Mutex::new(State::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        super::lock(&self.state)
    }

    /// Whether a recent answer for `id` is at hand.
    pub(crate) fn is_cached(&self, id: &str) -> bool {
        self.lock()
            .cache
            .get(id)
            .is_some_and(|c| c.at.elapsed() <= READ_TTL)
    }

    /// The target group `id` with its bindings; `None` when it does not exist. `siblings` are
    /// read in the same call when it has room, so the readers that follow find them cached.
    pub async fn get(
        self: &Arc<Self>,
        id: &str,
        siblings: Vec<String>,
        freshness: Freshness,
        deadline: &Deadline,
    ) -> Answer {
        let rx = {
            let mut st = self.lock();
            if freshness == Freshness::Recent
                && let Some(c) = st.cache.get(id)
                && c.at.elapsed() <= READ_TTL
            {
                return Ok(c.value.clone());
            }
            let (tx, rx) = oneshot::channel();
            let generation = st.generation.get(id).copied().unwrap_or(0);
            match st.in_flight.get_mut(id) {
                Some((sent_at, joined))
                    if freshness == Freshness::Recent && *sent_at == generation =>
                {
                    joined.push(tx);
                }
                _ => {
                    st.waiting.push(Waiting {
                        id: id.to_string(),
                        siblings,
                        deadline: deadline.clone(),
                        reply: tx,
                    });
                    if !st.fetching {
                        st.fetching = true;
                        let me = self.clone();
                        tokio::spawn(async move { me.fetch_loop().await });
                    }
                }
            }
            rx
        };
        Self::wait(rx, deadline).await
    }

    async fn wait(rx: oneshot::Receiver<Answer>, deadline: &Deadline) -> Answer {
        match deadline.run(rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(ApiError::Cancelled),
            Err(ended) => Err(ended_error(ended, "DescribeTargetGroups")),
        }
    }

    /// Forgets what is known about these target groups (a write is about to touch them).
    pub(crate) fn invalidate<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut st = self.lock();
        for id in ids {
            st.cache.remove(id);
            *st.generation.entry(id.to_string()).or_default() += 1;
        }
    }

    /// Reads these target groups afresh and keeps the answers (after a write finished), in the
    /// next shared call. Errors are left for the readers to meet.
    pub async fn refresh(self: &Arc<Self>, ids: &[String], deadline: &Deadline) {
        futures::future::join_all(
            ids.iter()
                .map(|id| self.get(id, Vec::new(), Freshness::Fresh, deadline)),
        )
        .await;
    }

    fn generations(&self, ids: &[String]) -> Vec<u64> {
        let st = self.lock();
        ids.iter()
            .map(|id| st.generation.get(id).copied().unwrap_or(0))
            .collect()
    }

    fn keep(&self, ids: &[String], generations: &[u64], found: &[TargetGroup]) {
        let mut st = self.lock();
        let now = Instant::now();
        for (id, generation) in ids.iter().zip(generations) {
            if st.generation.get(id).copied().unwrap_or(0) == *generation {
                let value = found.iter().find(|tg| &tg.id == id).cloned();
                st.cache.insert(id.clone(), Cached { at: now, value });
            }
        }
    }

    /// Sends one call per round for everything waiting, until nothing waits.
    async fn fetch_loop(self: Arc<Self>) {
        loop {
            tokio::time::sleep(READ_GATHER).await;
            let (ids, waiters) = {
                let mut st = self.lock();
                st.waiting.retain(|w| !w.reply.is_closed());
                if st.waiting.is_empty() {
                    st.fetching = false;
                    return;
                }
                let mut ids: Vec<String> = Vec::new();
                for w in &st.waiting {
                    if !ids.contains(&w.id) && ids.len() < MAX_TARGET_GROUPS_PER_READ {
                        ids.push(w.id.clone());
                    }
                }
                let (taken, rest): (Vec<Waiting>, Vec<Waiting>) =
                    st.waiting.drain(..).partition(|w| ids.contains(&w.id));
                st.waiting = rest;
                let now = Instant::now();
                for sibling in taken.iter().flat_map(|w| &w.siblings) {
                    let known = st
                        .cache
                        .get(sibling)
                        .is_some_and(|c| now.duration_since(c.at) <= READ_TTL);
                    if ids.len() < MAX_TARGET_GROUPS_PER_READ
                        && !known
                        && !ids.contains(sibling)
                        && !st.in_flight.contains_key(sibling)
                    {
                        ids.push(sibling.clone());
                    }
                }
                for id in &ids {
                    let generation = st.generation.get(id).copied().unwrap_or(0);
                    st.in_flight.insert(id.clone(), (generation, Vec::new()));
                }
                (ids, taken)
            };
            // The call lasts as long as the most patient reader is willing to wait.
            let latest = waiters
                .iter()
                .map(|w| w.deadline.instant())
                .max()
                .expect("at least one reader");
            let deadline = Deadline::at(latest, tokio_util::sync::CancellationToken::new());
            let generations = self.generations(&ids);
            let result = match self.api.target_groups(&ids, &deadline).await {
                // Some clouds refuse a whole list for one unknown ID: ask one by one.
                Err(e) if ids.len() > 1 && e.may_be_about_one_id(ClbObject::TargetGroup) => {
                    let mut found = Vec::new();
                    let mut failed = None;
                    for id in &ids {
                        match self
                            .api
                            .target_groups(std::slice::from_ref(id), &deadline)
                            .await
                        {
                            Ok(tgs) => found.extend(tgs),
                            Err(e) if e.says_absent(ClbObject::TargetGroup) => {}
                            Err(e) => failed = Some(e),
                        }
                    }
                    failed.map_or(Ok(found), Err)
                }
                other => other,
            };
            if let Ok(found) = &result {
                self.keep(&ids, &generations, found);
            }
            let answer = |id: &str| match &result {
                Ok(found) => Ok(found.iter().find(|tg| tg.id == id).cloned()),
                Err(e) => Err(e.clone()),
            };
            let joined: Vec<(String, Vec<oneshot::Sender<Answer>>)> = {
                let mut st = self.lock();
                ids.iter()
                    .filter_map(|id| st.in_flight.remove(id).map(|(_, j)| (id.clone(), j)))
                    .collect()
            };
            for (id, readers) in joined {
                for r in readers {
                    let _ = r.send(answer(&id));
                }
            }
            for w in waiters {
                let _ = w.reply.send(answer(&w.id));
            }
        }
    }
}
