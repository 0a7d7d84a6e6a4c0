//! The mapping language: a TOML mapping (before the first NUL byte) applied to JSON events
//! (after it). Bad mappings are errors, never panics; every record made is a JSON object.
#![no_main]
use kensa_adapt::mapping::Event;
use kensa_adapt::{Conv, Framer, Mapping, Resolver, Unresolved, events};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(nul) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let Ok(toml) = std::str::from_utf8(&data[..nul]) else {
        return;
    };
    let Ok(m) = Mapping::parse(toml, "fuzz.toml") else {
        return;
    };
    let mut who = Resolver::new(Unresolved::Skip);
    who.add_subject("s-1", ["kim@example.com"]);
    let mut pieces = Vec::new();
    Framer::default().frame(&data[nul + 1..], true, &mut pieces);
    let mut out = Vec::new();
    for p in pieces {
        for ev in events(p).unwrap_or_default() {
            m.convert(&Event::Json(&ev), &who, &mut out);
        }
    }
    // CSV rows: the same events' lines split at commas, under a made-up header.
    let text = String::from_utf8_lossy(&data[nul + 1..]);
    let header: Vec<String> = (0..4).map(|i| format!("c{i}")).collect();
    for line in text.lines().take(50) {
        let row: Vec<(String, String)> = header
            .iter()
            .cloned()
            .zip(line.split(',').map(str::to_owned))
            .collect();
        m.convert(&Event::Row(&row), &who, &mut out);
    }
    for c in &out {
        if let Conv::Record(j) = c {
            let raw: &serde_json::value::RawValue =
                serde_json::from_slice(j).expect("a record is JSON");
            assert!(raw.get().starts_with('{'));
            let _ = kensa_model::fast::validate_line_within(j, &Default::default());
        }
    }
});
