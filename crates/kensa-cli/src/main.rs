//! `kensa`: the command-line interface. Definitions and glue only; the work happens in the
//! library crates (see ARCHITECTURE.md).

mod catalog;
mod demo;
mod progress;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use kensa_engine::{IngestOptions, ScanOptions};
use kensa_score::Policy;
use kensa_store::{Durability, Store};
use std::path::PathBuf;
use std::process::ExitCode;

// Ingest and detection allocate many small objects; mimalloc is markedly faster than glibc's
// allocator for that pattern (measured in BENCHMARKS.md). Built with `no_thp`: with transparent
// huge pages every first touch of mimalloc's memory zeroed 2 MiB, which was a third of a
// re-scan's samples and ~10 % of a whole scan's wall time (BENCHMARKS.md, issue 13 round 2).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kensa (検査) finds the red flags of North Korean IT workers hired under false identities,
/// explains them in English and Japanese, and keeps the evidence verifiable.
#[derive(Parser)]
#[command(name = "kensa", version, long_about = None, propagate_version = true)]
struct Cli {
    /// No progress bars and no summary on stderr; errors are still printed.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// Limits on one input record; over a limit, the record is rejected (never a crash).
#[derive(clap::Args, Clone, Copy)]
struct LimitArgs {
    /// Longest JSONL line or CSV row, in bytes.
    #[arg(long, default_value_t = kensa_engine::Limits::default().max_line_bytes)]
    max_line_bytes: usize,
    /// Deepest nesting of objects and arrays in a record (the record is level 1; at most 127).
    #[arg(long, default_value_t = kensa_engine::Limits::default().max_depth)]
    max_depth: usize,
    /// Most members of one object, items of one array, or cells of one CSV row.
    #[arg(long, default_value_t = kensa_engine::Limits::default().max_fields)]
    max_fields: usize,
}

/// How inputs that are native logs are read.
#[derive(clap::Args, Clone)]
struct LogArgs {
    /// Input format: auto (Kensa records, or a log recognised by its first events), kensa,
    /// okta, entra, google-workspace, github, ocsf, osquery. See docs/adapters.md.
    #[arg(long, default_value = "auto", value_parser = kensa_engine::Choice::from_name)]
    format: kensa_engine::Choice,
    /// CSV file of `identity,subject_id` lines: log logins, user ids, hosts or device serials
    /// to subjects (subjects' ids and e-mails are known already).
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    /// Keep log events whose user resolves to no subject, as a subject of their own (the
    /// identity, lower-cased), instead of skipping and reporting them.
    #[arg(long)]
    keep_unresolved: bool,
    /// Read every input (JSON or CSV) through a mapping file (TOML) that names where each
    /// record field comes from: for logs Kensa has no adapter for. See docs/adapters.md.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
}

impl LogArgs {
    fn options(self) -> kensa_engine::LogOptions {
        kensa_engine::LogOptions {
            format: self.format,
            identities: self.identities,
            mapping: self.mapping,
            unresolved: if self.keep_unresolved {
                kensa_engine::Unresolved::Keep
            } else {
                kensa_engine::Unresolved::Skip
            },
        }
    }
}

impl LimitArgs {
    fn limits(self) -> kensa_engine::Limits {
        kensa_engine::Limits {
            max_line_bytes: self.max_line_bytes,
            max_depth: self.max_depth,
            max_fields: self.max_fields,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Store records from files or directories (JSONL, JSONL.gz, CSV, and logs such as Okta,
    /// Entra ID, Google Workspace, GitHub, OCSF and osquery exports) in the database.
    Ingest {
        /// SQLite database to write (created if absent), or a PostgreSQL URL
        /// (`postgres://user@host/db`; the schema is created or migrated on start).
        #[arg(long, visible_alias = "store")]
        db: String,
        /// Where to write rejected records (default: rejects.jsonl beside the database, or in
        /// the current directory for PostgreSQL).
        #[arg(long)]
        rejects: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        logs: LogArgs,
        /// Input files or directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Parse and validate inputs without storing anything; write the rejects and reconcile.
    Validate {
        /// Where to write rejected records.
        #[arg(long, default_value = "rejects.jsonl")]
        rejects: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        logs: LogArgs,
        /// Input files or directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Write what Kensa makes of the inputs — logs in their own formats, or records — as
    /// Kensa records (JSON Lines), without storing anything.
    Convert {
        /// Where to write the records (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Where to write rejected records.
        #[arg(long, default_value = "rejects.jsonl")]
        rejects: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        logs: LogArgs,
        /// Input files or directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Ingest, run every detector, score every subject, and write subjects.jsonl, report.html
    /// and rejects.jsonl into the output directory.
    Scan {
        /// SQLite database (default: OUT/kensa.db), or a PostgreSQL URL (`postgres://...`).
        #[arg(long, visible_alias = "store")]
        db: Option<String>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Policy file (TOML); default: the built-in policy (`kensa policy` prints it).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Intel configuration (TOML listing IP, network, e-mail and wallet sources; see
        /// docs/intel.md). Default: a small built-in sample, fine for demos only.
        #[arg(long)]
        intel: Option<PathBuf>,
        /// Minimum score (0-1) of a sanctions name match.
        #[arg(long, default_value_t = kensa_screen::DEFAULT_THRESHOLD)]
        screen_threshold: f64,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        logs: LogArgs,
        /// Input files or directories; none re-scans what the database holds.
        inputs: Vec<PathBuf>,
    },
    /// Record a due-diligence step (DD-...) performed for a subject, with attached evidence.
    Check {
        #[arg(long)]
        db: PathBuf,
        /// Subject (account) id.
        #[arg(long)]
        subject: String,
        /// Due-diligence id, e.g. DD-VIDEO-INTERVIEW (see `kensa catalog`).
        #[arg(long = "step")]
        step: String,
        /// pass, fail or inconclusive.
        #[arg(long)]
        result: String,
        /// Who performed the step.
        #[arg(long)]
        by: String,
        #[arg(long)]
        notes: Option<String>,
        /// Files attached as evidence (their SHA-256 is recorded). Repeatable.
        #[arg(long)]
        evidence: Vec<PathBuf>,
    },
    /// Record a decision about a subject (approve, reject, escalate, hold). Approval is refused
    /// while due-diligence steps required by the policy are missing.
    Decide {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        subject: String,
        /// approve, reject, escalate or hold.
        #[arg(long)]
        decision: kensa_engine::act::Decision,
        /// Who decides.
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: Option<String>,
        /// Approve despite missing steps; the reason is recorded in the evidence log.
        #[arg(long = "override")]
        override_reason: Option<String>,
        /// Policy file (default: the built-in policy).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Scan data that carries `label` records and grade the ranking: ROC/PR AUC, precision and
    /// recall at each tier, precision@k, confusion, per-flag hit rates, calibration. Writes
    /// eval.json and eval.html (plus the scan outputs) into the output directory.
    Eval {
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long)]
        intel: Option<PathBuf>,
        #[arg(long, default_value_t = kensa_screen::DEFAULT_THRESHOLD)]
        screen_threshold: f64,
        #[command(flatten)]
        limits: LimitArgs,
        inputs: Vec<PathBuf>,
    },
    /// Learn flag weights (likelihood ratios) from `label` records and write a new policy file.
    /// Use --holdout to check the new weights on subjects kept out of the fit.
    Tune {
        /// Where to write the new policy (TOML).
        #[arg(long)]
        out: PathBuf,
        /// Fraction of labelled subjects kept out of the fit to check it (0 = none).
        #[arg(long, default_value_t = 0.3)]
        holdout: f64,
        /// L2 penalty (larger = weights closer to 1).
        #[arg(long, default_value_t = 1.0)]
        l2: f64,
        /// Working directory for the database and scan side files (default: OUT.work).
        #[arg(long)]
        work: Option<PathBuf>,
        /// Starting policy (its parameters are kept; its weights are re-learnt).
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long)]
        intel: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Export a subject's neighbourhood in the identifier graph (shared IPs, devices, e-mails,
    /// phones, payout accounts, wallets, addresses, documents) as JSON or Graphviz DOT.
    Graph {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        subject: String,
        /// Hops from the subject.
        #[arg(long, default_value_t = 2)]
        depth: usize,
        /// json or dot.
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        intel: Option<PathBuf>,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Re-compute the evidence chain; exit non-zero naming the first broken entry.
    Verify {
        /// SQLite database, or a PostgreSQL URL (`postgres://...`): the same checks.
        #[arg(long, visible_alias = "store")]
        db: String,
    },
    /// List every red flag (RF) and due-diligence measure (DD) with what covers it.
    Catalog {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Print the README's Markdown table of red flags and detectors.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
    },
    /// Generate a synthetic data set, scan it, and print where the report is.
    Demo {
        /// Output directory.
        #[arg(long, default_value = "kensa-demo-out")]
        out: PathBuf,
        /// Random seed of the generator.
        #[arg(long)]
        seed: Option<u64>,
        /// Number of ordinary legitimate freelancers (personas and look-alikes come on top).
        #[arg(long, default_value_t = 300)]
        population: usize,
        /// Length of the observation window in days (at least 14). Logins and activity grow
        /// with it: `--population 2900 --days 150` gives ~2M records for benchmarks.
        #[arg(long, default_value_t = 60)]
        days: u32,
        /// Only write the generated records (OUT/input/<kind>.jsonl) and print that directory;
        /// no database, no scan, no report.
        #[arg(long)]
        no_scan: bool,
    },
    /// Screen names against sanctions lists: one JSON line per query, in input order.
    /// INPUT has one name per line, or JSON lines with `name` and optional `birth_date`,
    /// `country`.
    Screen {
        /// A list file (OFAC sdn/alt/add CSV, UN XML, OpenSanctions FtM JSON lines, custom
        /// CSV); the format is recognised from the content. Repeatable.
        #[arg(long = "list")]
        lists: Vec<PathBuf>,
        /// Also use the `sanctions_list` sources of this intel configuration.
        #[arg(long)]
        intel: Option<PathBuf>,
        /// Minimum match score, 0-1.
        #[arg(long, default_value_t = kensa_screen::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Names file or JSONL.
        input: PathBuf,
    },
    /// Print the built-in default policy (a starting point for your own).
    Policy,
    /// Reference data for enrichment: what is loaded, and what it says about IP addresses.
    #[command(subcommand)]
    Intel(IntelCommand),
    /// Signing keys for evidence bundles (Ed25519).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Evidence bundles: one signed file an investigator verifies offline (see docs/evidence.md).
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Work one partition of the event stream in multi-node mode (docs/scale.md): read the
    /// records of partition I of N from NATS JetStream, store them in PostgreSQL, detect and
    /// score, and acknowledge them only once stored. Runs until SIGTERM or Ctrl-C (or, with
    /// --until-idle, until the partition has nothing left).
    Worker {
        /// The shared store: a PostgreSQL URL (`postgres://user@host/db`).
        #[arg(long)]
        store: String,
        /// The NATS server with JetStream (`nats://host:4222`).
        #[arg(long)]
        nats: String,
        /// How many partitions the stream is split into (the same for every worker).
        #[arg(long)]
        partitions: u32,
        /// The partition this worker takes (0 to N-1).
        #[arg(long)]
        partition: u32,
        /// Policy file (TOML); default: the built-in policy.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Intel configuration (TOML); default: the small built-in sample.
        #[arg(long)]
        intel: Option<PathBuf>,
        /// Minimum score (0-1) of a sanctions name match.
        #[arg(long, default_value_t = kensa_screen::DEFAULT_THRESHOLD)]
        screen_threshold: f64,
        /// Records per batch (one store transaction each).
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Stop once a fetch finds nothing (a batch run) instead of waiting for more.
        #[arg(long)]
        until_idle: bool,
        /// Seconds a delivered event may stay unacknowledged before it is delivered again (set
        /// when the partition's consumer is first created).
        #[arg(long, default_value_t = kensa_stream::DEFAULT_ACK_WAIT.as_secs())]
        ack_wait: u64,
        /// The JetStream stream's name (one deployment, one name).
        #[arg(long, default_value = kensa_stream::STREAM)]
        stream: String,
    },
    /// Serve the real-time decision API over a database (docs/api.md): events in, scored
    /// subjects out, with API tokens and roles. Prints `listening on http://HOST:PORT`.
    Serve {
        /// SQLite database (created if absent). With --store: holds only the accounts
        /// (people, tokens, sessions), the access log and webhook deliveries.
        #[arg(long)]
        db: PathBuf,
        /// Multi-node mode: the shared PostgreSQL store (postgres://...), with --nats. Events
        /// are published to the stream and stored by `kensa worker`s (docs/scale.md).
        #[arg(long, requires = "nats")]
        store: Option<String>,
        /// Multi-node mode: the NATS server with JetStream (nats://host:4222).
        #[arg(long, requires = "store")]
        nats: Option<String>,
        /// Multi-node mode: the number of partitions (as the workers are started with).
        #[arg(long, default_value_t = 1)]
        partitions: u32,
        /// Multi-node mode: the JetStream stream's name.
        #[arg(long, default_value = kensa_stream::STREAM)]
        stream: String,
        /// Multi-node mode: seconds `/v1/events` waits for the workers to store a batch before
        /// answering 202 (the results then arrive by webhook).
        #[arg(long, default_value_t = 30)]
        wait_timeout: u64,
        /// Address to listen on; `127.0.0.1:0` picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Intel configuration (TOML; see docs/intel.md). Default: the built-in sample.
        #[arg(long)]
        intel: Option<PathBuf>,
        /// Scoring policy (TOML). Default: the built-in policy.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Name-match score at or above which sanctions screening reports a match.
        #[arg(long, default_value_t = kensa_screen::DEFAULT_THRESHOLD)]
        screen_threshold: f64,
        /// Largest request body accepted, in bytes (larger: 413).
        #[arg(long, default_value_t = 16 << 20)]
        max_body_bytes: usize,
        /// Seconds after which a request is answered 408.
        #[arg(long, default_value_t = 60)]
        request_timeout: u64,
        /// Request log format on stderr: `text` or `json` (one JSON object per line).
        #[arg(long, default_value = "text")]
        log_format: String,
        /// Send tier changes, newly critical subjects and decisions to this URL (repeat for
        /// several); signed with the secret of --webhook-secret-file (docs/api.md).
        #[arg(long = "webhook")]
        webhooks: Vec<String>,
        /// File holding the webhook signing secret (shared with the receivers).
        #[arg(long, requires = "webhooks")]
        webhook_secret_file: Option<PathBuf>,
        /// Mark the session cookie Secure (when people reach the server over HTTPS, e.g.
        /// behind a TLS proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// Serve HTTPS with this certificate chain (PEM; with --tls-key). Implies
        /// --secure-cookies.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// API tokens for `kensa serve` (the secret is printed once; only its hash is stored).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Multi-node mode's event stream: each partition's lag; delete a drained stream.
    #[command(subcommand)]
    Stream(StreamCommand),
    /// People who sign in to `kensa serve`'s web pages (argon2id password hashes).
    #[command(subcommand)]
    User(UserCommand),
    /// Place a subject on legal hold (never purged), or release it; logged with who and why.
    Hold {
        #[arg(long)]
        db: PathBuf,
        /// The subject to hold (or give --case).
        #[arg(long, required_unless_present = "case")]
        subject: Option<String>,
        /// Hold every subject of this case (from the analyst workspace).
        #[arg(long, conflicts_with = "subject")]
        case: Option<String>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
        /// Release the hold instead.
        #[arg(long)]
        release: bool,
    },
    /// Remove the personal content of records past retention (the chain still verifies);
    /// subjects on hold are kept. Logged with what, why and by whom. See docs/evidence.md.
    Purge {
        #[arg(long)]
        db: PathBuf,
        /// Retention per record kind, KIND=DAYS (repeat), e.g. --keep login=400 --keep activity=400;
        /// `rejects=DAYS` for rejected input kept for the rejects report.
        #[arg(long = "keep", required = true)]
        keep: Vec<String>,
        #[arg(long)]
        by: String,
        #[arg(long)]
        reason: String,
        /// Only say what would be purged.
        #[arg(long)]
        dry_run: bool,
    },
    /// Share indicators of confirmed workers (STIX 2.1, or keyed hashes that reveal no raw
    /// value) and match other parties' hashed lists against your subjects.
    #[command(subcommand)]
    Indicators(IndicatorsCommand),
}

#[derive(Subcommand)]
enum IndicatorsCommand {
    /// Create a key to share with the participating organisations (HMAC-SHA256); prints its id.
    Key {
        #[arg(long)]
        out: PathBuf,
    },
    /// Export the indicators of subjects confirmed as DPRK IT workers.
    Export {
        #[arg(long)]
        db: PathBuf,
        /// Subject id (repeat for several).
        #[arg(long = "subject", required = true)]
        subjects: Vec<String>,
        /// `stix` (STIX 2.1 bundle with the values) or `hashed` (keyed hashes only).
        #[arg(long, default_value = "hashed")]
        format: String,
        /// Your organisation's name, as the recipients will see it.
        #[arg(long)]
        party: String,
        /// The shared key (for `hashed`).
        #[arg(long)]
        key: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Match a hashed list from another party against your subjects; prints one JSON line per
    /// match (your subject, the kind, your value, the party and when they shared it).
    Match {
        #[arg(long)]
        db: PathBuf,
        /// The list the other party sent.
        #[arg(long)]
        list: PathBuf,
        /// The shared key.
        #[arg(long)]
        key: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create a signing key: KEYFILE (secret, readable by you only) and KEYFILE.pub; prints the
    /// public key to give to the bundles' recipients.
    Create {
        /// Where to write the secret key (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a person with a role (analyst, lead, admin, auditor); the password is read from
    /// standard input (one line), never from the command line.
    Create {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum StreamCommand {
    /// Each partition's lag (events not yet acknowledged by its worker).
    Status {
        /// The NATS server with JetStream (nats://host:4222).
        #[arg(long)]
        nats: String,
        /// The number of partitions events are published to.
        #[arg(long)]
        partitions: u32,
        #[arg(long, default_value = kensa_stream::STREAM)]
        stream: String,
    },
    /// Delete a stream and its events (after draining it: `kensa worker --until-idle`), e.g.
    /// when changing the number of partitions or retiring a deployment.
    Delete {
        #[arg(long)]
        nats: String,
        #[arg(long)]
        stream: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token with a role (ingest, analyst, lead, admin, auditor); prints the secret.
    Create {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        role: String,
        /// Who or what uses it (shown in the request and access logs).
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets): id, name, role, created, last used, revoked.
    List {
        #[arg(long)]
        db: PathBuf,
    },
    /// Revoke a token by id (from `kensa token list`).
    Revoke {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Export subjects' records, findings, checks and decisions with the chain proof to the log
    /// head, a chain-of-custody record and the report, signed; the export is logged.
    Export {
        #[arg(long)]
        db: PathBuf,
        /// Subject id (repeat for several).
        #[arg(long = "subject", required_unless_present = "case")]
        subjects: Vec<String>,
        /// A case of the analyst workspace: its subjects, and its own log entries (notes,
        /// status changes), go into the bundle.
        #[arg(long)]
        case: Option<String>,
        /// The bundle file to write.
        #[arg(long)]
        out: PathBuf,
        /// Why (kept in the custody record and the log). Give it: a bundle without a reason
        /// says "no reason given" in its custody record.
        #[arg(long)]
        reason: Option<String>,
        /// Who exports (default: the operating-system user running the command).
        #[arg(long)]
        by: Option<String>,
        /// Signing key from `kensa key create` (default: a one-time key, which shows integrity
        /// but not who exported).
        #[arg(long)]
        key: Option<PathBuf>,
        /// A font with Japanese glyphs for the PDF reports (default: `KENSA_PDF_FONT`, else Noto
        /// Sans CJK, IPAexGothic, Hiragino or Yu Gothic where installed).
        #[arg(long)]
        font: Option<PathBuf>,
        /// Export without the PDF reports (the HTML report is always included).
        #[arg(long, conflicts_with = "font")]
        no_pdf: bool,
    },
    /// Check a bundle offline: every file's hash, the signature and the chain proof. Exit 0
    /// when intact, 1 naming each problem.
    Verify {
        bundle: PathBuf,
        /// The exporter's public key (hex, or a .pub file) to check the signature against.
        #[arg(long)]
        pubkey: Option<String>,
        /// The log head hash you wrote down (hex): the proof must reach it.
        #[arg(long)]
        head: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum IntelCommand {
    /// Show each source: format, date, entries, load time, licence attribution.
    Status {
        /// Intel configuration; default: the built-in sample.
        #[arg(long)]
        intel: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print one JSON line per IP address (IPv4 or IPv6): geolocation, ASN, organisation and
    /// every network classification with the list that made it.
    Lookup {
        #[arg(long)]
        intel: Option<PathBuf>,
        #[arg(required = true)]
        ips: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs each request at info (route templates, never personal data); other
    // commands only warnings. KENSA_LOG overrides both.
    let (default_level, json) = match &cli.command {
        Command::Serve { log_format, .. } => ("info", log_format == "json"),
        _ => ("warn", false),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KENSA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`kensa catalog | head`) is the reader's choice, not an error.
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let quiet = cli.quiet;
    let progress = progress::Bar::new(quiet);
    match cli.command {
        Command::Ingest {
            db,
            rejects,
            limits,
            logs,
            inputs,
        } => {
            let mut store = kensa_store::open_store(&db, true)?;
            let rejects = rejects.unwrap_or_else(|| {
                if kensa_store::postgres::is_url(&db) {
                    PathBuf::from("rejects.jsonl")
                } else {
                    std::path::Path::new(&db).with_extension("rejects.jsonl")
                }
            });
            let summary = kensa_engine::ingest(
                &mut *store,
                &inputs,
                IngestOptions {
                    run_id: format!("ingest-{}", kensa_store::now_rfc3339()),
                    rejects_path: Some(rejects.clone()),
                    collect: None,
                    limits: limits.limits(),
                    logs: logs.options(),
                    progress: &progress,
                },
            )?;
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            if !quiet {
                eprintln!("{}", summary.reconciliation());
                print_skips(&summary);
                if summary.rejected > 0 {
                    eprintln!("rejected records: {}", rejects.display());
                }
            }
            if !summary.usable() {
                bail!("{}", summary.nothing_usable());
            }
            Ok(failed_inputs(&summary))
        }
        Command::Validate {
            rejects,
            limits,
            logs,
            inputs,
        } => {
            let summary = kensa_engine::validate_only(
                &inputs,
                Some(&rejects),
                &limits.limits(),
                &logs.options(),
                &progress,
            )?;
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            if !quiet {
                eprintln!("{}", summary.reconciliation_as("valid", "repeated", false));
                print_skips(&summary);
                if summary.rejected > 0 {
                    eprintln!("rejected records: {}", rejects.display());
                }
            }
            if summary.stored + summary.duplicate == 0 {
                bail!("{}", summary.nothing_usable());
            }
            Ok(failed_inputs(&summary))
        }
        Command::Convert {
            out,
            rejects,
            limits,
            logs,
            inputs,
        } => {
            let mut staged = None;
            let (mut w, name): (Box<dyn std::io::Write>, PathBuf) = match &out {
                Some(p) => {
                    // Written under a temporary name and renamed when complete.
                    let tmp = p.with_extension(format!("tmp-{}", std::process::id()));
                    let f = std::fs::File::create(&tmp)
                        .with_context(|| format!("creating {}", tmp.display()))?;
                    staged = Some(tmp);
                    (Box::new(std::io::BufWriter::new(f)), p.clone())
                }
                None => (
                    Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                    PathBuf::from("standard output"),
                ),
            };
            let summary = kensa_engine::convert(
                &inputs,
                &mut w,
                &name,
                Some(&rejects),
                &limits.limits(),
                &logs.options(),
                &progress,
            );
            drop(w);
            let summary = match summary {
                Ok(s) => s,
                Err(e) => {
                    if let Some(tmp) = &staged {
                        let _ = std::fs::remove_file(tmp);
                    }
                    return Err(e.into());
                }
            };
            if let (Some(tmp), Some(p)) = (&staged, &out) {
                std::fs::rename(tmp, p).with_context(|| format!("writing {}", p.display()))?;
            }
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            if !quiet {
                eprintln!(
                    "{}",
                    summary.reconciliation_as("written", "duplicate", true)
                );
                print_skips(&summary);
                if summary.rejected > 0 {
                    eprintln!("rejected records: {}", rejects.display());
                }
            }
            Ok(failed_inputs(&summary))
        }
        Command::Scan {
            db,
            out,
            policy,
            intel,
            screen_threshold,
            limits,
            logs,
            inputs,
        } => {
            let engine = engine_source(policy.as_ref(), intel.as_ref(), screen_threshold, quiet)?;
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let db = db.unwrap_or_else(|| out.join("kensa.db").to_string_lossy().into_owned());
            let mut store = kensa_store::open_store(&db, true)?;
            let summary = kensa_engine::scan(
                &mut *store,
                ScanOptions {
                    out_dir: out,
                    inputs,
                    engine,
                    title: "Kensa scan report / 検査レポート".into(),
                    notices: Vec::new(),
                    limits: limits.limits(),
                    logs: logs.options(),
                    progress: &progress,
                },
            )?;
            print_scan(&summary, quiet);
            Ok(failed_inputs(&summary.ingest))
        }
        Command::Eval {
            db,
            out,
            policy,
            intel,
            screen_threshold,
            limits,
            inputs,
        } => {
            let engine = engine_source(policy.as_ref(), intel.as_ref(), screen_threshold, quiet)?;
            let db = db.unwrap_or_else(|| out.join("kensa.db"));
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let mut store = Store::open(&db, Durability::Full)?;
            let (summary, r) = kensa_engine::eval::eval(
                &mut store,
                ScanOptions {
                    out_dir: out.clone(),
                    inputs,
                    engine,
                    title: "Kensa scan report / 検査レポート".into(),
                    notices: Vec::new(),
                    limits: limits.limits(),
                    logs: Default::default(),
                    progress: &progress,
                },
            )?;
            print_scan(&summary, quiet);
            println!(
                "labelled: {} DPRK, {} legitimate ({} unlabelled)",
                r.positives, r.negatives, r.unlabelled
            );
            println!("ROC AUC {:.3}   PR AUC {:.3}", r.roc_auc, r.pr_auc);
            for t in &r.at_tiers {
                println!(
                    "tier {:<8} score >= {:>5.1}: flagged {:>4}  precision {:.3}  recall {:.3}  false-positive rate {:.4}",
                    t.tier, t.threshold, t.flagged, t.precision, t.recall, t.false_positive_rate
                );
            }
            for (k, p) in &r.precision_at_k {
                print!("P@{k} {p:.2}  ");
            }
            println!();
            println!(
                "legitimate at high/critical: {}   DPRK below medium: {}",
                r.legit_high.len(),
                r.dprk_missed.len()
            );
            if !r.flag_recall.is_empty() {
                let below: Vec<String> = r
                    .flag_recall
                    .iter()
                    .filter(|x| x.recall < 0.9)
                    .map(|x| format!("{} {}/{}", x.id, x.raised, x.carriers))
                    .collect();
                let carriers: usize = r.flag_recall.iter().map(|x| x.carriers).sum();
                let raised: usize = r.flag_recall.iter().map(|x| x.raised).sum();
                println!(
                    "per-flag recall: {} flags, {raised}/{carriers} carried flags raised; below 90%: {}",
                    r.flag_recall.len(),
                    if below.is_empty() {
                        "none".to_owned()
                    } else {
                        below.join(", ")
                    }
                );
            }
            println!("details: {}", out.join("eval.html").display());
            Ok(failed_inputs(&summary.ingest))
        }
        Command::Tune {
            out,
            holdout,
            l2,
            work,
            policy,
            intel,
            limits,
            inputs,
        } => {
            if !(0.0..1.0).contains(&holdout) {
                bail!("--holdout must be in [0, 1)");
            }
            let engine = engine_config(
                policy.as_ref(),
                intel.as_ref(),
                kensa_screen::DEFAULT_THRESHOLD,
                quiet,
            )?;
            let label = engine.policy_label.clone();
            let work = work.unwrap_or_else(|| out.with_extension("work"));
            std::fs::create_dir_all(&work)
                .with_context(|| format!("creating {}", work.display()))?;
            let mut store = Store::open(&work.join("kensa.db"), Durability::Normal)?;
            let (new_policy, r) = kensa_engine::tune::tune(
                &mut store,
                ScanOptions {
                    out_dir: work.clone(),
                    inputs,
                    engine: engine.into(),
                    title: String::new(),
                    notices: Vec::new(),
                    limits: limits.limits(),
                    logs: Default::default(),
                    progress: &progress,
                },
                holdout,
                l2,
            )?;
            let header = format!(
                "# Kensa policy tuned by `kensa tune` from {label} on {} labelled subjects ({} DPRK), L2 {l2}.\n\
                 # Holdout ({} subjects) ROC AUC: {:.3} before, {:.3} after (flag weights only; interactions and caps not included).\n\
                 # Learnt weights fit the sample they came from: check them on data they were not learnt from.\n\n",
                r.train_subjects,
                r.positives,
                r.holdout_subjects,
                r.holdout_auc_before,
                r.holdout_auc_after
            );
            let body = toml::to_string(&new_policy).context("serialising the policy")?;
            // The written file must load again; refuse to write one that would not.
            Policy::parse(&body, &out.display().to_string())
                .context("the tuned policy does not validate")?;
            std::fs::write(&out, format!("{header}{body}"))
                .with_context(|| format!("writing {}", out.display()))?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            if !quiet {
                eprintln!(
                    "train AUC {:.3} -> {:.3}; holdout AUC {:.3} -> {:.3}; policy written to {}",
                    r.train_auc_before,
                    r.train_auc_after,
                    r.holdout_auc_before,
                    r.holdout_auc_after,
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Graph {
            db,
            subject,
            depth,
            format,
            intel,
            policy,
        } => {
            if format != "json" && format != "dot" {
                bail!("--format must be json or dot");
            }
            let (policy, _, _) = load_policy(policy.as_ref())?;
            let intel = load_intel(intel.as_ref(), quiet)?;
            let store = Store::open_existing(&db)?;
            let n = kensa_engine::graph::subject_neighbourhood(
                &store, &intel, &policy, &subject, depth, &progress,
            )?;
            if format == "dot" {
                write_stdout(&n.to_dot());
            } else {
                write_stdout(&format!("{}\n", serde_json::to_string_pretty(&n)?));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { db } => {
            let store = kensa_store::open_store(&db, false)?;
            let report = store.verify(&|_| {})?;
            match report.broken {
                None => {
                    println!(
                        "ok: {} entries intact; head #{} {}",
                        report.entries,
                        report.head.seq,
                        hex(&report.head.hash)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    eprintln!(
                        "BROKEN at entry #{} ({} {}): {}; {} entries before it are intact",
                        b.seq, b.entry_type, b.r#ref, b.reason, report.entries
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Check {
            db,
            subject,
            step,
            result,
            by,
            notes,
            evidence,
        } => {
            let mut store = Store::open_existing(&db)?;
            let id = kensa_engine::act::record_check(
                &mut store,
                kensa_engine::act::CheckInput {
                    subject_id: subject.clone(),
                    check: step.clone(),
                    result,
                    by,
                    notes,
                    evidence,
                },
            )?;
            if !quiet {
                eprintln!("recorded {step} for {subject} as record {id}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Decide {
            db,
            subject,
            decision,
            by,
            note,
            override_reason,
            policy,
        } => {
            let (policy, _, _) = load_policy(policy.as_ref())?;
            let mut store = Store::open_existing(&db)?;
            let rec = kensa_engine::act::decide(
                &mut store,
                &policy,
                &subject,
                decision,
                &by,
                note,
                override_reason,
            )?;
            println!("{}", serde_json::to_string(&rec)?);
            if !quiet {
                eprintln!(
                    "decision recorded as evidence entry #{}{}",
                    rec.seq,
                    if rec.override_reason.is_some() {
                        " (approval forced past missing steps)"
                    } else {
                        ""
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker {
            store,
            nats,
            partitions,
            partition,
            policy,
            intel,
            screen_threshold,
            batch,
            until_idle,
            stream,
            ack_wait,
        } => {
            if !kensa_store::postgres::is_url(&store) {
                bail!("--store must be a PostgreSQL URL (postgres://...): workers share one store");
            }
            let cfg = engine_config(policy.as_ref(), intel.as_ref(), screen_threshold, quiet)?;
            let names = kensa_stream::Names::named(&stream);
            // Every worker evaluates every subject from the one shared log (its partition's
            // events from the stream, the others' records by following the log) and logs the
            // results of its own partition's subjects.
            let connect = || -> Result<(kensa_stream::Worker, kensa_engine::Workspace)> {
                let mut worker = kensa_stream::Worker::connect_with(
                    &nats,
                    &names,
                    partitions,
                    partition,
                    std::time::Duration::from_secs(ack_wait),
                )?;
                worker.batch = batch;
                let ws = kensa_engine::Workspace::following(
                    Box::new(kensa_store::postgres::PgStore::open(&store)?),
                    cfg.clone(),
                    Some(Box::new(move |s| {
                        kensa_stream::partition_of(s, partitions) == partition
                    })),
                )?;
                Ok((worker, ws))
            };
            // Unreachable servers at start are an error (a wrong URL should not look like an
            // outage); once running, an outage is waited out.
            let (mut worker, mut ws) = connect()?;
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
                signal_hook::flag::register(sig, stop.clone())?;
            }
            if !quiet {
                eprintln!(
                    "worker {partition} of {partitions}: {} → {}",
                    kensa_stream::redact(&nats),
                    kensa_store::postgres::redact(&store)
                );
            }
            let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
            let stats = loop {
                match worker.run(&mut ws, &stop, until_idle) {
                    Ok(stats) => break stats,
                    Err(e) if stopped() || !e.is_transient() => return Err(e.into()),
                    Err(e) => {
                        // NATS or PostgreSQL went away (a restart, the network). Nothing is
                        // lost: the batch in hand was not acknowledged and comes again; the
                        // detection state is rebuilt from the log, as after a restart.
                        eprintln!(
                            "worker {partition} of {partitions}: {e}; connecting again (unacknowledged events are delivered again)"
                        );
                        let mut wait = std::time::Duration::from_millis(500);
                        loop {
                            let until = std::time::Instant::now() + wait;
                            while std::time::Instant::now() < until && !stopped() {
                                std::thread::sleep(std::time::Duration::from_millis(50));
                            }
                            if stopped() {
                                return Ok(ExitCode::SUCCESS);
                            }
                            match connect() {
                                Ok((w, s)) => {
                                    (worker, ws) = (w, s);
                                    break;
                                }
                                Err(e) => {
                                    eprintln!(
                                        "worker {partition} of {partitions}: still cannot connect: {e}"
                                    );
                                    wait = (wait * 2).min(std::time::Duration::from_secs(30));
                                }
                            }
                        }
                    }
                }
            };
            if !quiet {
                eprintln!(
                    "worker {partition} of {partitions}: {} batches, {} events, {} stored, {} invalid, {} read from other writers",
                    stats.batches, stats.messages, stats.stored, stats.invalid, stats.followed
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            db,
            store: shared_store,
            nats,
            partitions,
            stream,
            wait_timeout,
            listen,
            intel,
            policy,
            screen_threshold,
            max_body_bytes,
            request_timeout,
            log_format,
            webhooks,
            webhook_secret_file,
            secure_cookies,
            tls_cert,
            tls_key,
        } => {
            let tls = match (&tls_cert, &tls_key) {
                (Some(c), Some(k)) => Some(
                    kensa_server::tls::server_config(c, k)
                        .map_err(|e| anyhow::anyhow!("TLS: {e}"))?,
                ),
                _ => None,
            };
            let secure_cookies = secure_cookies || tls.is_some();
            if !["text", "json"].contains(&log_format.as_str()) {
                bail!("--log-format {log_format:?}: use text or json");
            }
            let webhook_cfg = if webhooks.is_empty() {
                None
            } else {
                let Some(f) = &webhook_secret_file else {
                    bail!(
                        "--webhook needs --webhook-secret-file (the secret receivers check signatures with)"
                    );
                };
                let secret = std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?
                    .trim()
                    .as_bytes()
                    .to_vec();
                if secret.len() < 16 {
                    bail!(
                        "{}: the webhook secret must be at least 16 characters",
                        f.display()
                    );
                }
                for u in &webhooks {
                    if !(u.starts_with("https://") || u.starts_with("http://")) {
                        bail!("--webhook {u:?}: an http(s) URL");
                    }
                }
                Some(kensa_server::webhooks::WebhookConfig {
                    urls: webhooks,
                    secret,
                    retry_base: std::time::Duration::from_secs(2),
                    max_attempts: 12,
                    timeout: std::time::Duration::from_secs(10),
                })
            };
            // With JSON logs every line on stderr is a JSON object: notes go through tracing.
            let json_logs = log_format == "json";
            if json_logs && intel.is_none() {
                tracing::warn!(
                    "no --intel given: using the small built-in IP sample and sanctions sample (demo quality; see docs/intel.md)"
                );
            }
            let cfg = engine_config(
                policy.as_ref(),
                intel.as_ref(),
                screen_threshold,
                quiet || json_logs,
            )?;
            // Embedded: the WAL is checkpointed on a thread of its own, so that no request
            // waits for a checkpoint inside a commit (kept until the server has stopped).
            let mut checkpointer = None;
            let ws = match &shared_store {
                Some(url) => {
                    if !kensa_store::postgres::is_url(url) {
                        bail!("--store must be a PostgreSQL URL (postgres://...)");
                    }
                    // The accounts (and the access log, webhook deliveries) stay in the
                    // SQLite file of --db, created here as in embedded mode.
                    drop(Store::open(&db, kensa_store::Durability::Normal)?);
                    // The server owns no subject: the workers log every result.
                    kensa_engine::Workspace::following(
                        Box::new(kensa_store::postgres::PgStore::open(url)?),
                        cfg,
                        None,
                    )?
                }
                None => {
                    let mut store = Store::open(&db, kensa_store::Durability::Normal)?;
                    checkpointer = Some(store.checkpoint_in_background()?);
                    kensa_engine::Workspace::open(Box::new(store), cfg)
                }
            };
            let state = kensa_server::AppState::open(
                ws,
                &db,
                kensa_server::Limits {
                    max_body_bytes,
                    request_timeout: std::time::Duration::from_secs(request_timeout),
                    secure_cookies,
                },
            )?;
            let state = match webhook_cfg {
                Some(w) => state.with_webhooks(w),
                None => state,
            };
            let state = match (&shared_store, &nats) {
                (Some(url), Some(nats)) => {
                    let mut c = kensa_server::cluster::Cluster::connect(
                        url,
                        nats,
                        &kensa_stream::Names::named(&stream),
                        partitions,
                    )
                    .map_err(|e| anyhow::anyhow!(e))?;
                    c.wait_timeout = std::time::Duration::from_secs(wait_timeout);
                    state.with_cluster(c)
                }
                _ => state,
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            // The last reference to the state is dropped here, outside the runtime: the
            // PostgreSQL client of multi-node mode must not be dropped on a runtime thread.
            let state = std::sync::Arc::new(state);
            let served = state.clone();
            let result = rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let addr = listener.local_addr()?;
                let state = served;
                use std::io::Write as _;
                match tls {
                    Some(cfg) => {
                        let l = kensa_server::tls::TlsListener::new(listener, cfg)?;
                        println!("listening on https://{addr}");
                        std::io::stdout().flush()?;
                        kensa_server::serve(l, state, kensa_server::shutdown_signal()).await
                    }
                    None => {
                        println!("listening on http://{addr}");
                        std::io::stdout().flush()?;
                        kensa_server::serve(listener, state, kensa_server::shutdown_signal()).await
                    }
                }
                .context("serving")
            });
            drop(rt);
            drop(state);
            drop(checkpointer);
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stream(StreamCommand::Status {
            nats,
            partitions,
            stream,
        }) => {
            let p = kensa_stream::Publisher::connect(
                &nats,
                &kensa_stream::Names::named(&stream),
                partitions,
            )?;
            println!("partition\tlag");
            for (i, lag) in p.lags()?.into_iter().enumerate() {
                match lag {
                    Some(n) => println!("{i}\t{n}"),
                    None => println!("{i}\tno worker yet"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stream(StreamCommand::Delete { nats, stream }) => {
            kensa_stream::delete_stream(&nats, &kensa_stream::Names::named(&stream))?;
            if !quiet {
                eprintln!("deleted stream {stream}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Create { db, role, name }) => {
            let Some(r) = kensa_server::auth::Role::parse(&role) else {
                bail!("--role {role:?}: one of ingest, analyst, lead, admin, auditor");
            };
            let mut store = Store::open_existing(&db)?;
            let mut acc = kensa_store::accounts::Accounts::open(&db)?;
            let (id, secret) = acc.create_token(&name, r.as_str())?;
            let body = serde_json::to_vec(&serde_json::json!({
                "action": "create", "token_id": id, "name": name, "role": r.as_str(),
            }))?;
            store.append_entry("token", &format!("token-{id}"), None, &body)?;
            eprintln!(
                "token {id} ({name}, role {}) created; the secret below is shown once — store it now",
                r.as_str()
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Create {
            db,
            name,
            role,
            password_stdin: _,
        }) => {
            let Some(r) = kensa_server::auth::Role::parse(&role) else {
                bail!("--role {role:?}: one of ingest, analyst, lead, admin, auditor");
            };
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.chars().count() < 12 {
                bail!("the password must be at least 12 characters");
            }
            let hash =
                kensa_server::users::hash_password(password).map_err(|e| anyhow::anyhow!(e))?;
            let mut store = Store::open_existing(&db)?;
            let mut acc = kensa_store::accounts::Accounts::open(&db)?;
            let id = acc.create_user(&name, r.as_str(), &hash)?;
            let body = serde_json::to_vec(&serde_json::json!({
                "action": "create", "user_id": id, "name": name, "role": r.as_str(),
            }))?;
            store.append_entry("user", &format!("user-{id}"), None, &body)?;
            eprintln!("user {name} (role {}) created", r.as_str());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::List { db }) => {
            let acc = kensa_store::accounts::Accounts::open(&db)?;
            for t in acc.tokens()? {
                println!("{}", serde_json::to_string(&t)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Revoke { db, id }) => {
            let mut store = Store::open_existing(&db)?;
            let mut acc = kensa_store::accounts::Accounts::open(&db)?;
            if !acc.revoke_token(id)? {
                bail!("no active token {id} (kensa token list)");
            }
            let body =
                serde_json::to_vec(&serde_json::json!({"action": "revoke", "token_id": id}))?;
            store.append_entry("token", &format!("token-{id}"), None, &body)?;
            eprintln!("token {id} revoked");
            Ok(ExitCode::SUCCESS)
        }
        Command::Key(KeyCommand::Create { out }) => {
            let key = kensa_bundle::generate_key()?;
            let public = kensa_bundle::write_key(&key, &out)?;
            eprintln!(
                "secret key: {} (keep it private)\npublic key: {} — give this to the recipients of your bundles",
                out.display(),
                out.with_extension("pub").display()
            );
            println!("{public}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bundle(BundleCommand::Export {
            db,
            mut subjects,
            case,
            out,
            reason,
            by,
            key,
            font,
            no_pdf,
        }) => {
            let reason = reason.unwrap_or_else(|| {
                eprintln!(
                    "warning: no --reason: the custody record says \"no reason given\"; investigators expect one"
                );
                "no reason given".to_owned()
            });
            let by = by
                .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
                .or_else(|| std::env::var("USERNAME").ok().filter(|u| !u.is_empty()))
                .ok_or_else(|| {
                    anyhow::anyhow!("--by is needed: who exports (no USER in the environment)")
                })?;
            let mut store = Store::open_existing(&db)?;
            if let Some(c) = &case {
                subjects.extend(kensa_engine::cases::case_in_store(&store, c)?.subjects);
            }
            let key = key.as_deref().map(kensa_bundle::read_key).transpose()?;
            let pdf_font = if no_pdf {
                None
            } else {
                let f = kensa_bundle::pdf::PdfFont::find(font.as_deref())?;
                if f.is_none() {
                    eprintln!(
                        "warning: no font with Japanese glyphs found, so the bundle has no PDF reports \
                         (install fonts-noto-cjk or fonts-ipaexfont-gothic, or pass --font FILE; \
                         --no-pdf silences this)"
                    );
                }
                f
            };
            let e = kensa_bundle::export(
                &mut store,
                kensa_bundle::ExportOptions {
                    subjects,
                    case_id: case,
                    reason,
                    exported_by: by,
                    key,
                    tool: concat!("kensa ", env!("CARGO_PKG_VERSION")),
                    pdf_font: pdf_font.as_ref(),
                },
                &out,
            )?;
            println!("{}", out.display());
            eprintln!(
                "bundle sha256 {}\nlog head #{} {} (write it down: `kensa bundle verify --head` checks the proof reaches it)\nsigned by {}{}\nexport logged as entry #{}",
                e.bundle_sha256,
                e.manifest.head.seq,
                e.manifest.head.hash,
                e.manifest.public_key,
                if e.manifest.one_time_key {
                    " (a one-time key: pass --key to sign as yourself)"
                } else {
                    ""
                },
                e.export_seq
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bundle(BundleCommand::Verify {
            bundle,
            pubkey,
            head,
            json,
        }) => {
            let pk = pubkey
                .as_deref()
                .map(kensa_bundle::read_public_key)
                .transpose()?;
            let r = kensa_bundle::verify(&bundle, pk.as_ref(), head.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                for n in &r.notes {
                    eprintln!("note: {n}");
                }
                for p in &r.problems {
                    eprintln!("BROKEN: {p}");
                }
                if r.ok() {
                    let m = r.manifest.as_ref();
                    println!(
                        "ok: {} files, {} entries linked to head #{} {}; signed by {}",
                        m.map_or(0, |m| m.files.len()),
                        r.included,
                        m.map_or(0, |m| m.head.seq),
                        m.map_or("", |m| m.head.hash.as_str()),
                        m.map_or("", |m| m.public_key.as_str())
                    );
                }
            }
            Ok(if r.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Hold {
            db,
            subject,
            case,
            reason,
            by,
            release,
        } => {
            let mut store = Store::open_existing(&db)?;
            let (subjects, reason) = match &case {
                Some(c) => (
                    kensa_engine::cases::case_in_store(&store, c)?.subjects,
                    format!("case {c}: {reason}"),
                ),
                None => (subject.into_iter().collect(), reason),
            };
            for subject in &subjects {
                let seq =
                    kensa_bundle::retention::hold(&mut store, subject, &reason, &by, release)?;
                println!(
                    "{} {subject} (entry #{seq})",
                    if release { "released" } else { "on hold:" }
                );
            }
            println!(
                "subjects on hold: {}",
                kensa_bundle::retention::holds(&store)?.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Purge {
            db,
            keep,
            by,
            reason,
            dry_run,
        } => {
            let mut store = Store::open_existing(&db)?;
            let retention = kensa_bundle::retention::Retention::parse(&keep)?;
            let plan = kensa_bundle::retention::plan(&store, &retention, jiff::Timestamp::now())?;
            let kinds: Vec<String> = plan
                .by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let what = format!(
                "{} records past retention ({}){}; {} kept because their subject is on hold",
                plan.seqs.len(),
                if kinds.is_empty() {
                    "none".to_owned()
                } else {
                    kinds.join(", ")
                },
                if retention
                    .days
                    .contains_key(kensa_bundle::retention::REJECTS)
                {
                    format!(" and {} rejected input lines", plan.rejects.len())
                } else {
                    String::new()
                },
                plan.kept_on_hold
            );
            if dry_run {
                println!("would purge {what}");
                return Ok(ExitCode::SUCCESS);
            }
            let (seq, n) =
                kensa_bundle::retention::purge(&mut store, &plan, &retention, &by, &reason)?;
            println!(
                "purged {n} of {what}; logged as entry #{seq}; `kensa verify` still verifies the chain"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Indicators(IndicatorsCommand::Key { out }) => {
            let id = kensa_bundle::indicators::write_shared_key(&out)?;
            eprintln!(
                "shared key: {} — give it to the participating organisations over a secure channel",
                out.display()
            );
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Indicators(IndicatorsCommand::Export {
            db,
            subjects,
            format,
            party,
            key,
            out,
        }) => {
            let mut store = Store::open_existing(&db)?;
            let ind = kensa_bundle::indicators::extract(&store, &subjects)?;
            let now = kensa_store::now_rfc3339();
            let bytes = match format.as_str() {
                "stix" => serde_json::to_vec_pretty(&kensa_bundle::indicators::stix_bundle(
                    &ind, &party, &now,
                ))?,
                "hashed" => {
                    let Some(key) = key else {
                        bail!(
                            "--format hashed needs --key (the shared key from `kensa indicators key`)"
                        );
                    };
                    let key = kensa_bundle::indicators::read_shared_key(&key)?;
                    serde_json::to_vec_pretty(&kensa_bundle::indicators::hashed_list(
                        &ind, &key, &party, &now,
                    ))?
                }
                other => bail!("--format {other:?}: use stix or hashed"),
            };
            std::fs::write(&out, &bytes).with_context(|| out.display().to_string())?;
            let body = serde_json::to_vec(&serde_json::json!({
                "format": format, "party": party, "subjects": subjects,
                "indicators": ind.len(), "sha256": kensa_bundle::sha256_hex(&bytes),
            }))?;
            store.append_entry(
                "indicators_export",
                &kensa_bundle::sha256_hex(&bytes),
                None,
                &body,
            )?;
            eprintln!(
                "{} indicators of {} subject(s) written; the export is logged",
                ind.len(),
                subjects.len()
            );
            println!("{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Indicators(IndicatorsCommand::Match { db, list, key }) => {
            let store = Store::open_existing(&db)?;
            let key = kensa_bundle::indicators::read_shared_key(&key)?;
            let text = std::fs::read(&list).with_context(|| list.display().to_string())?;
            let l: kensa_bundle::indicators::HashedList = serde_json::from_slice(&text)
                .with_context(|| format!("{}: not a hashed indicator list", list.display()))?;
            let subjects = kensa_bundle::indicators::all_subjects(&store)?;
            let m = kensa_bundle::indicators::match_list(&store, &subjects, &l, &key)?;
            for x in &m {
                println!("{}", serde_json::to_string(x)?);
            }
            eprintln!(
                "{} of {} shared indicators from {} ({}) match {} of your subjects",
                m.iter()
                    .map(|x| (x.kind, &x.value))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                l.indicators.len(),
                l.party,
                l.shared_at,
                m.iter()
                    .map(|x| &x.subject_id)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog { json, markdown } => {
            if markdown {
                write_stdout(&kensa_detect::detectors::markdown_table());
                return Ok(ExitCode::SUCCESS);
            }
            catalog::print(json);
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            out,
            seed,
            population,
            days,
            no_scan,
        } => demo::run(
            out,
            demo::Size { population, days },
            seed,
            no_scan,
            quiet,
            &progress,
        ),
        Command::Intel(IntelCommand::Status { intel, json }) => {
            let intel = load_intel(intel.as_ref(), true)?;
            if json {
                println!("{}", serde_json::to_string_pretty(intel.status())?);
            } else {
                println!(
                    "{:<24} {:<14} {:<36} {:<11} {:>10} {:>9}",
                    "source", "kind", "format", "date", "entries", "load ms"
                );
                for s in intel.status() {
                    println!(
                        "{:<24} {:<14} {:<36} {:<11} {:>10} {:>9.0}{}",
                        s.name,
                        s.kind,
                        s.format,
                        s.date.as_deref().unwrap_or("-"),
                        s.entries,
                        s.load_ms,
                        s.error
                            .as_ref()
                            .map(|e| format!("  ERROR: {e}"))
                            .or_else(|| s.note.as_ref().map(|n| format!("  ({n})")))
                            .unwrap_or_default()
                    );
                }
                let credits = intel.attributions();
                if !credits.is_empty() {
                    println!();
                    println!("Attribution required when this data is used:");
                    for a in credits {
                        println!("  {a}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Intel(IntelCommand::Lookup { intel, ips }) => {
            let intel = load_intel(intel.as_ref(), true)?;
            let mut bad = 0;
            for s in &ips {
                match s.trim().parse::<std::net::IpAddr>() {
                    Ok(ip) => println!("{}", serde_json::to_string(&intel.lookup_ip(ip))?),
                    Err(_) => {
                        eprintln!("error: {s:?} is not an IPv4 or IPv6 address");
                        bad += 1;
                    }
                }
            }
            Ok(if bad > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Screen {
            lists,
            intel,
            threshold,
            input,
        } => {
            let mut files = lists;
            if let Some(p) = intel.as_ref() {
                files.extend(load_intel(Some(p), true)?.sanctions_lists().iter().cloned());
            }
            if files.is_empty() {
                bail!(
                    "no sanctions list: give --list FILE (repeatable) or --intel with sanctions_list sources"
                );
            }
            let lists = kensa_screen::Watchlists::load(&files)?;
            if !quiet {
                for l in lists.summary() {
                    eprintln!("{}", serde_json::to_string(&l)?);
                }
            }
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let stats = kensa_screen::run_screen(&input, &lists, threshold, &mut out)?;
            use std::io::Write as _;
            out.flush()?;
            if !quiet {
                eprintln!("{}", serde_json::to_string(&stats)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy => {
            print!("{}", kensa_score::DEFAULT_POLICY);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An error and its causes on one line, each cause once: a message that already quotes its
/// cause (many library errors do) is not followed by the same text again.
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// The exit code of a run that read what it could: failure when an input could not be read
/// to the end (each is named once more here, after the reconciliation).
fn failed_inputs(summary: &kensa_engine::IngestSummary) -> ExitCode {
    if summary.failed_inputs.is_empty() {
        return ExitCode::SUCCESS;
    }
    for f in &summary.failed_inputs {
        eprintln!("error: {f}");
    }
    eprintln!(
        "error: {} input(s) could not be read to the end; everything else was read (see the rejects)",
        summary.failed_inputs.len()
    );
    ExitCode::FAILURE
}

/// Writes to stdout, stopping quietly when the reader has gone (`| head`).
pub(crate) fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Loads the intel configuration, or the built-in sample (saying so unless quiet).
pub(crate) fn load_intel(path: Option<&PathBuf>, quiet: bool) -> Result<kensa_enrich::Intel> {
    Ok(match path {
        Some(p) => kensa_enrich::Intel::from_config_file(p)
            .with_context(|| format!("loading intel {}", p.display()))?,
        None => {
            if !quiet {
                eprintln!(
                    "note: no --intel given; using Kensa's small built-in IP sample (demo quality; see docs/intel.md)"
                );
            }
            kensa_enrich::Intel::builtin()
        }
    })
}

/// The screener for `scan`: the intel configuration's sanctions lists, or a one-entry
/// built-in sample (saying so unless quiet).
pub(crate) fn load_screener(
    intel: &kensa_enrich::Intel,
    extra: &[PathBuf],
    quiet: bool,
) -> Result<kensa_screen::Screener> {
    let mut files: Vec<PathBuf> = intel.sanctions_lists().to_vec();
    files.extend(extra.iter().cloned());
    let lists = if files.is_empty() {
        if !quiet {
            eprintln!(
                "note: no sanctions_list in the intel configuration; screening uses a one-entry built-in sample"
            );
        }
        kensa_screen::builtin_sample()
    } else {
        kensa_screen::Watchlists::load(&files)?
    };
    Ok(kensa_screen::Screener::new(&lists))
}

/// Policy, intel and screening for the commands that detect; the intel sources and sanctions
/// lists load on another thread (while a scan ingests its inputs). The policy and the intel configuration file are read
/// here, so that a mistake in either stops the command before anything is stored.
pub(crate) fn engine_source(
    policy: Option<&PathBuf>,
    intel: Option<&PathBuf>,
    screen_threshold: f64,
    quiet: bool,
) -> Result<kensa_engine::EngineSource> {
    let (policy, policy_label, policy_text) = load_policy(policy)?;
    let config = match intel {
        Some(p) => Some((
            kensa_enrich::IntelConfig::from_file(p)
                .with_context(|| format!("loading intel {}", p.display()))?,
            p.clone(),
        )),
        None => None,
    };
    Ok(kensa_engine::EngineSource::spawn(move || {
        let load = || -> Result<kensa_engine::EngineConfig> {
            let intel = match &config {
                Some((config, path)) => {
                    let base = path.parent().unwrap_or(std::path::Path::new("."));
                    kensa_enrich::Intel::load(config, base)
                        .with_context(|| format!("loading intel {}", path.display()))?
                }
                None => load_intel(None, quiet)?,
            };
            kensa_engine::progress::phase_done("intel loaded");
            let screener = load_screener(&intel, &[], quiet)?;
            kensa_engine::progress::phase_done("screener built");
            Ok(kensa_engine::EngineConfig {
                intel: std::sync::Arc::new(intel),
                screener: Some((std::sync::Arc::new(screener), screen_threshold)),
                policy,
                policy_label,
                policy_text,
            })
        };
        load().map_err(|e| error_chain(&e))
    }))
}

/// Policy, intel and screening for the commands that detect, loaded before returning.
pub(crate) fn engine_config(
    policy: Option<&PathBuf>,
    intel: Option<&PathBuf>,
    screen_threshold: f64,
    quiet: bool,
) -> Result<kensa_engine::EngineConfig> {
    Ok(engine_source(policy, intel, screen_threshold, quiet)?.into_config()?)
}

pub(crate) fn load_policy(path: Option<&PathBuf>) -> Result<(Policy, String, String)> {
    Ok(match path {
        None => (
            Policy::default_policy(),
            "built-in default".into(),
            kensa_score::DEFAULT_POLICY.into(),
        ),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading policy {}", p.display()))?;
            (
                Policy::parse(&text, &p.display().to_string())?,
                p.display().to_string(),
                text,
            )
        }
    })
}

/// What the log adapters skipped, by reason, and the identities that resolved to nobody.
fn print_skips(s: &kensa_engine::IngestSummary) {
    if s.skipped == 0 {
        return;
    }
    let mut reasons: Vec<(&String, &u64)> = s.skip_reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    eprintln!("skipped log events (they make no record):");
    for (reason, n) in reasons {
        eprintln!("  {n:>8}  {reason}");
    }
    if s.unresolved > 0 {
        eprintln!(
            "{} events name users who resolve to no subject, e.g. {}: map them with \
             --identities FILE (lines `identity,subject_id`), or keep them as subjects of \
             their own with --keep-unresolved",
            s.unresolved,
            s.unresolved_examples.join(", ")
        );
    }
}

pub(crate) fn print_scan(s: &kensa_engine::ScanSummary, quiet: bool) {
    for w in &s.ingest.warnings {
        eprintln!("warning: {w}");
    }
    if quiet {
        return;
    }
    eprintln!("{}", s.ingest.reconciliation());
    print_skips(&s.ingest);
    let tiers: Vec<String> = ["critical", "high", "medium", "low"]
        .iter()
        .map(|t| format!("{t} {}", s.tiers.get(*t).copied().unwrap_or(0)))
        .collect();
    eprintln!(
        "{} subjects scanned, {} flags: {}",
        s.subjects,
        s.findings,
        tiers.join(", ")
    );
    if let Some(prev) = &s.previous_scan {
        eprintln!(
            "{} subjects changed tier since {prev} (changes.jsonl)",
            s.tier_changes
        );
    }
    eprintln!("subjects: {}", s.subjects_path.display());
    eprintln!("report:   {}", s.report_path.display());
    if s.ingest.rejected > 0 {
        eprintln!("rejects:  {}", s.rejects_path.display());
    }
}
