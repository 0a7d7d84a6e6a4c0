//! The ocsf log adapter: framing, page wrappers, and conversion to records.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/adapt.rs"]
mod adapt;

fuzz_target!(|data: &[u8]| adapt::run(data, kensa_adapt::Format::Ocsf));
