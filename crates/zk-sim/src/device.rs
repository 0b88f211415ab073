//! The device side of one session: requests in, answers out, no I/O.
//!
//! A TCP connection owns one [`Connection`]; over UDP there is one per peer
//! address that sent CONNECT.

use crate::answer::Answer;
use crate::care;
use crate::clock;
use crate::faults::Faults;
use crate::state::DeviceState;
use crate::store::{Snapshot, TableLayout};
use std::sync::atomic::Ordering;
use zk_protocol::buffer::{
    data_stat, parse_prepare_request, parse_read_request, prepare_data, Table, TCP_DATA_PACKET,
    UDP_DATA_PACKET,
};
use zk_protocol::command::*;
use zk_protocol::commkey::verify_commkey;
use zk_protocol::event::{encode_attlog_12, encode_attlog_32, LiveAttendance};
use zk_protocol::{options, DeviceTime, Packet, Punch, PunchLayout, Transport, UserLayout};

/// One session's state.
#[derive(Debug)]
pub(crate) struct Connection {
    transport: Transport,
    /// 0 until CONNECT.
    session: u16,
    authed: bool,
    event_mask: u32,
    snapshot: Option<Snapshot>,
}

impl Connection {
    pub(crate) fn new(transport: Transport) -> Connection {
        Connection {
            transport,
            session: 0,
            authed: false,
            event_mask: 0,
            snapshot: None,
        }
    }

    /// Live attendance events were asked for.
    pub(crate) fn wants_events(&self) -> bool {
        self.session != 0 && u32::from(EF_ATTLOG) & self.event_mask != 0
    }

    /// The EF_ATTLOG event announcing `p`: session field = event code, reply 0.
    pub(crate) fn event(&self, p: &Punch) -> Option<Packet> {
        let ev = LiveAttendance {
            user_id: p.user_id.clone(),
            status: p.status,
            punch: p.punch,
            time: p.time,
        };
        // pyzk 0.9 reads 12-byte events over UDP; a non-numeric id only fits the 32-byte form.
        let data = match self.transport {
            Transport::Udp => encode_attlog_12(&ev).or_else(|_| encode_attlog_32(&ev)),
            Transport::Tcp => encode_attlog_32(&ev),
        };
        match data {
            Ok(d) => Some(Packet::new(CMD_REG_EVENT, EF_ATTLOG, 0, d)),
            Err(e) => {
                tracing::warn!(error = %e, "punch cannot be sent as a live event");
                None
            }
        }
    }

    /// The session id replies carry (a different one under `wrong_session`).
    fn reply_session(&self, faults: &Faults) -> u16 {
        if faults.wrong_session {
            match self.session ^ 0x5A5A {
                0 => 0xA5A5,
                s => s,
            }
        } else {
            self.session
        }
    }

    /// A request whose checksum failed: ACK_ERROR, except for the client's
    /// own ACK_OK, which is never answered.
    pub(crate) fn handle_corrupt(
        &self,
        command: u16,
        reply: u16,
        faults: &Faults,
    ) -> Option<Answer> {
        (command != CMD_ACK_OK).then(|| {
            Answer::one(Packet::new(
                CMD_ACK_ERROR,
                self.reply_session(faults),
                reply,
                vec![],
            ))
        })
    }

    /// Answer one request; `None` means send nothing.
    pub(crate) fn handle(
        &mut self,
        dev: &DeviceState,
        faults: &Faults,
        req: &Packet,
    ) -> Option<Answer> {
        tracing::trace!(
            command = name(req.command),
            code = req.command,
            reply = req.reply,
            len = req.data.len(),
            transport = %self.transport,
            "request"
        );
        let sid = self.reply_session(faults);
        let ack =
            |code: u16, data: Vec<u8>| Some(Answer::one(Packet::new(code, sid, req.reply, data)));
        match req.command {
            // Event acknowledgements: answering them makes pyzk ping-pong forever.
            CMD_ACK_OK => return None,
            CMD_CONNECT => {
                // A second CONNECT on the same connection keeps the id.
                if self.session == 0 {
                    self.session = rand::random::<u16>().max(1);
                }
                let code = if dev.comm_key().is_none() || self.authed {
                    CMD_ACK_OK
                } else {
                    CMD_ACK_UNAUTH
                };
                // The reply to CONNECT carries the id being handed out.
                return Some(Answer::one(Packet::new(
                    code,
                    self.session,
                    req.reply,
                    vec![],
                )));
            }
            CMD_AUTH => {
                if self.session == 0 {
                    return ack(CMD_ACK_UNAUTH, vec![]);
                }
                self.authed = match dev.comm_key() {
                    None => true,
                    Some(key) => verify_commkey(key, self.session, &req.data),
                };
                return ack(
                    if self.authed {
                        CMD_ACK_OK
                    } else {
                        CMD_ACK_UNAUTH
                    },
                    vec![],
                );
            }
            _ => {}
        }
        let closing = req.command == CMD_EXIT;
        let close = |a: Option<Answer>| a.map(|a| if closing { a.closing() } else { a });
        if self.session == 0 || (dev.comm_key().is_some() && !self.authed) {
            return ack(CMD_ACK_UNAUTH, vec![]);
        }
        if faults.ack_error {
            return close(ack(CMD_ACK_ERROR, vec![]));
        }
        match req.command {
            CMD_EXIT => close(ack(CMD_ACK_OK, vec![])),
            CMD_GET_FREE_SIZES => ack(CMD_ACK_OK, dev.free_sizes().encode(dev.sizes_len)),
            CMD_OPTIONS_RRQ => match options::parse_request(&req.data) {
                Ok(name) => match dev.option(&name) {
                    Some(v) => ack(CMD_ACK_OK, options::reply(&name, &v)),
                    None => ack(CMD_ACK_ERROR, vec![]),
                },
                Err(_) => ack(CMD_ACK_ERROR, vec![]),
            },
            CMD_OPTIONS_WRQ => {
                let end = req
                    .data
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(req.data.len());
                match std::str::from_utf8(&req.data[..end])
                    .ok()
                    .and_then(|s| s.split_once('='))
                {
                    Some((k, v)) if !k.is_empty() => {
                        dev.written_options
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(k.to_string(), v.to_string());
                        ack(CMD_ACK_OK, vec![])
                    }
                    _ => ack(CMD_ACK_ERROR, vec![]),
                }
            }
            CMD_GET_VERSION => {
                let mut v = dev.firmware.clone().into_bytes();
                v.push(0);
                ack(CMD_ACK_OK, v)
            }
            CMD_GET_TIME => {
                match clock::device_now(dev.clock_offset.load(Ordering::Relaxed))
                    .map(|t| t.encode())
                {
                    Some(Ok(t)) => ack(CMD_ACK_OK, t.to_le_bytes().to_vec()),
                    _ => ack(CMD_ACK_ERROR, vec![]),
                }
            }
            CMD_SET_TIME => {
                let t = req
                    .data
                    .get(..4)
                    .and_then(|b| {
                        DeviceTime::decode(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
                    })
                    .and_then(|t| clock::offset_for(&t));
                match t {
                    Some(off) => {
                        dev.clock_offset.store(off, Ordering::Relaxed);
                        ack(CMD_ACK_OK, vec![])
                    }
                    None => ack(CMD_ACK_ERROR, vec![]),
                }
            }
            CMD_GET_PINWIDTH => ack(CMD_ACK_OK, vec![9]),
            CMD_DISABLEDEVICE | CMD_ENABLEDEVICE => {
                let off = req.command == CMD_DISABLEDEVICE;
                dev.disabled.store(off, Ordering::Relaxed);
                ack(CMD_ACK_OK, vec![])
            }
            CMD_CLEAR_ATTLOG => ack(care::clear_attlog(dev), vec![]),
            CMD_CLEAR_DATA => ack(care::clear_data(dev, &req.data), vec![]),
            CMD_USER_WRQ => ack(care::write_user(dev, &req.data), vec![]),
            CMD_REFRESHDATA | CMD_REFRESHOPTION | CMD_CANCELCAPTURE | CMD_STARTVERIFY => {
                ack(CMD_ACK_OK, vec![])
            }
            CMD_FREE_DATA => {
                self.snapshot = None;
                ack(CMD_ACK_OK, vec![])
            }
            // Older firmware has no live events at all.
            CMD_REG_EVENT if faults.refuse_events => ack(CMD_ACK_ERROR, vec![]),
            CMD_REG_EVENT => {
                let mut mask = [0u8; 4];
                let n = req.data.len().min(4);
                mask[..n].copy_from_slice(&req.data[..n]);
                self.event_mask = u32::from_le_bytes(mask);
                ack(CMD_ACK_OK, vec![])
            }
            CMD_PREPARE_BUFFER => self.prepare_buffer(dev, req, sid),
            CMD_READ_BUFFER => self.read_buffer(req, sid),
            CMD_ATTLOG_RRQ if req.data.is_empty() => {
                self.legacy_read(dev, Table::Punches, req, sid)
            }
            // One byte (table id 5) or none = the whole user table; three bytes = one template.
            CMD_USERTEMP_RRQ if req.data.len() <= 1 => {
                self.legacy_read(dev, Table::Users, req, sid)
            }
            other => {
                tracing::debug!(code = other, "unknown command");
                ack(CMD_ACK_UNKNOWN, vec![])
            }
        }
    }

    fn layout(&self, dev: &DeviceState, table: Table) -> TableLayout {
        match (table, self.transport) {
            (Table::Users, t) => TableLayout::Users(dev.user_layout.unwrap_or(match t {
                Transport::Tcp => UserLayout::Zk8,
                Transport::Udp => UserLayout::Zk6,
            })),
            (Table::Punches, t) => TableLayout::Punches(dev.punch_layout.unwrap_or(match t {
                Transport::Tcp => PunchLayout::B40,
                Transport::Udp => PunchLayout::B16,
            })),
        }
    }

    fn data_packet(&self) -> usize {
        match self.transport {
            Transport::Tcp => TCP_DATA_PACKET,
            Transport::Udp => UDP_DATA_PACKET,
        }
    }

    fn prepare_buffer(&mut self, dev: &DeviceState, req: &Packet, sid: u16) -> Option<Answer> {
        let reply =
            |code: u16, data: Vec<u8>| Some(Answer::one(Packet::new(code, sid, req.reply, data)));
        let table = match parse_prepare_request(&req.data) {
            Ok(t) => t,
            // Templates (7) and the operation log (0x22) exist but are empty here.
            Err(_) if matches!(req.data.get(1..3), Some([7, 0] | [0x22, 0])) => {
                return reply(CMD_DATA, vec![0; 4]);
            }
            Err(e) => {
                tracing::debug!(error = %e, "bad PREPARE_BUFFER");
                return reply(CMD_ACK_ERROR, vec![]);
            }
        };
        let snap = dev.read_store().snapshot(self.layout(dev, table));
        self.snapshot = Some(snap);
        if snap.len() <= dev.inline_limit {
            let mut data = Vec::with_capacity(snap.len());
            snap.read(&dev.read_store(), 0, snap.len(), &mut data);
            return reply(CMD_DATA, data);
        }
        reply(CMD_ACK_OK, data_stat(snap.len() as u32))
    }

    fn read_buffer(&mut self, req: &Packet, sid: u16) -> Option<Answer> {
        let error = || {
            Some(Answer::one(Packet::new(
                CMD_ACK_ERROR,
                sid,
                req.reply,
                vec![],
            )))
        };
        let (Some(snap), Ok((start, size))) = (self.snapshot, parse_read_request(&req.data)) else {
            return error();
        };
        let (start, size) = (start as usize, size as usize);
        if size == 0 || start.checked_add(size).is_none_or(|end| end > snap.len()) {
            tracing::debug!(start, size, len = snap.len(), "READ_BUFFER out of range");
            return error();
        }
        Some(self.stream(snap, start, size, req.reply, sid))
    }

    /// Old clients read a table with a bare ATTLOG_RRQ / USERTEMP_RRQ and get
    /// the whole dataset streamed back.
    fn legacy_read(
        &mut self,
        dev: &DeviceState,
        table: Table,
        req: &Packet,
        sid: u16,
    ) -> Option<Answer> {
        let snap = dev.read_store().snapshot(self.layout(dev, table));
        Some(self.stream(snap, 0, snap.len(), req.reply, sid))
    }

    fn stream(&self, snap: Snapshot, start: usize, size: usize, reply: u16, sid: u16) -> Answer {
        let packet = self.data_packet();
        Answer::stream(
            Packet::new(
                CMD_PREPARE_DATA,
                sid,
                reply,
                prepare_data(size as u32, packet as u32),
            ),
            snap,
            start,
            size,
            packet,
            Packet::new(CMD_ACK_OK, sid, reply, vec![]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::DeviceSpec;
    use zk_protocol::commkey::make_commkey;

    fn dev(key: Option<u32>, users: u32, punches: u32) -> DeviceState {
        let mut spec = DeviceSpec::generated_until(
            0,
            users,
            punches,
            1,
            DeviceTime::new(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        spec.comm_key = key;
        DeviceState::new(spec)
    }

    /// Send a request and collect all frames of the answer.
    fn ask(
        c: &mut Connection,
        d: &DeviceState,
        f: &Faults,
        cmd: u16,
        reply: u16,
        data: &[u8],
    ) -> Vec<Packet> {
        match c.handle(d, f, &Packet::new(cmd, c.session, reply, data.to_vec())) {
            None => vec![],
            Some(mut a) => std::iter::from_fn(|| a.next_frame(&d.store)).collect(),
        }
    }

    fn code(frames: &[Packet]) -> u16 {
        assert_eq!(frames.len(), 1, "{frames:?}");
        frames[0].command
    }

    #[test]
    fn comm_key_gates_everything_until_auth() {
        let d = dev(Some(123456), 3, 3);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Tcp);
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_GET_FREE_SIZES, 1, &[])),
            CMD_ACK_UNAUTH
        );
        let r = ask(&mut c, &d, &f, CMD_CONNECT, 0, &[]);
        assert_eq!(code(&r), CMD_ACK_UNAUTH);
        let session = r[0].session;
        assert_ne!(session, 0);
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_GET_VERSION, 1, &[])),
            CMD_ACK_UNAUTH
        );
        let wrong = make_commkey(123457, session ^ 0x0100, 50);
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_AUTH, 2, &wrong)),
            CMD_ACK_UNAUTH
        );
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_AUTH, 3, &[1, 2])),
            CMD_ACK_UNAUTH
        );
        let right = make_commkey(123456, session, 0x77);
        assert_eq!(code(&ask(&mut c, &d, &f, CMD_AUTH, 4, &right)), CMD_ACK_OK);
        let r = ask(&mut c, &d, &f, CMD_GET_VERSION, 5, &[]);
        assert_eq!(
            (code(&r), r[0].session, r[0].reply),
            (CMD_ACK_OK, session, 5)
        );
        assert_eq!(r[0].data, b"Ver 6.60 Apr 28 2015\0");
        // A second CONNECT keeps the session.
        assert_eq!(ask(&mut c, &d, &f, CMD_CONNECT, 6, &[])[0].session, session);
    }

    #[test]
    fn client_acks_are_never_answered_and_unknown_commands_are() {
        let d = dev(None, 1, 1);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Udp);
        assert!(ask(&mut c, &d, &f, CMD_ACK_OK, 0, &[]).is_empty());
        assert_eq!(code(&ask(&mut c, &d, &f, CMD_CONNECT, 0, &[])), CMD_ACK_OK);
        assert!(ask(&mut c, &d, &f, CMD_ACK_OK, 0, &[]).is_empty());
        assert!(c.handle_corrupt(CMD_ACK_OK, 0, &f).is_none());
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_ACK_ERROR, 1, &[])),
            CMD_ACK_UNKNOWN
        );
        assert_eq!(code(&ask(&mut c, &d, &f, 0xFFFF, 2, &[])), CMD_ACK_UNKNOWN);
    }

    #[test]
    fn options_with_and_without_nul() {
        let d = dev(None, 1, 1);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Tcp);
        ask(&mut c, &d, &f, CMD_CONNECT, 0, &[]);
        let r = ask(&mut c, &d, &f, CMD_OPTIONS_RRQ, 1, b"~SerialNumber\0");
        assert_eq!(
            r[0].data,
            format!("~SerialNumber={}\0", d.serial).into_bytes()
        );
        let r = ask(&mut c, &d, &f, CMD_OPTIONS_RRQ, 1, b"~Platform");
        assert_eq!(r[0].data, b"~Platform=ZEM560_TFT\0");
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_OPTIONS_RRQ, 1, b"~ExtendFmt\0")),
            CMD_ACK_ERROR
        );
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_OPTIONS_WRQ, 1, b"SDKBuild=1")),
            CMD_ACK_OK
        );
        assert_eq!(
            ask(&mut c, &d, &f, CMD_OPTIONS_RRQ, 1, b"SDKBuild\0")[0].data,
            b"SDKBuild=1\0"
        );
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_OPTIONS_RRQ, 1, b"")),
            CMD_ACK_ERROR
        );
    }

    #[test]
    fn protocol_faults_change_the_answers() {
        let d = dev(None, 1, 1);
        let mut c = Connection::new(Transport::Tcp);
        let f = Faults {
            wrong_session: true,
            ..Faults::default()
        };
        let s = ask(&mut c, &d, &f, CMD_CONNECT, 0, &[])[0].session;
        let r = ask(&mut c, &d, &f, CMD_GET_TIME, 1, &[]);
        assert_eq!(code(&r), CMD_ACK_OK);
        assert_ne!(r[0].session, s);
        let f = Faults {
            ack_error: true,
            ..Faults::default()
        };
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_GET_FREE_SIZES, 2, &[])),
            CMD_ACK_ERROR
        );
        assert_eq!(code(&ask(&mut c, &d, &f, CMD_CONNECT, 3, &[])), CMD_ACK_OK);
    }

    #[test]
    fn buffered_read_inline_chunked_and_out_of_range() {
        let d = dev(None, 3, 100);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Tcp);
        ask(&mut c, &d, &f, CMD_CONNECT, 0, &[]);
        // 3 × 72 + 4 bytes: inline.
        let users = zk_protocol::buffer::prepare_request(Table::Users);
        let r = ask(&mut c, &d, &f, CMD_PREPARE_BUFFER, 1, &users);
        assert_eq!((code(&r), r[0].data.len()), (CMD_DATA, 4 + 3 * 72));
        // 100 × 40 + 4: announced, then read in pieces.
        let punches = zk_protocol::buffer::prepare_request(Table::Punches);
        let r = ask(&mut c, &d, &f, CMD_PREPARE_BUFFER, 2, &punches);
        assert_eq!(code(&r), CMD_ACK_OK);
        assert_eq!(
            zk_protocol::buffer::parse_data_stat(&r[0].data).unwrap(),
            4004
        );
        let r = ask(
            &mut c,
            &d,
            &f,
            CMD_READ_BUFFER,
            3,
            &zk_protocol::buffer::read_request(0, 4004),
        );
        assert_eq!(r.len(), 1 + 4 + 1);
        assert_eq!(r[0].command, CMD_PREPARE_DATA);
        assert_eq!(r[0].data, prepare_data(4004, 1008));
        assert!(r.iter().all(|p| p.reply == 3));
        assert_eq!(
            r[1..5].iter().map(|p| p.session).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(r[1..5].iter().map(|p| p.data.len()).sum::<usize>(), 4004);
        assert_eq!(r[5].command, CMD_ACK_OK);
        let r = ask(
            &mut c,
            &d,
            &f,
            CMD_READ_BUFFER,
            4,
            &zk_protocol::buffer::read_request(4000, 5),
        );
        assert_eq!(code(&r), CMD_ACK_ERROR);
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_FREE_DATA, 5, &[])),
            CMD_ACK_OK
        );
        let r = ask(
            &mut c,
            &d,
            &f,
            CMD_READ_BUFFER,
            6,
            &zk_protocol::buffer::read_request(0, 4),
        );
        assert_eq!(code(&r), CMD_ACK_ERROR);
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_PREPARE_BUFFER, 7, &[1])),
            CMD_ACK_ERROR
        );
    }

    #[test]
    fn set_time_moves_the_clock() {
        let d = dev(None, 1, 1);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Tcp);
        ask(&mut c, &d, &f, CMD_CONNECT, 0, &[]);
        let t = DeviceTime::new(2030, 6, 1, 12, 0, 0).unwrap();
        let r = ask(
            &mut c,
            &d,
            &f,
            CMD_SET_TIME,
            1,
            &t.encode().unwrap().to_le_bytes(),
        );
        assert_eq!(code(&r), CMD_ACK_OK);
        let r = ask(&mut c, &d, &f, CMD_GET_TIME, 2, &[]);
        let got =
            DeviceTime::decode(u32::from_le_bytes(r[0].data[..4].try_into().unwrap())).unwrap();
        assert!(
            (got.seconds_since_2000() - t.seconds_since_2000()).abs() <= 2,
            "{got}"
        );
        assert_eq!(
            code(&ask(&mut c, &d, &f, CMD_SET_TIME, 3, &[1, 2])),
            CMD_ACK_ERROR
        );
    }

    #[test]
    fn arbitrary_requests_never_panic() {
        let d = dev(Some(1), 2, 2);
        let f = Faults::default();
        let mut c = Connection::new(Transport::Udp);
        let mut seed = 0x1234_5678_u64;
        for i in 0..20_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let cmd = match i % 4 {
                0 => (seed % 2100) as u16,
                _ => [
                    CMD_CONNECT,
                    CMD_AUTH,
                    CMD_PREPARE_BUFFER,
                    CMD_READ_BUFFER,
                    CMD_SET_TIME,
                    CMD_OPTIONS_WRQ,
                    CMD_REG_EVENT,
                ][(seed % 7) as usize],
            };
            let data: Vec<u8> = seed.to_le_bytes()[..(seed >> 60) as usize % 9].to_vec();
            if cmd == CMD_AUTH && i % 3 == 0 {
                c.authed = true;
            }
            ask(&mut c, &d, &f, cmd, i as u16, &data);
        }
    }
}
