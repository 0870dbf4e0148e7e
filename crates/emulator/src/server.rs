//! The HTTP server: starting and stopping, the router, and the signed API at `POST /`.

use crate::admin;
use crate::auth;
use crate::clb::action::Action;
use crate::clb::associate;
use crate::clb::describe;
use crate::clb::tasks::{Task, TaskAction, status};
use crate::clb::world::World;
use crate::config::{EmulatorConfig, UnknownIds};
use crate::error::{ApiFailure, EmulatorError};
use crate::params::Params;
use crate::persist::Snapshot;
use crate::state::{Core, Metrics, now_ms};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tencentcloud::clb::codes;
use tencentcloud::redact::excerpt;
use tokio_util::sync::CancellationToken;

/// The only API version the emulator speaks: the client's.
pub const API_VERSION: &str = tencentcloud::clb::VERSION;

/// Largest request body accepted.
const MAX_BODY_BYTES: usize = 1 << 20;

/// State shared by every request handler.
pub(crate) struct Shared {
    core: Mutex<Core>,
    pub(crate) config: EmulatorConfig,
    pub(crate) cancel: CancellationToken,
}

impl Shared {
    /// Locks the core. A poisoned lock only means a handler panicked mid-request; the data
    /// is still the best we have, so keep serving.
    pub(crate) fn core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Locks the core after finishing due tasks (persisting if that changed anything).
    pub(crate) fn settled(&self) -> MutexGuard<'_, Core> {
        let mut core = self.core();
        if core.settle_due(now_ms()) {
            core.persist();
        }
        core
    }
}

/// A running emulator. Dropping it stops the server too; `shutdown` waits for it.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the current world (finished tasks already applied).
    pub fn world(&self) -> World {
        self.shared.settled().world.clone()
    }

    /// World plus tasks, as `GET /_emulator/state` shows it.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.settled().snapshot()
    }

    /// Current counters, as `GET /_emulator/metrics` shows them.
    pub fn metrics(&self) -> Metrics {
        self.shared.settled().metrics.clone()
    }

    /// Replaces the world out of band, as `PUT /_emulator/state` does.
    pub fn set_world(&self, world: World) -> Result<(), String> {
        self.shared.settled().replace_world(world)
    }

    /// Back to the seed, as `POST /_emulator/reset` does.
    pub fn reset(&self) {
        self.shared.core().reset();
    }

    /// Stops accepting connections and waits (briefly) for the server to finish.
    pub async fn shutdown(mut self) {
        self.shared.cancel.cancel();
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shared.cancel.cancel();
    }
}

/// Starts an emulator on `config.listen` (loopback only) and returns once it accepts connections.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    if !config.listen.ip().is_loopback() {
        return Err(EmulatorError::NotLoopback(config.listen));
    }
    config.faults.validate().map_err(EmulatorError::Config)?;
    let core = Core::new(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: config.listen,
            source,
        })?;
    let shared = Arc::new(Shared {
        core: Mutex::new(core),
        config,
        cancel: CancellationToken::new(),
    });
    let app = Router::new()
        .nest("/_emulator", admin::router())
        .fallback(api)
        .with_state(shared.clone());
    let cancel = shared.cancel.clone();
    let server = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "emulator server stopped");
        }
    });
    Ok(RunningEmulator {
        addr,
        shared,
        server: Some(server),
    })
}

/// What one API call produced.
struct Outcome {
    result: Result<Map<String, Value>, ApiFailure>,
    drop_connection: bool,
    /// Replace the reply with these bytes (a reply fault).
    replaced_reply: Option<Vec<u8>>,
    task: Option<(String, Duration)>,
}

impl Outcome {
    fn fail(f: ApiFailure) -> Self {
        Outcome {
            result: Err(f),
            drop_connection: false,
            replaced_reply: None,
            task: None,
        }
    }
}

/// An `X-TC-Action` value as quoted in logs and errors: at most 64 characters.
fn printable(action: &str) -> String {
    excerpt(action.to_string(), 64)
}

fn header<'a>(req: &'a http::request::Parts, name: &str) -> Option<&'a str> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Every API reply: HTTP 200, `Content-Type: application/json` exactly, the envelope.
fn envelope(result: Result<Map<String, Value>, ApiFailure>, request_id: &str) -> Value {
    let mut body = match result {
        Ok(fields) => fields,
        Err(f) => {
            let mut m = Map::new();
            m.insert(
                "Error".into(),
                json!({"Code": f.code, "Message": f.message}),
            );
            m
        }
    };
    body.insert("RequestId".into(), json!(request_id));
    json!({ "Response": body })
}

async fn api(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    let action = header(&parts, "x-tc-action").unwrap_or("").to_string();
    let mut outcome = handle(&shared, &parts, body, &action, &request_id).await;
    if !shared.config.detailed_errors
        && let (Some(known), Err(f)) = (Action::parse(&action), outcome.result.as_mut())
    {
        // The API answers only the codes it documents for the action; the message still names
        // the field, as the cloud's do.
        f.code = codes::documented_form(known.name(), f.code);
    }
    let code = outcome.result.as_ref().err().map(|f| f.code);
    {
        let mut core = shared.core();
        let key = crate::sts::metrics_key(&action).unwrap_or_else(|| Action::metrics_key(&action));
        *core.metrics.calls.entry(key.to_string()).or_default() += 1;
        if let Some(code) = code {
            *core.metrics.errors.entry(code.to_string()).or_default() += 1;
        }
    }
    tracing::info!(action = %printable(&action), request_id = %request_id, error = code.unwrap_or(""), "api call");
    if let Some((task_id, after)) = outcome.task {
        spawn_task_timer(&shared, task_id, after);
    }
    let response = Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "application/json");
    let response = if outcome.drop_connection {
        // A body that fails makes hyper abort the connection mid-reply: the client sees a
        // network error although the call was processed.
        let failing = futures::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
                "injected fault: connection dropped",
            ))
        });
        response.body(Body::from_stream(failing))
    } else if let Some(reply) = outcome.replaced_reply {
        response.body(Body::from(reply))
    } else {
        let body = serde_json::to_vec(&envelope(outcome.result, &request_id)).unwrap_or_default();
        response.body(Body::from(body))
    };
    response.unwrap_or_else(|_| Response::new(Body::empty()))
}

/// True when `region` is neither the emulator's, nor one its world uses, nor a known region name.
fn region_unknown(core: &Core, cfg: &EmulatorConfig, region: &str) -> bool {
    region != cfg.region
        && !crate::config::KNOWN_REGIONS.contains(&region)
        && !core.world.regions().any(|r| r == region)
}

fn spawn_task_timer(shared: &Arc<Shared>, task_id: String, after: Duration) {
    let shared = shared.clone();
    tokio::spawn(async move {
        tokio::select! {
            // A small margin: the sleep runs on the monotonic clock, deadlines on wall time.
            _ = tokio::time::sleep(after.saturating_add(Duration::from_millis(5))) => {
                let _core = shared.settled();
                tracing::debug!(task_id = %task_id, "task deadline reached");
            }
            _ = shared.cancel.cancelled() => {}
        }
    });
}

async fn handle(
    shared: &Arc<Shared>,
    parts: &http::request::Parts,
    body: Body,
    action: &str,
    request_id: &str,
) -> Outcome {
    if parts.method != http::Method::POST {
        return Outcome::fail(ApiFailure::new(
            "UnsupportedProtocol",
            "The emulator accepts only POST requests with a JSON body.",
        ));
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Outcome::fail(ApiFailure::new(
                "RequestSizeLimitExceeded",
                format!(
                    "The request body is larger than {MAX_BODY_BYTES} bytes or could not be read."
                ),
            ));
        }
    };
    let delay = shared.config.faults.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let now = (now_ms() / 1000) as i64;
    let cfg = &shared.config;
    if crate::sts::is_sts_request(&parts.headers) {
        let mut core = shared.core();
        let (result, credential) = crate::sts::handle(
            &mut core,
            cfg,
            &parts.headers,
            &bytes,
            action,
            request_id,
            now,
        );
        core.metrics.count_credential(credential, action);
        return Outcome {
            result,
            drop_connection: false,
            replaced_reply: None,
            task: None,
        };
    }
    let caller = {
        let mut core = shared.core();
        let caller = auth::authenticate(
            cfg,
            &core.world,
            &core.sessions,
            &parts.headers,
            &bytes,
            auth::SERVICE,
            now,
        );
        let kind = caller.as_ref().map_or("Unsigned", |c| c.credential_kind());
        core.metrics.count_credential(kind, action);
        match caller {
            Ok(c) => c,
            Err(f) => return Outcome::fail(f),
        }
    };
    if action.is_empty() {
        return Outcome::fail(ApiFailure::new(
            "MissingParameter",
            "The X-TC-Action header is missing.",
        ));
    }
    let Some(action) = Action::parse(action) else {
        return Outcome::fail(ApiFailure::new(
            "InvalidAction",
            format!(
                "The action {} does not exist in clb version {API_VERSION}.",
                printable(action)
            ),
        ));
    };
    match header(parts, "x-tc-version") {
        None | Some("") => {
            return Outcome::fail(ApiFailure::new(
                "MissingParameter",
                "The X-TC-Version header is missing.",
            ));
        }
        Some(API_VERSION) => {}
        Some(v) => {
            return Outcome::fail(ApiFailure::new(
                "NoSuchVersion",
                format!("The API version {v} does not exist; clb uses {API_VERSION}."),
            ));
        }
    }
    let mut core = shared.settled();
    let region = match header(parts, "x-tc-region") {
        None | Some("") => {
            return Outcome::fail(ApiFailure::new(
                "MissingParameter",
                "The X-TC-Region header is missing; CLB actions are regional.",
            ));
        }
        Some(r) => r,
    };
    if region_unknown(&core, cfg, region) {
        return Outcome::fail(ApiFailure::new(
            "UnsupportedRegion",
            format!(
                "Region {} is not one where CLB is offered.",
                printable(region)
            ),
        ));
    }
    if !core.limiter.allow(action.name(), Instant::now()) {
        return Outcome::fail(ApiFailure::new(
            "RequestLimitExceeded",
            format!(
                "Too many {} requests; the limit is {} per second.",
                action.name(),
                cfg.rate_limit_per_second
            ),
        ));
    }
    let faults = core.dice.next_call();
    if faults.internal_error {
        return Outcome::fail(ApiFailure::new(
            "InternalError",
            "Injected fault: internal error.",
        ));
    }
    let json: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return Outcome::fail(ApiFailure::new(
                "InvalidParameter.FormatError",
                format!("The request body is not valid JSON: {e}"),
            ));
        }
    };
    let region = header(parts, "x-tc-region").unwrap_or("");
    let resource = crate::cam::clb_resource(&json, region, caller.account_id());
    let operation = format!("clb:{}", action.name());
    if let Err(f) = caller.authorize(&operation, &resource, request_id) {
        return Outcome::fail(f);
    }
    let mut outcome = match Params::top(&json) {
        Ok(p) => dispatch(&mut core, action, &p, request_id, cfg, region),
        Err(f) => Outcome::fail(f),
    };
    outcome.drop_connection = faults.drop_connection;
    if faults.garbled_write_reply && action.is_write() && outcome.result.is_ok() {
        let full = serde_json::to_vec(&envelope(Ok(Map::new()), request_id)).unwrap_or_default();
        outcome.replaced_reply = Some(full[..full.len() / 2].to_vec());
    }
    if faults.empty_read_reply && !action.is_write() && outcome.result.is_ok() {
        outcome.replaced_reply = serde_json::to_vec(&envelope(Ok(Map::new()), request_id)).ok();
    }
    outcome
}

fn dispatch(
    core: &mut Core,
    action: Action,
    p: &Params,
    request_id: &str,
    cfg: &EmulatorConfig,
    region: &str,
) -> Outcome {
    let duration = cfg.task_duration;
    let read = |r: Result<Map<String, Value>, ApiFailure>| Outcome {
        result: r,
        drop_connection: false,
        replaced_reply: None,
        task: None,
    };
    if action == Action::DescribeTaskStatus {
        return read(describe::task_status(&core.tasks, p));
    }
    // Load balancers and target groups are regional: a caller sees only its region's.
    let world = core.world.in_region(region, &cfg.region);
    let task_action = match action {
        // Tasks are not regional (their IDs are unique); answered before the world is scoped.
        Action::DescribeTaskStatus => return read(describe::task_status(&core.tasks, p)),
        Action::DescribeTargetGroups => {
            if cfg.describe_unknown_ids == UnknownIds::Refuse
                && let Err(f) = describe::refuse_unknown_ids(&world, p)
            {
                return read(Err(f));
            }
            return read(describe::target_groups(&world, p, false));
        }
        Action::DescribeTargetGroupList => {
            return read(describe::target_groups(&world, p, true));
        }
        Action::DescribeListeners => return read(describe::listeners(&world, p)),
        Action::DescribeLoadBalancers => return read(describe::load_balancers(&world, p)),
        Action::AssociateTargetGroups => TaskAction::AssociateTargetGroups,
        Action::DisassociateTargetGroups => TaskAction::DisassociateTargetGroups,
    };
    let validated = associate::validate(&world, task_action, p, cfg.binding_quota, |lb| {
        core.busy(lb)
    });
    let (associations, load_balancer_ids) = match validated {
        Ok(v) => v,
        Err(f) => return Outcome::fail(f),
    };
    let injected_failure = core.dice.next_task_fails();
    let injected_partial = injected_failure && core.dice.next_failure_is_partial();
    let now = now_ms();
    let task = Task {
        task_id: request_id.to_string(),
        action: task_action,
        associations,
        load_balancer_ids,
        status: status::RUNNING,
        message: None,
        created_at_ms: now,
        deadline_ms: now.saturating_add(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
        injected_failure,
        injected_partial,
    };
    core.add_task(task);
    // A zero duration finishes at once, for clients and tests that do not want to wait.
    core.settle_due(now);
    core.persist();
    Outcome {
        result: Ok(Map::new()),
        drop_connection: false,
        replaced_reply: None,
        task: Some((request_id.to_string(), duration)),
    }
}
