//! tfplug stands on its own: it names no product it is used for, depends on no crate of the
//! workspace, and its example provider builds and serves.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The words of the one provider built on tfplug today, spelled in pieces so this file passes
/// its own check.
fn foreign_words() -> Vec<String> {
    vec![["ten", "cent"].concat(), ["c", "lb"].concat()]
}

#[test]
fn names_no_word_of_the_provider_built_on_it() {
    let mut all = Vec::new();
    for part in ["src", "examples", "tests"] {
        files(&crate_dir().join(part), &mut all);
    }
    for file in ["build.rs", "Cargo.toml", "README.md"] {
        all.push(crate_dir().join(file));
    }
    let mut found = Vec::new();
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap().to_lowercase();
        for word in foreign_words() {
            for (n, line) in text.lines().enumerate() {
                if line.contains(&word) {
                    found.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "tfplug must stay generic:\n{}",
        found.join("\n")
    );
}

#[test]
fn depends_on_no_crate_of_the_workspace() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
    let workspace = std::fs::read_to_string(crate_dir().join("../../Cargo.toml")).unwrap();
    // Local crates are the workspace dependencies given by path.
    let local: Vec<&str> = workspace
        .lines()
        .filter(|l| l.contains("path ="))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "tfplug")
        .collect();
    assert!(!local.is_empty(), "the workspace lists its crates by path");
    for line in manifest.lines() {
        assert!(!line.contains("path ="), "no path dependency: {line}");
        let name = line.split(['.', ' ', '=']).next().unwrap_or_default();
        assert!(!local.contains(&name), "tfplug depends on {name}");
    }
}

/// Builds the example with the cargo running this test, starts it in debug mode and waits for
/// the reattach line Terraform needs.
#[test]
fn the_example_provider_builds_and_serves() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "tfplug",
            "--example",
            "tfplugtest",
        ])
        .current_dir(crate_dir())
        .status()
        .unwrap();
    assert!(status.success(), "the example builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../target"));
    let binary = target.join("debug/examples/tfplugtest");
    let mut child = Command::new(&binary)
        .arg("--debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reattach = stdout
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("TF_REATTACH_PROVIDERS="));
    child.kill().unwrap();
    child.wait().unwrap();
    let line = reattach.expect("the debug server prints its reattach line");
    assert!(
        line.contains("\"terraform.local/test/tfplugtest\""),
        "{line}"
    );
    assert!(line.contains("\"ProtocolVersion\":6"), "{line}");
}
