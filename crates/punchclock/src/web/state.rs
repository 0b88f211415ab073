//! What every handler can reach.

use std::sync::Arc;

use crate::alerts::AlertWatch;
use crate::billing::Billing;
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::sender::MailSender;
use crate::push::Receiver;
use crate::service::Services;
use crate::store::Store;
use crate::sync::Syncer;
use crate::webhooks::sender::WebhookSender;

/// The state of the web server.
#[derive(Clone)]
pub struct AppState {
    /// Everything handlers do goes through here.
    pub services: Services,
    /// Answers push devices (`/iclock/*`); they are not users, so they do
    /// not go through the services.
    pub push: Receiver,
    pub config: Arc<Config>,
    // The parts below the services, for the scheduler, the demo and tests.
    pub store: Store,
    pub syncer: Syncer,
    pub billing: Billing,
    pub clock: Clock,
    /// Sends the mail outbox; `None` while mail is off.
    pub mail_sender: Option<MailSender>,
    /// Delivers webhooks (and turns new punches into events).
    pub webhook_sender: WebhookSender,
    /// Opens and resolves device health alerts.
    pub alert_watch: AlertWatch,
}
