//! New punches become `punch.created` events. A cursor per company (set
//! when its first such endpoint is added) marks the last punch turned into
//! deliveries; moving it and queueing the events is one transaction, so a
//! crash neither skips nor repeats a punch. Punch writers stay unaware.
//! Each event says whether the punch was added by hand (`manual`); one
//! voided before its turn is not announced.

use crate::clock::Clock;
use crate::store::{Store, StoreError};

use super::payload;

/// Punches of one company turned into events per step, so one busy
/// company cannot hold up the others.
pub const PER_COMPANY: u32 = 200;

/// One pass over every company with a punch endpoint; returns how many
/// punches were turned into events.
pub async fn fan_out(store: &Store, clock: &Clock) -> Result<usize, StoreError> {
    let mut total = 0;
    for (company, from) in store.punch_cursors().await? {
        let punches = store.punches_after(company, from, PER_COMPANY).await?;
        let Some(last) = punches.last() else { continue };
        let to = last.punch.id.0;
        let now = clock.now();
        // A punch voided before it was announced never counted: it is
        // passed over (the cursor still moves past it).
        let events: Vec<_> = punches
            .iter()
            .filter(|p| !p.punch.voided)
            .map(|p| payload::punch_created(p, now))
            .collect();
        if store
            .advance_punch_cursor(company, from, to, &events)
            .await?
        {
            total += punches.len();
        }
    }
    Ok(total)
}
