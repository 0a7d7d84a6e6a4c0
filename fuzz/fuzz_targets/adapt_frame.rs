//! Framing a log read in pieces finds the same events, and the same broken spans, as framing
//! it whole (the reader hands the framer chunks of any size).
#![no_main]
use kensa_adapt::{Framer, Piece};
use libfuzzer_sys::fuzz_target;

fn describe(base: &[u8], p: &Piece<'_>, offset: usize) -> (usize, usize, bool) {
    match p {
        Piece::Object { text, .. } => {
            let s = text.as_ptr() as usize - base.as_ptr() as usize;
            (offset + s, offset + s + text.len(), true)
        }
        Piece::Value(v) => {
            let s = v.get().as_ptr() as usize - base.as_ptr() as usize;
            (offset + s, offset + s + v.get().len(), true)
        }
        Piece::Bad { start, end, .. } => (offset + start, offset + end, false),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, data)) = data.split_first() else {
        return;
    };
    // Small pieces of a small input; a large input in at most ~32 pieces (each call re-reads
    // an unfinished event from its start, as the reader does with its 4 MiB pieces).
    let chunk = (usize::from(k % 64) + 1).max(data.len() / 32);
    let mut whole = Vec::new();
    Framer::default().frame(data, true, &mut whole);
    let whole: Vec<_> = whole.iter().map(|p| describe(data, p, 0)).collect();

    let mut pieces = Vec::new();
    let mut f = Framer::default();
    let mut start = 0;
    let mut end = chunk.min(data.len());
    loop {
        let eof = end == data.len();
        let mut out = Vec::new();
        let used = f.frame(&data[start..end], eof, &mut out);
        pieces.extend(out.iter().map(|p| describe(&data[start..end], p, start)));
        assert!(used <= end - start);
        start += used;
        if eof {
            break;
        }
        end = (end + chunk).min(data.len());
    }
    assert_eq!(whole, pieces);
});
