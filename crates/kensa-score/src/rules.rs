//! Custom rules: conditions written by the user in CEL (the Common Expression Language, via
//! the `cel` crate) over a subject's flags and features, that add a flag and so adjust the
//! score. Checked when the policy loads; a rule that fails to compile names its line.
//!
//! ```toml
//! [[rules]]
//! name = "crypto-and-off-platform"
//! when = 'flags.exists(f, f == "RF-PAY-CRYPTO") && "RF-COMMS-OFF-PLATFORM" in flags'
//! lr = 2.5          # above 1 raises the risk, below 1 lowers it
//! explanation = { en = "Asks for crypto and to leave the platform.", ja = "暗号資産と取引外を要求。" }
//! ```
//!
//! Variables a rule can read: `flags` (list of the raised flag ids), `strength` (map id →
//! strongest strength), `score` and `tier` (before rules), `subject` (map: `claimed_country`,
//! `claimed_timezone`, `nationality`, and `records.<kind>` counts).

use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// One `[[rules]]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    /// A CEL expression that yields a boolean.
    pub when: String,
    /// Likelihood ratio applied when the rule holds (the flag `KX-CUSTOM-RULE` is raised with
    /// strength 1 and this ratio).
    pub lr: f64,
    #[serde(default)]
    pub explanation: Option<kensa_model::Text>,
    #[serde(skip)]
    pub(crate) program: Compiled,
}

/// A compiled expression (not part of the policy's data).
#[derive(Clone, Default)]
pub struct Compiled(pub(crate) Option<Arc<cel::Program>>);

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "<compiled>"
        } else {
            "<not compiled>"
        })
    }
}

impl PartialEq for Compiled {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(cel::Env::stdlib())).clone()
}

/// Compiles a rule; the error is the parser's message.
pub fn compile(rule: &mut Rule) -> Result<(), String> {
    let program = env().compile(&rule.when).map_err(|e| e.to_string())?;
    rule.program = Compiled(Some(Arc::new(program)));
    Ok(())
}

/// Evaluates a rule against the variables; `Err` names what went wrong (e.g. a non-boolean).
pub fn holds(rule: &Rule, vars: &serde_json::Value) -> Result<bool, String> {
    let Some(program) = rule.program.0.as_ref() else {
        return Err("rule not compiled".into());
    };
    let mut ctx = cel::Context::with_env(env());
    if let serde_json::Value::Object(map) = vars {
        for (k, v) in map {
            ctx.add_variable(k.as_str(), v).map_err(|e| e.to_string())?;
        }
    }
    match program.execute(&ctx) {
        Ok(cel::Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!(
            "rule {:?} yields {other:?}, not a boolean",
            rule.name
        )),
        Err(e) => Err(format!("rule {:?}: {e}", rule.name)),
    }
}
