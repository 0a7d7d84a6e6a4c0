//! Multi-node mode's event stream (issue 16): records go to a NATS JetStream stream, each to
//! the partition of its subject, and one worker per partition stores, detects and scores them.
//!
//! * **Stream** [`STREAM`] holds the subjects `kensa.events.N.I`: partition `I` of `N`
//!   ([`partition_of`]: a stable hash of the subject id, the same in every process and
//!   release). `N` is part of the subject, so that events published for one partition count are
//!   never read by workers of another (changing `N`: docs/scale.md).
//! * **Publishing** ([`Publisher::publish`]) returns once JetStream has acknowledged every
//!   record (kept on the NATS server's disk). Each message carries its record id as
//!   `Nats-Msg-Id`: a re-sent record is dropped by JetStream within its duplicate window, and by
//!   the store after it (records are unique by id).
//! * **Workers** ([`Worker::run`]) read their partition through a durable pull consumer, hand a
//!   batch to the engine ([`kensa_engine::Workspace::submit`]: one store transaction, then
//!   re-scoring) and acknowledge the messages only after that commit. A worker killed in the
//!   middle of a batch leaves it unacknowledged: JetStream delivers it again, and the records
//!   the store already holds are duplicates that change nothing.
//!
//! The API is blocking: each [`Publisher`] and [`Worker`] drives its own small tokio runtime for
//! NATS, and the engine and store run outside it (the PostgreSQL client blocks).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, stream};
use futures_util::StreamExt;
use kensa_engine::Workspace;
use kensa_model::Validated;
use sha2::{Digest, Sha256};

/// The JetStream stream of events.
pub const STREAM: &str = "KENSA_EVENTS";

/// The stream's name and the prefix of its subjects (`PREFIX.N.I`); tests use their own.
#[derive(Debug, Clone)]
pub struct Names {
    pub stream: String,
    pub prefix: String,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            stream: STREAM.into(),
            prefix: "kensa.events".into(),
        }
    }
}

impl Names {
    /// A stream of another name (`--stream`), its subjects under the lower-cased name.
    pub fn named(stream: &str) -> Names {
        if stream == STREAM {
            return Names::default();
        }
        Names {
            stream: stream.to_owned(),
            prefix: format!("{}.events", stream.to_lowercase()),
        }
    }

    /// The NATS subject of partition `partition` of `partitions`.
    pub fn subject(&self, partitions: u32, partition: u32) -> String {
        format!("{}.{partitions}.{partition}", self.prefix)
    }
}

/// How long a delivered event may stay unacknowledged before JetStream delivers it again: a
/// batch must be stored and scored within it (a slower one is delivered twice, harmlessly).
pub const DEFAULT_ACK_WAIT: Duration = Duration::from_secs(30);

/// Publications awaiting JetStream's acknowledgement at once.
const ACK_WINDOW: usize = 256;

/// Records re-sent within this window are dropped by JetStream (by `Nats-Msg-Id`).
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("NATS {url}: {message}")]
    Nats { url: String, message: String },
    #[error(
        "partition {partition} of {partitions}: the partition must be below the count, and the count at least 1"
    )]
    Partition { partition: u32, partitions: u32 },
    #[error(transparent)]
    Engine(#[from] kensa_engine::EngineError),
    #[error("starting the NATS client's runtime: {0}")]
    Runtime(std::io::Error),
}

impl StreamError {
    /// Whether trying again later may succeed: NATS or the store cannot be reached (a restart,
    /// the network). Anything else (bad configuration, data the store refuses) would fail again.
    pub fn is_transient(&self) -> bool {
        match self {
            StreamError::Nats { .. } => true,
            StreamError::Engine(kensa_engine::EngineError::Store(e)) => e.is_unavailable(),
            _ => false,
        }
    }
}

/// A URL as shown in messages: without a password (`nats://user:secret@host` → `nats://user@host`).
pub fn redact(url: &str) -> String {
    kensa_store::postgres::redact(url)
}

/// The partition of a subject among `partitions`: the first 8 bytes of the SHA-256 of its id,
/// modulo the count.
pub fn partition_of(subject_id: &str, partitions: u32) -> u32 {
    let h = Sha256::digest(subject_id.as_bytes());
    let x = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    (x % u64::from(partitions.max(1))) as u32
}

/// The durable consumer of a partition.
pub fn consumer_of(partitions: u32, partition: u32) -> String {
    format!("kensa-worker-{partitions}-{partition}")
}

fn runtime() -> Result<tokio::runtime::Runtime, StreamError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StreamError::Runtime)
}

/// Connects to NATS (nothing is created).
async fn context(url: &str) -> Result<jetstream::Context, StreamError> {
    let client = async_nats::ConnectOptions::new()
        .name("kensa")
        .connect(url)
        .await
        .map_err(|e| StreamError::Nats {
            url: redact(url),
            message: e.to_string(),
        })?;
    Ok(jetstream::new(client))
}

/// Connects and makes sure the stream exists (file storage, the duplicate window).
async fn connect(
    url: &str,
    names: &Names,
) -> Result<(jetstream::Context, stream::Stream), StreamError> {
    let err = |e: &dyn std::fmt::Display| StreamError::Nats {
        url: redact(url),
        message: e.to_string(),
    };
    let js = context(url).await?;
    let s = js
        .get_or_create_stream(stream::Config {
            name: names.stream.clone(),
            subjects: vec![format!("{}.>", names.prefix)],
            storage: stream::StorageType::File,
            duplicate_window: DUPLICATE_WINDOW,
            ..Default::default()
        })
        .await
        .map_err(|e| err(&e))?;
    Ok((js, s))
}

/// Sends records to their partitions.
pub struct Publisher {
    rt: tokio::runtime::Runtime,
    js: jetstream::Context,
    url: String,
    partitions: u32,
    names: Names,
}

impl Publisher {
    pub fn connect(url: &str, names: &Names, partitions: u32) -> Result<Publisher, StreamError> {
        if partitions == 0 {
            return Err(StreamError::Partition {
                partition: 0,
                partitions,
            });
        }
        let rt = runtime()?;
        let (js, _) = rt.block_on(connect(url, names))?;
        Ok(Publisher {
            rt,
            js,
            url: redact(url),
            partitions,
            names: names.clone(),
        })
    }

    /// Publishes every record to its subject's partition and returns once JetStream has
    /// acknowledged all of them.
    pub fn publish(&self, recs: &[Validated]) -> Result<(), StreamError> {
        let err = |e: &dyn std::fmt::Display| StreamError::Nats {
            url: redact(&self.url),
            message: e.to_string(),
        };
        self.rt.block_on(async {
            let mut acks = Vec::with_capacity(recs.len());
            for r in recs {
                let mut headers = async_nats::HeaderMap::new();
                headers.insert("Nats-Msg-Id", r.record_id.as_str());
                let subject = self.names.subject(
                    self.partitions,
                    partition_of(r.subject_id(), self.partitions),
                );
                let ack = self
                    .js
                    .publish_with_headers(subject, headers, r.body.clone().into())
                    .await
                    .map_err(|e| err(&e))?;
                acks.push(ack);
                // A window of acknowledgements in flight (the client bounds them: more
                // unawaited ones would stall the next publish).
                if acks.len() == ACK_WINDOW {
                    for a in acks.drain(..) {
                        a.await.map_err(|e| err(&e))?;
                    }
                }
            }
            for a in acks {
                a.await.map_err(|e| err(&e))?;
            }
            Ok(())
        })
    }

    /// The number of partitions records are published to.
    pub fn partitions(&self) -> u32 {
        self.partitions
    }

    /// Each partition's lag (messages not yet acknowledged by its worker), in partition order;
    /// `None` for a partition no worker has consumed yet (no consumer exists).
    pub fn lags(&self) -> Result<Vec<Option<u64>>, StreamError> {
        let err = |e: &dyn std::fmt::Display| StreamError::Nats {
            url: redact(&self.url),
            message: e.to_string(),
        };
        self.rt.block_on(async {
            let s = self
                .js
                .get_stream(&self.names.stream)
                .await
                .map_err(|e| err(&e))?;
            let mut out = Vec::with_capacity(self.partitions as usize);
            for p in 0..self.partitions {
                match s.consumer_info(consumer_of(self.partitions, p)).await {
                    Ok(info) => out.push(Some(info.num_pending + info.num_ack_pending as u64)),
                    Err(e) if e.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound => {
                        out.push(None)
                    }
                    Err(e) => return Err(err(&e)),
                }
            }
            Ok(out)
        })
    }
}

/// What a worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WorkerStats {
    pub batches: u64,
    pub messages: u64,
    pub stored: u64,
    /// Messages that are no valid record (terminated: a redelivery cannot fix them).
    pub invalid: u64,
    /// Records other writers stored that this worker read from the shared log.
    pub followed: u64,
}

/// The worker of one partition.
pub struct Worker {
    rt: tokio::runtime::Runtime,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    /// Every partition's consumer (this one's included): a worker is idle only when all of them
    /// are, since another partition's records can change this partition's subjects.
    all: Vec<jetstream::consumer::Consumer<pull::Config>>,
    url: String,
    /// Messages per batch (one store transaction each).
    pub batch: usize,
    /// How long one fetch waits for messages before the worker checks whether to stop.
    pub wait: Duration,
}

impl Worker {
    /// Connects and creates (or resumes) the partition's durable consumer, with
    /// [`DEFAULT_ACK_WAIT`].
    pub fn connect(
        url: &str,
        names: &Names,
        partitions: u32,
        partition: u32,
    ) -> Result<Worker, StreamError> {
        Worker::connect_with(url, names, partitions, partition, DEFAULT_ACK_WAIT)
    }

    /// As [`Worker::connect`]; `ack_wait`: how long JetStream waits for a delivered message's
    /// acknowledgement before delivering it again (to this or a replacement worker). It is set
    /// when the consumer is created (by the partition's first worker).
    pub fn connect_with(
        url: &str,
        names: &Names,
        partitions: u32,
        partition: u32,
        ack_wait: Duration,
    ) -> Result<Worker, StreamError> {
        if partitions == 0 || partition >= partitions {
            return Err(StreamError::Partition {
                partition,
                partitions,
            });
        }
        let rt = runtime()?;
        let all = rt.block_on(consumers(url, names, partitions, ack_wait))?;
        let consumer = all[partition as usize].clone();
        Ok(Worker {
            rt,
            consumer,
            all,
            url: redact(url),
            batch: 1000,
            wait: Duration::from_millis(500),
        })
    }

    /// Messages not yet acknowledged by this partition's worker (its lag).
    pub fn pending(&mut self) -> Result<u64, StreamError> {
        let url = self.url.clone();
        self.rt
            .block_on(async { lag_of(&url, &mut self.consumer).await })
    }

    /// Messages not yet acknowledged, summed over every partition.
    pub fn pending_all(&mut self) -> Result<u64, StreamError> {
        let url = self.url.clone();
        self.rt.block_on(async {
            let mut n = 0;
            for c in &mut self.all {
                n += lag_of(&url, c).await?;
            }
            Ok(n)
        })
    }

    /// Works the partition until `stop` is set (checked between batches) or, with `until_idle`,
    /// until nothing is left to deliver. Each batch is stored and scored in one call of the engine;
    /// its messages are acknowledged only after that returned.
    pub fn run(
        &mut self,
        ws: &mut Workspace,
        stop: &AtomicBool,
        until_idle: bool,
    ) -> Result<WorkerStats, StreamError> {
        let mut stats = WorkerStats::default();
        let nats = |url: &str, e: &dyn std::fmt::Display| StreamError::Nats {
            url: redact(url),
            message: e.to_string(),
        };
        while !stop.load(Ordering::Relaxed) {
            let url = self.url.clone();
            let msgs: Vec<jetstream::Message> = self.rt.block_on(async {
                let mut batch = self
                    .consumer
                    .fetch()
                    .max_messages(self.batch)
                    .expires(self.wait)
                    .messages()
                    .await
                    .map_err(|e| nats(&url, &e))?;
                let mut out = Vec::new();
                while let Some(m) = batch.next().await {
                    out.push(m.map_err(|e| nats(&url, &e))?);
                }
                Ok::<_, StreamError>(out)
            })?;
            if msgs.is_empty() {
                // What other writers stored (other partitions' workers, batch imports) can
                // change this partition's subjects.
                let followed = ws.follow()?;
                stats.followed += followed.record_ids.len() as u64;
                // Idle only when nothing is left to deliver in any partition — not even the
                // unacknowledged messages of a worker that died, which come again after the ack
                // wait — and everything the others stored has been read: a worker acknowledges
                // only after its records are committed, so a follow after every partition
                // drained reads all of them.
                if until_idle
                    && followed.record_ids.is_empty()
                    && self.pending_all()? == 0
                    && ws.follow()?.record_ids.is_empty()
                {
                    break;
                }
                continue;
            }
            let mut valid = Vec::with_capacity(msgs.len());
            let mut bad = Vec::new();
            for (i, m) in msgs.iter().enumerate() {
                match serde_json::from_slice::<serde_json::Value>(&m.payload)
                    .map_err(|e| e.to_string())
                    .and_then(|v| kensa_model::validate_value(v).map_err(|e| e.to_string()))
                {
                    Ok(v) => valid.push(v),
                    Err(reason) => {
                        // No record content in the log line: only where it was.
                        tracing::warn!(stream_seq = m.info().map(|i| i.stream_sequence).unwrap_or(0), %reason, "an event that is no valid record: dropped");
                        bad.push(i);
                    }
                }
            }
            let submitted = ws.submit(valid)?;
            stats.batches += 1;
            stats.messages += msgs.len() as u64;
            stats.invalid += bad.len() as u64;
            stats.stored += submitted
                .outcomes
                .iter()
                .filter(|o| **o == kensa_store::Outcome::Stored)
                .count() as u64;
            // Committed: now, and only now, the messages are acknowledged.
            self.rt.block_on(async {
                for (i, m) in msgs.iter().enumerate() {
                    let kind = if bad.contains(&i) {
                        jetstream::AckKind::Term
                    } else {
                        jetstream::AckKind::Ack
                    };
                    m.ack_with(kind).await.map_err(|e| nats(&url, &*e))?;
                }
                Ok::<_, StreamError>(())
            })?;
            stats.followed += ws.follow()?.record_ids.len() as u64;
        }
        Ok(stats)
    }
}

/// Creates (or opens) the durable consumer of every partition, in partition order.
async fn consumers(
    url: &str,
    names: &Names,
    partitions: u32,
    ack_wait: Duration,
) -> Result<Vec<jetstream::consumer::Consumer<pull::Config>>, StreamError> {
    let (_, s) = connect(url, names).await?;
    let mut all = Vec::with_capacity(partitions as usize);
    for p in 0..partitions {
        let name = consumer_of(partitions, p);
        let c = s
            .get_or_create_consumer(
                &name,
                pull::Config {
                    durable_name: Some(name.clone()),
                    filter_subject: names.subject(partitions, p),
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    ack_wait,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| StreamError::Nats {
                url: redact(url),
                message: e.to_string(),
            })?;
        all.push(c);
    }
    Ok(all)
}

/// A consumer's lag: messages not yet delivered plus those delivered and not acknowledged.
async fn lag_of(
    url: &str,
    c: &mut jetstream::consumer::Consumer<pull::Config>,
) -> Result<u64, StreamError> {
    let info = c.info().await.map_err(|e| StreamError::Nats {
        url: redact(url),
        message: e.to_string(),
    })?;
    Ok(info.num_pending + info.num_ack_pending as u64)
}

/// Deletes a stream (tests, and an operator retiring a partition count after draining it).
pub fn delete_stream(url: &str, names: &Names) -> Result<(), StreamError> {
    let rt = runtime()?;
    rt.block_on(async {
        let js = context(url).await?;
        js.delete_stream(&names.stream)
            .await
            .map_err(|e| StreamError::Nats {
                url: redact(url),
                message: e.to_string(),
            })?;
        Ok(())
    })
}

/// The NATS server of tests against a real one (this crate's and the CLI's):
/// `KENSA_TEST_NATS_URL` (default `nats://127.0.0.1:4222`). Outside CI an unreachable server
/// skips the test with the reason printed; under `CI=true` it fails it (`.ci/run` installs and
/// starts nats-server).
#[doc(hidden)]
pub mod testing {
    /// Deletes a test's stream when dropped (the stream goes with the test).
    pub struct StreamGuard(pub String, pub super::Names);

    impl Drop for StreamGuard {
        fn drop(&mut self) {
            let _ = super::delete_stream(&self.0, &self.1);
        }
    }

    /// `None` (with the reason printed) when no server answers, outside CI.
    pub fn nats_url() -> Option<String> {
        let url =
            std::env::var("KENSA_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
        match std::net::TcpStream::connect(url.trim_start_matches("nats://")) {
            Ok(_) => Some(url),
            Err(e) => {
                let why = format!("no NATS server at {url}: {e}");
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("the NATS tests cannot run under CI=true: {why}");
                }
                eprintln!("skipped: {why}");
                None
            }
        }
    }
}
