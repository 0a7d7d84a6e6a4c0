//! Webhooks: configured URLs receive tier changes, subjects newly critical and decisions as
//! JSON, signed, retried with backoff, each delivery with an idempotency key, and a delivery
//! log an admin reads (`GET /v1/webhooks/deliveries`).
//!
//! Deliveries go through an outbox table (`kensa_store::accounts`): an event is written there
//! before it is sent, so a restart sends what is left and a receiver that was down gets it
//! later. A worker task sends due deliveries one by one; an answer 2xx marks one delivered,
//! anything else (or no answer) schedules a retry after `retry_base × 2^attempts` (at most an
//! hour) until `max_attempts`, then it is marked failed.
//!
//! **Signature.** Header `Kensa-Signature: t=UNIX_SECONDS,v1=HEX` where `HEX` is
//! HMAC-SHA256 under the shared secret of `"{t}." ‖ body`; receivers recompute it and refuse a
//! timestamp older than a few minutes (replay). `Idempotency-Key` is the same on every attempt
//! of one delivery; `Kensa-Event` names the event type.

use crate::AppState;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// Where and how to deliver.
#[derive(Clone)]
pub struct WebhookConfig {
    pub urls: Vec<String>,
    pub secret: Vec<u8>,
    /// The first retry's delay; each further one doubles it.
    pub retry_base: Duration,
    pub max_attempts: u32,
    /// Per attempt.
    pub timeout: Duration,
}

/// Never prints the secret.
impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("urls", &self.urls.len())
            .field("retry_base", &self.retry_base)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// The signature header value for a body sent at `t` (Unix seconds).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(format!("{t}.").as_bytes());
    m.update(body);
    format!("t={t},v1={}", hex::encode(m.finalize().into_bytes()))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Queues an event for every configured URL and wakes the worker. Events are about subjects
/// and decisions: their bodies carry ids, scores, tiers and flag ids — never names or other
/// personal data (a receiver that needs more asks the API with its own token).
///
/// Returns false when the event could not be queued (it is logged).
pub fn emit(state: &AppState, event: &str, data: serde_json::Value) -> bool {
    let Some(cfg) = &state.webhooks else {
        return true;
    };
    let body = serde_json::to_vec(&serde_json::json!({
        "type": event,
        "created_at": kensa_store::now_rfc3339(),
        "data": data,
    }))
    .expect("serialises");
    let Ok(mut acc) = state.accounts.lock() else {
        tracing::error!("cannot queue a webhook delivery: the accounts store stopped");
        return false;
    };
    let mut ok = true;
    for url in &cfg.urls {
        if let Err(e) = acc.enqueue_webhook(url, event, &body) {
            tracing::error!(error = %e, "cannot queue a webhook delivery");
            ok = false;
        }
    }
    drop(acc);
    state.webhook_wake.notify_one();
    ok
}

/// Sends due deliveries until the server stops.
pub async fn worker(state: Arc<AppState>) {
    let Some(cfg) = state.webhooks.clone() else {
        return;
    };
    loop {
        let due = {
            let Ok(acc) = state.accounts.lock() else {
                return;
            };
            acc.due_webhooks(now_ms(), 50).unwrap_or_default()
        };
        let idle = due.is_empty();
        for d in due {
            let cfg2 = cfg.clone();
            let body = d.body.clone();
            let (url, event, key) = (d.url.clone(), d.event.clone(), d.idempotency_key.clone());
            let outcome = tokio::task::spawn_blocking(move || {
                let t = now_ms() / 1000;
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(cfg2.timeout))
                    .build()
                    .into();
                agent
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("Kensa-Event", &event)
                    .header("Idempotency-Key", &key)
                    .header("Kensa-Signature", sign(&cfg2.secret, t, &body))
                    .send(&body[..])
                    .map(|r| r.status().as_u16())
            })
            .await;
            let (status, error) = match outcome {
                Ok(Ok(s)) => (Some(s as i64), None),
                Ok(Err(e)) => (None, Some(e.to_string())),
                Err(_) => (None, Some("delivery task failed".to_owned())),
            };
            let delivered = status.is_some_and(|s| (200..300).contains(&s));
            let attempts = d.attempts as u32 + 1;
            let retry_at = (!delivered && attempts < cfg.max_attempts).then(|| {
                let backoff = cfg
                    .retry_base
                    .saturating_mul(1u32 << (attempts - 1).min(20))
                    .min(Duration::from_secs(3600));
                now_ms() + backoff.as_millis() as i64
            });
            if !delivered {
                tracing::warn!(
                    delivery = d.id,
                    event = %d.event,
                    status,
                    attempts,
                    gave_up = retry_at.is_none(),
                    "webhook delivery failed"
                );
            }
            if let Ok(mut acc) = state.accounts.lock()
                && let Err(e) =
                    acc.webhook_attempt(d.id, status, error.as_deref(), delivered, retry_at)
            {
                tracing::error!(error = %e, "cannot record a webhook attempt");
            }
        }
        if idle {
            // Sleep until an event is queued or the next retry may be due.
            let _ = tokio::time::timeout(
                cfg.retry_base.min(Duration::from_secs(1)),
                state.webhook_wake.notified(),
            )
            .await;
        }
    }
}
