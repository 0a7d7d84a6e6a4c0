//! Crypto wallet addresses: chain detection and checksum validation.
//!
//! Supported checksums: Bitcoin and Litecoin base58check (P2PKH, P2SH) and
//! bech32/bech32m (SegWit v0 and v1+, BIP-173/BIP-350), Ethereum and other
//! EVM chains (`0x` + 40 hex, EIP-55 mixed-case checksum when the address
//! is mixed case) and TRON (base58check, version byte 0x41, `T...`).
//! Other assets found on sanctions lists (Monero, XRP, Zcash...) are still
//! matched against the lists but reported as an unrecognised format.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A list (e.g. OFAC SDN) entry that matched an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletHit {
    /// The configured source name.
    pub source: String,
    /// The asset the list files the address under (e.g. `XBT`, `ETH`).
    pub asset: Option<String>,
}

/// The result of [`crate::Intel::wallet`] and [`analyze`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletInfo {
    /// The address as given, trimmed.
    pub address: String,
    /// The detected chain: `btc`, `btc-testnet`, `ltc`, `tron`, `evm`
    /// (or the EVM chain named by the hint, e.g. `eth`).
    pub chain: Option<String>,
    /// The address type, e.g. `p2pkh`, `p2sh`, `p2wpkh`, `p2wsh`, `p2tr`,
    /// `account`.
    pub address_type: Option<String>,
    /// Whether the format and any checksum are valid.
    pub valid: bool,
    /// Whether a checksum was actually verified (false for an all-lowercase
    /// or all-uppercase EVM address, which carries no checksum).
    pub checksum_verified: bool,
    /// Why the address is invalid.
    pub error: Option<String>,
    /// Sanctions or custom list hits.
    #[serde(default)]
    pub sanctioned: Vec<WalletHit>,
}

/// The chain families a hint can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Btc,
    Ltc,
    Tron,
    Evm,
}

/// Maps a chain or asset hint to a family and the chain name to report.
fn parse_hint(hint: &str) -> Option<(Family, &'static str)> {
    Some(match hint.trim().to_ascii_lowercase().as_str() {
        "btc" | "xbt" | "bitcoin" => (Family::Btc, "btc"),
        "ltc" | "litecoin" => (Family::Ltc, "ltc"),
        "trx" | "tron" | "trc20" | "trc-20" => (Family::Tron, "tron"),
        "eth" | "ethereum" | "erc20" | "erc-20" => (Family::Evm, "eth"),
        "etc" => (Family::Evm, "etc"),
        "bsc" | "bnb" | "bep20" => (Family::Evm, "bsc"),
        "arb" | "arbitrum" => (Family::Evm, "arbitrum"),
        "polygon" | "matic" => (Family::Evm, "polygon"),
        "evm" | "base" | "optimism" | "avalanche" | "avax" => (Family::Evm, "evm"),
        _ => return None,
    })
}

/// Double SHA-256 checksum check of a base58-decoded payload.
fn base58check(address: &str) -> Result<Vec<u8>, String> {
    let raw = bs58::decode(address)
        .into_vec()
        .map_err(|e| format!("not base58: {e}"))?;
    if raw.len() < 5 {
        return Err("base58 payload too short".into());
    }
    let (payload, check) = raw.split_at(raw.len() - 4);
    let digest = Sha256::digest(Sha256::digest(payload));
    if &digest[..4] != check {
        return Err("base58check checksum mismatch".into());
    }
    Ok(payload.to_vec())
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Decodes a bech32/bech32m string: `(hrp, 5-bit data without checksum,
/// is_bech32m)`.
fn bech32_decode(s: &str) -> Result<(String, Vec<u8>, bool), String> {
    if s.len() > 90 {
        return Err("bech32 string too long".into());
    }
    let has_lower = s.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = s.chars().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper {
        return Err("bech32 string mixes upper and lower case".into());
    }
    let s = s.to_ascii_lowercase();
    let pos = s.rfind('1').ok_or("bech32 separator '1' missing")?;
    if pos < 1 || pos + 7 > s.len() {
        return Err("bech32 separator misplaced".into());
    }
    let hrp = &s[..pos];
    let mut data = Vec::with_capacity(s.len() - pos - 1);
    for c in s[pos + 1..].bytes() {
        let v = BECH32_CHARSET
            .iter()
            .position(|&x| x == c)
            .ok_or_else(|| format!("invalid bech32 character '{}'", c as char))?;
        data.push(v as u8);
    }
    let mut values: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|b| b & 31));
    values.extend(&data);
    let check = bech32_polymod(&values);
    let bech32m = match check {
        BECH32_CONST => false,
        BECH32M_CONST => true,
        _ => return Err("bech32 checksum mismatch".into()),
    };
    data.truncate(data.len() - 6);
    Ok((hrp.to_string(), data, bech32m))
}

/// Regroups 5-bit words into bytes (BIP-173 `convertbits` without padding).
fn from_5bit(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut out = Vec::new();
    for &v in data {
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits >= 5 || (acc << (8 - bits)) & 0xff != 0 {
        return Err("invalid bech32 padding".into());
    }
    Ok(out)
}

/// Validates a SegWit address; returns the address type.
fn segwit(address: &str) -> Result<(String, &'static str), String> {
    let (hrp, data, bech32m) = bech32_decode(address)?;
    let (&version, program) = data.split_first().ok_or("empty witness program")?;
    if version > 16 {
        return Err("invalid witness version".into());
    }
    let program = from_5bit(program)?;
    if !(2..=40).contains(&program.len()) {
        return Err("invalid witness program length".into());
    }
    if version == 0 && bech32m {
        return Err("witness v0 must use bech32, not bech32m".into());
    }
    if version != 0 && !bech32m {
        return Err("witness v1+ must use bech32m".into());
    }
    let kind = match (version, program.len()) {
        (0, 20) => "p2wpkh",
        (0, 32) => "p2wsh",
        (0, _) => return Err("witness v0 program must be 20 or 32 bytes".into()),
        (1, 32) => "p2tr",
        _ => "segwit",
    };
    Ok((hrp, kind))
}

/// Keccak-256 as used by Ethereum (not NIST SHA3-256).
fn keccak256(data: &[u8]) -> [u8; 32] {
    use tiny_keccak::{Hasher, Keccak};
    let mut k = Keccak::v256();
    k.update(data);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// Validates an EVM address; `Ok(true)` when an EIP-55 checksum was checked.
fn evm(address: &str) -> Result<bool, String> {
    let hex = address
        .strip_prefix("0x")
        .or_else(|| address.strip_prefix("0X"))
        .ok_or("EVM address must start with 0x")?;
    if hex.len() != 40 {
        return Err(format!(
            "EVM address must have 40 hex digits, has {}",
            hex.len()
        ));
    }
    if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("invalid hex character {c:?}"));
    }
    let has_lower = hex.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = hex.chars().any(|c| c.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        // Single-case addresses carry no checksum (EIP-55 is opt-in).
        return Ok(false);
    }
    let lower = hex.to_ascii_lowercase();
    let hash = keccak256(lower.as_bytes());
    for (i, c) in hex.chars().enumerate() {
        if c.is_ascii_alphabetic() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if (nibble >= 8) != c.is_ascii_uppercase() {
                return Err("EIP-55 checksum mismatch".into());
            }
        }
    }
    Ok(true)
}

/// Detects the chain, validates the checksum and reports errors; list
/// matching is done by [`crate::Intel::wallet`].
pub fn analyze(address: &str, chain_hint: Option<&str>) -> WalletInfo {
    let address = address.trim();
    let mut info = WalletInfo {
        address: address.to_string(),
        ..WalletInfo::default()
    };
    let hint = chain_hint.and_then(parse_hint);
    let lower = address.to_ascii_lowercase();
    let result: Result<(Family, &'static str, &'static str, bool), String> = if address.is_empty() {
        Err("empty address".into())
    } else if lower.starts_with("0x") {
        info.chain = Some("evm".into());
        evm(address).map(|checked| (Family::Evm, "evm", "account", checked))
    } else if lower.starts_with("bc1") || lower.starts_with("tb1") || lower.starts_with("ltc1") {
        let family = if lower.starts_with("ltc1") {
            Family::Ltc
        } else {
            Family::Btc
        };
        let chain = match &lower[..3] {
            "tb1" => "btc-testnet",
            "ltc" => "ltc",
            _ => "btc",
        };
        info.chain = Some(chain.into());
        segwit(address).and_then(|(hrp, kind)| match (family, hrp.as_str()) {
            (Family::Btc, "bc" | "tb") | (Family::Ltc, "ltc") => Ok((family, chain, kind, true)),
            _ => Err(format!("unexpected human-readable part '{hrp}'")),
        })
    } else if address.chars().all(|c| c.is_ascii_alphanumeric())
        && (25..=36).contains(&address.len())
    {
        // Guess the chain from the prefix first so that a checksum failure
        // still reports which chain the address was meant for.
        let guess = match address.as_bytes()[0] {
            b'1' | b'3' => Some((Family::Btc, "btc")),
            b'T' => Some((Family::Tron, "tron")),
            b'L' | b'M' => Some((Family::Ltc, "ltc")),
            b'm' | b'n' | b'2' => Some((Family::Btc, "btc-testnet")),
            _ => None,
        };
        if let Some((_, c)) = guess {
            info.chain = Some(c.into());
        }
        base58check(address).and_then(|payload| {
            if payload.len() != 21 {
                return Err(format!(
                    "base58 payload has {} bytes, expected 21",
                    payload.len()
                ));
            }
            match payload[0] {
                0x00 => Ok((Family::Btc, "btc", "p2pkh", true)),
                0x05 => Ok((Family::Btc, "btc", "p2sh", true)),
                0x6f => Ok((Family::Btc, "btc-testnet", "p2pkh", true)),
                0xc4 => Ok((Family::Btc, "btc-testnet", "p2sh", true)),
                0x41 => Ok((Family::Tron, "tron", "account", true)),
                0x30 => Ok((Family::Ltc, "ltc", "p2pkh", true)),
                0x32 => Ok((Family::Ltc, "ltc", "p2sh", true)),
                v => Err(format!("unknown base58 version byte 0x{v:02x}")),
            }
        })
    } else {
        Err("unrecognised address format".into())
    };
    match result {
        Ok((family, chain, kind, checked)) => {
            info.chain = Some(chain.into());
            info.address_type = Some(kind.into());
            info.checksum_verified = checked;
            info.valid = true;
            if let Some((want, name)) = hint {
                // Legacy P2SH (`3...`) is shared by BTC and LTC, so a
                // Litecoin hint accepts it.
                let shared_p2sh = want == Family::Ltc && family == Family::Btc && kind == "p2sh";
                if want != family && !shared_p2sh {
                    info.valid = false;
                    info.error = Some(format!("address is a {chain} address, not {name}"));
                } else {
                    info.chain = Some(name.into());
                }
            }
        }
        Err(e) => {
            if info.chain.is_none()
                && let Some((_, name)) = hint
            {
                info.chain = Some(name.into());
            }
            info.error = Some(e);
        }
    }
    info
}

/// The key under which addresses are matched against lists: hex and
/// bech32 addresses are case-insensitive and so lowercased; base58
/// addresses are case-sensitive and kept as they are.
pub(crate) fn normalize_for_match(address: &str) -> String {
    let a = address.trim();
    let lower = a.to_ascii_lowercase();
    let is_hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    if (lower.starts_with("0x") && is_hex(&lower[2..]))
        || (a.len() >= 40 && is_hex(a))
        || lower.starts_with("bc1")
        || lower.starts_with("tb1")
        || lower.starts_with("ltc1")
        || lower.starts_with("bitcoincash:")
    {
        lower
    } else {
        a.to_string()
    }
}
