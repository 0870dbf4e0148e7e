//! docs/architecture.md is the map a newcomer trusts: every path it names must exist, and the
//! questions it promises to answer must stay in its "Where does X happen" table.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn map() -> String {
    std::fs::read_to_string(root().join("docs/architecture.md")).unwrap()
}

/// Every `` `dir/...` `` of the top-level folders, as the map writes paths.
fn named_paths(text: &str) -> Vec<String> {
    const TOP: [&str; 8] = [
        "src/",
        "crates/",
        "tests/",
        "benches/",
        "scripts/",
        "proto/",
        "examples/",
        "docs/",
    ];
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| TOP.iter().any(|t| s.starts_with(t)))
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_path_the_map_names_exists() {
    let paths = named_paths(&map());
    assert!(paths.len() > 40, "the map names only {} paths", paths.len());
    let missing: Vec<&String> = paths.iter().filter(|p| !root().join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn the_map_answers_the_newcomer_questions() {
    let text = map();
    let table = &text[text.find("## Where does X happen").expect("the table")..];
    for topic in [
        "InternalError",
        "wait on its task",
        "VPC",
        "20-per-call",
        "ResourceInOperating",
        "Retries",
        "task waiter",
        "Pacing",
        "Pending writes",
        "Identity",
        "Moves",
        "Emulator: locks",
        "Emulator: tasks",
        "Emulator: faults",
        "Emulator: persistence",
    ] {
        assert!(table.contains(topic), "no row about {topic:?}");
    }
}

#[test]
fn path_extraction_sees_only_backticked_tree_paths() {
    let paths = named_paths("see `src/a.rs`, `cargo test`, `crates/b/` and `src/{x}`");
    assert_eq!(paths, ["src/a.rs", "crates/b/"]);
}
