//! The client against a fake device that answers with fuzzer-chosen bytes
//! over a real loopback socket: every call must return (an error is fine),
//! never panic, and never hang past its timeouts.
//!
//! The input's first byte picks the transport and whether answers are raw
//! bytes (TCP framing itself is fuzzed) or well-framed packets built from
//! the input (so the exchange, handshake and record decoding are reached).
//! Run with `fuzz/run.sh` or `cargo fuzz run client -s none`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::runtime::Runtime;
use zk_client::{ClientOptions, NameEncoding, TransportChoice, UserRecord, ZkClient};
use zk_protocol::{Packet, TcpDeframer, Transport};

/// Far above every client timeout: reaching it means the client hung.
const HANG: Duration = Duration::from_secs(5);

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// The device's answers: one entry per request the client sends.
fn answers(data: &[u8], framed: bool) -> Vec<Vec<u8>> {
    if !framed {
        return data.chunks(97).map(<[u8]>::to_vec).collect();
    }
    // [u8 len][u16 command][u8 flags][len bytes of payload] ...
    let mut out = vec![];
    let mut rest = data;
    while rest.len() >= 4 {
        let len = usize::from(rest[0]) * 4;
        let command = u16::from_le_bytes([rest[1], rest[2]]);
        let flags = rest[3];
        let end = (4 + len).min(rest.len());
        let mut a = command.to_le_bytes().to_vec();
        a.push(flags);
        a.extend_from_slice(&rest[4..end]);
        out.push(a);
        rest = &rest[end..];
    }
    out
}

/// Turn one framed answer into a packet replying to `req`: the flags say
/// whether to echo its reply id and session, and whether to add a data
/// stream (PREPARE_DATA, DATA..., ACK_OK) instead of one packet.
fn packets(answer: &[u8], req: &Packet, session: u16) -> Vec<Packet> {
    let command = u16::from_le_bytes([answer[0], answer[1]]);
    let flags = answer[2];
    let payload = &answer[3..];
    let reply = if flags & 1 == 0 {
        req.reply
    } else {
        req.reply ^ 0x11
    };
    let sid = if flags & 2 == 0 {
        session
    } else {
        flags.into()
    };
    if flags & 4 == 0 {
        return vec![Packet::new(command, sid, reply, payload.to_vec())];
    }
    let size = payload.len() as u32;
    let mut head = size.to_le_bytes().to_vec();
    head.extend_from_slice(&1008u32.to_le_bytes());
    let mut v = vec![Packet::new(1500, sid, reply, head)];
    for (i, c) in payload.chunks(1 + usize::from(flags >> 3) * 64).enumerate() {
        v.push(Packet::new(1501, i as u16, reply, c.to_vec()));
    }
    v.push(Packet::new(2000, sid, reply, vec![]));
    v
}

async fn tcp_device(listener: TcpListener, answers: Vec<Vec<u8>>, framed: bool) {
    let Ok((mut s, _)) = listener.accept().await else {
        return;
    };
    let mut buf = vec![0u8; 4096];
    let mut frames = TcpDeframer::new();
    let mut answers = answers.into_iter();
    loop {
        let req = loop {
            match frames.next_packet() {
                Ok(Some(p)) if p.command == 2000 => continue, // event ACKs get no answer
                Ok(Some(p)) => break p,
                Ok(None) => {}
                Err(_) => return,
            }
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => frames.push(&buf[..n]),
            }
        };
        let Some(a) = answers.next() else { return };
        let bytes: Vec<u8> = if framed {
            packets(&a, &req, 0x1234)
                .iter()
                .flat_map(|p| p.encode_for(Transport::Tcp))
                .collect()
        } else {
            a
        };
        if s.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

async fn udp_device(sock: UdpSocket, answers: Vec<Vec<u8>>, framed: bool) {
    let mut buf = vec![0u8; 4096];
    for a in answers {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            return;
        };
        let Ok(req) = Packet::decode(&buf[..n]) else {
            continue;
        };
        let datagrams = if framed {
            packets(&a, &req, 0x1234)
                .iter()
                .map(|p| p.encode_for(Transport::Udp))
                .collect()
        } else {
            vec![a]
        };
        for d in datagrams {
            let _ = sock.send_to(&d, from).await;
        }
    }
    // Out of answers: the socket closes, later datagrams are refused.
}

/// Everything a poll and a realtime session do, errors and all.
async fn drive(addr: SocketAddr, transport: TransportChoice) {
    let opts = ClientOptions {
        comm_key: Some(123_456),
        transport,
        timeout: Duration::from_millis(25),
        retries: 1,
    };
    let Ok(mut c) = ZkClient::connect_addr(addr, &opts).await else {
        return;
    };
    let _ = c.info().await;
    let _ = c.users().await;
    let _ = c.punches().await;
    let _ = c.enable_events().await;
    let _ = c.next_event(Duration::from_millis(5)).await;
    let _ = c
        .watch(Duration::from_millis(15), Duration::from_millis(5))
        .await;
    let _ = c.clear_attlog_if_count(1).await;
    let user = zk_protocol::User {
        uid: 2,
        privilege: 0,
        password: String::new(),
        name: "Ana".into(),
        name_bytes: vec![],
        card: 0,
        group: 1,
        user_id: "2".into(),
    };
    if let Ok(rec) = UserRecord::new(c.user_layout(), &user, NameEncoding::Utf8) {
        let _ = c.write_user(&rec).await;
    }
    let _ = c.close().await;
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let framed = mode & 1 == 1;
    let answers = answers(rest, framed);
    runtime().block_on(async {
        let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let (addr, transport, device) = if mode & 2 == 0 {
            let l = TcpListener::bind(local).await.expect("bind");
            let addr = l.local_addr().unwrap();
            let dev = tokio::spawn(tcp_device(l, answers, framed));
            (addr, TransportChoice::Tcp, dev)
        } else {
            let s = UdpSocket::bind(local).await.expect("bind");
            let addr = s.local_addr().unwrap();
            let dev = tokio::spawn(udp_device(s, answers, framed));
            (addr, TransportChoice::Udp, dev)
        };
        if tokio::time::timeout(HANG, drive(addr, transport))
            .await
            .is_err()
        {
            panic!("the client hung past {HANG:?}");
        }
        device.abort();
    });
});
