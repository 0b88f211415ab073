//! TCP: one listener per device, one task per connection.

use crate::answer::Answer;
use crate::device::Connection;
use crate::faults::{corrupt_one, encode_frame, garbage, Faults};
use crate::shared::{shutdown_signal, Shared};
use crate::wan::{Link, Wan};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use zk_protocol::{Packet, ProtocolError, Punch, TcpDeframer, Transport};

/// How long to wait before retrying to re-open a port someone else holds.
const REBIND_RETRY: Duration = Duration::from_millis(100);

/// Accept connections on `addr` until shutdown; close the listener while the
/// `refuse` fault is on so clients get ECONNREFUSED, and re-open it after.
pub(crate) async fn run(
    shared: Arc<Shared>,
    addr: SocketAddr,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut faults = shared.faults.subscribe();
    let mut listener = Some(listener);
    loop {
        let refuse = faults.borrow_and_update().refuse;
        if refuse && listener.take().is_some() {
            tracing::debug!(%addr, "tcp: refusing connections");
        }
        if !refuse && listener.is_none() {
            match TcpListener::bind(addr).await {
                Ok(l) => {
                    tracing::debug!(%addr, "tcp: listening again");
                    listener = Some(l);
                }
                Err(e) => tracing::warn!(%addr, error = %e, "tcp: cannot re-open port"),
            }
        }
        let retry = !refuse && listener.is_none();
        tokio::select! {
            _ = shutdown_signal(&mut shutdown) => return,
            changed = faults.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(REBIND_RETRY), if retry => {}
            accepted = accept(listener.as_ref()) => match accepted {
                Ok((stream, peer)) => {
                    shared.served.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(serve(shared.clone(), stream, peer, shutdown.clone()));
                }
                Err(e) => {
                    // E.g. out of descriptors: back off instead of spinning.
                    tracing::warn!(%addr, error = %e, "tcp: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        }
    }
}

async fn accept(l: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match l {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

async fn serve(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::debug!(%peer, "tcp: connection");
    let mut restarted = shared.generation.subscribe();
    tokio::select! {
        _ = restarted.changed() => tracing::debug!(%peer, "tcp: device restarted"),
        r = session(&shared, stream) => match r {
            Ok(()) => tracing::debug!(%peer, "tcp: closed"),
            Err(e) => tracing::debug!(%peer, error = %e, "tcp: connection ended"),
        },
        _ = shutdown_signal(&mut shutdown) => {}
    }
}

async fn session(shared: &Shared, stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (mut rd, wr) = stream.into_split();
    let mut out = Writer {
        wr,
        written: 0,
        link: Link::new(),
        stalled: false,
        corrupted: false,
    };
    let mut conn = Connection::new(Transport::Tcp);
    let mut framer = Framer::default();
    let mut events: Option<mpsc::UnboundedReceiver<Punch>> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Answer everything already received, in order, before reading more
        // or sending events: an event never lands inside an answer.
        loop {
            let faults = shared.faults();
            let answer = match framer.next_frame() {
                Ok(None) => break,
                Ok(Some(Ok(req))) => {
                    shared.on_request(req.command);
                    let a = conn.handle(&shared.state, &faults, &req);
                    match (conn.wants_events(), events.is_some()) {
                        (true, false) => events = Some(shared.subscribe()),
                        (false, true) => events = None,
                        _ => {}
                    }
                    a
                }
                Ok(Some(Err((command, reply, e)))) => {
                    tracing::debug!(error = %e, "tcp: bad request");
                    conn.handle_corrupt(command, reply, &faults)
                }
                Err(e) => {
                    tracing::debug!(error = %e, "tcp: not a ZK stream, closing");
                    return Ok(());
                }
            };
            if let Some(a) = answer {
                if !send_answer(&mut out, a, shared, &faults).await? {
                    return Ok(());
                }
            }
        }
        tokio::select! {
            n = rd.read(&mut buf) => {
                let n = n?;
                if n == 0 {
                    return Ok(());
                }
                framer.push(&buf[..n]);
            }
            Some(p) = next_event(&mut events) => {
                let faults = shared.faults();
                if let Some(ev) = conn.event(&p) {
                    let wan = shared.state.wan();
                    out.link.one_way(wan).await;
                    let bytes = if faults.garbage {
                        garbage(Transport::Tcp)
                    } else {
                        encode_frame(&ev, Transport::Tcp, faults.corrupt_checksum)
                    };
                    if !out.write(&bytes, &faults, wan).await? {
                        return Ok(());
                    }
                }
            }
        }
    }
}

async fn next_event(rx: &mut Option<mpsc::UnboundedReceiver<Punch>>) -> Option<Punch> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Send an answer frame by frame; `false` = the connection must close.
async fn send_answer(
    out: &mut Writer,
    mut answer: Answer,
    shared: &Shared,
    faults: &Faults,
) -> std::io::Result<bool> {
    if let Some(d) = faults.delay {
        tokio::time::sleep(d).await;
    }
    let wan = shared.state.wan();
    out.link.round_trip(wan).await;
    if faults.garbage {
        return Ok(out.write(&garbage(Transport::Tcp), faults, wan).await? && !answer.close);
    }
    let gap = shared.state.frame_gap;
    let paced = answer.is_multi() && !gap.is_zero();
    let mut first = true;
    while let Some(p) = answer.next_frame(&shared.state.store) {
        if paced && !first {
            tokio::time::sleep(gap).await;
        }
        first = false;
        let bytes = encode_frame(&p, Transport::Tcp, faults.corrupt_checksum);
        if !out.write(&bytes, faults, wan).await? {
            return Ok(false);
        }
    }
    if paced {
        // Also a gap between consecutive chunk answers (pipelining clients).
        tokio::time::sleep(gap).await;
    }
    Ok(!answer.close)
}

struct Writer {
    wr: OwnedWriteHalf,
    written: usize,
    link: Link,
    /// `stall_after_bytes` was reached: nothing more goes out.
    stalled: bool,
    /// `corrupt_frame_after_bytes` was used up.
    corrupted: bool,
}

impl Writer {
    /// Write one frame in one call; `false` = the byte budget of
    /// `drop_after_bytes` is used up and the connection was shut down.
    async fn write(&mut self, bytes: &[u8], faults: &Faults, wan: Wan) -> std::io::Result<bool> {
        if self.stalled
            || faults
                .stall_after_bytes
                .is_some_and(|at| self.written >= at)
        {
            if !self.stalled {
                tracing::debug!(written = self.written, "tcp: stalling (fault)");
            }
            self.stalled = true;
            return Ok(true);
        }
        let corrupted;
        let bytes = match faults.corrupt_frame_after_bytes {
            Some(at) if !self.corrupted && self.written >= at => {
                self.corrupted = true;
                corrupted = corrupt_one(bytes, Transport::Tcp);
                &corrupted
            }
            _ => bytes,
        };
        self.link.transmit(wan, bytes.len()).await;
        if let Some(limit) = faults.drop_after_bytes {
            let room = limit.saturating_sub(self.written);
            if bytes.len() >= room {
                self.wr.write_all(&bytes[..room]).await?;
                self.written += room;
                let _ = self.wr.shutdown().await;
                tracing::debug!(written = self.written, "tcp: dropping connection (fault)");
                return Ok(false);
            }
        }
        self.wr.write_all(bytes).await?;
        self.written += bytes.len();
        Ok(true)
    }
}

/// What a request frame decoded to: a packet, or (command, reply id, why)
/// for a well-framed packet with a bad checksum.
type Request = Result<Packet, (u16, u16, ProtocolError)>;

/// Splits the byte stream into frames. Unlike the client, which drops a
/// connection whose packet fails its checksum, the device answers such a
/// frame with ACK_ERROR and carries on; only a broken wrapper (garbage) ends
/// the connection.
#[derive(Debug, Default)]
struct Framer {
    frames: TcpDeframer,
}

impl Framer {
    fn push(&mut self, bytes: &[u8]) {
        self.frames.push(bytes);
    }

    fn next_frame(&mut self) -> Result<Option<Request>, ProtocolError> {
        Ok(self.frames.next_frame()?.map(|raw| {
            Packet::decode(raw).map_err(|e| {
                // The deframer guarantees a whole header.
                let word = |i: usize| u16::from_le_bytes([raw[i], raw[i + 1]]);
                (word(0), word(6), e)
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zk_protocol::packet::TCP_TOP_LEN;

    #[test]
    fn framer_skips_bad_checksums_and_rejects_garbage() {
        let good = Packet::new(1000, 0, 0, vec![]);
        let mut bad = Packet::new(11, 5, 9, b"~Platform\0".to_vec()).encode_tcp();
        bad[TCP_TOP_LEN + 2] ^= 1;
        let mut f = Framer::default();
        f.push(&bad);
        f.push(&good.encode_tcp()[..5]);
        match f.next_frame() {
            Ok(Some(Err((11, 9, ProtocolError::Checksum { .. })))) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(f.next_frame(), Ok(None)));
        f.push(&good.encode_tcp()[5..]);
        assert_eq!(f.next_frame().unwrap().unwrap().unwrap(), good);
        assert!(matches!(f.next_frame(), Ok(None)));
        f.push(b"GET / HTTP/1.1\r\n");
        assert!(f.next_frame().is_err());
        let mut f = Framer::default();
        f.push(&[0x50, 0x50, 0x82, 0x7d, 0xff, 0xff, 0xff, 0xff]);
        assert!(f.next_frame().is_err());
    }
}
