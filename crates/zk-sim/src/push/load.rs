//! Steady load for benchmarks: punches spread evenly over a fleet, and
//! push devices made from the generated binary-protocol devices.

use super::fleet::PushFleet;
use super::spec::{PushSpec, PushUser};
use crate::DeviceSpec;
use std::time::Duration;
use zk_protocol::VerifyMethod;

impl PushSpec {
    /// A push device with the serial and users of a generated device, and
    /// no history (a device that just started calling the server).
    pub fn from_generated(g: &DeviceSpec) -> PushSpec {
        let mut s = PushSpec::new(&g.serial);
        s.name_encoding = g.name_encoding;
        s.users = g
            .users
            .iter()
            .map(|u| PushUser {
                pin: u.user_id.clone(),
                name: u.name.clone(),
                privilege: u.privilege,
                card: (u.card != 0).then_some(u64::from(u.card)),
                group: u32::from(u.group),
            })
            .collect();
        s
    }
}

/// Punch `per_second` times a second in total, round-robin over the fleet's
/// devices and their users, `per_second × duration` punches in all. The
/// count is fixed and only the pace follows the clock, so a loaded machine
/// makes the same punches, later. Returns the punches made.
pub async fn punch_steadily(fleet: &PushFleet, per_second: f64, duration: Duration) -> u64 {
    let devices = fleet.devices();
    if devices.is_empty() || per_second <= 0.0 {
        return 0;
    }
    let total = (per_second * duration.as_secs_f64()).round() as u64;
    let gap = Duration::from_secs_f64(1.0 / per_second);
    let mut tick = tokio::time::interval(gap);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for made in 0..total {
        tick.tick().await;
        let dev = &devices[(made % devices.len() as u64) as usize];
        let users = dev.users();
        let pin = users
            .get((made / devices.len() as u64) as usize % users.len().max(1))
            .map_or_else(|| "1".to_string(), |u| u.pin.clone());
        dev.punch(&pin, 0, VerifyMethod(1));
    }
    total
}
