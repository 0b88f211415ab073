//! A tiny scripted device on a real TCP socket, independent of zk-sim, for
//! the framing cases that matter most: frames split byte by byte, many
//! frames in one write, stale frames and events ahead of an answer, a chunk
//! answered late (after the client retried), garbage and silence.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zk_protocol::buffer::{data_stat, parse_read_request, prepare_data};
use zk_protocol::command::*;
use zk_protocol::event::{encode_attlog_32, LiveAttendance};
use zk_protocol::records::{dataset, encode_punch};
use zk_protocol::{DeviceTime, FreeSizes, Packet, Punch, PunchLayout, TcpDeframer};

pub const SESSION: u16 = 0x4321;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Each answer (all its frames) in one write.
    Merged,
    /// One byte per write, with a flush and a yield in between.
    ByteByByte,
}

#[derive(Debug, Clone)]
pub struct Script {
    pub punches: Vec<Punch>,
    pub write: WriteMode,
    /// Before every answer, send a frame with another reply id and a live event.
    pub noise: bool,
    /// Hold back the answer to the first READ_BUFFER until the client retries.
    pub late_first_chunk: bool,
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Device,
    /// Answer anything with HTTP-like bytes.
    Garbage,
    /// Accept and never answer.
    Silent,
    /// Accept and hang up at once.
    HangUp,
}

impl Script {
    pub fn device(punches: Vec<Punch>, write: WriteMode) -> Self {
        Script {
            punches,
            write,
            noise: false,
            late_first_chunk: false,
            behaviour: Behaviour::Device,
        }
    }
}

pub fn punches(n: usize) -> Vec<Punch> {
    (0..n)
        .map(|i| Punch {
            uid: (i % 500) as u16 + 1,
            user_id: format!("{}", 1000 + i % 500),
            time: DeviceTime::new(
                2024,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
                (i % 24) as u8,
                (i % 60) as u8,
                (i % 60) as u8,
            )
            .unwrap(),
            status: (i % 16) as u8,
            punch: (i % 6) as u8,
        })
        .collect()
}

pub fn live_event() -> LiveAttendance {
    LiveAttendance {
        user_id: "777".into(),
        status: 1,
        punch: 0,
        time: DeviceTime::new(2024, 5, 6, 7, 8, 9).unwrap(),
    }
}

/// Serve one connection per accept with `script`; returns the address.
pub async fn start(script: Script) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, script.clone()));
        }
    });
    addr
}

async fn serve(mut stream: TcpStream, script: Script) {
    stream.set_nodelay(true).unwrap();
    match script.behaviour {
        Behaviour::HangUp => return,
        Behaviour::Silent => {
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            return;
        }
        _ => {}
    }
    let mut records = Vec::new();
    for p in &script.punches {
        encode_punch(PunchLayout::B40, p, &mut records).unwrap();
    }
    let data = dataset(&records);
    let mut deframer = TcpDeframer::new();
    let mut buf = vec![0u8; 4096];
    let mut held: Option<Vec<u8>> = None;
    let mut chunk_requests = 0;
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if script.behaviour == Behaviour::Garbage {
            let _ = stream.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n").await;
            return;
        }
        deframer.push(&buf[..n]);
        while let Ok(Some(req)) = deframer.next_packet() {
            let r = req.reply;
            let mut out: Vec<Packet> = Vec::new();
            if script.noise && req.command != CMD_ACK_OK {
                // A reply id this request does not have: must be ignored.
                out.push(Packet::new(
                    CMD_ACK_OK,
                    SESSION,
                    r.wrapping_add(0x4000).max(1),
                    vec![],
                ));
                out.push(Packet::new(
                    CMD_REG_EVENT,
                    EF_ATTLOG,
                    0,
                    encode_attlog_32(&live_event()).unwrap(),
                ));
            }
            let ok = |d: Vec<u8>| Packet::new(CMD_ACK_OK, SESSION, r, d);
            match req.command {
                CMD_ACK_OK => continue, // an event acknowledgement: never answered
                CMD_CONNECT | CMD_FREE_DATA | CMD_EXIT | CMD_REG_EVENT => out.push(ok(vec![])),
                CMD_GET_FREE_SIZES => {
                    let s = FreeSizes {
                        records: script.punches.len() as u32,
                        ..Default::default()
                    };
                    out.push(ok(s.encode(92)));
                }
                CMD_GET_TIME => out.push(ok(DeviceTime::new(2024, 2, 29, 23, 59, 58)
                    .unwrap()
                    .encode()
                    .unwrap()
                    .to_le_bytes()
                    .to_vec())),
                CMD_PREPARE_BUFFER => out.push(ok(data_stat(data.len() as u32))),
                CMD_READ_BUFFER => {
                    let (start, size) = parse_read_request(&req.data).unwrap();
                    let chunk = &data[start as usize..(start + size) as usize];
                    out.push(Packet::new(
                        CMD_PREPARE_DATA,
                        SESSION,
                        r,
                        prepare_data(size, 1008),
                    ));
                    for (i, piece) in chunk.chunks(1008).enumerate() {
                        out.push(Packet::new(CMD_DATA, i as u16, r, piece.to_vec()));
                    }
                    out.push(ok(vec![]));
                    chunk_requests += 1;
                    if script.late_first_chunk && chunk_requests == 1 {
                        held = Some(out.iter().flat_map(|p| p.encode_tcp()).collect());
                        continue;
                    }
                }
                _ => out.push(Packet::new(CMD_ACK_ERROR, SESSION, r, vec![])),
            }
            let mut bytes: Vec<u8> = held.take().unwrap_or_default();
            for p in &out {
                p.encode_tcp_into(&mut bytes);
            }
            if req.command == CMD_REG_EVENT {
                Packet::new(
                    CMD_REG_EVENT,
                    EF_ATTLOG,
                    0,
                    encode_attlog_32(&live_event()).unwrap(),
                )
                .encode_tcp_into(&mut bytes);
            }
            let written = match script.write {
                WriteMode::Merged => stream.write_all(&bytes).await,
                WriteMode::ByteByByte => {
                    let mut res = Ok(());
                    for b in &bytes {
                        res = stream.write_all(std::slice::from_ref(b)).await;
                        if res.is_err() {
                            break;
                        }
                        let _ = stream.flush().await;
                        tokio::task::yield_now().await;
                    }
                    res
                }
            };
            if written.is_err() || req.command == CMD_EXIT {
                return;
            }
        }
    }
}

pub fn quick(timeout_ms: u64) -> zk_client::ClientOptions {
    zk_client::ClientOptions {
        timeout: Duration::from_millis(timeout_ms),
        transport: zk_client::TransportChoice::Tcp,
        ..Default::default()
    }
}
