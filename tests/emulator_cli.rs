//! The `tencentcloud-emulator` binary: flags, the first stdout line, state file, refusals.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_tencentcloud-emulator");

/// Kills the child when the test ends, pass or fail.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Guard, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    (Guard(child), first)
}

#[tokio::test]
async fn prints_its_url_first_and_serves_the_seed_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/emulator/world.json");
    let (_guard, first) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--seed",
        seed,
        "--state",
        state.to_str().unwrap(),
        "--task-duration-ms",
        "10",
        "--rate-limit",
        "5",
        "--fault-internal-error",
        "0",
        "--fault-drop-connection",
        "0",
        "--fault-delay-ms",
        "0",
        "--fault-task-failure",
        "0",
        "--fault-seed",
        "9",
        "--secret-id",
        "AKIDEXAMPLE",
        "--secret-key",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    ]);
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let health: Value = http
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["Status"], "ok");
    let st: Value = http
        .get(format!("{url}/_emulator/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st["LoadBalancers"][0]["LoadBalancerId"], "lb-demo0001");
    assert!(state.exists());
}

#[test]
fn refuses_a_non_loopback_address_and_a_missing_seed() {
    let out = Command::new(BIN)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = Command::new(BIN)
        .args(["--seed", "/nonexistent/world.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

/// Runs the emulator with `args` and returns its stderr, requiring that it refused to start
/// without printing the `listening on` line.
fn refusal(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(!out.status.success(), "started with {args:?}");
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_port_in_use_says_how_to_pick_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = refusal(&["--listen", &addr]);
    for needle in [
        addr.as_str(),
        "already in use",
        "--listen 127.0.0.1:0",
        "an earlier emulator",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
}

#[test]
fn a_missing_seed_file_is_named_with_what_to_pass() {
    let err = refusal(&["--seed", "/nonexistent/world.json"]);
    for needle in [
        "cannot read the seed file /nonexistent/world.json",
        "No such file",
        "--seed examples/emulator/world.json",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
}

#[test]
fn an_invalid_seed_file_is_named_with_the_json_error_position() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("world.json");
    std::fs::write(
        &seed,
        "{\n  \"LoadBalancers\": [\n    {\"LoadBalancerId\": \"lb-1\",}\n  ]\n}\n",
    )
    .unwrap();
    let err = refusal(&["--seed", seed.to_str().unwrap()]);
    let expected = format!("the seed file {} is not a valid world", seed.display());
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("line 3 column"), "no error position in: {err}");

    // Well-formed JSON that is not a world: the unknown field is named.
    std::fs::write(&seed, r#"{"LoadBalancers": [], "Colour": "blue"}"#).unwrap();
    let err = refusal(&["--seed", seed.to_str().unwrap()]);
    assert!(err.contains(&expected) && err.contains("Colour"), "{err}");

    // Parses, but inconsistent: an association to a load balancer that does not exist.
    std::fs::write(
        &seed,
        r#"{"Associations": [{"LoadBalancerId": "lb-none", "ListenerId": "lbl-none", "TargetGroupId": "lbtg-none"}]}"#,
    )
    .unwrap();
    let err = refusal(&["--seed", seed.to_str().unwrap()]);
    let expected = format!("the seed file {} is not a consistent world", seed.display());
    assert!(
        err.contains(&expected) && err.contains("association 0"),
        "{err}"
    );
}
