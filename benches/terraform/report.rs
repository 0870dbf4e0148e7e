//! Printing the figures as Markdown tables, ready to paste into docs/performance.md.

use std::time::Duration;

use crate::case::Case;
use crate::emulator::Counters;
use crate::phase::{Phase, PhaseResult};
use crate::startup::StartupFigures;

/// Actions in report order, with their short column names.
const ACTIONS: [(&str, &str); 7] = [
    ("AssociateTargetGroups", "Assoc"),
    ("DisassociateTargetGroups", "Disassoc"),
    ("DescribeTaskStatus", "Task"),
    ("DescribeTargetGroups", "TG"),
    ("DescribeTargetGroupList", "TGList"),
    ("DescribeListeners", "Lis"),
    ("DescribeLoadBalancers", "LB"),
];

/// The machine and the build, so figures are never read without their context.
pub fn print_context(build: &str) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    println!("# Benchmark: terraform + provider + emulator");
    println!();
    println!("- machine: {cores} cores ({cpu}), {mem_gib:.0} GiB");
    println!("- provider build: {build}");
    println!("- load average at start: {}", load_average());
    println!();
}

/// `/proc/loadavg`'s first three fields: how busy the shared machine was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The start-up table.
pub fn print_startup(fig: &StartupFigures) {
    println!("## Start-up ({} starts each, one at a time)", fig.spawns);
    println!();
    println!("| measure | median ms | min ms | p90 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (label, samples) in &fig.rows {
        if samples.is_empty() {
            println!("| {label} | – | – | – | – |");
            continue;
        }
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} |",
            at(0.5),
            at(0.0),
            at(0.9),
            at(1.0)
        );
    }
    println!();
}

/// The header of the matrix table and its legend.
pub fn print_matrix_header() {
    println!("## Apply, refresh-only plan, destroy");
    println!();
    println!(
        "Floor = T x max(ceil(N / parallelism), ceil(N per LB / 20)) for apply and destroy; \
         refresh has no task and no floor. API calls per binding by action: Assoc/Disassoc = \
         Associate/DisassociateTargetGroups, Task = DescribeTaskStatus, TG = DescribeTargetGroups, \
         TGList = DescribeTargetGroupList, Lis = DescribeListeners, LB = DescribeLoadBalancers. \
         Throttled = RequestLimitExceeded replies (retried by the provider). RSS = largest VmHWM \
         of one provider process; starts = provider processes Terraform started."
    );
    println!();
    println!(
        "| N | LBs | T s | parallelism | phase | wall s | floor s | wall / floor | API calls per binding | throttled | other errors | peak RSS MiB | starts |"
    );
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---|---:|---:|");
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

fn case_columns(case: &Case, phase: Phase) -> String {
    format!(
        "| {} | {} | {} | {} | {} ",
        case.layout.bindings,
        case.layout.load_balancers,
        case.task_time.as_secs_f64(),
        case.parallelism,
        phase.label()
    )
}

/// `total 10.00 (400 calls): Assoc 1.00, Task 2.00, …` (actions with no call are left out).
fn calls_per_binding(api: &Counters, bindings: usize) -> String {
    let per = |count: u64| count as f64 / bindings.max(1) as f64;
    let total: u64 = api.calls.values().sum();
    let mut parts: Vec<String> = ACTIONS
        .iter()
        .filter_map(|(action, short)| {
            let c = api.calls.get(*action).copied().unwrap_or(0);
            (c > 0).then(|| format!("{short} {:.2}", per(c)))
        })
        .collect();
    // Anything else the provider called (it should not).
    parts.extend(
        api.calls
            .iter()
            .filter(|(k, _)| !ACTIONS.iter().any(|(a, _)| a == k))
            .map(|(k, c)| format!("{k} {:.2}", per(*c))),
    );
    format!(
        "total {:.2} ({total} calls): {}",
        per(total),
        parts.join(", ")
    )
}

/// One finished phase.
pub fn print_row(case: &Case, phase: Phase, r: &PhaseResult) {
    let (floor, ratio) = match phase {
        Phase::Refresh => ("–".to_string(), "–".to_string()),
        Phase::Apply | Phase::Destroy => {
            let floor = case.write_floor();
            let ratio = if floor.is_zero() {
                "–".to_string()
            } else {
                format!("{:.1}", r.wall.as_secs_f64() / floor.as_secs_f64())
            };
            (secs(floor), ratio)
        }
    };
    let throttled = r
        .api
        .errors
        .get("RequestLimitExceeded")
        .copied()
        .unwrap_or(0);
    let others: Vec<String> = r
        .api
        .errors
        .iter()
        .filter(|(code, _)| *code != "RequestLimitExceeded")
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!(
        "{}| {} | {floor} | {ratio} | {} | {throttled} | {} | {:.1} | {} |",
        case_columns(case, phase),
        secs(r.wall),
        calls_per_binding(&r.api, case.layout.bindings),
        if others.is_empty() {
            "–".to_string()
        } else {
            others.join(", ")
        },
        r.memory.peak_kib as f64 / 1024.0,
        r.memory.processes
    );
}

/// A phase that did not complete (the reason goes to stderr).
pub fn print_failed_row(case: &Case, phase: Phase) {
    println!("{}| FAILED | | | | | | | |", case_columns(case, phase));
}
