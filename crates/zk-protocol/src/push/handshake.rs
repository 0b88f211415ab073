//! The answer to `GET /iclock/cdata?SN=…&options=all` (adms-push.md §2.2,
//! §2.3): `GET OPTION FROM: <SN>` and `Key=Value` lines.

use super::query::{DeviceParams, PushVersion};
use super::timezone::TimeZoneOption;

/// Resume markers per table, as stored from the device's uploads. `None`
/// is sent as `0` ("send everything", adms-push.md §5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamps {
    pub attlog: Option<String>,
    pub operlog: Option<String>,
    pub attphoto: Option<String>,
}

/// The option block for a 2.x (attendance) device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    pub stamps: Stamps,
    /// Seconds before reconnecting after a network failure (30–300).
    pub error_delay: u32,
    /// Seconds between `getrequest` polls (2–60); "online" is judged by it.
    pub delay: u32,
    /// Fixed upload times `hh:mm`, at most 10.
    pub trans_times: Vec<(u8, u8)>,
    /// Minutes between checks for new data when not in real time.
    pub trans_interval: u32,
    /// Upload each record at once.
    pub realtime: bool,
    pub time_zone: TimeZoneOption,
    /// Our protocol release; the device uses the lower of it and its own.
    pub server_version: PushVersion,
}

/// The TransFlag string form A40 advises servers to send.
pub const TRANS_FLAG: &str =
    "TransData AttLog\tOpLog\tAttPhoto\tEnrollUser\tChgUser\tEnrollFP\tChgFP";

impl Handshake {
    /// Sensible defaults (the consensus block of §2.3) for `time_zone`.
    pub fn new(time_zone: TimeZoneOption) -> Handshake {
        Handshake {
            stamps: Stamps::default(),
            error_delay: 30,
            delay: 10,
            trans_times: vec![(0, 0), (14, 5)],
            trans_interval: 1,
            realtime: true,
            time_zone,
            server_version: PushVersion(2, 4, 1),
        }
    }

    /// The response body. Firmware without `pushver` gets the PUSH 1.0
    /// stamp names (`Stamp`, `OpStamp`, `PhotoStamp`), as ZKTeco's own
    /// server did (IC2010).
    pub fn render(&self, device: &DeviceParams) -> String {
        let stamp = |s: &Option<String>| clean(s.as_deref().unwrap_or("0"));
        let names = if device.push_version.is_some() {
            ["ATTLOGStamp", "OPERLOGStamp", "ATTPHOTOStamp"]
        } else {
            ["Stamp", "OpStamp", "PhotoStamp"]
        };
        let mut out = format!("GET OPTION FROM: {}\n", device.serial);
        for (name, value) in names.iter().zip([
            &self.stamps.attlog,
            &self.stamps.operlog,
            &self.stamps.attphoto,
        ]) {
            out.push_str(&format!("{name}={}\n", stamp(value)));
        }
        out.push_str(&format!("ErrorDelay={}\n", self.error_delay));
        out.push_str(&format!("Delay={}\n", self.delay));
        out.push_str(&format!("TransTimes={}\n", trans_times(&self.trans_times)));
        out.push_str(&format!("TransInterval={}\n", self.trans_interval));
        out.push_str(&format!("TransFlag={TRANS_FLAG}\n"));
        out.push_str(&format!("TimeZone={}\n", self.time_zone));
        out.push_str(&format!("Realtime={}\n", u8::from(self.realtime)));
        out.push_str("Encrypt=0\n");
        out.push_str(&format!("ServerVer={}\n", self.server_version));
        out.push_str(&format!("PushProtVer={}\n", self.server_version));
        out.push('\n');
        out
    }
}

/// `00:00;14:05`; at most 10 entries (A40).
pub(crate) fn trans_times(times: &[(u8, u8)]) -> String {
    let list: Vec<String> = times
        .iter()
        .take(10)
        .map(|(h, m)| format!("{:02}:{:02}", h % 24, m % 60))
        .collect();
    list.join(";")
}

/// A value stored from device input, made safe to echo in a `Key=Value`
/// line: no control characters (no line injection), at most 64 characters.
pub(crate) fn clean(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// The options a device sends back in its handshake answer, parsed (the
/// device's side: the simulator reads these).
pub fn parse_options(body: &str) -> Vec<(String, String)> {
    body.lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect()
}
