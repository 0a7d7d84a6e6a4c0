//! Prometheus metrics (`GET /metrics`), with the Prometheus project's Rust client.
//!
//! Labels are route templates and status codes only — never a subject id, IP or token.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionLabels {
    pub partition: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<HttpLabels, Counter>,
    pub duration: Family<RouteLabels, Histogram>,
    pub records: Family<OutcomeLabels, Counter>,
    pub subjects: Gauge,
    /// Multi-node mode: events not yet acknowledged per partition (-1: no worker yet).
    pub partition_lag: Family<PartitionLabels, Gauge>,
    /// Multi-node mode: the last log entry the server has read.
    pub followed_entry: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kensa");
        let requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            requests.clone(),
        );
        let duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 18))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            duration.clone(),
        );
        let records = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "event_records",
            "Records received on /v1/events, by outcome (stored, duplicate, rejected)",
            records.clone(),
        );
        let subjects = Gauge::default();
        registry.register(
            "subjects",
            "Subjects with a result in the engine",
            subjects.clone(),
        );
        let partition_lag = Family::<PartitionLabels, Gauge>::default();
        registry.register(
            "partition_lag",
            "Multi-node mode: events of each partition not yet acknowledged by its worker (-1: no worker has consumed it)",
            partition_lag.clone(),
        );
        let followed_entry = Gauge::default();
        registry.register(
            "followed_log_entry",
            "Multi-node mode: the last entry of the shared log this server has read",
            followed_entry.clone(),
        );
        Metrics {
            partition_lag,
            followed_entry,
            registry,
            requests,
            duration,
            records,
            subjects,
        }
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String does not fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
