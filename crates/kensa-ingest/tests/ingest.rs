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
