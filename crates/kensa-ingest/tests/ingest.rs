//! Reading messy files: every line is accounted for, with the right line and field.

use kensa_ingest::{IngestError, Item, Limits, expand_inputs, read_file};
use std::io::Write;

fn read_all(path: &std::path::Path) -> Vec<Item> {
    read_all_within(path, &Limits::default())
}

fn read_all_within(path: &std::path::Path, limits: &Limits) -> Vec<Item> {
    let files = expand_inputs(&[path.to_path_buf()]).unwrap().files;
    let mut out = Vec::new();
    for f in &files {
        read_file(
            f,
            limits,
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
            Item::Ok(..) | Item::Skip(_) => None,
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

    let expanded = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
    let (files, warnings) = (expanded.files, expanded.warnings);
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
                Item::Ok(..) | Item::Skip(_) => None,
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
            other => panic!("{other:?}"),
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
    let files = expand_inputs(std::slice::from_ref(&path)).unwrap().files;
    let mut got = 0usize;
    let r = read_file(
        &files[0],
        &Limits::default(),
        &mut |b| {
            got += b.len();
            Ok::<(), String>(())
        },
        &|_| {},
    );
    // A truncated file is an error naming where reading stopped, which becomes the reject that
    // reports the file.
    let e = r.unwrap_err();
    let IngestError::Read { line, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(*line as usize > got, "{line} > {got}");
    let rej = e.to_reject().unwrap();
    assert_eq!(rej.line, *line);
    assert!(
        rej.reason.contains("could not read the rest"),
        "{}",
        rej.reason
    );
    // Two whole 2 MiB chunks (≈40k lines) were read before the cut; the second was still
    // being parsed when the read failed.
    assert!(got > 30_000, "lines before the cut were handed on: {got}");
    assert!(got < 80_000);
}

/// A line nested far deeper than any record is rejected (not a stack overflow), and the lines
/// after it are read.
#[test]
fn a_deeply_nested_line_is_rejected_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.jsonl");
    let login = r#""kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4""#;
    let mut text = String::new();
    for d in [15_000usize, 100_000] {
        text.push_str(&format!(
            "{{{login},\"x\":{}{}}}\n",
            "[".repeat(d),
            "]".repeat(d)
        ));
    }
    text.push_str(&format!("{{{login}}}\n"));
    std::fs::write(&p, &text).unwrap();
    let items = read_all(&p);
    assert_eq!(items.len(), 3);
    for (i, it) in items[..2].iter().enumerate() {
        match it {
            Item::Err(r) => {
                assert_eq!(r.line, i as u64 + 1);
                assert!(r.reason.contains("--max-depth"), "{}", r.reason);
                // Kept whole.
                assert_eq!(r.raw, text.lines().nth(i).unwrap().as_bytes());
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(items[2], Item::Ok(..)));
}

/// A line over the line limit is rejected without being held whole in memory: its start is
/// kept with its length and SHA-256, and the line after it is read.
#[test]
fn an_overlong_line_is_rejected_with_its_length_and_hash() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let ok = r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}"#;
    // One line longer than the limit and than a read chunk, one just over a small limit.
    let long = format!("{{\"pad\":\"{}\"}}", "x".repeat(5 << 20));
    let text = format!("{ok}\n{long}\n{ok}\n");
    let p = dir.path().join("long.jsonl");
    std::fs::write(&p, &text).unwrap();
    for max in [1 << 20, 4 << 20, 100] {
        let limits = Limits {
            max_line_bytes: max,
            ..Limits::default()
        };
        let items = read_all_within(&p, &limits);
        assert_eq!(items.len(), 3, "limit {max}");
        assert!(matches!(items[0], Item::Ok(..)));
        assert!(matches!(items[2], Item::Ok(..)), "limit {max}");
        match &items[1] {
            Item::Err(r) => {
                assert_eq!(r.line, 2);
                assert!(r.reason.contains("--max-line-bytes"), "{}", r.reason);
                let cut = r.raw_cut.as_ref().unwrap();
                assert_eq!(cut.len, long.len() as u64);
                assert_eq!(
                    cut.sha256,
                    sha2::Sha256::digest(long.as_bytes())
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                );
                assert_eq!(r.raw, long.as_bytes()[..kensa_ingest::RAW_HEAD]);
            }
            other => panic!("{other:?}"),
        }
    }
}

/// A CSV row with more cells than the header is rejected whole (nothing silently dropped); a
/// row that is not UTF-8 is rejected with its bytes as they were.
#[test]
fn csv_rows_with_extra_cells_or_bad_bytes_are_rejected_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("subjects.csv");
    let mut bytes = b"subject_id,source,name,address.city\r\n\
        u1,resume,Kim,Seoul\r\n\
        u2,resume,Kim, Jong,Seoul\r\n\
        u3,resume,\"Kim, Jong\",Seoul\r\n"
        .to_vec();
    bytes.extend_from_slice(b"u4,resume,M\xfcller,Berlin\r\n");
    bytes.extend_from_slice(b"u5,resume,\"two\nlines\",Tokyo\r\n");
    std::fs::write(&p, &bytes).unwrap();
    let items = read_all(&p);
    let lines: Vec<u64> = items
        .iter()
        .map(|i| match i {
            Item::Ok(_, pos) => pos.line,
            Item::Err(r) => r.line,
            Item::Skip(s) => s.pos.line,
        })
        .collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    assert!(matches!(items[0], Item::Ok(..)));
    assert!(matches!(items[2], Item::Ok(..)));
    assert!(matches!(items[4], Item::Ok(..)), "{:?}", items[4]);
    match &items[1] {
        Item::Err(r) => {
            assert_eq!(r.line, 3);
            assert!(r.reason.contains("5 cells"), "{}", r.reason);
            assert_eq!(r.raw, b"u2,resume,Kim, Jong,Seoul");
        }
        other => panic!("{other:?}"),
    }
    match &items[3] {
        Item::Err(r) => {
            assert_eq!(r.line, 5);
            assert_eq!(r.field.as_deref(), Some("name"));
            assert_eq!(r.raw, b"u4,resume,M\xfcller,Berlin");
        }
        other => panic!("{other:?}"),
    }
}

/// A symlink loop, a broken link and a directory linked back to its parent are reported; the
/// valid file beside them is read.
#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("good.jsonl"),
        r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}"#,
    )
    .unwrap();
    std::os::unix::fs::symlink("loop_b.jsonl", d.join("loop_a.jsonl")).unwrap();
    std::os::unix::fs::symlink("loop_a.jsonl", d.join("loop_b.jsonl")).unwrap();
    std::os::unix::fs::symlink("missing.jsonl", d.join("broken.jsonl")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    let e = expand_inputs(&[d.to_path_buf()]).unwrap();
    assert_eq!(e.files.len(), 1, "{:?}", e.files);
    let reasons: Vec<String> = e
        .failures
        .iter()
        .map(|r| format!("{} {}", r.file, r.reason))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("broken symlink")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("directory loop")),
        "{reasons:?}"
    );
    assert_eq!(read_all(d).len(), 1);
}

/// A CSV header whose dotted column would nest a record deeper than the limit fails the file
/// (one reject for line 1), instead of building the record and overflowing the stack.
#[test]
fn a_csv_header_over_the_limits_fails_the_file_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("login.csv");
    let deep = format!("{}y", "x.".repeat(100_000));
    std::fs::write(
        &p,
        format!("subject_id,at,ip,{deep}\nu1,2026-09-01T00:00:00Z,1.2.3.4,v\n"),
    )
    .unwrap();
    let files = expand_inputs(std::slice::from_ref(&p)).unwrap().files;
    let e = read_file(
        &files[0],
        &Limits::default(),
        &mut |_| Ok::<(), String>(()),
        &|_| {},
    )
    .unwrap_err();
    let r = e.to_reject().unwrap();
    assert_eq!(r.line, 1);
    assert!(r.reason.contains("--max-depth"), "{}", r.reason);
}

/// An unclosed quote makes the rest of a CSV file one cell: reading stops once the row runs
/// past the line limit (the rows before it were handed on), instead of holding the whole file.
#[test]
fn an_unclosed_csv_quote_stops_at_the_line_limit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("login.csv");
    let mut text = String::from("subject_id,at,ip\nu1,2026-09-01T00:00:00Z,1.2.3.4\nu2,\"open\n");
    for _ in 0..20_000 {
        text.push_str("u3,2026-09-01T00:00:00Z,1.2.3.4\n");
    }
    std::fs::write(&p, &text).unwrap();
    let limits = Limits {
        max_line_bytes: 4096,
        ..Limits::default()
    };
    let files = expand_inputs(std::slice::from_ref(&p)).unwrap().files;
    let mut got = Vec::new();
    let e = read_file(
        &files[0],
        &limits,
        &mut |b| {
            got.extend(b);
            Ok::<(), String>(())
        },
        &|_| {},
    )
    .unwrap_err();
    assert_eq!(got.len(), 1, "the row before the open quote");
    let r = e.to_reject().unwrap();
    assert!(r.reason.contains("--max-line-bytes"), "{}", r.reason);
}

/// A line of nothing but white space is blank however long it is; a cut head stays text.
#[test]
fn long_blank_lines_are_blank_and_cut_heads_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blank.jsonl");
    let ok = r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}"#;
    // 3-byte characters, so that a 64 KiB head would end inside one.
    let long = format!("{{\"t\":\"{}\"}}", "日".repeat(1 << 20));
    std::fs::write(&p, format!("{ok}\n{}\n{long}\n{ok}\n", " ".repeat(5 << 20))).unwrap();
    let limits = Limits {
        max_line_bytes: 1 << 20,
        ..Limits::default()
    };
    let items = read_all_within(&p, &limits);
    assert_eq!(items.len(), 3);
    match &items[1] {
        Item::Err(r) => {
            assert_eq!(r.line, 3);
            assert!(std::str::from_utf8(&r.raw).is_ok());
            assert!(r.raw.len() > (64 << 10) - 4);
        }
        other => panic!("{other:?}"),
    }
}
