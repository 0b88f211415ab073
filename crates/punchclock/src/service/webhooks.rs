//! A company's webhook endpoints, their deliveries and attempts.

use rand::RngCore;

use super::error::{ServiceError, ServiceResult};
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::domain::{Delivery, DeliveryAttempt, DeliveryId, Webhook, WebhookEvent, WebhookId};
use crate::webhooks::url::WebhookUrl;

/// Endpoints one company may have.
pub const MAX_WEBHOOKS: usize = 10;

/// An endpoint as typed.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    /// Event names; empty or absent means all of them.
    pub events: Option<Vec<String>>,
}

/// A valid endpoint to add.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub events: Vec<WebhookEvent>,
}

impl WebhookInput {
    pub fn parse(&self, allow_private: bool) -> Result<NewWebhook, FieldErrors> {
        let mut e = FieldErrors::default();
        let url = match self.url.as_deref().map(str::trim) {
            None | Some("") => {
                e.add("url", "Enter the URL to send events to.");
                None
            }
            Some(u) => e.check("url", WebhookUrl::parse(u, allow_private)),
        };
        let events = self.events();
        let events = e.check("events", events);
        e.finish(|| {
            Some(NewWebhook {
                url: url?,
                events: events?,
            })
        })
    }

    fn events(&self) -> Result<Vec<WebhookEvent>, String> {
        let names = self.events.clone().unwrap_or_default();
        if names.is_empty() {
            return Ok(WebhookEvent::ALL.to_vec());
        }
        let mut out: Vec<WebhookEvent> = Vec::new();
        for n in &names {
            let ev: WebhookEvent = n.trim().parse().map_err(|_| {
                let known: Vec<&str> = WebhookEvent::ALL.iter().map(|e| e.as_str()).collect();
                format!("Unknown event; use {}.", known.join(", "))
            })?;
            if !out.contains(&ev) {
                out.push(ev);
            }
        }
        Ok(out)
    }
}

/// A new endpoint and its signing secret, shown this once.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

impl Services {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }
}

/// Webhook operations; see [`Services::webhooks`].
pub struct Webhooks<'a>(&'a Services);

impl Webhooks<'_> {
    pub async fn list(&self, caller: &Caller) -> ServiceResult<Vec<Webhook>> {
        Ok(self.0.store.list_webhooks(caller.company_id).await?)
    }

    /// Adds an endpoint after resolving its host through the guard.
    pub async fn create(&self, caller: &Caller, new: NewWebhook) -> ServiceResult<CreatedWebhook> {
        self.0.require_good_standing(caller).await?;
        let allow = self.0.settings.allow_private_webhook_addresses;
        new.url
            .vet(allow)
            .await
            .map_err(|e| ServiceError::field("url", e))?;
        if self.list(caller).await?.len() >= MAX_WEBHOOKS {
            let msg = format!("A company can have at most {MAX_WEBHOOKS} webhooks.");
            return Err(ServiceError::conflict("url", msg));
        }
        let secret = new_secret();
        let webhook = self
            .0
            .store
            .create_webhook(caller.company_id, new.url.as_str(), &secret, &new.events)
            .await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    pub async fn delete(&self, caller: &Caller, id: WebhookId) -> ServiceResult<()> {
        Ok(self.0.store.delete_webhook(caller.company_id, id).await?)
    }

    /// The endpoint's most recent deliveries, newest first.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        id: WebhookId,
        limit: u32,
    ) -> ServiceResult<(Webhook, Vec<Delivery>)> {
        let webhook = self.0.store.get_webhook(caller.company_id, id).await?;
        let items = self
            .0
            .store
            .list_deliveries(caller.company_id, id, limit.clamp(1, 500))
            .await?;
        Ok((webhook, items))
    }

    pub async fn attempts(
        &self,
        caller: &Caller,
        delivery: DeliveryId,
    ) -> ServiceResult<Vec<DeliveryAttempt>> {
        Ok(self
            .0
            .store
            .delivery_attempts(caller.company_id, delivery)
            .await?)
    }

    /// Sends a delivery again (by the job, at once, retried for 24 h).
    pub async fn resend(
        &self,
        caller: &Caller,
        webhook: WebhookId,
        delivery: DeliveryId,
    ) -> ServiceResult<Delivery> {
        Ok(self
            .0
            .store
            .resend_delivery(caller.company_id, webhook, delivery)
            .await?)
    }
}

/// `whsec_` and 32 random bytes in hex.
fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("whsec_{}", hex::encode(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_default_to_all_and_unknown_ones_are_named() {
        let all = WebhookInput {
            url: Some("https://hooks.example.com/x".into()),
            events: None,
        };
        assert_eq!(all.parse(false).unwrap().events, WebhookEvent::ALL);
        let some = WebhookInput {
            url: Some("https://hooks.example.com/x".into()),
            events: Some(vec!["device.offline".into(), "punch.created".into()]),
        };
        let ev = some.parse(false).unwrap().events;
        assert_eq!(
            ev,
            [WebhookEvent::DeviceOffline, WebhookEvent::PunchCreated]
        );
        let bad = WebhookInput {
            url: Some("http://10.0.0.1/".into()),
            events: Some(vec!["punch.deleted".into()]),
        };
        let e = bad.parse(false).unwrap_err();
        assert!(e.get("url").unwrap().contains("https"), "{e}");
        assert!(e.get("events").unwrap().contains("punch.created"), "{e}");
    }
}
