//! Socket I/O for both transports: one ZK packet in, one ZK packet out.
//!
//! TCP: bytes are read into a buffer and fed to a `TcpDeframer`, and every
//! complete frame already buffered is handed out before the socket is read
//! again. Clients that wait on the socket while frames sit in their buffer
//! (pyzk, node-zklib) stall on real firmware, which writes 1008-byte DATA
//! frames back to back.
//! UDP: one packet per datagram; the receive buffer holds any datagram.

use crate::park::Parkable;
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use zk_protocol::{Packet, ProtocolError, TcpDeframer, Transport};

const TCP_READ_BUF: usize = 64 * 1024;
/// Larger than any UDP datagram, so nothing is ever truncated.
const UDP_RECV_BUF: usize = 64 * 1024 + 64;

/// Why no packet could be received.
#[derive(Debug)]
pub(crate) enum RecvError {
    Io(io::Error),
    /// The peer closed the TCP connection.
    Eof,
    /// Bytes that are not a ZK packet.
    Frame(ProtocolError),
}

pub(crate) enum Conn {
    Tcp {
        stream: Parkable<TcpStream>,
        deframer: TcpDeframer,
        buf: Vec<u8>,
        /// Whole frames already read, decoded in order (an error ends the stream).
        ready: VecDeque<Result<Packet, ProtocolError>>,
    },
    Udp {
        socket: Parkable<UdpSocket>,
        buf: Vec<u8>,
    },
}

impl Conn {
    /// A connected TCP stream. Cancel-safe: dropping it mid-way leaves nothing behind.
    pub(crate) async fn tcp(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        // Requests are tiny and each waits for an answer: never delay them.
        stream.set_nodelay(true)?;
        Ok(Conn::Tcp {
            stream: Parkable::new(stream),
            deframer: TcpDeframer::new(),
            buf: vec![0; TCP_READ_BUF],
            ready: VecDeque::new(),
        })
    }

    /// A UDP socket connected to `addr`, so ICMP "port unreachable" surfaces
    /// as ECONNREFUSED and datagrams from other senders are filtered out.
    pub(crate) async fn udp(addr: SocketAddr) -> io::Result<Conn> {
        let local: SocketAddr = if addr.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).await?;
        socket.connect(addr).await?;
        Ok(Conn::Udp {
            socket: Parkable::new(socket),
            buf: vec![0; UDP_RECV_BUF],
        })
    }

    pub(crate) fn transport(&self) -> Transport {
        match self {
            Conn::Tcp { .. } => Transport::Tcp,
            Conn::Udp { .. } => Transport::Udp,
        }
    }

    /// Send one request (already framed for this transport) in one write.
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            // A parked socket stays parked: the answer is read the same way.
            Conn::Tcp { stream, .. } => {
                let sent = stream.write_parked(bytes)?;
                if sent < bytes.len() {
                    stream.live()?.write_all(&bytes[sent..]).await?;
                }
                Ok(())
            }
            Conn::Udp { socket, .. } => match socket.write_parked(bytes)? {
                0 => socket.live()?.send(bytes).await.map(|_| ()),
                _ => Ok(()),
            },
        }
    }

    /// A packet is already here: `recv` will not wait (always false for UDP,
    /// where the kernel holds each datagram until it is asked for).
    pub(crate) fn has_packet(&self) -> bool {
        matches!(self, Conn::Tcp { ready, .. } if !ready.is_empty())
    }

    /// The next packet. Cancel-safe: a packet is either returned or stays buffered.
    pub(crate) async fn recv(&mut self) -> Result<Packet, RecvError> {
        self.recv_after(None).await
    }

    /// The next packet; when none is buffered yet, first sleep for `pause`
    /// so that one read takes everything that arrived meanwhile (see `pace`).
    pub(crate) async fn recv_after(
        &mut self,
        pause: Option<Duration>,
    ) -> Result<Packet, RecvError> {
        let mut pause = pause;
        match self {
            Conn::Tcp {
                stream,
                deframer,
                buf,
                ready,
            } => loop {
                if let Some(p) = ready.pop_front() {
                    return p.map_err(RecvError::Frame);
                }
                // What the kernel already holds first; then sleep, if asked.
                let n = match stream.read_parked(buf) {
                    Some(r) => r,
                    None if pause.is_some() => {
                        stream.park().map_err(RecvError::Io)?;
                        tokio::time::sleep(pause.take().unwrap_or_default()).await;
                        continue;
                    }
                    None => stream.live().map_err(RecvError::Io)?.read(buf).await,
                }
                .map_err(RecvError::Io)?;
                if n == 0 {
                    return Err(RecvError::Eof);
                }
                deframer.push(&buf[..n]);
                take_frames(deframer, ready);
            },
            Conn::Udp { socket, buf } => {
                let n = loop {
                    match socket.read_parked(buf) {
                        Some(r) => break r,
                        None if pause.is_some() => {
                            socket.park().map_err(RecvError::Io)?;
                            tokio::time::sleep(pause.take().unwrap_or_default()).await;
                        }
                        None => break socket.live().map_err(RecvError::Io)?.recv(buf).await,
                    }
                }
                .map_err(RecvError::Io)?;
                Packet::decode(&buf[..n]).map_err(RecvError::Frame)
            }
        }
    }

    /// Close the write side so the device sees the session end promptly.
    pub(crate) async fn shutdown(&mut self) {
        if let Conn::Tcp { stream, .. } = self {
            if let Ok(s) = stream.live() {
                let _ = s.shutdown().await;
            }
        }
    }
}

/// Move every whole frame out of the deframer, stopping at the first error.
fn take_frames(deframer: &mut TcpDeframer, ready: &mut VecDeque<Result<Packet, ProtocolError>>) {
    loop {
        match deframer.next_packet() {
            Ok(Some(p)) => ready.push_back(Ok(p)),
            Ok(None) => return,
            Err(e) => {
                ready.push_back(Err(e));
                return;
            }
        }
    }
}
