//! `.github/workflows/release.yml`, checked as far as a machine without those runners can: the
//! file parses; its build matrix has every platform Terraform users run exactly once, each with a
//! Rust target that `scripts/release` maps to that platform; every script a step runs exists and
//! is run by these tests with the same options (so the workflow calls no untested path); the
//! signing step gets its key through the variables the tests exercise. Cross-compiling itself
//! cannot run here (docs/releasing.md).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_norway::Value;

/// What the official provider ships and Terraform users run: amd64 and arm64 everywhere, and
/// the 32-bit platforms the official provider still builds.
const PLATFORMS: [&str; 13] = [
    "darwin_amd64",
    "darwin_arm64",
    "freebsd_386",
    "freebsd_amd64",
    "freebsd_arm",
    "freebsd_arm64",
    "linux_386",
    "linux_amd64",
    "linux_arm",
    "linux_arm64",
    "windows_386",
    "windows_amd64",
    "windows_arm64",
];

/// Variables in the workflow that the script does not read (cross reads CROSS_BUILD_STD).
const FOR_OTHER_TOOLS: [&str; 1] = ["CROSS_BUILD_STD"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workflow() -> Value {
    let path = root().join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {v:?}"))
}

/// Terraform's OS_ARCH for a Rust target, as `scripts/release` computes it.
fn target_platform(triple: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg("source scripts/common.sh && target_platform \"$1\"")
        .arg("target_platform")
        .arg(triple)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{triple}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Every step of every job.
fn steps(workflow: &Value) -> Vec<&Value> {
    workflow["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_sequence().expect("steps").iter())
        .collect()
}

/// The test sources (tests/*.rs and tests/support/*.rs).
fn test_sources() -> Vec<(PathBuf, String)> {
    let mut sources = Vec::new();
    for dir in [root().join("tests"), root().join("tests/support")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().unwrap() != "release_workflow.rs"
            {
                let text = std::fs::read_to_string(&path).unwrap();
                sources.push((path, text));
            }
        }
    }
    sources
}

#[test]
fn the_build_matrix_has_every_platform_once_with_a_target_of_that_platform() {
    let wf = workflow();
    let include = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("jobs.build.strategy.matrix.include");
    let mut seen = Vec::new();
    for entry in include {
        let (platform, target) = (str_of(entry, "platform"), str_of(entry, "target"));
        assert_eq!(
            target_platform(target),
            platform,
            "the matrix builds {target} as {platform}"
        );
        let runner = str_of(entry, "runner");
        let builder = str_of(entry, "builder");
        // Native builds run on their own OS; cross runs its Linux containers.
        let expected_runner = match (platform.split('_').next().unwrap(), builder) {
            ("darwin", "cargo") => "macos-latest",
            ("windows", "cargo") => "windows-latest",
            (_, "cross") => "ubuntu-latest",
            other => panic!("{platform}: no way to build {other:?}"),
        };
        assert_eq!(runner, expected_runner, "{platform}");
        seen.push(platform.to_string());
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a platform twice: {seen:?}");
    let expected: BTreeSet<String> = PLATFORMS.iter().map(|p| p.to_string()).collect();
    assert_eq!(unique, expected.iter().collect());
    // The build jobs hand their zips to the signing job.
    assert_eq!(wf["jobs"]["sign"]["needs"], Value::from("build"));
}

#[test]
fn every_script_the_workflow_runs_exists_and_the_tests_run_it_with_the_same_options() {
    let wf = workflow();
    let sources = test_sources();
    let mut called = 0;
    for step in steps(&wf) {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        for line in run.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(at) = words.iter().position(|w| w.starts_with("scripts/")) else {
                continue;
            };
            called += 1;
            let script = words[at];
            let path = root().join(script);
            let mode = std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("the workflow runs {script}: {e}"))
                .permissions();
            assert!(
                std::os::unix::fs::PermissionsExt::mode(&mode) & 0o111 != 0,
                "{script} is not executable"
            );
            // The files that run the script, and the tests that include such a support file.
            let runners: Vec<&(PathBuf, String)> = sources
                .iter()
                .filter(|(_, text)| text.contains(&format!("\"{script}\"")))
                .collect();
            let exercising: Vec<&(PathBuf, String)> = sources
                .iter()
                .filter(|(path, text)| {
                    runners.iter().any(|(runner, _)| {
                        runner == path
                            || runner.strip_prefix(root().join("tests")).is_ok_and(|rel| {
                                text.contains(&format!("#[path = \"{}\"]", rel.display()))
                            })
                    })
                })
                .collect();
            assert!(!exercising.is_empty(), "no test runs {script}");
            for option in words[at + 1..].iter().filter(|w| w.starts_with("--")) {
                assert!(
                    exercising
                        .iter()
                        .any(|(_, text)| text.contains(&format!("\"{option}\""))),
                    "the workflow runs `{line}`, but no test that runs {script} passes {option} \
                     (tests: {:?})",
                    exercising.iter().map(|(p, _)| p).collect::<Vec<_>>()
                );
            }
            // The variables the step and its job hand the script are the ones the tests set.
            let job_env = wf["jobs"]
                .as_mapping()
                .unwrap()
                .values()
                .find(|job| job["steps"].as_sequence().unwrap().contains(step))
                .map(|job| &job["env"]);
            for env in [Some(&step["env"]), job_env].into_iter().flatten() {
                let keys = env.as_mapping().into_iter().flat_map(|m| m.keys());
                for key in keys.filter_map(Value::as_str) {
                    if FOR_OTHER_TOOLS.contains(&key) {
                        continue;
                    }
                    assert!(
                        sources
                            .iter()
                            .any(|(_, text)| text.contains(&format!("\"{key}\""))),
                        "the workflow gives {script} {key}, which no test sets"
                    );
                }
            }
        }
    }
    assert!(called >= 2, "the workflow runs no script");
}

#[test]
fn the_build_job_and_sign_job_run_the_per_target_and_combine_paths() {
    let wf = workflow();
    let runs = |job: &str| -> Vec<String> {
        wf["jobs"][job]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        runs("build")
            .iter()
            .any(|r| r.contains("scripts/release --target \"${{ matrix.target }}\"")),
        "{:?}",
        runs("build")
    );
    assert!(
        runs("sign")
            .iter()
            .any(|r| r.contains("scripts/release --combine")),
        "{:?}",
        runs("sign")
    );
}
