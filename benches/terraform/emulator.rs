//! The emulator as a separate process, and what the benchmark reads from its admin endpoints.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running `tencentcloud-emulator` process; killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    http: reqwest::Client,
}

/// The part of `GET /_emulator/metrics` the benchmark reports.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Counters {
    /// API calls per action.
    pub calls: BTreeMap<String, u64>,
    /// Error replies per code.
    pub errors: BTreeMap<String, u64>,
}

impl Counters {
    /// What happened between `before` and `self`.
    pub fn since(&self, before: &Counters) -> Counters {
        let diff = |now: &BTreeMap<String, u64>, then: &BTreeMap<String, u64>| {
            now.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.saturating_sub(then.get(k).copied().unwrap_or(0)),
                    )
                })
                .filter(|(_, v)| *v > 0)
                .collect()
        };
        Counters {
            calls: diff(&self.calls, &before.calls),
            errors: diff(&self.errors, &before.errors),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StateDoc {
    #[serde(default)]
    associations: Vec<serde_json::Value>,
}

impl EmulatorProcess {
    /// Starts `binary` on a free loopback port with `seed` and the given task time, and waits
    /// for its `listening on` line.
    pub async fn start(binary: &Path, seed: &Path, task_time: Duration) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--seed")
            .arg(seed)
            .arg("--task-duration-ms")
            .arg(task_time.as_millis().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| "the emulator printed nothing for 30 s".to_string())?
            .map_err(|e| format!("reading the emulator's stdout: {e}"))?
            .ok_or("the emulator exited before printing its address")?;
        let url = first
            .strip_prefix("listening on ")
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| format!("unexpected first line from the emulator: {first:?}"))?;
        // Keep draining stdout so the emulator never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(EmulatorProcess { child, url, http })
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, String> {
        let url = format!("{}/_emulator/{path}", self.url);
        let reply = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("GET {url}: {e}"))?;
        reply.json().await.map_err(|e| format!("GET {url}: {e}"))
    }

    /// Current counters.
    pub async fn counters(&self) -> Result<Counters, String> {
        self.get("metrics").await
    }

    /// Number of bindings in the emulator's world now.
    pub async fn binding_count(&self) -> Result<usize, String> {
        let state: StateDoc = self.get("state").await?;
        Ok(state.associations.len())
    }

    /// Stops the emulator.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
