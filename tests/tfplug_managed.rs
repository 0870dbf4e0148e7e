//! The plugin as Terraform really runs it: a separate process, magic cookie, handshake line on
//! stdout, strict AutoMTLS, `GRPCController.Shutdown`.
//!
//! This test binary has its own `main` (no libtest harness) so it can double as the plugin:
//! when `TFPLUG_MANAGED_TEST_SERVE` is set it serves the test provider with `serve_main`.
//! Terraform inherits the test's environment, finds the binary through `dev_overrides`, and
//! starts it with no arguments.

mod support;
#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use support::TfWorkspace;
use test_provider::{ADDRESS, TestProvider};
use tfplug::server::handshake::COOKIE_VALUE;

const SERVE_ENV: &str = "TFPLUG_MANAGED_TEST_SERVE";
const STORE_ENV: &str = "TFPLUG_MANAGED_TEST_STORE";

fn main() -> ExitCode {
    if std::env::var_os(SERVE_ENV).is_some() {
        let file = std::env::var_os(STORE_ENV).map(PathBuf::from);
        let (provider, _store) = TestProvider::with_store_file(file);
        return tfplug::serve_main(
            provider as Arc<_>,
            ADDRESS,
            tfplug::server::logging::LogFilter::everything(),
        );
    }
    let tests: [(&str, fn()); 5] = [
        (
            "debug_mode_prints_working_reattach",
            debug_mode_prints_working_reattach,
        ),
        (
            "cookie_missing_exits_1_with_message",
            cookie_missing_exits_1_with_message,
        ),
        (
            "handshake_is_first_stdout_line_and_sigint_is_ignored",
            handshake_is_first_stdout_line_and_sigint_is_ignored,
        ),
        (
            "terraform_drives_the_binary_over_strict_mtls",
            terraform_drives_the_binary_over_strict_mtls,
        ),
        (
            "tls_disabled_serves_plaintext",
            tls_disabled_serves_plaintext,
        ),
    ];
    // Honour a `cargo test FILTER` positional argument like libtest would.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mut failed = 0;
    let mut ran = 0;
    for (name, test) in tests {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        ran - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn self_exe() -> PathBuf {
    std::env::current_exe().expect("current exe")
}

fn plugin_command() -> Command {
    let mut cmd = Command::new(self_exe());
    cmd.env(SERVE_ENV, "1")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER");
    cmd
}

fn cookie_missing_exits_1_with_message() {
    let out = plugin_command().output().expect("run plugin");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("This is a Terraform provider plugin, not a command to run by hand"),
        "stderr: {stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing may reach stdout");
    let out = plugin_command()
        .env("TF_PLUGIN_MAGIC_COOKIE", "wrong")
        .output()
        .expect("run plugin");
    assert_eq!(out.status.code(), Some(1));
}

fn client_cert_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn handshake_is_first_stdout_line_and_sigint_is_ignored() {
    let mut child = plugin_command()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", client_cert_pem())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn plugin");
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut line).expect("read handshake");
    let result = std::panic::catch_unwind(|| {
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(parts.len(), 6, "handshake: {line:?}");
        assert_eq!(&parts[..3], &["1", "6", "tcp"]);
        let addr: std::net::SocketAddr = parts[3].parse().expect("address");
        assert!(addr.ip().is_loopback());
        assert!(
            (10000..=25000).contains(&addr.port()),
            "port outside the range: {addr}"
        );
        assert_eq!(parts[4], "grpc");
        assert!(
            parts[5].len() > 50 && !parts[5].contains('='),
            "certificate field: {}",
            parts[5]
        );
    });
    // SIGINT must not stop the plugin (Terraform sends StopProvider instead).
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    std::thread::sleep(Duration::from_millis(500));
    let still_running = child.try_wait().expect("try_wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    assert!(still_running, "the plugin exited on SIGINT");
}

const CONFIG: &str = r#"
terraform {
  required_providers {
    tfplugtest = { source = "terraform.local/test/tfplugtest" }
  }
}
resource "tfplugtest_item" "m" {
  name    = "managed"
  content = "over mtls"
  rule {
    port = 443
  }
}
"#;

fn managed_workspace() -> TfWorkspace {
    let mut ws = TfWorkspace::new(ADDRESS, &self_exe());
    let store = ws.path().join("store.json");
    ws.env(SERVE_ENV, "1")
        .env(STORE_ENV, store.display().to_string());
    ws.write("main.tf", CONFIG);
    ws
}

fn terraform_drives_the_binary_over_strict_mtls() {
    let mut ws = managed_workspace();
    ws.env("TF_LOG", "debug");
    let out = ws.apply().assert_success();
    assert!(out.stdout.contains("1 added"), "{}", out.combined());
    // Our own log line, relayed by Terraform, says the connection used mTLS.
    assert!(
        out.stderr.contains("plugin server started"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("mtls=true"), "{}", out.stderr);
    // Shutdown via GRPCController must end the process without a forced kill.
    assert!(
        out.stderr.contains("plugin process exited"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("failed to exit gracefully"),
        "{}",
        out.stderr
    );
    assert!(ws.plan_is_empty(), "plan after apply must be empty");
    let v = ws.resource_values("tfplugtest_item.m").expect("in state");
    assert_eq!(v["length"], 9);
    ws.destroy().assert_success();
    assert!(
        ws.read("store.json").trim() == "{}",
        "store: {}",
        ws.read("store.json")
    );
}

fn tls_disabled_serves_plaintext() {
    let mut ws = managed_workspace();
    ws.env("TF_DISABLE_PLUGIN_TLS", "1")
        .env("TF_LOG_PROVIDER", "info");
    let out = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(out.stdout.contains("1 to add"), "{}", out.combined());
    assert!(out.stderr.contains("mtls=false"), "{}", out.stderr);
}

fn debug_mode_prints_working_reattach() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let mut child = plugin_command()
        .arg("--debug")
        .env(STORE_ENV, &store)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn debug plugin");
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..20 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let result = std::panic::catch_unwind(|| {
        let json = reattach.expect("debug mode must print TF_REATTACH_PROVIDERS");
        let v: serde_json::Value = serde_json::from_str(&json).expect("reattach JSON");
        assert_eq!(v[ADDRESS]["Test"], true);
        assert_eq!(v[ADDRESS]["ProtocolVersion"], 6);
        let ws = TfWorkspace::with_reattach(&json);
        ws.write("main.tf", CONFIG);
        let out = ws.apply().assert_success();
        assert!(out.stdout.contains("1 added"), "{}", out.combined());
        // The same debug server keeps serving later commands.
        assert!(ws.plan_is_empty());
        ws.destroy().assert_success();
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
