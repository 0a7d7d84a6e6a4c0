//! Reading messy files: every line is accounted for, with the right line and field.

use kensa_ingest::{Item, expand_inputs, read_file};
use std::io::Write;

fn read_all(path: &std::path::Path) -> Vec<Item> {
    let (files, _) = expand_inputs(&[path.to_path_buf()]).unwrap();
    let mut out = Vec::new();
    for f in &files {
        read_file(
            f,
            &mut |b| {
                out.extend(b);
                Ok::<(), String>(())
            },
            &|_| {},
        )
        .unwrap();
    }
    out
}

#[test]
fn bad_lines_are_rejected_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    writeln!(
        f,
        r#"{{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}}"#
    )
    .unwrap();
    writeln!(
        f,
        r#"{{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"#
    )
    .unwrap();
    writeln!(f).unwrap();
    writeln!(
        f,
        r#"{{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z"}}"#
    )
    .unwrap();
    writeln!(
        f,
        r#"{{"kind":"login","subject_id":"u1","at":"01/09/2026","ip":"1.2.3.4"}}"#
    )
    .unwrap();
    writeln!(f, r#"{{"kind":"spaceship","subject_id":"u1"}}"#).unwrap();
    drop(f);
    let items = read_all(&p);
    assert_eq!(items.len(), 5, "blank line is not a record");
    let rejects: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Err(r) => Some((r.line, r.field.clone())),
            Item::Ok(..) => None,
        })
        .collect();
    assert_eq!(
        rejects,
        vec![
            (2, None),
            (4, Some("ip".into())),
            (5, Some("at".into())),
            (6, Some("kind".into()))
        ]
    );
}

#[test]
fn csv_and_gzip_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("payout_accounts.csv"),
        "subject_id,at,account_id,method,bank.country,bank.bic\n\
         u1,2026-09-01T00:00:00Z,a1,bank,CN,BKCHCNBJ\n\
         u1,2026-09-01T00:00:00Z,a2,cheque,CN,BKCHCNBJ\n",
    )
    .unwrap();
    let gz = std::fs::File::create(dir.path().join("activity.jsonl.gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
    writeln!(
        enc,
        r#"{{"kind":"activity","subject_id":"u1","at":"2026-09-01T00:00:00Z"}}"#
    )
    .unwrap();
    enc.finish().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();

    let (files, warnings) = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        warnings.len(),
        1,
        "the .txt file is reported, not silently skipped"
    );
    let items = read_all(dir.path());
    assert_eq!(items.len(), 3);
    match &items[2] {
        Item::Err(r) => {
            assert_eq!(r.line, 3);
            assert_eq!(r.field.as_deref(), Some("method"));
        }
        other => panic!("expected a reject, got {other:?}"),
    }
}

/// Files are read in chunks of a few MiB cut at newlines: lines across chunk borders, a line
/// longer than a chunk, blank lines and a last line without a newline all keep their numbers,
/// plain and gzipped alike.
#[test]
fn line_numbers_survive_chunk_borders_and_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut expected_bad = Vec::new();
    let n = 60_000;
    for i in 1..=n {
        if i % 9_973 == 0 {
            text.push_str("{not json\n");
            expected_bad.push(i as u64);
        } else if i % 10_007 == 0 {
            text.push_str("   \n");
        } else if i == 30_000 {
            // About 5 MiB in one line: longer than a chunk.
            let long = "x".repeat(5 << 20);
            text.push_str(&format!(
                r#"{{"kind":"message","subject_id":"u1","at":"2026-09-01T00:00:00Z","direction":"from_subject","text":"{long}"}}"#
            ));
            text.push('\n');
        } else {
            text.push_str(&format!(
                r#"{{"kind":"login","subject_id":"u{}","at":"2026-09-01T00:00:00Z","ip":"10.0.{}.{}"}}"#,
                i % 97,
                (i / 250) % 250,
                i % 250
            ));
            text.push('\n');
        }
    }
    text.push_str(
        r#"{"kind":"login","subject_id":"last","at":"2026-09-01T00:00:00Z","ip":"10.9.9.9"}"#,
    );
    let plain = dir.path().join("big.jsonl");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("big.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    for path in [plain, gz] {
        let items = read_all(&path);
        let bad: Vec<u64> = items
            .iter()
            .filter_map(|it| match it {
                Item::Err(r) => Some(r.line),
                Item::Ok(..) => None,
            })
            .collect();
        assert_eq!(bad, expected_bad, "{}", path.display());
        let blank = (1..=n)
            .filter(|i| i % 10_007 == 0 && i % 9_973 != 0)
            .count();
        assert_eq!(items.len(), n + 1 - blank, "{}", path.display());
        let last = items.last().unwrap();
        match last {
            Item::Ok(v, pos) => {
                assert_eq!(v.subject_id(), "last");
                assert_eq!(pos.line, n as u64 + 1);
            }
            Item::Err(r) => panic!("{r:?}"),
        }
        let long = items.iter().find_map(|it| match it {
            Item::Ok(v, pos) if pos.line == 30_000 => Some(v.body.len()),
            _ => None,
        });
        assert!(long.unwrap() > 5 << 20);
    }
}

/// A read failure part-way (here a gzip file cut short) is an error, and the lines read before
/// it still reach the sink (nothing parsed is dropped silently).
#[test]
fn a_read_failure_reports_and_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..80_000 {
        text.push_str(&format!(
            r#"{{"kind":"login","subject_id":"u{}","at":"2026-09-01T00:00:00Z","ip":"10.1.{}.{}","note":"{i:08}"}}"#,
            i % 50,
            (i / 250) % 250,
            i % 250
        ));
        text.push('\n');
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &gz[..gz.len() * 7 / 10]).unwrap();
    let (files, _) = expand_inputs(std::slice::from_ref(&path)).unwrap();
    let mut got = 0usize;
    let r = read_file(
        &files[0],
        &mut |b| {
            got += b.len();
            Ok::<(), String>(())
        },
        &|_| {},
    );
    assert!(r.is_err(), "a truncated file is an error");
    // Two whole 2 MiB chunks (≈40k lines) were read before the cut; the second was still
    // being parsed when the read failed.
    assert!(got > 30_000, "lines before the cut were handed on: {got}");
    assert!(got < 80_000);
}
