//! A whole input file through the readers: JSONL, gzipped JSONL and CSV, with small limits so
//! that the over-limit paths run too. Every non-blank line or row becomes one item.
#![no_main]
use kensa_ingest::{Item, Limits, expand_inputs, read_file};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kensa-fuzz-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let name = match which % 4 {
        0 => "in.jsonl",
        1 => "in.jsonl.gz",
        2 => "login.csv",
        _ => "subjects.csv.gz",
    };
    let d = dir();
    for f in std::fs::read_dir(&d).unwrap() {
        let _ = std::fs::remove_file(f.unwrap().path());
    }
    let path = d.join(name);
    std::fs::write(&path, body).unwrap();
    let files = expand_inputs(&[path]).unwrap().files;
    for limits in [
        Limits::default(),
        Limits {
            max_line_bytes: 64,
            max_depth: 4,
            max_fields: 5,
        },
    ] {
        let mut n = 0usize;
        let r = read_file(
            &files[0],
            &limits,
            &mut |batch: Vec<Item>| {
                n += batch.len();
                Ok::<(), String>(())
            },
            &|_| {},
        );
        if let Err(e) = r {
            // Every failure of the input itself is a reject naming the file.
            assert!(e.to_reject().is_some());
        }
        if which % 4 == 0 && limits == Limits::default() {
            // Plain JSONL: one item per non-blank line (the last may lack its newline).
            let lines = body
                .split(|b| *b == b'\n')
                .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
                .count();
            assert_eq!(n, lines);
        }
    }
});
