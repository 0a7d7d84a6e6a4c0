//! Evidence bundles (証拠パッケージ): one file an investigator can verify on their own machine.
//!
//! The 2025 Japanese guidance asks companies that see the signs of a DPRK IT worker to preserve
//! the data untouched and hand it to forensic investigators and lawyers. Kensa's hash-chained
//! log proves integrity inside one database; a bundle carries that proof outside it.
//!
//! A bundle is a tar file (readable with any `tar`) holding:
//!
//! | path | what |
//! |---|---|
//! | `manifest.json` | format, who exported it, when and why, the subjects, the log head at export (sequence number and hash), the signer's public key, and the SHA-256 and size of every other file |
//! | `signature.ed25519` | Ed25519 signature (hex) over the exact bytes of `manifest.json` |
//! | `subjects/<n>/records.jsonl` | the subject's stored records (due-diligence `check` records included), each with its log sequence number and its body exactly as hashed into the chain |
//! | `subjects/<n>/results.jsonl` | the subject's scan results (flags, evidence, explanations in English and Japanese), as logged |
//! | `subjects/<n>/decisions.jsonl` | decisions recorded about the subject, as logged |
//! | `case/events.jsonl` | with `--case`: the case's log entries (creation, changes, notes), as logged |
//! | `log/chain.jsonl` | the envelope of every log entry from the first included one to the head (sequence number, type, ids, time, content hash, previous and own entry hash; no content) |
//! | `custody.json` | the chain-of-custody record: who exported, when, why, from which store, with which tool |
//! | `report.html` | the human report of the subjects' latest results (English and Japanese) |
//! | `report-en.pdf`, `report-ja.pdf` | the same for filing and printing, with per subject the decisions and due-diligence steps, the CJK font embedded as a subset ([`pdf`]); left out, and `custody.json` says so, when no font was given or found |
//! | `README.txt` | how to verify, in English and Japanese |
//!
//! **What verifying proves** ([`verify`], `kensa bundle verify`): every file is the one the
//! manifest names (no byte changed, none missing or added); the manifest was signed by the key
//! (compare it with the public key the exporter gave you out of band, `--pubkey`); every included
//! record, result and decision is the content of the log entry at its sequence number; and those
//! entries are linked by the hash chain to the head the manifest names — so an investigator who
//! wrote down the head hash at the time (`kensa verify` prints it) needs nothing else. **What it
//! does not prove**: that the log held nothing else about the subjects that was left out (the
//! chain proves order and integrity, not completeness of a selection), that the records were
//! true when they were ingested, or anything about entries after the head.
//!
//! The proof is the run of envelopes from the first included entry to the head: a hash chain
//! has no shorter proof, so it grows with the entries written after the subject's first record
//! (about 250 bytes each).

pub mod indicators;
pub mod pdf;
pub mod retention;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use kensa_model::finding::SubjectResult;
use kensa_store::{EntryFields, EvidenceStore, Store, entry_hash};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The bundle format this crate writes and reads.
pub const FORMAT: &str = "kensa-bundle-v1";
/// The manifest's path inside the bundle.
pub const MANIFEST: &str = "manifest.json";
/// The signature's path inside the bundle.
pub const SIGNATURE: &str = "signature.ed25519";

/// What can go wrong exporting or reading a bundle (a bundle that reads but does not verify is
/// a [`VerifyReport`] with problems, not an error).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] kensa_store::StoreError),
    #[error("no subject {0:?} in the store: nothing was ingested or scanned for it")]
    UnknownSubject(String),
    #[error("nothing to export: give at least one subject")]
    NoSubjects,
    #[error("key file {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("font {path}: {reason}")]
    Font { path: String, reason: String },
    #[error("{0}")]
    Unreadable(String),
    #[error("report: {0}")]
    Report(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The SHA-256 of bytes, hex.
pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A new Ed25519 signing key from the operating system's random source.
pub fn generate_key() -> Result<SigningKey, BundleError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| BundleError::Unreadable(format!("no random source: {e}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a signing key to `path` (hex of the 32-byte seed, readable by the owner only) and its
/// public key to `path.pub`; returns the public key (hex).
pub fn write_key(key: &SigningKey, path: &Path) -> Result<String, BundleError> {
    if path.exists() {
        return Err(BundleError::Key {
            path: path.display().to_string(),
            reason: "exists already; a key is never overwritten".into(),
        });
    }
    let secret = format!("{}\n", hex::encode(key.to_bytes()));
    write_private(path, secret.as_bytes())?;
    let public = hex::encode(key.verifying_key().to_bytes());
    let pub_path = path.with_extension("pub");
    std::fs::write(&pub_path, format!("{public}\n")).map_err(io_err(&pub_path))?;
    Ok(public)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    f.write_all(bytes).map_err(io_err(path))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    std::fs::write(path, bytes).map_err(io_err(path))
}

/// Reads a signing key written by [`write_key`].
pub fn read_key(path: &Path) -> Result<SigningKey, BundleError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    let bytes = hex::decode(text.trim()).map_err(|_| BundleError::Key {
        path: path.display().to_string(),
        reason: "not a Kensa key file (64 hex digits expected)".into(),
    })?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| BundleError::Key {
        path: path.display().to_string(),
        reason: "a key is 32 bytes (64 hex digits)".into(),
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key: 64 hex digits, given directly or in a file.
pub fn read_public_key(text_or_path: &str) -> Result<VerifyingKey, BundleError> {
    let text = if Path::new(text_or_path).is_file() {
        std::fs::read_to_string(text_or_path).map_err(io_err(Path::new(text_or_path)))?
    } else {
        text_or_path.to_owned()
    };
    let bad = || BundleError::Key {
        path: text_or_path.to_owned(),
        reason: "not an Ed25519 public key (64 hex digits)".into(),
    };
    let bytes: [u8; 32] = hex::decode(text.trim())
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

// ---------------------------------------------------------------------------------------------
// Manifest

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A subject in the bundle and the directory holding its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRef {
    pub subject_id: String,
    pub dir: String,
}

/// The log head the proof reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadRef {
    pub seq: i64,
    pub hash: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub exported_by: String,
    pub reason: String,
    pub subjects: Vec<SubjectRef>,
    pub head: HeadRef,
    /// Hex Ed25519 public key of the signer.
    pub public_key: String,
    /// Whether the key was made for this bundle only (no `--key` given): then the signature
    /// proves the files belong together, not who exported them.
    pub one_time_key: bool,
    pub files: Vec<FileRef>,
}

/// One log entry without its content, as `log/chain.jsonl` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub seq: i64,
    pub entry_type: String,
    pub r#ref: String,
    pub kind: Option<String>,
    pub subject_id: Option<String>,
    pub recorded_at: String,
    pub content_hash: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// One included log entry with its content, as the `subjects/*/*.jsonl` files hold them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Included {
    pub seq: i64,
    pub r#ref: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The content exactly as hashed into the chain (canonical JSON text).
    pub body: String,
}

// ---------------------------------------------------------------------------------------------
// Export

/// What to export.
pub struct ExportOptions<'a> {
    pub subjects: Vec<String>,
    /// A case whose log entries (its creation, every change and note) go into the bundle
    /// (`case/events.jsonl`); its subjects should be among `subjects`.
    pub case_id: Option<String>,
    pub reason: String,
    /// Who exports (an account or person name, for the custody record).
    pub exported_by: String,
    /// The signing key; `None` makes a one-time key.
    pub key: Option<SigningKey>,
    /// The tool's name and version, for the custody record.
    pub tool: &'a str,
    /// The font for the PDF reports (English and Japanese); `None` exports without PDFs (the
    /// custody record says so).
    pub pdf_font: Option<&'a pdf::PdfFont>,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub manifest: Manifest,
    /// SHA-256 of the whole bundle file.
    pub bundle_sha256: String,
    /// The log entry recording the export.
    pub export_seq: i64,
}

/// Writes a bundle of `opts.subjects` to `out` and records the export in the log.
pub fn export(
    store: &mut Store,
    opts: ExportOptions<'_>,
    out: &Path,
) -> Result<Exported, BundleError> {
    if opts.subjects.is_empty() {
        return Err(BundleError::NoSubjects);
    }
    let mut subjects: Vec<String> = opts.subjects.clone();
    subjects.sort();
    subjects.dedup();
    let head = EvidenceStore::head(store)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut refs = Vec::new();
    let mut included: BTreeSet<i64> = BTreeSet::new();
    let mut latest: Vec<SubjectResult> = Vec::new();
    // Per subject, for the PDF: (latest result index, decisions, records).
    let mut printed: Vec<(Option<usize>, Vec<serde_json::Value>, usize)> = Vec::new();
    // Per subject, for the report's subject pages.
    let mut details = std::collections::HashMap::new();
    for (n, sid) in subjects.iter().enumerate() {
        let records = store.subject_records(sid)?;
        let results = store.subject_entries("result", sid)?;
        let decisions = store.subject_entries("decision", sid)?;
        if records.is_empty() && results.is_empty() {
            return Err(BundleError::UnknownSubject(sid.clone()));
        }
        let dir = format!("subjects/{:03}", n + 1);
        let mut lines = Vec::new();
        for r in records.iter().filter(|r| r.seq <= head.seq) {
            included.insert(r.seq);
            lines.push(Included {
                seq: r.seq,
                r#ref: r.record_id.clone(),
                kind: Some(r.kind.clone()),
                body: String::from_utf8_lossy(&r.body).into_owned(),
            });
        }
        files.push((format!("{dir}/records.jsonl"), jsonl(&lines)));
        for (name, entries) in [("results", &results), ("decisions", &decisions)] {
            let lines: Vec<Included> = entries
                .iter()
                .filter(|(seq, _, _)| *seq <= head.seq)
                .map(|(seq, r, body)| {
                    included.insert(*seq);
                    Included {
                        seq: *seq,
                        r#ref: r.clone(),
                        kind: None,
                        body: String::from_utf8_lossy(body).into_owned(),
                    }
                })
                .collect();
            files.push((format!("{dir}/{name}.jsonl"), jsonl(&lines)));
        }
        let mut latest_idx = None;
        if let Some((_, _, body)) = results.iter().rev().find(|(seq, _, _)| *seq <= head.seq)
            && let Ok(r) = serde_json::from_slice::<SubjectResult>(body)
        {
            latest_idx = Some(latest.len());
            latest.push(r);
        }
        printed.push((
            latest_idx,
            decisions
                .iter()
                .filter(|(seq, _, _)| *seq <= head.seq)
                .filter_map(|(_, _, b)| serde_json::from_slice(b).ok())
                .collect(),
            records.iter().filter(|r| r.seq <= head.seq).count(),
        ));
        let shown: Vec<_> = records
            .iter()
            .filter(|r| r.seq <= head.seq && r.kind != "check" && r.kind != "label")
            .collect();
        details.insert(
            sid.clone(),
            kensa_report::Detail {
                records_total: shown.len(),
                records: shown[shown.len().saturating_sub(kensa_report::MAX_RECORDS)..]
                    .iter()
                    .map(|r| {
                        kensa_report::Detail::record(
                            r.seq,
                            &r.record_id,
                            &r.kind,
                            serde_json::from_slice(&r.body).unwrap_or_default(),
                            None,
                        )
                    })
                    .collect(),
                graph: None,
                decisions: printed.last().map(|p| p.1.clone()).unwrap_or_default(),
            },
        );
        refs.push(SubjectRef {
            subject_id: sid.clone(),
            dir,
        });
    }
    // The case's own entries: creation, changes, notes.
    if let Some(case_id) = &opts.case_id {
        let lines: Vec<Included> = store
            .entries_of_type("case")?
            .into_iter()
            .filter(|(seq, r, _)| r == case_id && *seq <= head.seq)
            .map(|(seq, r, body)| {
                included.insert(seq);
                Included {
                    seq,
                    r#ref: r,
                    kind: None,
                    body: String::from_utf8_lossy(&body).into_owned(),
                }
            })
            .collect();
        if lines.is_empty() {
            return Err(BundleError::UnknownSubject(format!("case {case_id}")));
        }
        files.push(("case/events.jsonl".into(), jsonl(&lines)));
    }
    // The chain from the first included entry to the head.
    let first = included.first().copied().unwrap_or(head.seq);
    let mut chain = Vec::new();
    store.for_each_entry(|e| {
        if e.seq >= first && e.seq <= head.seq {
            let env = Envelope {
                seq: e.seq,
                entry_type: e.entry_type.clone(),
                r#ref: e.r#ref.clone(),
                kind: e.kind.clone(),
                subject_id: e.subject_id.clone(),
                recorded_at: e.recorded_at.clone(),
                content_hash: hex::encode(&e.content_hash),
                prev_hash: hex::encode(&e.prev_hash),
                entry_hash: hex::encode(&e.entry_hash),
            };
            chain.extend_from_slice(&serde_json::to_vec(&env).expect("envelope serialises"));
            chain.push(b'\n');
        }
    })?;
    files.push(("log/chain.jsonl".into(), chain));
    let created_at = kensa_store::now_rfc3339();
    let custody = serde_json::json!({
        "action": "export",
        "exported_by": opts.exported_by,
        "exported_at": created_at,
        "reason": opts.reason,
        "store": store.path(),
        "head": {"seq": head.seq, "hash": hex::encode(head.hash)},
        "subjects": subjects,
        "case": opts.case_id,
        "tool": opts.tool,
        "reports": match opts.pdf_font {
            Some(_) => serde_json::json!(["report.html", "report-en.pdf", "report-ja.pdf"]),
            None => serde_json::json!(["report.html"]),
        },
        "pdf": match opts.pdf_font {
            Some(f) => format!("English and Japanese, font {} embedded (subset)", f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()),
            None => "not produced: no CJK font was given or found (kensa bundle export --font FILE)".to_owned(),
        },
    });
    files.push((
        "custody.json".into(),
        serde_json::to_vec_pretty(&custody).expect("custody serialises"),
    ));
    let meta = kensa_report::ReportMeta {
        title: format!(
            "Kensa evidence bundle / 証拠パッケージ — {}",
            subjects.join(", ")
        ),
        generated_at: created_at.clone(),
        summary: vec![(
            kensa_report::Bi::new("Log head at export", "出力時のログ先頭"),
            format!("#{} {}", head.seq, hex::encode(head.hash)),
        )],
        notices: vec![kensa_report::Bi::new(
            format!("Exported by {} — reason: {}", opts.exported_by, opts.reason),
            format!("出力者: {} — 理由: {}", opts.exported_by, opts.reason),
        )],
        attributions: Vec::new(),
        policy: String::new(),
        details,
    };
    let report =
        kensa_report::render(&meta, &latest).map_err(|e| BundleError::Report(e.to_string()))?;
    files.push(("report.html".into(), report.into_bytes()));
    if let Some(font) = opts.pdf_font {
        let head_hash = hex::encode(head.hash);
        let meta = pdf::PdfMeta {
            exported_by: &opts.exported_by,
            exported_at: &created_at,
            reason: &opts.reason,
            head_seq: head.seq,
            head_hash: &head_hash,
            subjects: &subjects,
        };
        let parts: Vec<pdf::PdfSubject<'_>> = subjects
            .iter()
            .zip(&printed)
            .map(|(sid, (idx, decisions, records))| pdf::PdfSubject {
                subject_id: sid,
                result: idx.map(|i| &latest[i]),
                decisions: decisions.clone(),
                records: *records,
            })
            .collect();
        for lang in [pdf::Lang::En, pdf::Lang::Ja] {
            files.push((
                lang.file_name().into(),
                pdf::render(font, lang, &meta, &parts)?,
            ));
        }
    }
    files.push(("README.txt".into(), README.as_bytes().to_vec()));

    let (key, one_time_key) = match opts.key {
        Some(k) => (k, false),
        None => (generate_key()?, true),
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at,
        exported_by: opts.exported_by.clone(),
        reason: opts.reason.clone(),
        subjects: refs,
        head: HeadRef {
            seq: head.seq,
            hash: hex::encode(head.hash),
        },
        public_key: hex::encode(key.verifying_key().to_bytes()),
        one_time_key,
        files: files
            .iter()
            .map(|(p, b)| FileRef {
                path: p.clone(),
                sha256: sha256_hex(b),
                bytes: b.len() as u64,
            })
            .collect(),
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    let signature = hex::encode(key.sign(&manifest_bytes).to_bytes());

    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |path: &str, bytes: &[u8]| -> Result<(), BundleError> {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        tar.append_data(&mut h, path, bytes).map_err(io_err(out))
    };
    add(MANIFEST, &manifest_bytes)?;
    add(SIGNATURE, format!("{signature}\n").as_bytes())?;
    for (p, b) in &files {
        add(p, b)?;
    }
    let bytes = tar.into_inner().map_err(io_err(out))?;
    // Written under a temporary name and renamed: no half-written bundle looks complete.
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, out).map_err(io_err(out))?;
    let bundle_sha256 = sha256_hex(&bytes);
    let log_body = serde_json::to_vec(&serde_json::json!({
        "bundle_sha256": bundle_sha256,
        "manifest_sha256": sha256_hex(&manifest_bytes),
        "public_key": manifest.public_key,
        "exported_by": opts.exported_by,
        "reason": opts.reason,
        "subjects": subjects,
        "head": manifest.head,
    }))
    .expect("export entry serialises");
    let export_seq = store.append_entry("bundle_export", &bundle_sha256, None, &log_body)?;
    Ok(Exported {
        manifest,
        bundle_sha256,
        export_seq,
    })
}

fn jsonl<T: Serialize>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(&serde_json::to_vec(i).expect("line serialises"));
        out.push(b'\n');
    }
    out
}

const README: &str = "Kensa evidence bundle (kensa-bundle-v1)

Verify it, offline, with the exporter's public key (given to you separately) and, if you wrote
it down, the log head hash:

    kensa bundle verify BUNDLE.tar --pubkey EXPORTER.pub [--head HEX]

manifest.json lists every file with its SHA-256 and is signed (signature.ed25519, Ed25519);
log/chain.jsonl links every included record, result and decision to the log head.

Kensa 証拠パッケージ（kensa-bundle-v1）

出力者から別途受け取った公開鍵と、控えてあればログ先頭のハッシュを使い、オフラインで検証します:

    kensa bundle verify BUNDLE.tar --pubkey EXPORTER.pub [--head HEX]

manifest.json は全ファイルの SHA-256 を列挙し、署名されています（signature.ed25519、Ed25519）。
log/chain.jsonl は、含まれる記録・判定結果・決定をログ先頭までハッシュチェーンで結びます。
";

// ---------------------------------------------------------------------------------------------
// Verify

/// What [`verify`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Every problem found, each naming the file, entry or key it is about; empty when intact.
    pub problems: Vec<String>,
    /// Notes that are not failures (a one-time key, no `--pubkey` to compare with).
    pub notes: Vec<String>,
    pub manifest: Option<Manifest>,
    /// Entries of the chain checked.
    pub chain_entries: usize,
    /// Included records, results and decisions checked against the chain.
    pub included: usize,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks a bundle offline: every file against the manifest, the signature (against `pubkey`
/// when given, else the key the manifest names), every included entry against the chain, and
/// the chain up to the head (equal to `head` when given, hex).
pub fn verify(
    bundle: &Path,
    pubkey: Option<&VerifyingKey>,
    head: Option<&str>,
) -> Result<VerifyReport, BundleError> {
    let bytes = std::fs::read(bundle).map_err(io_err(bundle))?;
    verify_bytes(&bytes, pubkey, head)
}

/// [`verify`] on the bundle's bytes.
pub fn verify_bytes(
    bytes: &[u8],
    pubkey: Option<&VerifyingKey>,
    head: Option<&str>,
) -> Result<VerifyReport, BundleError> {
    let mut report = VerifyReport::default();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut archive = tar::Archive::new(bytes);
    let entries = archive
        .entries()
        .map_err(|e| BundleError::Unreadable(format!("not a bundle (tar): {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| BundleError::Unreadable(format!("damaged tar archive: {e}")))?;
        let path = entry
            .path()
            .map_err(|e| BundleError::Unreadable(format!("damaged tar archive: {e}")))?
            .to_string_lossy()
            .into_owned();
        let mut b = Vec::new();
        entry
            .read_to_end(&mut b)
            .map_err(|e| BundleError::Unreadable(format!("{path}: {e}")))?;
        if files.insert(path.clone(), b).is_some() {
            report
                .problems
                .push(format!("{path}: appears twice in the bundle"));
        }
    }
    let Some(manifest_bytes) = files.remove(MANIFEST) else {
        report
            .problems
            .push(format!("{MANIFEST}: missing — not a Kensa bundle"));
        return Ok(report);
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report
                .problems
                .push(format!("{MANIFEST}: not a readable manifest ({e})"));
            return Ok(report);
        }
    };
    if manifest.format != FORMAT {
        report.problems.push(format!(
            "{MANIFEST}: format {:?}, this Kensa reads {FORMAT:?}",
            manifest.format
        ));
    }
    // The signature.
    let signature = files.remove(SIGNATURE);
    let named = read_public_key(&manifest.public_key).ok();
    let key = match (pubkey, named) {
        (Some(given), Some(named)) if given != &named => {
            report.problems.push(format!(
                "signature: the bundle is signed by key {}, not by the key given ({})",
                manifest.public_key,
                hex::encode(given.to_bytes())
            ));
            None
        }
        (Some(given), _) => Some(*given),
        (None, Some(named)) => {
            report.notes.push(format!(
                "no --pubkey given: the signature was checked against the key the bundle names ({}); compare it with the exporter's",
                manifest.public_key
            ));
            Some(named)
        }
        (None, None) => {
            report
                .problems
                .push(format!("{MANIFEST}: public_key is not an Ed25519 key"));
            None
        }
    };
    if manifest.one_time_key {
        report.notes.push(
            "signed with a one-time key: the signature shows the files belong together, not who exported them".into(),
        );
    }
    match signature {
        None => report
            .problems
            .push(format!("{SIGNATURE}: missing — the manifest is not signed")),
        Some(sig) => {
            let parsed = std::str::from_utf8(&sig)
                .ok()
                .and_then(|s| hex::decode(s.trim()).ok())
                .and_then(|b| <[u8; 64]>::try_from(b).ok())
                .map(|b| Signature::from_bytes(&b));
            match (parsed, key) {
                (None, _) => report
                    .problems
                    .push(format!("{SIGNATURE}: not an Ed25519 signature")),
                (Some(s), Some(k)) => {
                    if k.verify(&manifest_bytes, &s).is_err() {
                        report.problems.push(format!(
                            "{SIGNATURE}: does not match {MANIFEST} (the manifest was changed after signing, or signed by another key)"
                        ));
                    }
                }
                (Some(_), None) => {}
            }
        }
    }
    // Every file against the manifest.
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for f in &manifest.files {
        listed.insert(&f.path);
        match files.get(&f.path) {
            None => report
                .problems
                .push(format!("{}: missing (listed in the manifest)", f.path)),
            Some(b) => {
                let h = sha256_hex(b);
                if h != f.sha256 || b.len() as u64 != f.bytes {
                    report.problems.push(format!(
                        "{}: changed (SHA-256 {h}, the manifest says {})",
                        f.path, f.sha256
                    ));
                }
            }
        }
    }
    for p in files.keys() {
        if !listed.contains(p.as_str()) {
            report
                .problems
                .push(format!("{p}: not listed in the manifest (added)"));
        }
    }
    // The chain up to the head.
    // seq → (content hash, entry type, ref, kind, subject) of every entry of the proof.
    let mut content: BTreeMap<i64, Envelope> = BTreeMap::new();
    if let Some(chain) = files.get("log/chain.jsonl") {
        let mut prev: Option<Envelope> = None;
        for (i, line) in chain.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let e: Envelope = match serde_json::from_slice(line) {
                Ok(e) => e,
                Err(err) => {
                    report.problems.push(format!(
                        "log/chain.jsonl line {}: unreadable ({err})",
                        i + 1
                    ));
                    break;
                }
            };
            let (Ok(ch), Ok(ph), Ok(eh)) = (
                hex::decode(&e.content_hash),
                hex::decode(&e.prev_hash),
                hex::decode(&e.entry_hash),
            ) else {
                report.problems.push(format!(
                    "log/chain.jsonl entry #{}: hashes are not hex",
                    e.seq
                ));
                break;
            };
            if let Some(p) = &prev {
                if e.seq != p.seq + 1 {
                    report.problems.push(format!(
                        "log/chain.jsonl: entry #{} follows #{} (entries missing from the proof)",
                        e.seq, p.seq
                    ));
                    break;
                }
                if e.prev_hash != p.entry_hash {
                    report.problems.push(format!(
                        "log/chain.jsonl entry #{}: does not link to entry #{}",
                        e.seq, p.seq
                    ));
                    break;
                }
            }
            let computed = entry_hash(&EntryFields {
                seq: e.seq,
                entry_type: &e.entry_type,
                r#ref: &e.r#ref,
                kind: e.kind.as_deref(),
                subject_id: e.subject_id.as_deref(),
                recorded_at: &e.recorded_at,
                content_hash: &ch,
                prev_hash: &ph,
            });
            if computed[..] != eh[..] {
                report.problems.push(format!(
                    "log/chain.jsonl entry #{}: its hash does not match its fields (changed)",
                    e.seq
                ));
                break;
            }
            content.insert(e.seq, e.clone());
            report.chain_entries += 1;
            prev = Some(e);
        }
        let chain_ok = report.problems.iter().all(|p| !p.starts_with("log/chain"));
        match &prev {
            None if chain_ok => report
                .problems
                .push("log/chain.jsonl: empty — no proof to the log head".into()),
            Some(last)
                if chain_ok
                    && (last.seq != manifest.head.seq || last.entry_hash != manifest.head.hash) =>
            {
                report.problems.push(format!(
                    "log/chain.jsonl: ends at #{} {}, not at the head the manifest names (#{} {})",
                    last.seq, last.entry_hash, manifest.head.seq, manifest.head.hash
                ));
            }
            _ => {}
        }
    } else if !report
        .problems
        .iter()
        .any(|p| p.starts_with("log/chain.jsonl"))
    {
        report
            .problems
            .push("log/chain.jsonl: missing — no proof to the log head".into());
    }
    if let Some(h) = head
        && !h.trim().eq_ignore_ascii_case(&manifest.head.hash)
    {
        report.problems.push(format!(
            "head: the bundle's proof reaches {}, not the head hash given ({})",
            manifest.head.hash,
            h.trim()
        ));
    }
    // Every included entry against the chain.
    for s in &manifest.subjects {
        for (name, entry_type) in [
            ("records", "record"),
            ("results", "result"),
            ("decisions", "decision"),
        ] {
            let path = format!("{}/{name}.jsonl", s.dir);
            let Some(b) = files.get(&path) else { continue };
            for (i, line) in b.split(|c| *c == b'\n').enumerate() {
                if line.is_empty() {
                    continue;
                }
                let Ok(inc) = serde_json::from_slice::<Included>(line) else {
                    report
                        .problems
                        .push(format!("{path} line {}: unreadable", i + 1));
                    continue;
                };
                report.included += 1;
                match content.get(&inc.seq) {
                    None => report.problems.push(format!(
                        "{path} line {}: entry #{} is not in the chain proof",
                        i + 1,
                        inc.seq
                    )),
                    // The line must be the entry it claims: its type, id, kind and subject.
                    Some(env)
                        if env.entry_type != entry_type
                            || env.r#ref != inc.r#ref
                            || (entry_type == "record" && env.kind != inc.kind)
                            || env.subject_id.as_deref() != Some(s.subject_id.as_str()) =>
                    {
                        report.problems.push(format!(
                            "{path} line {}: entry #{} in the log is {} {} about {}, not this {entry_type} of {}",
                            i + 1,
                            inc.seq,
                            env.entry_type,
                            env.r#ref,
                            env.subject_id.as_deref().unwrap_or("nobody"),
                            s.subject_id
                        ))
                    }
                    Some(env) if env.content_hash != sha256_hex(inc.body.as_bytes()) => {
                        report.problems.push(format!(
                            "{path} line {}: {} (entry #{}) is not the content the log holds",
                            i + 1,
                            inc.r#ref,
                            inc.seq
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    // A case's entries, when the bundle holds a case.
    if let Some(b) = files.get("case/events.jsonl") {
        let path = "case/events.jsonl";
        for (i, line) in b.split(|c| *c == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let Ok(inc) = serde_json::from_slice::<Included>(line) else {
                report
                    .problems
                    .push(format!("{path} line {}: unreadable", i + 1));
                continue;
            };
            report.included += 1;
            match content.get(&inc.seq) {
                None => report.problems.push(format!(
                    "{path} line {}: entry #{} is not in the chain proof",
                    i + 1,
                    inc.seq
                )),
                Some(env) if env.entry_type != "case" || env.r#ref != inc.r#ref => {
                    report.problems.push(format!(
                        "{path} line {}: entry #{} in the log is {} {}, not this case entry",
                        i + 1,
                        inc.seq,
                        env.entry_type,
                        env.r#ref
                    ))
                }
                Some(env) if env.content_hash != sha256_hex(inc.body.as_bytes()) => {
                    report.problems.push(format!(
                        "{path} line {}: case entry #{} is not the content the log holds",
                        i + 1,
                        inc.seq
                    ))
                }
                Some(_) => {}
            }
        }
    }
    report.manifest = Some(manifest);
    Ok(report)
}
