//! A whole scan: ingest, data set, detectors, scoring, outputs, evidence.

use crate::{
    EngineError, EngineSource, IngestOptions, IngestSummary, Live, Progress, ingest, io_err,
};
use kensa_detect::{Dataset, DatasetBuilder, Sidecar};
use kensa_model::finding::SubjectResult;
use kensa_report::{Bi, ReportMeta};
use kensa_store::EvidenceStore;
use kensa_store::NewEntry;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Options for [`scan`].
pub struct ScanOptions<'a> {
    pub out_dir: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Intel, screening and policy (`EngineConfig::into()`, or [`EngineSource::spawn`] to load
    /// them while the records are ingested).
    pub engine: EngineSource,
    pub title: String,
    pub notices: Vec<Bi>,
    /// Limits on one input record.
    pub limits: kensa_ingest::Limits,
    /// How native logs among the inputs are read.
    pub logs: crate::LogOptions,
    pub progress: &'a dyn Progress,
}

/// What a scan did.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    pub scan_id: String,
    pub ingest: IngestSummary,
    pub subjects: usize,
    pub findings: usize,
    pub tiers: BTreeMap<String, usize>,
    pub subjects_path: PathBuf,
    pub report_path: PathBuf,
    pub rejects_path: PathBuf,
    pub policy_sha256: String,
    pub subjects_sha256: String,
    /// Distinct IP addresses enriched, and the SHA-256 of `enrichment.jsonl`.
    pub ips_enriched: usize,
    pub enrichment_sha256: String,
    /// Sanctions-list matches found by screening.
    pub sanctions_hits: usize,
    /// The scan this one is compared with (the database's previous scan), if any.
    pub previous_scan: Option<String>,
    /// Subjects whose tier differs from the previous scan's (`changes.jsonl`).
    pub tier_changes: usize,
}

/// One line of `changes.jsonl`: a subject whose tier moved since the previous scan.
#[derive(Debug, Clone, Serialize)]
pub struct TierChange {
    pub subject_id: String,
    pub before_tier: Option<String>,
    pub before_score: Option<f64>,
    pub after_tier: String,
    pub after_score: f64,
}

/// Writes what the intel sources said about every IP address of the data set to
/// `enrichment.jsonl` (one line per address, in address order). Returns the number of
/// addresses, the file's SHA-256 and the sources used.
fn write_enrichment(
    ds: &Dataset,
    tmp: &std::path::Path,
    out: &std::path::Path,
) -> Result<(usize, String, Vec<String>), EngineError> {
    let mut infos: Vec<(std::net::IpAddr, &kensa_model::intel::IpInfo)> = ds.ip.iter().collect();
    infos.sort_by_key(|(ip, _)| *ip);
    let mut hasher = Sha256::new();
    let mut sources = std::collections::BTreeSet::new();
    let f = std::fs::File::create(tmp).map_err(io_err(out))?;
    let mut w = std::io::BufWriter::new(f);
    let mut shown = kensa_model::intel::IpInfo::default();
    for (ip, info) in &infos {
        // Answers are shared between addresses (see `IpTable`): each line names its own.
        shown.clone_from(info);
        shown.ip = *ip;
        let mut line = serde_json::to_vec(&shown).expect("IpInfo serialises");
        line.push(b'\n');
        hasher.update(&line);
        w.write_all(&line).map_err(io_err(out))?;
        sources.extend(info.sources.iter().cloned());
        sources.extend(info.classes.iter().map(|h| h.source.clone()));
    }
    w.flush().map_err(io_err(out))?;
    Ok((
        infos.len(),
        hex::encode(hasher.finalize()),
        sources.into_iter().collect(),
    ))
}

/// Loads every stored record into a data set (labels and checks go to the sidecar).
///
/// The store is read on this thread while a second one parses the previous chunk (in
/// parallel) and adds it to the data set; stored bodies are parsed as their kind only
/// (`fast::stored_record`), not validated and hashed again.
pub fn load_dataset(
    store: &dyn EvidenceStore,
    progress: &dyn Progress,
) -> Result<(Dataset, Sidecar), EngineError> {
    load_dataset_upto(store, None, progress)
}

/// As [`load_dataset`], with only the records up to log entry `upto` when given (a snapshot
/// that a follower of a shared store continues from).
pub fn load_dataset_upto(
    store: &dyn EvidenceStore,
    upto: Option<i64>,
    progress: &dyn Progress,
) -> Result<(Dataset, Sidecar), EngineError> {
    /// Records per chunk handed to the parsing thread.
    const CHUNK: usize = 32_768;
    /// One chunk: bodies back to back, and per record its id, kind and body's range.
    #[derive(Default)]
    struct Chunk {
        bytes: Vec<u8>,
        items: Vec<(String, &'static str, std::ops::Range<usize>)>,
    }
    let total = store.record_count()?;
    progress.start("load", total);
    let mut builder = DatasetBuilder::new();
    let mut bad = 0u64;
    std::thread::scope(|scope| -> Result<(), EngineError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
        let (b, bad) = (&mut builder, &mut bad);
        let parser = std::thread::Builder::new()
            .name("kensa-load".into())
            .spawn_scoped(scope, move || {
                for chunk in rx {
                    let parsed: Vec<Option<kensa_model::Record>> = chunk
                        .items
                        .par_iter()
                        .map(|(_, kind, r)| {
                            kensa_model::fast::stored_record(kind, &chunk.bytes[r.clone()])
                        })
                        .collect();
                    let n = parsed.len() as u64;
                    for ((id, _, _), p) in chunk.items.into_iter().zip(parsed) {
                        match p {
                            Some(rec) => b.add(id, rec),
                            // Stored bodies were validated when stored; one that no longer
                            // parses was tampered with, which `kensa verify` pinpoints.
                            None => *bad += 1,
                        }
                    }
                    progress.inc(n);
                }
            })
            .map_err(|e| EngineError::Internal(format!("starting the loader: {e}")))?;
        let mut chunk = Chunk::default();
        let mut stopped = false;
        let mut each = |id: &str, kind: &str, body: &[u8]| {
            if stopped {
                return;
            }
            let kind = kensa_model::record::Kind::parse(kind).map_or("?", |k| k.as_str());
            let start = chunk.bytes.len();
            chunk.bytes.extend_from_slice(body);
            chunk
                .items
                .push((id.to_owned(), kind, start..chunk.bytes.len()));
            if chunk.items.len() == CHUNK {
                stopped = tx.send(std::mem::take(&mut chunk)).is_err();
            }
        };
        let read = match upto {
            None => store.for_each_record_with_id(&mut each),
            Some(upto) => store.for_each_record_upto(upto, &mut each),
        };
        if read.is_ok() && !chunk.items.is_empty() {
            let _ = tx.send(chunk);
        }
        drop(tx);
        // Joined before a read error is returned, so that a failed parser is reported as an
        // error rather than re-raised as a panic by the scope.
        let parsed = parser
            .join()
            .map_err(|_| EngineError::Internal("the loader panicked".into()));
        read?;
        parsed
    })?;
    progress.finish();
    if bad > 0 {
        tracing::warn!(
            records = bad,
            "stored records no longer validate; run `kensa verify`"
        );
    }
    Ok(builder.build())
}

/// A scan's detection state: records ingested, the data set loaded (or collected while
/// ingesting), enriched, screened, detected and scored.
pub struct Prepared {
    pub scan_id: String,
    pub ingest: IngestSummary,
    pub live: Live,
    pub rejects_path: PathBuf,
    /// The run's output files so far (`rejects.jsonl`), renamed into place with the others.
    pub(crate) staged: crate::Staged,
}

/// Ingests the inputs and evaluates every subject (everything before presentation).
pub fn prepare(
    store: &mut dyn EvidenceStore,
    opts: &mut ScanOptions<'_>,
) -> Result<Prepared, EngineError> {
    std::fs::create_dir_all(&opts.out_dir).map_err(io_err(&opts.out_dir))?;
    let scan_id = crate::run_id("scan");
    let rejects_path = opts.out_dir.join("rejects.jsonl");
    // Staged with the scan's other outputs: a scan that fails later leaves no new
    // rejects.jsonl beside an earlier scan's outputs.
    let mut staged = crate::Staged::new();
    let rejects_tmp = staged.path(&rejects_path);
    let before = store.record_count()?;

    // 1. Ingest. When the store was empty, the records stored now are the whole data set and
    // are collected as they go (one pass: nothing is read back); otherwise the data set is
    // everything stored, read back.
    let mut builder = DatasetBuilder::new();
    let summary = ingest(
        store,
        &opts.inputs,
        IngestOptions {
            run_id: scan_id.clone(),
            rejects_path: Some(rejects_tmp),
            collect: (before == 0).then_some(&mut builder),
            limits: opts.limits,
            logs: opts.logs.clone(),
            progress: opts.progress,
        },
    )?;
    crate::progress::phase_done("ingest");
    if !opts.inputs.is_empty() && !summary.usable() {
        // The rejects are what the user needs now: they go into place (and nothing else).
        staged.commit()?;
        return Err(EngineError::Unusable(format!(
            "{} (see {})",
            summary.nothing_usable(),
            rejects_path.display()
        )));
    }
    let (ds, sidecar) = if before == 0 {
        builder.build()
    } else {
        load_dataset(store, opts.progress)?
    };
    crate::progress::phase_done("dataset");
    if ds.is_empty() {
        return Err(EngineError::Unusable(
            "the database holds no subjects to scan".into(),
        ));
    }

    // 2. Enrich, screen, detect, score.
    opts.progress.start("detect", 0);
    let engine = opts.engine.get()?;
    crate::progress::phase_done("configuration ready");
    let live = Live::full(ds, sidecar, engine);
    opts.progress.finish();
    crate::progress::phase_done("detect");
    Ok(Prepared {
        scan_id,
        ingest: summary,
        live,
        rejects_path,
        staged,
    })
}

/// Runs a scan against an open store.
pub fn scan(
    store: &mut dyn EvidenceStore,
    mut opts: ScanOptions<'_>,
) -> Result<ScanSummary, EngineError> {
    let Prepared {
        scan_id,
        ingest: summary,
        live,
        rejects_path,
        mut staged,
    } = prepare(store, &mut opts)?;
    let engine = opts.engine.get()?;
    let ds = &live.ds;
    // Every output is written under a temporary name and renamed into place only once the scan
    // is in the evidence log: a failed scan leaves no output that looks complete.
    let enrichment_path = opts.out_dir.join("enrichment.jsonl");
    let (ips_enriched, enrichment_sha256, sources_used) =
        write_enrichment(ds, &staged.path(&enrichment_path), &enrichment_path)?;
    let sanctions_hits = live.sanctions_hits;
    let results = live.results();
    // Counted, not collected: a copy of every finding only to count them cost ~100 MiB.
    let n_findings = live.finding_count();

    // The identifier graph, when a link was found or a subject is critical: for the report's
    // neighbourhood pictures.
    const LINK_DETECTORS: [&str; 3] = ["shared_identity", "laptop_farm", "review_manipulation"];
    let any_critical = results
        .iter()
        .any(|r| r.tier == kensa_model::finding::Tier::Critical);
    let any_link = live.any_finding(|f| LINK_DETECTORS.contains(&f.detector.as_str()));
    let graph = (any_link || (any_critical && engine.policy.propagation.enabled))
        .then(|| ds.link_graph(&engine.policy.detectors.shared_identity.graph));
    // The subject pages of the report: records, neighbourhood and decisions of the flagged
    // subjects it details.
    let details =
        crate::present::report_details(&*store, Some(&engine.intel), graph.as_deref(), &results)?;

    // 4. Outputs.
    let subjects_path = opts.out_dir.join("subjects.jsonl");
    let mut hasher = Sha256::new();
    {
        let f =
            std::fs::File::create(staged.path(&subjects_path)).map_err(io_err(&subjects_path))?;
        let mut w = std::io::BufWriter::new(f);
        // Serialised in parallel a chunk at a time, so that the whole file is never in memory.
        for chunk in results.chunks(1024) {
            let lines: Vec<Vec<u8>> = chunk
                .par_iter()
                .map(|r| {
                    let mut l = serde_json::to_vec(r).expect("results serialise");
                    l.push(b'\n');
                    l
                })
                .collect();
            for l in &lines {
                hasher.update(&l[..]);
                w.write_all(l).map_err(io_err(&subjects_path))?;
            }
        }
        w.flush().map_err(io_err(&subjects_path))?;
    }
    let subjects_sha256 = hex::encode(hasher.finalize());
    let policy_sha256 = engine.policy_sha256();

    let mut tiers: BTreeMap<String, usize> = BTreeMap::new();
    for r in &results {
        *tiers.entry(r.tier.as_str().to_owned()).or_default() += 1;
    }
    let report_path = opts.out_dir.join("report.html");
    let meta = ReportMeta {
        title: opts.title.clone(),
        generated_at: kensa_store::now_rfc3339(),
        summary: vec![
            (
                Bi::new("Records read", "読み込んだ記録"),
                summary.read.to_string(),
            ),
            (
                Bi::new("Stored (new)", "保存（新規）"),
                summary.stored.to_string(),
            ),
            (
                Bi::new("Already stored", "保存済み（重複）"),
                summary.duplicate.to_string(),
            ),
            (
                Bi::new(
                    "Rejected (see rejects.jsonl)",
                    "不正な記録（rejects.jsonl 参照）",
                ),
                summary.rejected.to_string(),
            ),
            (
                Bi::new("Subjects scanned", "スキャンした対象者"),
                results.len().to_string(),
            ),
            (
                Bi::new("Flags raised", "検出したフラグ"),
                n_findings.to_string(),
            ),
        ],
        notices: {
            let mut n = opts.notices.clone();
            if engine.intel.is_builtin_sample() {
                n.push(Bi::new(
                    "IP intelligence: Kensa's small built-in sample (approximate, for demos). Load real sources with --intel (see docs/intel.md).",
                    "IP情報：Kensa 内蔵の小さなサンプル（概算・デモ用）を使用しています。実データは --intel で読み込んでください（docs/intel.md 参照）。",
                ));
            }
            n
        },
        attributions: engine
            .intel
            .attributions_for(sources_used.iter().map(String::as_str)),
        policy: format!("{} (sha256 {})", engine.policy_label, &policy_sha256[..12]),
        details,
    };
    crate::progress::phase_done("subjects.jsonl");
    let html = kensa_report::render(&meta, &results)?;
    std::fs::write(staged.path(&report_path), html).map_err(io_err(&report_path))?;
    crate::progress::phase_done("report");

    // Compare with the previous scan (a backtest when the policy changed).
    let previous = store.latest_scan_results()?;
    let previous_scan = previous.as_ref().map(|(id, _)| id.clone());
    let mut changes: Vec<TierChange> = Vec::new();
    if let Some((_, bodies)) = &previous {
        let before: std::collections::HashMap<String, (String, f64)> = bodies
            .iter()
            .filter_map(|b| serde_json::from_slice::<SubjectResult>(b).ok())
            .map(|r| (r.subject_id, (r.tier.as_str().to_owned(), r.score)))
            .collect();
        for r in &results {
            let b = before.get(&r.subject_id);
            if b.map(|(t, _)| t.as_str()) != Some(r.tier.as_str()) {
                changes.push(TierChange {
                    subject_id: r.subject_id.clone(),
                    before_tier: b.map(|(t, _)| t.clone()),
                    before_score: b.map(|(_, s)| *s),
                    after_tier: r.tier.as_str().to_owned(),
                    after_score: r.score,
                });
            }
        }
    }
    let changes_path = opts.out_dir.join("changes.jsonl");
    {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(staged.path(&changes_path)).map_err(io_err(&changes_path))?,
        );
        for c in &changes {
            serde_json::to_writer(&mut w, c)
                .map_err(|e| io_err(&changes_path)(std::io::Error::other(e)))?;
            w.write_all(b"\n").map_err(io_err(&changes_path))?;
        }
        w.flush().map_err(io_err(&changes_path))?;
    }

    // 5. Evidence: every result and the scan itself join the log.
    append_results(store, &scan_id, &results)?;
    crate::progress::phase_done("results stored");
    let out = ScanSummary {
        scan_id: scan_id.clone(),
        ingest: summary,
        subjects: results.len(),
        findings: n_findings,
        tiers,
        subjects_path,
        report_path,
        rejects_path,
        policy_sha256,
        subjects_sha256,
        ips_enriched,
        enrichment_sha256,
        sanctions_hits,
        previous_scan,
        tier_changes: changes.len(),
    };
    let scan_body = kensa_model::canonical::to_canonical(&serde_json::json!({
        "scan_id": out.scan_id,
        "policy": engine.policy_label,
        "policy_sha256": out.policy_sha256,
        "subjects_sha256": out.subjects_sha256,
        "subjects": out.subjects,
        "findings": out.findings,
        "tiers": out.tiers,
        "ingest": out.ingest,
        "enrichment": {"ips": out.ips_enriched, "sha256": out.enrichment_sha256, "sources": sources_used,
            "intel": engine.intel.status().iter().map(|s| serde_json::json!({"name": s.name, "format": s.format, "date": s.date, "entries": s.entries})).collect::<Vec<_>>()},
        "detectors": live.detectors().iter().map(|d| serde_json::json!({"name": d.name(), "params": d.params()})).collect::<Vec<_>>(),
    }));
    let summary_path = opts.out_dir.join("scan.json");
    std::fs::write(
        staged.path(&summary_path),
        serde_json::to_vec_pretty(&out).expect("summary serialises"),
    )
    .map_err(io_err(&summary_path))?;
    store.append_entry("scan", &scan_id, None, &scan_body)?;
    staged.commit()?;
    crate::progress::phase_done("scan done");
    // Freeing millions of small allocations takes a noticeable part of a second; nothing waits
    // for it, so a thread of its own does it (a command-line run simply exits meanwhile).
    drop_in_background(live);
    Ok(out)
}

/// Drops a value on a detached thread (or here, if no thread can be started).
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    // On failure to start, the closure (and the value with it) is dropped right here.
    let _ = std::thread::Builder::new()
        .name("kensa-drop".into())
        .spawn(move || drop(value));
}

fn append_results(
    store: &mut dyn EvidenceStore,
    scan_id: &str,
    results: &[SubjectResult],
) -> Result<(), EngineError> {
    let bodies: Vec<Vec<u8>> = results
        .par_iter()
        .map(|r| {
            kensa_model::canonical::to_canonical(
                &serde_json::to_value(r).expect("results serialise"),
            )
        })
        .collect();
    for (chunk_r, chunk_b) in results.chunks(50_000).zip(bodies.chunks(50_000)) {
        store.append_entries(&mut chunk_r.iter().zip(chunk_b).map(|(r, b)| NewEntry {
            entry_type: "result",
            r#ref: scan_id,
            subject_id: Some(r.subject_id.as_str()),
            body: b.as_slice(),
        }))?;
    }
    Ok(())
}
