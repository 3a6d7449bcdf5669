//! Peak resident memory, read from `/proc` (Linux): of this process, and of a child
//! polled while it runs.

use std::{
    fs,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread,
    time::Duration,
};

/// The `VmHWM` (peak resident set) of a process's `/proc/<pid>/status`, in bytes.
fn vm_hwm(pid: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Peak resident memory of this process so far, in bytes.
pub fn own_peak() -> Option<u64> {
    vm_hwm("self")
}

/// Resets this process's peak to its current resident memory (Linux 4.0+); returns
/// whether it worked, so that the peak that follows is that of the next step alone.
pub fn reset_own_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Watches a child's peak resident memory until [`Watch::stop`].
///
/// The kernel keeps the peak (`VmHWM`) while the process lives; it is read every 20 ms,
/// so growth in the child's last 20 ms may be missed.
pub struct Watch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: thread::JoinHandle<()>,
}

impl Watch {
    /// Starts watching the process `pid`.
    pub fn start(pid: u32) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let handle = {
            let (stop, peak) = (stop.clone(), peak.clone());
            thread::spawn(move || {
                let pid = pid.to_string();
                while !stop.load(Ordering::Relaxed) {
                    if let Some(now) = vm_hwm(&pid) {
                        peak.fetch_max(now, Ordering::Relaxed);
                    }
                    thread::sleep(Duration::from_millis(20));
                }
            })
        };
        Watch { stop, peak, handle }
    }

    /// Stops watching; the highest peak seen, in bytes.
    pub fn stop(self) -> Option<u64> {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.join();
        Some(self.peak.load(Ordering::Relaxed)).filter(|&p| p > 0)
    }
}
