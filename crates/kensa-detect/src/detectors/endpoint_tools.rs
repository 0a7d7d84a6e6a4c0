//! Endpoint tools — remote-access software, IP-KVM devices, consumer VPN clients and mouse
//! jigglers seen on the subject's work device (`endpoint` records).
//!
//! Raises four documented Kensa ids (see `kensa catalog`), each supporting catalogue flags:
//! * `KX-ENDPOINT-REMOTE-ACCESS` (AnyDesk, TeamViewer, Chrome Remote Desktop, RustDesk,
//!   GoTo/LogMeIn, Splashtop, VNC...) — supports RF-LINK-SHARED-IDENTITY and RF-NET-ANONYMIZER:
//!   a laptop controlled from elsewhere, typically a laptop farm;
//! * `KX-ENDPOINT-IP-KVM` (PiKVM, TinyPilot, JetKVM, "IP-KVM", Raritan/ATEN KVM over IP, and
//!   the USB identity such a device presents to the laptop: the Linux gadget `1d6b:0104` /
//!   `VID_1D6B&PID_0104` "Multifunction Composite Gadget" — the USB ID database's Linux
//!   Foundation composite gadget, which PiKVM and TinyPilot present by default — and "PiKVM
//!   Composite Device"; MITRE ATT&CK T1219.003, Remote Access Hardware, added in v17, 2025) —
//!   supports RF-LINK-SHARED-IDENTITY: hardware remote control that no software inventory sees,
//!   found in laptop farms;
//! * `KX-ENDPOINT-VPN-CLIENT` (Astrill — the VPN DPRK IT workers are known to favour — and other
//!   consumer VPNs) — supports RF-NET-ANONYMIZER;
//! * `KX-ENDPOINT-MOUSE-JIGGLER` — supports RF-AVAIL-OFF-HOURS: simulated presence while nobody
//!   is at the keyboard.
//!
//! Matching is a case-insensitive substring test of each pattern against the record's `name`
//! and `detail`; the four lists and the `allow` list are policy parameters the user edits.
//! One finding per category and subject; strength grows with the number of distinct tools, and
//! a second remote-access tool on one laptop (one to work, one to be controlled) is called out.
//! Each finding names its MITRE ATT&CK technique: T1219.002 (remote desktop software) and
//! T1219.003 (remote access hardware) for the remote-control categories, T1090 (proxy) for VPN
//! clients.
//!
//! False positives: collaboration software (Zoom, Slack, Teams, VS Code Live Share) is not on
//! any list; corporate VPN clients (OpenVPN, WireGuard, GlobalProtect, AnyConnect) are not on the
//! VPN list; the hypervisor "qemu-kvm" is not an IP-KVM (patterns name devices, not "kvm");
//! tools the client's IT sanctions (a managed TeamViewer, say) go in `allow`, and an
//! observation matching an `allow` pattern is ignored.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "endpoint_tools",
    raises: &[
        "KX-ENDPOINT-REMOTE-ACCESS",
        "KX-ENDPOINT-IP-KVM",
        "KX-ENDPOINT-VPN-CLIENT",
        "KX-ENDPOINT-MOUSE-JIGGLER",
    ],
    summary: "remote-access tools (a second one called out), IP-KVM devices (also by the USB identity 1d6b:0104 they present), consumer VPN clients such as Astrill and mouse jigglers in endpoint records (user-editable name lists, MITRE ATT&CK T1219.002/.003)",
    false_positives: "collaboration tools and corporate VPN clients are not listed; hypervisor KVM is not IP-KVM; sanctioned tools go in the allow list",
};

/// Parameters (`[detectors.endpoint_tools]`). Patterns are case-insensitive substrings of an
/// endpoint record's `name` or `detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Remote-access software (`KX-ENDPOINT-REMOTE-ACCESS`).
    pub remote_access: Vec<String>,
    /// IP-KVM devices (`KX-ENDPOINT-IP-KVM`).
    pub ip_kvm: Vec<String>,
    /// Consumer VPN clients (`KX-ENDPOINT-VPN-CLIENT`).
    pub vpn_client: Vec<String>,
    /// Mouse jigglers (`KX-ENDPOINT-MOUSE-JIGGLER`).
    pub mouse_jiggler: Vec<String>,
    /// Sanctioned tools: an observation matching any of these is ignored.
    pub allow: Vec<String>,
}

fn v(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

impl Default for Params {
    fn default() -> Self {
        Params {
            remote_access: v(&[
                "anydesk",
                "teamviewer",
                "chrome remote desktop",
                "remoting_host",
                "rustdesk",
                "gotoremote",
                "goto resolve",
                "logmein",
                "splashtop",
                "vnc",
                "screenconnect",
                "connectwise control",
                "ammyy",
                "remote utilities",
                "dwservice",
                "nomachine",
                "supremo",
                "zoho assist",
                "ultraviewer",
                "parsec",
                "meshcentral",
            ]),
            ip_kvm: v(&[
                "pikvm",
                "tinypilot",
                "jetkvm",
                "ip-kvm",
                "ip kvm",
                "kvm over ip",
                "kvm-over-ip",
                "glkvm",
                "comet kvm",
                "raritan",
                "dominion kx",
                "aten kvm",
                "aten cn",
                "blikvm",
                // Seen as a USB device: the Linux USB gadget that PiKVM and TinyPilot present
                // by default (vendor:product 1d6b:0104, "Multifunction Composite Gadget"), in
                // lsusb and Windows device-path notation, and their product strings.
                "1d6b:0104",
                "vid_1d6b&pid_0104",
                "multifunction composite gadget",
                "pikvm composite device",
                "keymimepi",
            ]),
            vpn_client: v(&[
                "astrill",
                "nordvpn",
                "expressvpn",
                "surfshark",
                "protonvpn",
                "proton vpn",
                "private internet access",
                "mullvad",
                "cyberghost",
                "hotspot shield",
                "ipvanish",
                "windscribe",
                "tunnelbear",
                "hide.me",
                "purevpn",
                "letsvpn",
                "lantern",
            ]),
            mouse_jiggler: v(&[
                "jiggl",
                "mouse mover",
                "move mouse",
                "mousemove",
                "wiggler",
                "keep awake mouse",
            ]),
            allow: Vec::new(),
        }
    }
}

pub struct EndpointTools(pub Params);

/// (id, parameter name, English label, Japanese label)
/// The MITRE ATT&CK technique of each category (same order as [`CATEGORIES`]).
const ATTACK: [Option<&str>; 4] = [Some("T1219.002"), Some("T1219.003"), Some("T1090"), None];

const CATEGORIES: [(&str, &str, &str, &str); 4] = [
    (
        "KX-ENDPOINT-REMOTE-ACCESS",
        "remote_access",
        "remote-access tool",
        "遠隔操作ツール",
    ),
    (
        "KX-ENDPOINT-IP-KVM",
        "ip_kvm",
        "IP-KVM device",
        "IP-KVM機器",
    ),
    (
        "KX-ENDPOINT-VPN-CLIENT",
        "vpn_client",
        "consumer VPN client",
        "個人向けVPNクライアント",
    ),
    (
        "KX-ENDPOINT-MOUSE-JIGGLER",
        "mouse_jiggler",
        "mouse jiggler",
        "マウスジグラー",
    ),
];

impl Params {
    fn list(&self, k: usize) -> &[String] {
        match k {
            0 => &self.remote_access,
            1 => &self.ip_kvm,
            2 => &self.vpn_client,
            _ => &self.mouse_jiggler,
        }
    }
}

/// Whether the lowercase haystack contains one of the patterns (case-insensitive); the first
/// matching pattern. Public so that `laptop_farm` uses the same matching.
pub fn matches<'a>(hay: &str, pats: &'a [String]) -> Option<&'a str> {
    pats.iter()
        .find(|p| !p.is_empty() && hay.contains(&p.to_lowercase()))
        .map(String::as_str)
}

impl Detector for EndpointTools {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["endpoint"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s)
    }
}

impl EndpointTools {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        // Per category: pattern → (observed names, record ids, first, last).
        type Hit<'a> = (Vec<String>, Vec<&'a String>, String, String);
        let mut hits: [BTreeMap<&str, Hit>; 4] = Default::default();
        let mut allowed = 0usize;
        for e in &s.endpoints {
            let name = e.r.name.as_deref().unwrap_or("");
            let detail = e.r.detail.as_deref().unwrap_or("");
            let hay = format!("{name}\n{detail}").to_lowercase();
            if hay.trim().is_empty() {
                continue;
            }
            if matches(&hay, &p.allow).is_some() {
                allowed += 1;
                continue;
            }
            for (k, h) in hits.iter_mut().enumerate() {
                if let Some(pat) = matches(&hay, p.list(k)) {
                    let at = e.r.at.to_rfc3339();
                    let x = h
                        .entry(pat)
                        .or_insert_with(|| (Vec::new(), Vec::new(), at.clone(), at.clone()));
                    let shown = if name.is_empty() { detail } else { name };
                    if !x.0.iter().any(|n| n == shown) && x.0.len() < 5 {
                        x.0.push(shown.to_owned());
                    }
                    if x.1.len() < 20 {
                        x.1.push(&e.id);
                    }
                    x.3 = at;
                }
            }
        }
        let mut out = Vec::new();
        for (k, h) in hits.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let (id, param, en, ja) = CATEGORIES[k];
            let tools: Vec<serde_json::Value> = h
                .iter()
                .map(|(pat, (names, ids, first, last))| {
                    serde_json::json!({
                        "pattern": pat,
                        "observed": names,
                        "records": ids.len(),
                        "first_seen": first,
                        "last_seen": last,
                    })
                })
                .collect();
            let names: Vec<String> = h.values().flat_map(|x| x.0.iter().cloned()).collect();
            let strength = (0.75 + 0.125 * (h.len() - 1) as f64).min(1.0);
            out.push(Finding {
                        subject_id: s.id.clone(),
                        id: id.into(),
                        detector: SPEC.name.into(),
                        strength,
                        evidence: Evidence::default()
                            .records(h.values().flat_map(|x| x.1.iter().map(|s| (*s).clone())).take(50))
                            .value("tools", serde_json::Value::Array(tools))
                            .value("allowed_observations", allowed)
                            .value("mitre_attack", ATTACK[k])
                            .threshold(param, serde_json::json!(p.list(k)))
                            .threshold("allow", serde_json::json!(p.allow)),
                        explanation: Text::new(
                            format!(
                                "The work device shows {} {en}(s): {}. Not in the allow list of sanctioned tools.{}",
                                h.len(),
                                names.join(", "),
                                if k == 0 && h.len() >= 2 {
                                    " A second remote-access tool on one laptop is a laptop-farm pattern: one to work with, one through which someone else controls it."
                                } else {
                                    ""
                                }
                            ),
                            format!(
                                "業務端末で{ja}が{}種類検出されました: {}。許可された（会社承認の）ツールの一覧にはありません。{}",
                                h.len(),
                                names.join("、"),
                                if k == 0 && h.len() >= 2 {
                                    "1台のPCに2つ目の遠隔操作ツールがあるのは、ラップトップファームに見られる形です（1つは作業用、もう1つは他者が操作するため）。"
                                } else {
                                    ""
                                }
                            ),
                        ),
                    });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn ep(sub: &str, i: u32, name: &str, detail: &str) -> String {
        format!(
            r#"{{"kind":"endpoint","subject_id":"{sub}","at":"2026-09-01T10:{i:02}:00Z","observation":"process","name":"{name}","detail":"{detail}"}}"#
        )
    }

    /// Issue 17, item 8: an IP-KVM seen only as the USB device it presents (lsusb and Windows
    /// notation), mapped to ATT&CK T1219.003; a second remote-access tool is called out.
    /// Look-alikes: an ordinary USB keyboard and webcam, one remote-access tool.
    #[test]
    fn kvm_usb_identities_and_a_second_remote_tool_are_named() {
        let lines = vec![
            ep("k1", 1, "usb_device", "Bus 001 Device 004: ID 1d6b:0104 Linux Foundation Multifunction Composite Gadget"),
            ep("k2", 1, "usb_device", "USB\\\\VID_1D6B&PID_0104\\\\CAFEBABE"),
            ep("r1", 1, "TeamViewer.exe", ""),
            ep("r1", 2, "AnyDesk.exe", ""),
            ep("h1", 1, "usb_device", "ID 046d:c31c Logitech, Inc. Keyboard K120"),
            ep("h1", 2, "usb_device", "ID 046d:0825 Logitech, Inc. Webcam C270"),
            ep("h2", 1, "TeamViewer.exe", ""),
        ];
        let f = EndpointTools(Params::default()).run(&ds(&lines));
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.subject_id.as_str(), f.id.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("k1", "KX-ENDPOINT-IP-KVM"),
                ("k2", "KX-ENDPOINT-IP-KVM"),
                ("r1", "KX-ENDPOINT-REMOTE-ACCESS"),
                ("h2", "KX-ENDPOINT-REMOTE-ACCESS"),
            ]
        );
        assert_eq!(f[0].evidence.values["mitre_attack"], "T1219.003");
        assert_eq!(f[2].evidence.values["mitre_attack"], "T1219.002");
        assert!(f[2].explanation.en.contains("second remote-access tool"));
        assert!(f[2].explanation.ja.contains("2つ目の遠隔操作ツール"));
        assert!(!f[3].explanation.en.contains("second remote-access tool"));
    }

    #[test]
    fn laptop_farm_tooling_fires_per_category() {
        let lines = vec![
            ep("u1", 1, "AnyDesk.exe", ""),
            ep("u1", 2, "RustDesk", "service"),
            ep("u1", 3, "usb device", "PiKVM composite HID"),
            ep("u1", 4, "Astrill VPN", "astrill.exe"),
            ep("u1", 5, "Mouse Jiggler", ""),
            ep("u1", 6, "AnyDesk.exe", ""),
        ];
        let f = EndpointTools(Params::default()).run(&ds(&lines));
        let ids: Vec<&str> = f.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "KX-ENDPOINT-REMOTE-ACCESS",
                "KX-ENDPOINT-IP-KVM",
                "KX-ENDPOINT-VPN-CLIENT",
                "KX-ENDPOINT-MOUSE-JIGGLER"
            ]
        );
        assert_eq!(f[0].strength, 0.875);
        assert_eq!(f[0].evidence.records.len(), 3);
        assert!(f[1].explanation.ja.contains("IP-KVM機器"));
        for x in &f {
            assert!(
                kensa_model::catalog::flag(&x.id).is_some(),
                "{} not in catalogue",
                x.id
            );
        }
    }

    #[test]
    fn support_engineer_tools_and_sanctioned_teamviewer_do_not_fire() {
        let lines = vec![
            ep("s1", 1, "zoom.us", ""),
            ep("s1", 2, "Slack", ""),
            ep("s1", 3, "Code.exe", "Visual Studio Code"),
            ep("s1", 4, "qemu-kvm", "local virtual machine"),
            ep("s1", 5, "GlobalProtect", "corporate VPN"),
            ep("s1", 6, "TeamViewer", "TeamViewer Host (IT managed)"),
        ];
        let p = Params {
            allow: vec!["teamviewer host (it managed)".into()],
            ..Params::default()
        };
        assert!(EndpointTools(p).run(&ds(&lines)).is_empty());
    }
}
