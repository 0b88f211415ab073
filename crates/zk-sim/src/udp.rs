//! UDP: one socket per device, one session per peer address (made by CONNECT).

use crate::answer::Answer;
use crate::device::Connection;
use crate::faults::{corrupt_one, encode_frame, garbage, Faults};
use crate::shared::{shutdown_signal, Shared};
use crate::wan::{Link, Wan};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::watch;
use zk_protocol::command::CMD_CONNECT;
use zk_protocol::{Packet, ProtocolError, Transport};

/// Sessions kept per device; the least recently used goes beyond this, so
/// clients that never say EXIT cannot grow memory without bound.
const MAX_PEERS: usize = 1024;
const REBIND_RETRY: Duration = Duration::from_millis(100);
/// Requests are small (the largest, an upload DATA packet, is 1032 bytes); a
/// small buffer keeps thousands of devices cheap. Longer datagrams arrive
/// truncated, fail their checksum and get ACK_ERROR.
const MAX_REQUEST: usize = 4096;

struct Peer {
    conn: Connection,
    written: usize,
    /// Set by `drop_after_bytes`: ignore this peer until it CONNECTs again.
    silent: bool,
    /// `corrupt_frame_after_bytes` was used up.
    corrupted: bool,
    last_seen: Instant,
    link: Link,
}

impl Peer {
    fn new() -> Peer {
        Peer {
            conn: Connection::new(Transport::Udp),
            written: 0,
            silent: false,
            corrupted: false,
            last_seen: Instant::now(),
            link: Link::new(),
        }
    }
}

/// Serve datagrams on `addr` until shutdown; close the socket while the
/// `refuse` fault is on.
pub(crate) async fn run(
    shared: Arc<Shared>,
    addr: SocketAddr,
    sock: UdpSocket,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut faults = shared.faults.subscribe();
    let mut restarted = shared.generation.subscribe();
    let mut sock = Some(sock);
    let mut peers: HashMap<SocketAddr, Peer> = HashMap::new();
    let mut events = shared.subscribe();
    let mut buf = vec![0u8; MAX_REQUEST];
    loop {
        let refuse = faults.borrow_and_update().refuse;
        if refuse && sock.take().is_some() {
            tracing::debug!(%addr, "udp: socket closed (refuse)");
            peers.clear();
        }
        if !refuse && sock.is_none() {
            match UdpSocket::bind(addr).await {
                Ok(s) => sock = Some(s),
                Err(e) => tracing::warn!(%addr, error = %e, "udp: cannot re-open port"),
            }
        }
        let retry = !refuse && sock.is_none();
        tokio::select! {
            _ = shutdown_signal(&mut shutdown) => return,
            changed = faults.changed() => if changed.is_err() { return },
            _ = restarted.changed() => peers.clear(),
            _ = tokio::time::sleep(REBIND_RETRY), if retry => {}
            received = recv(sock.as_ref(), &mut buf) => match received {
                Ok((n, from)) => {
                    if let Some(s) = sock.as_ref() {
                        if let Err(e) = datagram(s, &shared, &mut peers, from, &buf[..n]).await {
                            tracing::debug!(%from, error = %e, "udp: send failed");
                        }
                    }
                }
                // Linux reports an ICMP error from an earlier send here; harmless.
                Err(e) => tracing::debug!(%addr, error = %e, "udp: receive failed"),
            },
            Some(p) = events.recv() => {
                let Some(s) = sock.as_ref() else { continue };
                let faults = shared.faults();
                let wan = shared.state.wan();
                for (to, peer) in peers.iter_mut().filter(|(_, p)| p.conn.wants_events() && !p.silent) {
                    if let Some(ev) = peer.conn.event(&p) {
                        peer.link.one_way(wan).await;
                        let bytes = if faults.garbage {
                            garbage(Transport::Udp)
                        } else {
                            encode_frame(&ev, Transport::Udp, faults.corrupt_checksum)
                        };
                        if let Err(e) = send(s, peer, *to, &bytes, &faults, wan).await {
                            tracing::debug!(%to, error = %e, "udp: event not sent");
                        }
                    }
                }
            }
        }
    }
}

async fn recv(s: Option<&UdpSocket>, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr)> {
    match s {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

async fn datagram(
    sock: &UdpSocket,
    shared: &Shared,
    peers: &mut HashMap<SocketAddr, Peer>,
    from: SocketAddr,
    bytes: &[u8],
) -> std::io::Result<()> {
    let faults = shared.faults();
    let req = match Packet::decode(bytes) {
        Ok(p) => Ok(p),
        Err(e @ ProtocolError::Checksum { .. }) => {
            let word = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
            Err((word(0), word(6), e))
        }
        Err(e) => {
            tracing::debug!(%from, error = %e, "udp: dropped datagram");
            return Ok(());
        }
    };
    if matches!(&req, Ok(p) if p.command == CMD_CONNECT) {
        // Every CONNECT opens a fresh session for that address.
        if !peers.contains_key(&from) && peers.len() >= MAX_PEERS {
            if let Some(oldest) = peers
                .iter()
                .min_by_key(|(_, p)| p.last_seen)
                .map(|(a, _)| *a)
            {
                peers.remove(&oldest);
            }
        }
        peers.insert(from, Peer::new());
        shared.served.fetch_add(1, Ordering::Relaxed);
    }
    // A peer without a session still gets an answer (ACK_UNAUTH) from a
    // throw-away connection; it is not remembered.
    let mut stranger = Peer::new();
    let known = peers.contains_key(&from);
    let peer = peers.get_mut(&from).unwrap_or(&mut stranger);
    if peer.silent {
        return Ok(());
    }
    peer.last_seen = Instant::now();
    let answer = match req {
        Ok(p) => {
            shared.on_request(p.command);
            peer.conn.handle(&shared.state, &faults, &p)
        }
        Err((command, reply, e)) => {
            tracing::debug!(%from, error = %e, "udp: bad request");
            peer.conn.handle_corrupt(command, reply, &faults)
        }
    };
    let Some(answer) = answer else { return Ok(()) };
    let close = answer.close;
    send_answer(sock, peer, from, answer, shared, &faults).await?;
    if close && known {
        peers.remove(&from);
    }
    Ok(())
}

async fn send_answer(
    sock: &UdpSocket,
    peer: &mut Peer,
    to: SocketAddr,
    mut answer: Answer,
    shared: &Shared,
    faults: &Faults,
) -> std::io::Result<()> {
    if let Some(d) = faults.delay {
        tokio::time::sleep(d).await;
    }
    let wan = shared.state.wan();
    peer.link.round_trip(wan).await;
    if faults.garbage {
        let bytes = garbage(Transport::Udp);
        return send(sock, peer, to, &bytes, faults, wan).await;
    }
    let gap = shared.state.frame_gap;
    let paced = answer.is_multi() && !gap.is_zero();
    let mut first = true;
    while let Some(p) = answer.next_frame(&shared.state.store) {
        if paced && !first {
            tokio::time::sleep(gap).await;
        }
        first = false;
        send(
            sock,
            peer,
            to,
            &encode_frame(&p, Transport::Udp, faults.corrupt_checksum),
            faults,
            wan,
        )
        .await?;
        if peer.silent {
            return Ok(());
        }
    }
    if paced {
        tokio::time::sleep(gap).await;
    }
    Ok(())
}

/// Send one datagram, honouring the peer's `drop_after_bytes` budget: the
/// datagram that exhausts it goes out truncated, then the peer is ignored.
async fn send(
    sock: &UdpSocket,
    peer: &mut Peer,
    to: SocketAddr,
    bytes: &[u8],
    faults: &Faults,
    wan: Wan,
) -> std::io::Result<()> {
    if faults
        .stall_after_bytes
        .is_some_and(|at| peer.written >= at)
    {
        tracing::debug!(%to, "udp: stalling (fault)");
        peer.silent = true;
        return Ok(());
    }
    let corrupted;
    let mut bytes = match faults.corrupt_frame_after_bytes {
        Some(at) if !peer.corrupted && peer.written >= at => {
            peer.corrupted = true;
            corrupted = corrupt_one(bytes, Transport::Udp);
            &corrupted[..]
        }
        _ => bytes,
    };
    peer.link.transmit(wan, bytes.len()).await;
    if let Some(limit) = faults.drop_after_bytes {
        let room = limit.saturating_sub(peer.written);
        if bytes.len() >= room {
            peer.silent = true;
            bytes = &bytes[..room];
            tracing::debug!(%to, "udp: going silent (fault)");
        }
    }
    peer.written += bytes.len();
    if bytes.is_empty() {
        return Ok(());
    }
    sock.send_to(bytes, to).await.map(|_| ())
}
