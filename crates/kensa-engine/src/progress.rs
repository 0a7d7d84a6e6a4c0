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
