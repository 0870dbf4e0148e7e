//! Every reply of the emulator parses into the official tencentcloud-sdk-python response
//! models (no field unknown to them) and carries a RequestId: runs tests/python/check_sdk_models.py.
//!
//! Python comes from env `TCCLI_PYTHON`, else `target/tccli-venv/bin/python` (created by `scripts/test`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tencentcloud_emulator::{EmulatorConfig, World, start};

fn python() -> PathBuf {
    let path = std::env::var_os("TCCLI_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tccli-venv/bin/python")
        });
    assert!(
        path.exists(),
        "Python with tencentcloud-sdk-python not found at {} (set TCCLI_PYTHON, or run scripts/test, \
         which creates target/tccli-venv with `pip install tccli tencentcloud-sdk-python`)",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_models_parse_every_reply() {
    let world: World =
        serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap();
    let emu = start(EmulatorConfig {
        seed: Some(world),
        task_duration: Duration::from_millis(100),
        rate_limit_per_second: 0,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_sdk_models.py");
    let (py, url) = (python(), emu.base_url());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(py)
            .arg(script)
            .arg(url)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("cannot run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK model check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.starts_with("OK "), "{stdout}");
}
