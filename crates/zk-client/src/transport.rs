//! Socket I/O for both transports: one ZK packet in, one ZK packet out.
//!
//! TCP: bytes are read into a buffer and fed to a `TcpDeframer`, and every
//! complete frame already buffered is handed out before the socket is read
//! again. Clients that wait on the socket while frames sit in their buffer
//! (pyzk, node-zklib) stall on real firmware, which writes 1008-byte DATA
//! frames back to back.
//! UDP: one packet per datagram; the receive buffer holds any datagram.

use std::io;
use std::net::SocketAddr;
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
        stream: TcpStream,
        deframer: TcpDeframer,
        buf: Vec<u8>,
    },
    Udp {
        socket: UdpSocket,
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
            stream,
            deframer: TcpDeframer::new(),
            buf: vec![0; TCP_READ_BUF],
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
            socket,
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
            Conn::Tcp { stream, .. } => stream.write_all(bytes).await,
            Conn::Udp { socket, .. } => socket.send(bytes).await.map(|_| ()),
        }
    }

    /// The next packet. Cancel-safe: a packet is either returned or stays buffered.
    pub(crate) async fn recv(&mut self) -> Result<Packet, RecvError> {
        match self {
            Conn::Tcp {
                stream,
                deframer,
                buf,
            } => loop {
                if let Some(p) = deframer.next_packet().map_err(RecvError::Frame)? {
                    return Ok(p);
                }
                let n = stream.read(buf).await.map_err(RecvError::Io)?;
                if n == 0 {
                    return Err(RecvError::Eof);
                }
                deframer.push(&buf[..n]);
            },
            Conn::Udp { socket, buf } => {
                let n = socket.recv(buf).await.map_err(RecvError::Io)?;
                Packet::decode(&buf[..n]).map_err(RecvError::Frame)
            }
        }
    }

    /// Close the write side so the device sees the session end promptly.
    pub(crate) async fn shutdown(&mut self) {
        if let Conn::Tcp { stream, .. } = self {
            let _ = stream.shutdown().await;
        }
    }
}
