//! Peak resident memory of the provider processes one terraform command starts, sampled from
//! `/proc` (Linux): each process's own high-water mark (`VmHWM`), read while it runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often `/proc` is scanned for new provider processes and their high-water marks.
const SAMPLE_EVERY: Duration = Duration::from_millis(40);
/// `comm` of the provider: the kernel keeps the first 15 bytes of the executable's name.
const PROVIDER_COMM: &str = "terraform-provi";

/// What the sampler saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderMemory {
    /// Largest `VmHWM` of any one provider process, in KiB.
    pub peak_kib: u64,
    /// Provider processes started.
    pub processes: usize,
}

/// Samples until dropped (or [`RssSampler::finish`]).
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<BTreeMap<u32, u64>>>,
}

impl RssSampler {
    /// Starts sampling the provider processes whose parent is `terraform_pid`.
    pub fn start(terraform_pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peaks = BTreeMap::new();
            loop {
                // One last scan after the stop request, so nothing seen late is lost.
                let last = flag.load(Ordering::Relaxed);
                for pid in provider_children(terraform_pid) {
                    if let Some(hwm) = vm_hwm_kib(pid) {
                        let peak = peaks.entry(pid).or_insert(0);
                        *peak = hwm.max(*peak);
                    }
                }
                if last {
                    return peaks;
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
        });
        RssSampler {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops sampling and returns the figures.
    pub fn finish(mut self) -> ProviderMemory {
        self.stop.store(true, Ordering::Relaxed);
        let peaks = self
            .handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        ProviderMemory {
            peak_kib: peaks.values().copied().max().unwrap_or(0),
            processes: peaks.len(),
        }
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// PIDs of provider processes whose parent is `parent`. Other helpers on the machine may run
/// the same provider at the same time; only our terraform's children count.
fn provider_children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                parse_stat(&stat)
                    .is_some_and(|(comm, ppid)| ppid == parent && comm == PROVIDER_COMM)
            })
        })
        .collect()
}

/// `(comm, ppid)` from `/proc/PID/stat`; `comm` is in parentheses and may itself hold spaces
/// or parentheses, so the fields after it are found from the last `)`.
fn parse_stat(stat: &str) -> Option<(&str, u32)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?;
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let _state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((comm, ppid))
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
