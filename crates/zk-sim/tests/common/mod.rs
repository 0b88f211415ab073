//! A raw-socket client that speaks to the simulator using only zk-protocol,
//! so these tests do not depend on the client crate.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use zk_protocol::buffer::{self, Table};
use zk_protocol::command::*;
use zk_protocol::commkey::make_commkey;
use zk_protocol::{Packet, ProtocolError, TcpDeframer, Transport};
use zk_sim::{DeviceSpec, Simulator};

/// Upper bound for any single wait, so no test can hang.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn localhost() -> std::net::IpAddr {
    "127.0.0.1".parse().unwrap()
}

/// A generated device with punches on fixed days, so expectations are stable.
pub fn spec(users: u32, punches: u32) -> DeviceSpec {
    DeviceSpec::generated_until(
        0,
        users,
        punches,
        42,
        zk_protocol::DeviceTime::new(2026, 1, 15, 0, 0, 0).unwrap(),
    )
}

pub async fn start(specs: Vec<DeviceSpec>) -> Simulator {
    Simulator::start(localhost(), 0, specs).await.unwrap()
}

#[derive(Debug)]
pub enum RecvError {
    Timeout,
    Closed,
    Io(std::io::Error),
    Protocol(ProtocolError),
}

enum Sock {
    Tcp(TcpStream, TcpDeframer),
    Udp(UdpSocket),
}

/// One raw session to a simulated device.
pub struct Raw {
    sock: Sock,
    pub transport: Transport,
    pub session: u16,
    pub reply: u16,
}

impl Raw {
    pub async fn open(transport: Transport, addr: SocketAddr) -> std::io::Result<Raw> {
        let sock = match transport {
            Transport::Tcp => {
                let s = tokio::time::timeout(WAIT, TcpStream::connect(addr))
                    .await
                    .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
                s.set_nodelay(true)?;
                Sock::Tcp(s, TcpDeframer::new())
            }
            Transport::Udp => {
                let s = UdpSocket::bind("127.0.0.1:0").await?;
                s.connect(addr).await?;
                Sock::Udp(s)
            }
        };
        Ok(Raw {
            sock,
            transport,
            session: 0,
            reply: 0,
        })
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.sock {
            Sock::Tcp(s, _) => s.write_all(bytes).await,
            Sock::Udp(s) => s.send(bytes).await.map(|_| ()),
        }
    }

    /// Send `command` with the next reply id; returns that id.
    pub async fn send(&mut self, command: u16, data: &[u8]) -> u16 {
        self.reply = self.reply.wrapping_add(1);
        let p = Packet::new(command, self.session, self.reply, data.to_vec());
        self.send_bytes(&p.encode_for(self.transport))
            .await
            .unwrap();
        self.reply
    }

    /// The raw bytes of the next read (TCP: whatever one read returns).
    pub async fn recv_bytes(&mut self, wait: Duration) -> Result<Vec<u8>, RecvError> {
        let mut buf = vec![0u8; 128 * 1024];
        let r = match &mut self.sock {
            Sock::Tcp(s, _) => tokio::time::timeout(wait, s.read(&mut buf)).await,
            Sock::Udp(s) => tokio::time::timeout(wait, s.recv(&mut buf)).await,
        };
        match r {
            Err(_) => Err(RecvError::Timeout),
            Ok(Ok(0)) if self.transport == Transport::Tcp => Err(RecvError::Closed),
            Ok(Ok(n)) => Ok(buf[..n].to_vec()),
            Ok(Err(e)) => Err(RecvError::Io(e)),
        }
    }

    pub async fn recv_within(&mut self, wait: Duration) -> Result<Packet, RecvError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Sock::Tcp(_, d) = &mut self.sock {
                if let Some(p) = d.next_packet().map_err(RecvError::Protocol)? {
                    return Ok(p);
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let bytes = self.recv_bytes(left).await?;
            match &mut self.sock {
                Sock::Tcp(_, d) => d.push(&bytes),
                Sock::Udp(_) => return Packet::decode(&bytes).map_err(RecvError::Protocol),
            }
        }
    }

    pub async fn recv(&mut self) -> Packet {
        match self.recv_within(WAIT).await {
            Ok(p) => p,
            Err(e) => panic!("no packet: {e:?}"),
        }
    }

    /// Send and return the (single-frame) answer, checking the reply id echo.
    pub async fn request(&mut self, command: u16, data: &[u8]) -> Packet {
        let id = self.send(command, data).await;
        let p = self.recv().await;
        assert_eq!(p.reply, id, "reply id must be echoed");
        p
    }

    /// CONNECT (and AUTH with `key` if the device asks); returns the last answer.
    pub async fn handshake(&mut self, key: Option<u32>) -> Packet {
        let p = self.request(CMD_CONNECT, &[]).await;
        assert_ne!(p.session, 0, "session id must be non-zero");
        self.session = p.session;
        if p.command == CMD_ACK_UNAUTH {
            if let Some(k) = key {
                return self
                    .request(CMD_AUTH, &make_commkey(k, self.session, 50))
                    .await;
            }
        }
        p
    }

    pub async fn connect(transport: Transport, addr: SocketAddr, key: Option<u32>) -> Raw {
        let mut r = Raw::open(transport, addr).await.unwrap();
        let p = r.handshake(key).await;
        assert_eq!(p.command, CMD_ACK_OK, "handshake failed: {p:?}");
        r
    }

    /// Read a whole dataset with PREPARE_BUFFER / READ_BUFFER / FREE_DATA,
    /// checking the shape of every frame; returns it and the DATA packets seen.
    pub async fn read_dataset(&mut self, table: Table, max_chunk: u32) -> (Vec<u8>, Vec<Packet>) {
        let p = self
            .request(CMD_PREPARE_BUFFER, &buffer::prepare_request(table))
            .await;
        if p.command == CMD_DATA {
            return (p.data, vec![]);
        }
        assert_eq!(p.command, CMD_ACK_OK, "{p:?}");
        assert_eq!(p.data.len(), 13);
        let total = buffer::parse_data_stat(&p.data).unwrap();
        let mut plan = buffer::ChunkPlan::new(total, max_chunk);
        let mut out = Vec::with_capacity(total as usize);
        let mut packets = vec![];
        let limit = match self.transport {
            Transport::Tcp => buffer::TCP_DATA_PACKET,
            Transport::Udp => buffer::UDP_DATA_PACKET,
        };
        while let Some((start, size)) = plan.next_chunk() {
            let id = self
                .send(CMD_READ_BUFFER, &buffer::read_request(start, size))
                .await;
            let head = self.recv().await;
            assert_eq!((head.command, head.reply), (CMD_PREPARE_DATA, id));
            assert_eq!(head.data, buffer::prepare_data(size, limit as u32));
            let mut got = 0usize;
            let mut index = 0u16;
            loop {
                let p = self.recv().await;
                assert_eq!(p.reply, id, "every frame echoes the request's reply id");
                if p.command == CMD_ACK_OK {
                    break;
                }
                assert_eq!(p.command, CMD_DATA);
                assert_eq!(p.session, index, "DATA session field = packet index");
                assert!(p.data.len() <= limit);
                index += 1;
                got += p.data.len();
                out.extend_from_slice(&p.data);
                packets.push(p);
            }
            assert_eq!(got, size as usize);
        }
        let p = self.request(CMD_FREE_DATA, &[]).await;
        assert_eq!(p.command, CMD_ACK_OK);
        (out, packets)
    }
}

/// Decode a whole dataset with zk-protocol's decoder.
pub fn decode<L: zk_protocol::records::RecordLayout + Send + 'static>(
    data: &[u8],
    layout: L,
) -> Vec<L::Record> {
    let mut dec = zk_protocol::records::DatasetDecoder::new(move |_| Ok(layout));
    let mut out = vec![];
    dec.push(data, &mut |r| out.push(r)).unwrap();
    dec.finish().unwrap();
    assert_eq!(dec.skipped, 0);
    out
}
