//! Progress reporting, so that library code can drive a progress bar without knowing about
//! terminals.

/// Receives progress of long work.
pub trait Progress: Sync {
    /// A new phase starts; `total` is in the phase's unit (bytes, records), 0 if unknown.
    fn start(&self, _phase: &str, _total: u64) {}
    /// `n` more units are done.
    fn inc(&self, _n: u64) {}
    /// The phase is done.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Logs, at debug level under the `kensa::phase` target, that a phase of long work ended, with
/// the process's resident and peak memory (Linux; 0 elsewhere). `KENSA_LOG=kensa::phase=debug`
/// shows where a scan's time and memory go (see BENCHMARKS.md).
pub fn phase_done(phase: &str) {
    if !tracing::enabled!(target: "kensa::phase", tracing::Level::DEBUG) {
        return;
    }
    let (rss, peak) = memory_kib();
    tracing::debug!(
        target: "kensa::phase",
        phase,
        rss_mib = rss / 1024,
        peak_mib = peak / 1024,
        "phase done"
    );
}

/// Resident and peak resident memory of this process in KiB, from `/proc/self/status`.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
