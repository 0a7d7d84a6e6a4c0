//! Helpers shared by the detectors' unit tests.

use crate::{Dataset, DatasetBuilder};
use kensa_model::intel::{IpInfo, NetClass, NetClassHit};
use kensa_model::validate_value;

/// A data set of the given records (each validated as `kensa ingest` would).
pub(crate) fn ds(records: &[serde_json::Value]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for r in records {
        let v = validate_value(r.clone()).expect("a valid test record");
        b.add(v.record_id, v.record);
    }
    b.build().0
}

/// Network classes as a test source reports them.
pub(crate) fn hits(classes: &[NetClass]) -> Vec<NetClassHit> {
    classes
        .iter()
        .map(|c| NetClassHit {
            class: *c,
            source: "test".into(),
            label: None,
        })
        .collect()
}

/// Sets what the intel sources say about an address: its country and network classes.
pub(crate) fn set_ip(ds: &mut Dataset, ip: &str, country: &str, classes: &[NetClass]) {
    ds.ip.insert(
        ip.parse().expect("a test IP address"),
        IpInfo {
            country: Some(country.into()),
            classes: hits(classes),
            ..Default::default()
        },
    );
}
