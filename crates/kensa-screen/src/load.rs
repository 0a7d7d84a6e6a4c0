//! Loaders for the official list formats, with format detection from file content.

use crate::error::ScreenError;
use crate::model::{
    Address, BirthDate, EntityKind, Entry, ListFormat, ListSummary, Wallet, country_code,
};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The list name given to OFAC SDN entries.
pub const OFAC_LIST: &str = "OFAC-SDN";
/// The list name given to UN consolidated-list entries.
pub const UN_LIST: &str = "UN-SC";
/// The list name given to OpenSanctions FollowTheMoney entities.
pub const FTM_LIST: &str = "OpenSanctions";

/// The kind of one file, recognised from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    OfacSdn,
    OfacAlt,
    OfacAdd,
    UnXml,
    Ftm,
    Custom,
}

/// Recognises a list file from its first bytes.
pub(crate) fn detect(path: &Path, text: &str) -> Result<FileKind, ScreenError> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<?xml") || head.starts_with("<CONSOLIDATED_LIST") {
        return Ok(FileKind::UnXml);
    }
    let first_line = head.lines().next().unwrap_or("");
    if first_line.starts_with('{') {
        if first_line.contains("\"schema\"") {
            return Ok(FileKind::Ftm);
        }
        return Err(ScreenError::UnknownFormat {
            path: path.to_path_buf(),
            reason: "JSON lines without a FollowTheMoney \"schema\" field".into(),
        });
    }
    let lower = first_line.to_ascii_lowercase();
    if lower.starts_with("id,name") {
        return Ok(FileKind::Custom);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(first_line.as_bytes());
    if let Some(Ok(rec)) = rdr.records().next() {
        let numeric = rec
            .get(0)
            .is_some_and(|f| !f.trim().is_empty() && f.trim().chars().all(|c| c.is_ascii_digit()));
        if numeric {
            match rec.len() {
                12 => return Ok(FileKind::OfacSdn),
                5 => return Ok(FileKind::OfacAlt),
                6 => return Ok(FileKind::OfacAdd),
                _ => {}
            }
        }
    }
    Err(ScreenError::UnknownFormat {
        path: path.to_path_buf(),
        reason: format!(
            "first line {:?} is not OFAC sdn/alt/add CSV, UN XML, FollowTheMoney JSON or an id,name,... CSV",
            first_line.chars().take(80).collect::<String>()
        ),
    })
}

/// OFAC writes `-0- ` for an empty field.
fn ofac_field(s: Option<&str>) -> String {
    let t = s.unwrap_or("").trim();
    if t == "-0-" {
        String::new()
    } else {
        t.to_string()
    }
}

fn csv_records(path: &Path, text: &str) -> Vec<Result<(u64, csv::StringRecord), ScreenError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map(|p| p.line()).unwrap_or(0);
                // OFAC files may end with a lone DOS end-of-file byte.
                if r.len() <= 1
                    && r.get(0)
                        .is_none_or(|f| f.trim().trim_matches('\u{1a}').is_empty())
                {
                    continue;
                }
                out.push(Ok((line, r)));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.push(Err(ScreenError::parse(
                    path,
                    line,
                    format!("bad CSV record: {e}"),
                )));
            }
        }
    }
    out
}

/// Information extracted from an OFAC remarks field.
#[derive(Debug, Default)]
pub(crate) struct Remarks {
    /// The remarks' a.k.a.s: OFAC's weak aliases (strong ones are in `alt.csv`).
    pub weak_aliases: Vec<String>,
    /// `Gender Male` / `Gender Female`.
    pub gender: Option<char>,
    pub birth_dates: Vec<BirthDate>,
    pub nationalities: Vec<String>,
    pub countries: Vec<String>,
    pub wallets: Vec<Wallet>,
}

/// Parses the semicolon-separated remarks of an OFAC SDN row.
pub(crate) fn parse_remarks(remarks: &str) -> Remarks {
    let mut r = Remarks::default();
    // OFAC's published files cut remarks at 1000 characters; a last item without the closing
    // full stop may be truncated, so wallets in it are not trusted.
    let complete = remarks.trim_end().ends_with('.');
    let items: Vec<&str> = remarks.split(';').map(str::trim).collect();
    let n = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let last = i + 1 == n;
        let item = if last {
            item.trim_end_matches('.')
        } else {
            item
        };
        let lower = item.to_ascii_lowercase();
        let body = lower.strip_prefix("alt. ").unwrap_or(&lower);
        let orig_body = if lower.starts_with("alt. ") {
            &item[5..]
        } else {
            item
        };
        if let Some(g) = body.strip_prefix("gender ") {
            r.gender = crate::model::gender_code(g);
        } else if let Some(d) = body.strip_prefix("dob ") {
            if let Some(bd) = BirthDate::parse(d) {
                r.birth_dates.push(bd);
            }
        } else if body.starts_with("nationality of registration ") {
            r.countries.push(country_code(&orig_body[28..]));
        } else if let Some(rest) = body
            .strip_prefix("nationality ")
            .or_else(|| body.strip_prefix("citizen "))
        {
            let start = orig_body.len() - rest.len();
            r.nationalities.push(country_code(&orig_body[start..]));
        } else if body.starts_with("a.k.a.")
            || body.starts_with("f.k.a.")
            || body.starts_with("n.k.a.")
        {
            // Aliases are quoted: a.k.a. 'KOMID'. In OFAC's CSV files the remarks carry the weak
            // aliases only ("low quality a.k.a."); strong ones are rows of `alt.csv`.
            let rest = &orig_body[6..];
            let mut parts = rest.split('\'');
            parts.next();
            if let Some(a) = parts.next() {
                let a = a.trim();
                if !a.is_empty() {
                    r.weak_aliases.push(a.to_string());
                }
            }
        } else if let Some(rest) = body.strip_prefix("digital currency address - ") {
            if last && !complete {
                continue;
            }
            let start = orig_body.len() - rest.len();
            let rest = &orig_body[start..];
            let mut words = rest.split_whitespace();
            if let (Some(cur), Some(addr)) = (words.next(), words.next()) {
                r.wallets.push(Wallet {
                    currency: cur.to_ascii_uppercase(),
                    address: addr.trim_end_matches('.').to_string(),
                });
            }
        }
    }
    r
}

fn ofac_kind(t: &str) -> EntityKind {
    match t.trim().to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Individual,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        "" => EntityKind::Entity,
        _ => EntityKind::Unknown,
    }
}

/// OFAC programme fields look like `NPWMD] [DPRK2`.
fn ofac_programs(p: &str) -> Vec<String> {
    p.split(['[', ']'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

struct Loaded {
    entries: Vec<Entry>,
    summary: ListSummary,
}

fn load_ofac(
    sdn: &[(PathBuf, String)],
    alt: &[(PathBuf, String)],
    add: &[(PathBuf, String)],
) -> Result<Loaded, ScreenError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (path, text) in sdn {
        for rec in csv_records(path, text) {
            let (line, rec) = rec?;
            if rec.len() < 12 {
                return Err(ScreenError::parse(
                    path,
                    line,
                    format!("OFAC sdn row has {} fields, expected 12", rec.len()),
                ));
            }
            let id = ofac_field(rec.get(0));
            let name = ofac_field(rec.get(1));
            if id.is_empty() || name.is_empty() {
                return Err(ScreenError::parse(
                    path,
                    line,
                    "OFAC sdn row without ent_num or name",
                ));
            }
            let remarks = parse_remarks(&ofac_field(rec.get(11)));
            let mut countries = remarks.countries;
            let flag = ofac_field(rec.get(9));
            if !flag.is_empty() {
                countries.push(country_code(&flag));
            }
            let e = Entry {
                list: OFAC_LIST.to_string(),
                id: id.clone(),
                kind: ofac_kind(&ofac_field(rec.get(2))),
                name,
                aliases: Vec::new(),
                weak_aliases: remarks.weak_aliases,
                gender: remarks.gender,
                programs: ofac_programs(&ofac_field(rec.get(3))),
                reference: None,
                birth_dates: remarks.birth_dates,
                nationalities: remarks.nationalities,
                countries,
                addresses: Vec::new(),
                wallets: remarks.wallets,
            };
            by_id.entry(id).or_default().push(entries.len());
            entries.push(e);
        }
    }
    let mut orphans = 0;
    for (path, text) in alt {
        for rec in csv_records(path, text) {
            let (line, rec) = rec?;
            if rec.len() < 4 {
                return Err(ScreenError::parse(
                    path,
                    line,
                    format!("OFAC alt row has {} fields, expected 5", rec.len()),
                ));
            }
            let id = ofac_field(rec.get(0));
            let alias = ofac_field(rec.get(3));
            if alias.is_empty() {
                continue;
            }
            match by_id.get(&id) {
                Some(idx) => {
                    for &i in idx {
                        if !entries[i].aliases.contains(&alias) {
                            entries[i].aliases.push(alias.clone());
                        }
                    }
                }
                None => orphans += 1,
            }
        }
    }
    for (path, text) in add {
        for rec in csv_records(path, text) {
            let (line, rec) = rec?;
            if rec.len() < 5 {
                return Err(ScreenError::parse(
                    path,
                    line,
                    format!("OFAC add row has {} fields, expected 6", rec.len()),
                ));
            }
            let id = ofac_field(rec.get(0));
            let a = Address {
                line: ofac_field(rec.get(2)),
                city: ofac_field(rec.get(3)),
                country: ofac_field(rec.get(4)),
            };
            match by_id.get(&id) {
                Some(idx) => {
                    for &i in idx {
                        if !a.country.is_empty() {
                            let c = country_code(&a.country);
                            if !entries[i].countries.contains(&c) {
                                entries[i].countries.push(c);
                            }
                        }
                        entries[i].addresses.push(a.clone());
                    }
                }
                None => orphans += 1,
            }
        }
    }
    let files = sdn
        .iter()
        .chain(alt)
        .chain(add)
        .map(|(p, _)| p.clone())
        .collect();
    let summary = summarise(OFAC_LIST, ListFormat::OfacCsv, files, &entries, orphans, 0);
    Ok(Loaded { entries, summary })
}

fn summarise(
    list: &str,
    format: ListFormat,
    files: Vec<PathBuf>,
    entries: &[Entry],
    orphans: usize,
    skipped: usize,
) -> ListSummary {
    ListSummary {
        list: list.to_string(),
        format,
        files,
        entries: entries.len(),
        aliases: entries.iter().map(|e| e.aliases.len()).sum(),
        weak_aliases: entries.iter().map(|e| e.weak_aliases.len()).sum(),
        wallets: entries.iter().map(|e| e.wallets.len()).sum(),
        orphans,
        skipped,
    }
}

#[derive(Default)]
struct UnDob {
    kind: String,
    date: String,
    year: String,
    from: String,
    to: String,
}

fn load_un(path: &Path, text: &str) -> Result<Loaded, ScreenError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    let mut cur: Option<(Entry, [String; 4])> = None;
    let mut dob = UnDob::default();
    // The alias being read: (quality, name); a `Low` quality alias is weak.
    let mut alias: (String, Option<String>) = Default::default();
    let line_of = |pos: u64| {
        text.as_bytes()[..(pos as usize).min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1
    };
    loop {
        let ev = reader.read_event();
        match ev {
            Err(e) => {
                let pos = reader.error_position();
                return Err(ScreenError::parse(
                    path,
                    line_of(pos),
                    format!("bad XML: {e}"),
                ));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(s)) => {
                let name = String::from_utf8_lossy(s.name().as_ref()).into_owned();
                match name.as_str() {
                    "INDIVIDUAL" | "ENTITY" => {
                        let kind = if name == "INDIVIDUAL" {
                            EntityKind::Individual
                        } else {
                            EntityKind::Entity
                        };
                        cur = Some((
                            Entry {
                                list: UN_LIST.to_string(),
                                kind,
                                ..Entry::default()
                            },
                            Default::default(),
                        ));
                    }
                    "INDIVIDUAL_DATE_OF_BIRTH" => dob = UnDob::default(),
                    "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => alias = Default::default(),
                    _ => {}
                }
                stack.push(name);
            }
            Ok(Event::End(_)) => {
                let name = stack.pop().unwrap_or_default();
                match name.as_str() {
                    "INDIVIDUAL" | "ENTITY" => {
                        if let Some((mut e, parts)) = cur.take() {
                            e.name = parts
                                .iter()
                                .filter(|p| !p.is_empty())
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(" ");
                            if e.name.is_empty() {
                                if e.aliases.is_empty() {
                                    continue;
                                }
                                e.name = e.aliases.remove(0);
                            }
                            entries.push(e);
                        }
                    }
                    "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
                        if let (Some((e, _)), Some(name)) = (cur.as_mut(), alias.1.take()) {
                            let weak = alias.0.eq_ignore_ascii_case("low");
                            let to = if weak {
                                &mut e.weak_aliases
                            } else {
                                &mut e.aliases
                            };
                            if !to.contains(&name) {
                                to.push(name);
                            }
                        }
                    }
                    "INDIVIDUAL_DATE_OF_BIRTH" => {
                        if let Some((e, _)) = cur.as_mut() {
                            let text = if !dob.date.is_empty() {
                                dob.date.clone()
                            } else if !dob.from.is_empty() && !dob.to.is_empty() {
                                format!("{} to {}", dob.from, dob.to)
                            } else {
                                dob.year.clone()
                            };
                            if let Some(mut bd) = BirthDate::parse(&text) {
                                bd.circa = dob.kind.eq_ignore_ascii_case("APPROXIMATELY");
                                e.birth_dates.push(bd);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                let Some((e, parts)) = cur.as_mut() else {
                    continue;
                };
                let value = match t.unescape() {
                    Ok(v) => v.trim().to_string(),
                    Err(err) => {
                        return Err(ScreenError::parse(
                            path,
                            line_of(reader.buffer_position()),
                            format!("bad XML text: {err}"),
                        ));
                    }
                };
                if value.is_empty() {
                    continue;
                }
                let tag = stack.last().map(String::as_str).unwrap_or("");
                let parent = if stack.len() >= 2 {
                    stack[stack.len() - 2].as_str()
                } else {
                    ""
                };
                match (parent, tag) {
                    (_, "DATAID") => e.id = value,
                    (_, "FIRST_NAME") => parts[0] = value,
                    (_, "SECOND_NAME") => parts[1] = value,
                    (_, "THIRD_NAME") => parts[2] = value,
                    (_, "FOURTH_NAME") => parts[3] = value,
                    (_, "NAME_ORIGINAL_SCRIPT") => e.aliases.push(value),
                    (_, "UN_LIST_TYPE") => e.programs.push(value),
                    (_, "GENDER") => e.gender = crate::model::gender_code(&value),
                    (_, "REFERENCE_NUMBER") => e.reference = Some(value),
                    ("NATIONALITY", "VALUE") => e.nationalities.push(country_code(&value)),
                    ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "ALIAS_NAME") => alias.1 = Some(value),
                    ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "QUALITY") => alias.0 = value,
                    ("INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS", "COUNTRY") => {
                        let c = country_code(&value);
                        if !e.countries.contains(&c) {
                            e.countries.push(c);
                        }
                        e.addresses.push(Address {
                            country: value,
                            ..Address::default()
                        });
                    }
                    ("INDIVIDUAL_DATE_OF_BIRTH", "TYPE_OF_DATE") => dob.kind = value,
                    ("INDIVIDUAL_DATE_OF_BIRTH", "DATE") => dob.date = value,
                    ("INDIVIDUAL_DATE_OF_BIRTH", "YEAR") => dob.year = value,
                    ("INDIVIDUAL_DATE_OF_BIRTH", "FROM_YEAR") => dob.from = value,
                    ("INDIVIDUAL_DATE_OF_BIRTH", "TO_YEAR") => dob.to = value,
                    _ => {}
                }
            }
            Ok(_) => {}
        }
    }
    if entries.is_empty() {
        return Err(ScreenError::parse(
            path,
            0,
            "UN XML contains no INDIVIDUAL or ENTITY",
        ));
    }
    let summary = summarise(
        UN_LIST,
        ListFormat::UnXml,
        vec![path.to_path_buf()],
        &entries,
        0,
        0,
    );
    Ok(Loaded { entries, summary })
}

fn json_strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

fn load_ftm(path: &Path, text: &str) -> Result<Loaded, ScreenError> {
    let mut entries = Vec::new();
    let mut skipped = 0;
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| ScreenError::parse(path, line_no, format!("bad JSON: {e}")))?;
        let schema = v.get("schema").and_then(|s| s.as_str()).unwrap_or("");
        let kind = match schema {
            "Person" => EntityKind::Individual,
            "Company" | "Organization" | "LegalEntity" | "PublicBody" => EntityKind::Entity,
            "Vessel" => EntityKind::Vessel,
            "Airplane" => EntityKind::Aircraft,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let id = v
            .get("id")
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string();
        if id.is_empty() {
            return Err(ScreenError::parse(
                path,
                line_no,
                "FollowTheMoney entity without id",
            ));
        }
        let empty = serde_json::Value::Null;
        let props = v.get("properties").unwrap_or(&empty);
        let mut names = json_strings(props, "name");
        let caption = v
            .get("caption")
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .trim()
            .to_string();
        let primary = if !caption.is_empty() {
            caption
        } else if !names.is_empty() {
            names.remove(0)
        } else {
            return Err(ScreenError::parse(
                path,
                line_no,
                format!("FollowTheMoney entity {id} has no name"),
            ));
        };
        let mut aliases: Vec<String> = Vec::new();
        for a in names
            .into_iter()
            .chain(json_strings(props, "alias"))
            .chain(json_strings(props, "previousName"))
        {
            if a != primary && !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        let weak_aliases: Vec<String> = json_strings(props, "weakAlias")
            .into_iter()
            .filter(|a| *a != primary && !aliases.contains(a))
            .collect();
        let mut programs = json_strings(props, "topics");
        programs.extend(json_strings(props, "program"));
        let mut countries: Vec<String> = json_strings(props, "country")
            .iter()
            .map(|c| country_code(c))
            .collect();
        countries.extend(
            json_strings(props, "jurisdiction")
                .iter()
                .map(|c| country_code(c)),
        );
        let wallets = json_strings(props, "publicKey")
            .into_iter()
            .map(|a| Wallet {
                currency: json_strings(props, "currency")
                    .first()
                    .cloned()
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
                address: a,
            })
            .collect();
        entries.push(Entry {
            list: FTM_LIST.to_string(),
            id,
            kind,
            name: primary,
            aliases,
            weak_aliases,
            gender: json_strings(props, "gender")
                .first()
                .and_then(|g| crate::model::gender_code(g)),
            programs,
            reference: None,
            birth_dates: json_strings(props, "birthDate")
                .iter()
                .filter_map(|d| BirthDate::parse(d))
                .collect(),
            nationalities: json_strings(props, "nationality")
                .iter()
                .map(|c| country_code(c))
                .collect(),
            countries,
            addresses: Vec::new(),
            wallets,
        });
    }
    let summary = summarise(
        FTM_LIST,
        ListFormat::FtmJson,
        vec![path.to_path_buf()],
        &entries,
        0,
        skipped,
    );
    Ok(Loaded { entries, summary })
}

fn split_pipe(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn load_custom(path: &Path, text: &str) -> Result<Loaded, ScreenError> {
    let list = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "custom".into());
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| ScreenError::parse(path, 1, format!("bad CSV header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(c_id), Some(c_name)) = (col("id"), col("name")) else {
        return Err(ScreenError::parse(
            path,
            1,
            "custom list header must start with id,name",
        ));
    };
    let (c_alias, c_dob, c_nat, c_wal, c_prog) = (
        col("aliases"),
        col("birth_date"),
        col("nationality"),
        col("wallets"),
        col("programs"),
    );
    let mut entries = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            ScreenError::parse(
                path,
                e.position().map(|p| p.line()).unwrap_or(0),
                format!("bad CSV record: {e}"),
            )
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i));
        let id = get(Some(c_id)).unwrap_or("").trim().to_string();
        let name = get(Some(c_name)).unwrap_or("").trim().to_string();
        if id.is_empty() && name.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(ScreenError::parse(
                path,
                line,
                format!("entry {id} has no name"),
            ));
        }
        let wallets = split_pipe(get(c_wal))
            .into_iter()
            .map(|w| match w.split_once(':') {
                Some((cur, addr)) if cur.len() <= 6 && !cur.is_empty() => Wallet {
                    currency: cur.to_ascii_uppercase(),
                    address: addr.trim().to_string(),
                },
                _ => Wallet {
                    currency: String::new(),
                    address: w,
                },
            })
            .collect();
        entries.push(Entry {
            list: list.clone(),
            id: if id.is_empty() {
                format!("line-{line}")
            } else {
                id
            },
            kind: EntityKind::Unknown,
            name,
            aliases: split_pipe(get(c_alias)),
            weak_aliases: Vec::new(),
            gender: None,
            programs: split_pipe(get(c_prog)),
            reference: None,
            birth_dates: split_pipe(get(c_dob))
                .iter()
                .filter_map(|d| BirthDate::parse(d))
                .collect(),
            nationalities: split_pipe(get(c_nat))
                .iter()
                .map(|c| country_code(c))
                .collect(),
            countries: Vec::new(),
            addresses: Vec::new(),
            wallets,
        });
    }
    let summary = summarise(
        &list,
        ListFormat::CustomCsv,
        vec![path.to_path_buf()],
        &entries,
        0,
        0,
    );
    Ok(Loaded { entries, summary })
}

/// Loads every file, recognising each format from its content, and joins OFAC sdn/alt/add
/// files given together by `ent_num`.
pub(crate) fn load_all(paths: &[PathBuf]) -> Result<(Vec<Entry>, Vec<ListSummary>), ScreenError> {
    let mut sdn = Vec::new();
    let mut alt = Vec::new();
    let mut add = Vec::new();
    let mut entries = Vec::new();
    let mut summaries = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| ScreenError::io(path, e))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            // Older OFAC files are Windows-1252; keep what decodes and replace the rest.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let text = text.trim_start_matches('\u{feff}').to_string();
        let loaded = match detect(path, &text)? {
            FileKind::OfacSdn => {
                sdn.push((path.clone(), text));
                continue;
            }
            FileKind::OfacAlt => {
                alt.push((path.clone(), text));
                continue;
            }
            FileKind::OfacAdd => {
                add.push((path.clone(), text));
                continue;
            }
            FileKind::UnXml => load_un(path, &text)?,
            FileKind::Ftm => load_ftm(path, &text)?,
            FileKind::Custom => load_custom(path, &text)?,
        };
        entries.extend(loaded.entries);
        summaries.push(loaded.summary);
    }
    if !sdn.is_empty() || !alt.is_empty() || !add.is_empty() {
        if sdn.is_empty() {
            let path = alt
                .first()
                .or(add.first())
                .map(|(p, _)| p.clone())
                .unwrap_or_default();
            return Err(ScreenError::UnknownFormat {
                path,
                reason: "OFAC alt.csv/add.csv given without the sdn.csv they refer to".into(),
            });
        }
        let loaded = load_ofac(&sdn, &alt, &add)?;
        entries.splice(0..0, loaded.entries);
        summaries.insert(0, loaded.summary);
    }
    Ok((entries, summaries))
}
