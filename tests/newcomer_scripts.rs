//! What a newcomer sees when something is missing: `scripts/demo`, `scripts/test` and
//! `scripts/release` name the missing tool or the wrong example and say what to do, before they
//! build or start anything.
//!
//! Each case runs a script with a PATH that holds only `bash` and the tools the case keeps. The
//! kept tools are links to `false`: the scripts must stop at their checks, never run them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real `bash`, wherever this machine keeps it.
fn bash() -> PathBuf {
    ["/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("bash")
}

/// A directory for PATH with `bash` and `tools` (each a link to `false`).
fn path_with(dir: &Path, tools: &[&str]) -> PathBuf {
    let bin = dir.join(format!("bin-{}", tools.join("-")));
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(bash(), bin.join("bash")).unwrap();
    let false_bin = ["/bin/false", "/usr/bin/false"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("false");
    for tool in tools {
        std::os::unix::fs::symlink(&false_bin, bin.join(tool)).unwrap();
    }
    bin
}

/// Runs `scripts/<script> args` with PATH = `path` (None: the real PATH); returns stderr after
/// requiring a failure.
fn fails(script: &str, args: &[&str], path: Option<&Path>, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(bash());
    cmd.arg(root().join("scripts").join(script))
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("TCCLI")
        .env_remove("TCCLI_PYTHON")
        .envs(env.iter().copied());
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "scripts/{script} {args:?} succeeded:\n{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

#[track_caller]
fn says(stderr: &str, needles: &[&str]) {
    for n in needles {
        assert!(stderr.contains(n), "{n:?} missing from:\n{stderr}");
    }
    assert!(
        !stderr.contains("command not found"),
        "a raw shell error:\n{stderr}"
    );
}

#[test]
fn demo_names_each_missing_tool_with_how_to_install_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 4] = [
        (
            &[],
            &[
                "terraform is not on PATH",
                "scripts/demo needs it",
                "Install Terraform 1.11",
            ],
        ),
        (
            &["terraform"],
            &["cargo is not on PATH", "https://rustup.rs"],
        ),
        (
            &["terraform", "cargo"],
            &["curl is not on PATH", "apt-get install curl"],
        ),
        (
            &["terraform", "cargo", "curl"],
            &["python3 is not on PATH", "Install Python 3"],
        ),
    ];
    for (present, needles) in cases {
        let path = path_with(tmp.path(), present);
        says(&fails("demo", &[], Some(&path), &[]), needles);
    }
}

#[test]
fn demo_lists_the_examples_when_the_name_is_wrong() {
    let err = fails("demo", &["layer9"], None, &[]);
    says(
        &err,
        &[
            "there is no example named 'layer9'",
            "layer4",
            "layer7",
            "for-each-module",
            "import",
        ],
    );
    // The official provider cannot be installed offline: say so, and where to read instead.
    let err = fails("demo", &["side-by-side"], None, &[]);
    says(
        &err,
        &[
            "tencentcloudstack/tencentcloud",
            "cannot install",
            "docs/index.md",
        ],
    );
    let err = fails("demo", &["--kep"], None, &[]);
    says(&err, &["unknown option --kep", "usage: scripts/demo"]);
}

#[test]
fn test_script_names_missing_tools_and_a_python_without_venv() {
    let tmp = tempfile::tempdir().unwrap();
    let path = path_with(tmp.path(), &[]);
    says(
        &fails("test", &[], Some(&path), &[]),
        &["terraform is not on PATH", "scripts/test needs it"],
    );
    // python3 is there but `python3 -m venv` cannot work (Debian without python3-venv).
    let path = path_with(tmp.path(), &["terraform", "cargo", "curl", "python3"]);
    let no_venv = tmp.path().join("no-venv-yet");
    says(
        &fails(
            "test",
            &[],
            Some(&path),
            &[("TCCLI_VENV", no_venv.to_str().unwrap())],
        ),
        &[
            "python3 -m venv is not available",
            "apt-get install python3-venv",
        ],
    );
    assert!(!no_venv.exists());
}

#[test]
fn release_names_missing_tools() {
    let tmp = tempfile::tempdir().unwrap();
    let path = path_with(tmp.path(), &[]);
    says(
        &fails("release", &[], Some(&path), &[]),
        &["cargo is not on PATH", "scripts/release needs it"],
    );
    let path = path_with(tmp.path(), &["cargo"]);
    says(
        &fails("release", &[], Some(&path), &[]),
        &["python3 is not on PATH"],
    );
}

#[test]
fn test_script_stops_early_when_the_disk_is_nearly_full() {
    // A CI machine once failed after a minute with "No space left on device" in the middle of a
    // dependency's build; the script now says how much it needs before building anything.
    let tmp = tempfile::tempdir().unwrap();
    let path = path_with(tmp.path(), &["terraform", "cargo", "curl", "python3"]);
    let df = path.join("df");
    std::fs::write(
        &df,
        "#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted on'\necho '/dev/vda 262144000 261850000 293888 100% /'\n",
    )
    .unwrap();
    std::fs::set_permissions(&df, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let awk = ["/usr/bin/awk", "/bin/awk"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("awk");
    std::os::unix::fs::symlink(awk, path.join("awk")).unwrap();
    says(
        &fails(
            "test",
            &[],
            Some(&path),
            &[
                ("TCCLI", "/nonexistent/tccli"),
                ("TCCLI_PYTHON", "/nonexistent/python"),
            ],
        ),
        &["scripts/test: only 0.3 GB free", "a run needs about 5 GB"],
    );
}
