//! Every fault mode, observed on the wire, switched at run time.

mod common;

use common::*;
use std::time::{Duration, Instant};
use zk_protocol::command::*;
use zk_protocol::{Packet, ProtocolError, TcpDeframer, Transport};
use zk_sim::Faults;

const BOTH: [Transport; 2] = [Transport::Tcp, Transport::Udp];

#[tokio::test]
async fn refuse_closes_and_reopens_the_same_port() {
    let sim = start(vec![spec(1, 1)]).await;
    let (dev, addr) = (sim.device(0), sim.addr(0));
    // An established session survives; new ones are refused.
    let mut old = Raw::connect(Transport::Tcp, addr, None).await;
    dev.set_faults(Faults {
        refuse: true,
        ..Faults::default()
    });
    assert!(dev.faults().refuse);
    let deadline = Instant::now() + WAIT;
    loop {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            // While the listener is being closed a connect may still land in
            // its backlog (and then be reset).
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::ConnectionReset && Instant::now() < deadline => {
            }
            other => panic!("expected ECONNREFUSED, got {other:?}"),
        }
    }
    // UDP: the socket is closed, so a CONNECT gets no answer (on a connected
    // socket Linux reports the ICMP port-unreachable as ECONNREFUSED).
    let mut u = Raw::open(Transport::Udp, addr).await.unwrap();
    u.send(CMD_CONNECT, &[]).await;
    match u.recv_within(Duration::from_millis(300)).await {
        Err(RecvError::Timeout) => {}
        Err(RecvError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
        other => panic!("UDP still answers: {other:?}"),
    }
    assert_eq!(old.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
    // Cleared: both transports answer again on the same port.
    dev.set_faults(Faults::default());
    for t in BOTH {
        let deadline = Instant::now() + WAIT;
        loop {
            let mut r = match Raw::open(t, addr).await {
                Ok(r) => r,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                Err(e) => panic!("{t}: port did not reopen: {e}"),
            };
            r.send(CMD_CONNECT, &[]).await;
            match r.recv_within(Duration::from_millis(200)).await {
                Ok(p) => {
                    assert_eq!(p.command, CMD_ACK_OK);
                    break;
                }
                Err(_) if Instant::now() < deadline => continue,
                Err(e) => panic!("{t}: no answer after reopening: {e:?}"),
            }
        }
    }
}

#[tokio::test]
async fn delay_holds_every_reply() {
    let sim = start(vec![spec(1, 1)]).await;
    let dev = sim.device(0);
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        dev.set_faults(Faults {
            delay: Some(Duration::from_millis(300)),
            ..Faults::default()
        });
        let t0 = Instant::now();
        assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
        assert!(
            t0.elapsed() >= Duration::from_millis(300),
            "{t}: {:?}",
            t0.elapsed()
        );
        dev.set_faults(Faults::default());
        let t0 = Instant::now();
        r.request(CMD_GET_TIME, &[]).await;
        assert!(
            t0.elapsed() < Duration::from_millis(250),
            "{t}: {:?}",
            t0.elapsed()
        );
    }
}

#[tokio::test]
async fn drop_after_bytes_cuts_the_stream() {
    let sim = start(vec![spec(2, 500)]).await;
    let dev = sim.device(0);
    dev.set_faults(Faults {
        drop_after_bytes: Some(1000),
        ..Faults::default()
    });
    // TCP: exactly 1000 bytes, then EOF, in the middle of a chunk answer.
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await; // 16 bytes
    r.request(
        CMD_PREPARE_BUFFER,
        &zk_protocol::buffer::prepare_request(zk_protocol::buffer::Table::Punches),
    )
    .await; // 29
    r.send(
        CMD_READ_BUFFER,
        &zk_protocol::buffer::read_request(0, 20004),
    )
    .await;
    let mut total = 16 + 29;
    loop {
        match r.recv_bytes(WAIT).await {
            Ok(b) => total += b.len(),
            Err(RecvError::Closed) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(total, 1000);
    // UDP: the datagram that crosses the budget is cut, then silence.
    let mut u = Raw::connect(Transport::Udp, sim.addr(0), None).await; // 8
    u.request(
        CMD_PREPARE_BUFFER,
        &zk_protocol::buffer::prepare_request(zk_protocol::buffer::Table::Punches),
    )
    .await; // 21
    u.send(CMD_READ_BUFFER, &zk_protocol::buffer::read_request(0, 8004))
        .await;
    let mut got = 8 + 21;
    while let Ok(b) = u.recv_bytes(Duration::from_millis(300)).await {
        got += b.len();
    }
    assert_eq!(got, 1000);
    assert!(matches!(
        u.recv_within(Duration::from_millis(100)).await,
        Err(RecvError::Timeout)
    ));
    // Healthy again after clearing.
    dev.set_faults(Faults::default());
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
}

#[tokio::test]
async fn corrupt_checksum_on_every_reply() {
    let sim = start(vec![spec(1, 1)]).await;
    let dev = sim.device(0);
    dev.set_faults(Faults {
        corrupt_checksum: true,
        ..Faults::default()
    });
    for t in BOTH {
        let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
        r.send(CMD_CONNECT, &[]).await;
        let err = r.recv_within(WAIT).await.unwrap_err();
        assert!(
            matches!(err, RecvError::Protocol(ProtocolError::Checksum { .. })),
            "{t}: {err:?}"
        );
    }
    // Everything else about the frame is intact.
    let mut r = Raw::open(Transport::Udp, sim.addr(0)).await.unwrap();
    r.send(CMD_CONNECT, &[]).await;
    let bytes = r.recv_bytes(WAIT).await.unwrap();
    assert_eq!(u16::from_le_bytes([bytes[0], bytes[1]]), CMD_ACK_OK);
}

#[tokio::test]
async fn garbage_replies_are_not_zk_frames() {
    let sim = start(vec![spec(1, 1)]).await;
    sim.device(0).set_faults(Faults {
        garbage: true,
        ..Faults::default()
    });
    for t in BOTH {
        let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
        r.send(CMD_CONNECT, &[]).await;
        let bytes = r.recv_bytes(WAIT).await.unwrap();
        assert!(!bytes.is_empty());
        match t {
            Transport::Tcp => {
                let mut d = TcpDeframer::new();
                d.push(&bytes);
                assert!(d.next_packet().is_err(), "{bytes:02x?}");
            }
            Transport::Udp => assert!(Packet::decode(&bytes).is_err()),
        }
    }
}

#[tokio::test]
async fn ack_error_after_the_handshake() {
    let mut s = spec(1, 1);
    s.comm_key = Some(5);
    let sim = start(vec![s]).await;
    sim.device(0).set_faults(Faults {
        ack_error: true,
        ..Faults::default()
    });
    for t in BOTH {
        // CONNECT and AUTH still work, then every command fails.
        let mut r = Raw::connect(t, sim.addr(0), Some(5)).await;
        for cmd in [
            CMD_GET_FREE_SIZES,
            CMD_GET_TIME,
            CMD_PREPARE_BUFFER,
            CMD_OPTIONS_RRQ,
        ] {
            assert_eq!(
                r.request(cmd, &[]).await.command,
                CMD_ACK_ERROR,
                "{t} {cmd}"
            );
        }
    }
}

#[tokio::test]
async fn wrong_session_after_connect() {
    let sim = start(vec![spec(1, 1)]).await;
    let dev = sim.device(0);
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        assert_eq!(r.request(CMD_GET_TIME, &[]).await.session, r.session);
        dev.set_faults(Faults {
            wrong_session: true,
            ..Faults::default()
        });
        let p = r.request(CMD_GET_TIME, &[]).await;
        assert_eq!(p.command, CMD_ACK_OK);
        assert_ne!(p.session, r.session, "{t}");
        // A new CONNECT reports its real id; what follows does not.
        let mut r2 = Raw::open(t, sim.addr(0)).await.unwrap();
        let hello = r2.handshake(None).await;
        r2.session = hello.session;
        assert_ne!(
            r2.request(CMD_GET_VERSION, &[]).await.session,
            hello.session
        );
        dev.set_faults(Faults::default());
        assert_eq!(r.request(CMD_GET_TIME, &[]).await.session, r.session);
    }
}
