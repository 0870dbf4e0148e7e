//! End to end against endpoints that answer as the real cloud may, not as our emulator usually
//! does: replies far too large, replies a write cannot be read from, empty replies.

mod clb_common;
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clb_common::*;
use support::{TfWorkspace, provider_bin};

const ONE_BINDING: &str = r#"
resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000001"
  target_group_id  = "lbtg-web00001"
}
"#;

/// A loopback HTTP server answering every request with `200` and `body_len` bytes of a JSON
/// reply that never ends well (a long array), written lazily so the test itself stays small.
fn huge_reply_server(body_len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = read_request(&mut stream);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
                let start = br#"{"Response":{"RequestId":"huge","LoadBalancerSet":["#;
                let item = br#"{"LoadBalancerId":"lb-00000000","LoadBalancerName":"padding"},"#;
                let mut chunk = Vec::with_capacity(64 * 1024);
                while chunk.len() + item.len() <= 64 * 1024 {
                    chunk.extend_from_slice(item);
                }
                if stream.write_all(head.as_bytes()).is_err() || stream.write_all(start).is_err() {
                    return;
                }
                let mut sent = start.len();
                while sent < body_len {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
                let _ = stream.write_all(br#"{}]}}"#);
            });
        }
    });
    format!("http://{addr}")
}

/// Reads one request's head and body (by Content-Length).
fn read_request(stream: &mut std::net::TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(());
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)
}

/// A provider "binary" that records its process ID, then becomes the real provider (same
/// process, so Terraform's handshake and kill work as usual).
fn recording_provider(dir: &Path) -> (PathBuf, PathBuf) {
    let pids = dir.join("provider.pids");
    let wrapper = dir.join("provider-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho $$ >> '{}'\nexec '{}' \"$@\"\n",
            pids.display(),
            provider_bin().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper, pids)
}

/// Watches every process listed in `pids` and keeps the largest peak resident size (VmHWM, in
/// KiB) seen, until `stop`.
fn watch_peak_rss(pids: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0u64;
        while !stop.load(Ordering::Relaxed) {
            for pid in std::fs::read_to_string(&pids).unwrap_or_default().lines() {
                let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim()))
                    .unwrap_or_default();
                if let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak = peak.max(kib);
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    })
}

#[test]
fn clb_a_300_mb_reply_is_refused_with_bounded_memory() {
    let endpoint = huge_reply_server(300 << 20);
    let scratch = tempfile::tempdir().unwrap();
    let (wrapper, pids) = recording_provider(scratch.path());
    let mut ws = TfWorkspace::new("terraform.local/tencentcloud/tencentcloud", &wrapper);
    for (k, v) in [
        ("TENCENTCLOUD_CLB_ENDPOINT", endpoint.as_str()),
        (
            "TENCENTCLOUD_SECRET_ID",
            tencentcloud_emulator::DEFAULT_SECRET_ID,
        ),
        (
            "TENCENTCLOUD_SECRET_KEY",
            tencentcloud_emulator::DEFAULT_SECRET_KEY,
        ),
        ("TENCENTCLOUD_REGION", "ap-guangzhou"),
        ("TENCENTCLOUD_METADATA_BASE_URL", "off"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ] {
        ws.env(k, v);
    }
    ws.write("main.tf", &format!("{PROVIDER_BLOCK}\n{ONE_BINDING}"));

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_peak_rss(pids, stop.clone());
    let out = ws.run(&["plan", "-no-color"]);
    stop.store(true, Ordering::Relaxed);
    let peak_kib = watcher.join().unwrap();
    println!(
        "provider peak RSS with a 300 MB reply: {:.1} MB",
        peak_kib as f64 / 1024.0
    );
    assert_failed_with(&out, &["is larger than 8388608 bytes"]);
    assert!(peak_kib > 0, "the provider's memory was never observed");
    assert!(
        peak_kib < 100 * 1024,
        "the provider peaked at {peak_kib} KiB (limit 100 MB)"
    );
}

/// Bindings of the example world's `lbtg-web00001` on the front-end listeners, as the cloud has them.
fn web_bindings(env: &Env) -> usize {
    env.cloud()
        .iter()
        .filter(|r| r.3 == "lbtg-web00001" && r.1 == "lbl-fe000001")
        .count()
}

#[test]
fn clb_a_garbled_reply_to_a_write_is_outcome_unknown_and_destroy_leaves_no_orphan() {
    let env = Env::with(
        Duration::from_millis(200),
        tencentcloud_emulator::Faults {
            garbled_write_reply: 1.0,
            ..Default::default()
        },
    );
    env.config(ONE_BINDING);
    // Every bind is applied but answered with a cut-off body: the provider must not take that
    // for a failure that changed nothing. It reads the cloud, finds the binding and adopts it.
    let out = env.ws.apply();
    assert_eq!(web_bindings(&env), 1, "{}", out.combined());
    assert_eq!(
        env.state().len(),
        1,
        "the binding the cloud made is not in state:\n{}",
        out.combined()
    );
    env.assert_agree();
    // Unbinds are garbled too; destroy reads the cloud to see that the unbind happened.
    let out = env.ws.destroy();
    assert!(out.success(), "{}", out.combined());
    assert_eq!(web_bindings(&env), 0, "orphan left:\n{}", out.combined());
    env.assert_agree();
}

#[test]
fn clb_an_empty_reply_to_a_read_is_malformed_not_absent() {
    let env = Env::with(
        Duration::from_millis(200),
        tencentcloud_emulator::Faults {
            empty_read_reply: 1.0,
            ..Default::default()
        },
    );
    env.config(ONE_BINDING);
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(&out, &["malformed reply to Describe", "the reply has no"]);
    assert!(
        !out.combined().contains("not found"),
        "an empty reply was taken for a missing object:\n{}",
        out.combined()
    );
}
