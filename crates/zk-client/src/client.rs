//! The connection to one device: connecting (with transport fallback and the
//! comm-key handshake), driving request/answer exchanges under a timeout, and
//! closing the session.

use crate::error::ClientError;
use crate::options::{ClientOptions, TransportChoice};
use crate::pace::{Link, Pacer};
use crate::resolve::resolve;
use crate::traffic::TrafficMeter;
use crate::transport::{Conn, RecvError};
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::{timeout_at, Instant};
use zk_protocol::command::*;
use zk_protocol::exchange::{Answer, Exchange, Ignored, Step};
use zk_protocol::session::{ClientSession, ConnectStep, HandshakeError};
use zk_protocol::{Packet, ProtocolError, Transport, UserLayout};

/// Live events kept while no one asks for them; a device that floods us
/// must not grow memory without bound.
const MAX_QUEUED_EVENTS: usize = 10_000;

pub(crate) const STEP_CONNECT: &str = "connecting";
pub(crate) const STEP_AUTH: &str = "checking the comm key";
pub(crate) const STEP_CLOSE: &str = "closing the session";

/// Before the handshake completes, anything unexpected means "not a ZK
/// device"; afterwards it is a malformed reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Handshake,
    Session,
}

/// What a request waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Await {
    /// A reply (or inline data); resent over UDP while none comes.
    Reply,
    /// A streamed chunk of this many data bytes.
    Chunk(usize),
}

/// When to send a UDP request again while its reply is missing.
struct Resend {
    left: u32,
    interval: Duration,
    next: Instant,
}

impl Resend {
    fn new(wait: &Await, transport: Transport, opts: &ClientOptions) -> Resend {
        let left = match (wait, transport) {
            (Await::Reply, Transport::Udp) => opts.retries,
            _ => 0,
        };
        let interval = opts.timeout / left.saturating_add(1);
        Resend {
            left,
            interval,
            next: Instant::now() + interval,
        }
    }

    /// When to stop waiting for this attempt.
    fn wake(&self, deadline: Instant) -> Instant {
        if self.left > 0 {
            self.next.min(deadline)
        } else {
            deadline
        }
    }

    fn sent(&mut self) {
        self.left = self.left.saturating_sub(1);
        self.next += self.interval;
    }
}

/// An open session with one device. Always finish with [`ZkClient::close`].
pub struct ZkClient {
    pub(crate) conn: Conn,
    pub(crate) session: ClientSession,
    pub(crate) peer: SocketAddr,
    pub(crate) traffic: TrafficMeter,
    pub(crate) opts: ClientOptions,
    pub(crate) events: VecDeque<Packet>,
    /// Set when the connection can no longer carry requests (EOF, I/O error,
    /// TCP stream out of sync); later calls fail fast.
    pub(crate) broken: bool,
    pub(crate) last_skipped: usize,
    /// The user record size the last user table read found.
    pub(crate) user_layout: Option<UserLayout>,
    /// How the device's link streamed lately (see `pace`).
    pub(crate) link: Option<Link>,
}

impl std::fmt::Debug for ZkClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkClient")
            .field("peer", &self.peer)
            .field("transport", &self.transport())
            .field("session", &self.session.session_id())
            .field("broken", &self.broken)
            .finish()
    }
}

impl ZkClient {
    /// Resolve `host` and connect to its first address.
    pub async fn connect(
        host: &str,
        port: u16,
        opts: &ClientOptions,
    ) -> Result<ZkClient, ClientError> {
        let addrs = resolve(host, port, opts.timeout).await?;
        Self::connect_addr(addrs[0], opts).await
    }

    /// Connect to an address the caller has already resolved and vetted.
    pub async fn connect_addr(
        addr: SocketAddr,
        opts: &ClientOptions,
    ) -> Result<ZkClient, ClientError> {
        match opts.transport {
            TransportChoice::Tcp => Self::open(addr, Transport::Tcp, opts).await,
            TransportChoice::Udp => Self::open(addr, Transport::Udp, opts).await,
            TransportChoice::Auto => match Self::open(addr, Transport::Tcp, opts).await {
                Err(tcp @ (ClientError::Refused { .. } | ClientError::Timeout { .. })) => {
                    tracing::debug!(%addr, error = %tcp, "TCP failed, trying UDP");
                    match Self::open(addr, Transport::Udp, opts).await {
                        Ok(c) => Ok(c),
                        // UDP got nowhere either: the TCP error says more.
                        Err(ClientError::Refused { .. } | ClientError::Timeout { .. }) => Err(tcp),
                        Err(udp) => Err(udp),
                    }
                }
                other => other,
            },
        }
    }

    async fn open(
        addr: SocketAddr,
        transport: Transport,
        opts: &ClientOptions,
    ) -> Result<ZkClient, ClientError> {
        let deadline = Instant::now() + opts.timeout;
        let opened = match transport {
            Transport::Tcp => timeout_at(deadline, Conn::tcp(addr)).await,
            Transport::Udp => timeout_at(deadline, Conn::udp(addr)).await,
        };
        let conn = match opened {
            Err(_) => {
                return Err(ClientError::Timeout {
                    step: STEP_CONNECT,
                    after: opts.timeout,
                })
            }
            Ok(Err(e)) => return Err(io_error(e, addr, STEP_CONNECT)),
            Ok(Ok(c)) => c,
        };
        let mut client = ZkClient {
            conn,
            session: ClientSession::new(transport, opts.comm_key),
            peer: addr,
            traffic: TrafficMeter::default(),
            opts: opts.clone(),
            events: VecDeque::new(),
            broken: false,
            last_skipped: 0,
            link: None,
            user_layout: None,
        };
        client.handshake().await?;
        tracing::debug!(%addr, %transport, session = client.session.session_id(), "connected");
        Ok(client)
    }

    async fn handshake(&mut self) -> Result<(), ClientError> {
        let (ex, bytes) = self.session.connect();
        let answer = self
            .run_exchange(ex, bytes, STEP_CONNECT, Phase::Handshake, Await::Reply)
            .await?;
        match self.session.on_connect_answer(&answer) {
            Ok(ConnectStep::Connected) => Ok(()),
            Ok(ConnectStep::Authenticate) => {
                let (ex, bytes) = self.session.auth();
                let answer = self
                    .run_exchange(ex, bytes, STEP_AUTH, Phase::Handshake, Await::Reply)
                    .await?;
                self.session
                    .on_auth_answer(&answer)
                    .map_err(handshake_error)
            }
            Err(e) => Err(handshake_error(e)),
        }
    }

    /// The address this client talks to.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The transport in use (after `Auto` picked one).
    pub fn transport(&self) -> Transport {
        self.conn.transport()
    }

    /// Bytes sent and received so far; the meter keeps counting until the
    /// session is closed and stays readable afterwards.
    pub fn traffic_meter(&self) -> TrafficMeter {
        self.traffic.clone()
    }

    /// Records the last bulk read could not decode and skipped.
    pub fn last_skipped(&self) -> usize {
        self.last_skipped
    }

    pub(crate) fn ensure_open(&self, step: &'static str) -> Result<(), ClientError> {
        if self.broken {
            Err(ClientError::Closed { step })
        } else {
            Ok(())
        }
    }

    /// Send one request and collect its answer before the step's deadline.
    ///
    /// [`Await::Reply`] over UDP sends the identical datagram (same reply id)
    /// again at intervals within the deadline, so a lost datagram costs a
    /// fraction of the timeout; a duplicate answer is later ignored as stale.
    /// A chunk ([`Await::Chunk`]) is never resent this way; its reads are
    /// paced instead (see `pace`).
    pub(crate) async fn run_exchange(
        &mut self,
        mut ex: Exchange,
        bytes: Vec<u8>,
        step: &'static str,
        phase: Phase,
        wait: Await,
    ) -> Result<Answer, ClientError> {
        let timeout = self.opts.timeout;
        let deadline = Instant::now() + timeout;
        self.send(&bytes, step, deadline).await?;
        let mut resend = Resend::new(&wait, self.transport(), &self.opts);
        let mut pacer = match wait {
            Await::Chunk(size) => Some(Pacer::new(size, self.link, Instant::now())),
            Await::Reply => None,
        };
        let mut started = false;
        let answer = loop {
            // Half the time left at most: the reads after the pause must fit too.
            let now = Instant::now();
            let pause = pacer
                .as_mut()
                .filter(|_| !self.conn.has_packet())
                .and_then(|p| p.pause(started, ex.received(), now))
                .map(|p| p.min(deadline.saturating_duration_since(now) / 2));
            let recv = self.conn.recv_after(pause);
            let packet = match timeout_at(resend.wake(deadline), recv).await {
                Err(_) if Instant::now() >= deadline => {
                    return Err(ClientError::Timeout {
                        step,
                        after: timeout,
                    })
                }
                Err(_) => {
                    tracing::debug!(step, "no answer yet, sending the request again");
                    resend.sent();
                    self.send(&bytes, step, deadline).await?;
                    continue;
                }
                Ok(Err(e)) => return Err(self.recv_error(e, step, phase)),
                Ok(Ok(p)) => self.count_received(p),
            };
            match ex.on_packet(packet) {
                Ok(Step::Pending) => started = true,
                Ok(Step::Done(answer)) => break answer,
                Ok(Step::Ignored(Ignored::Event(p))) => self.queue_event(p, step).await?,
                Ok(Step::Ignored(Ignored::Stale { command, reply })) => {
                    tracing::debug!(step, command, reply, "ignoring a stale packet");
                }
                Err(e) => return Err(malformed(e, step, phase, self.transport())),
            }
        };
        if let Some(link) = pacer.and_then(|p| p.link()) {
            self.link = Some(link);
        }
        Ok(answer)
    }

    /// Send with the step's deadline. A TCP write cut short leaves a partial
    /// frame on the wire, so the connection is unusable afterwards.
    pub(crate) async fn send(
        &mut self,
        bytes: &[u8],
        step: &'static str,
        deadline: Instant,
    ) -> Result<(), ClientError> {
        match timeout_at(deadline, self.conn.send(bytes)).await {
            Ok(Ok(())) => {
                self.traffic.sent(bytes.len());
                Ok(())
            }
            Ok(Err(e)) => {
                self.broken = true;
                Err(io_error(e, self.peer, step))
            }
            Err(_) => {
                self.broken = self.transport() == Transport::Tcp;
                Err(ClientError::Timeout {
                    step,
                    after: self.opts.timeout,
                })
            }
        }
    }

    /// Counts a received packet as framed on the wire.
    pub(crate) fn count_received(&self, p: Packet) -> Packet {
        let wrapper = match self.transport() {
            Transport::Tcp => zk_protocol::packet::TCP_TOP_LEN,
            Transport::Udp => 0,
        };
        self.traffic.received(wrapper + p.wire_len());
        p
    }

    pub(crate) fn recv_error(
        &mut self,
        e: RecvError,
        step: &'static str,
        phase: Phase,
    ) -> ClientError {
        match e {
            RecvError::Io(e) => {
                self.broken = true;
                io_error(e, self.peer, step)
            }
            RecvError::Eof => {
                self.broken = true;
                ClientError::Closed { step }
            }
            RecvError::Frame(e) => {
                // One bad datagram does not desynchronise UDP; a TCP stream is lost.
                self.broken |= self.transport() == Transport::Tcp;
                malformed(e, step, phase, self.transport())
            }
        }
    }

    /// Keep a live event for `next_event` and acknowledge it as pyzk does.
    pub(crate) async fn queue_event(
        &mut self,
        p: Packet,
        step: &'static str,
    ) -> Result<(), ClientError> {
        self.ack_event(step).await?;
        if self.events.len() >= MAX_QUEUED_EVENTS {
            tracing::warn!("too many unread live events; dropping the oldest");
            self.events.pop_front();
        }
        self.events.push_back(p);
        Ok(())
    }

    pub(crate) async fn ack_event(&mut self, step: &'static str) -> Result<(), ClientError> {
        let ack = self.session.event_ack();
        let deadline = Instant::now() + self.opts.timeout;
        self.send(&ack, step, deadline).await
    }

    /// One request whose answer is a single reply (or inline data).
    pub(crate) async fn call(
        &mut self,
        step: &'static str,
        command: u16,
        data: &[u8],
    ) -> Result<Answer, ClientError> {
        self.ensure_open(step)?;
        let (ex, bytes) = self.session.request(command, data);
        let answer = self
            .run_exchange(ex, bytes, step, Phase::Session, Await::Reply)
            .await?;
        self.session
            .check_session(&answer)
            .map_err(|source| ClientError::Protocol { step, source })?;
        Ok(answer)
    }

    /// A request that must be answered with ACK_OK; returns the reply's data.
    pub(crate) async fn call_ok(
        &mut self,
        step: &'static str,
        command: u16,
        data: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        match self.call(step, command, data).await? {
            Answer::Reply {
                code: CMD_ACK_OK,
                data,
                ..
            } => Ok(data),
            // Some firmwares send small answers as a DATA packet.
            Answer::Inline(data) | Answer::Stream(data) => Ok(data),
            Answer::Reply { code, .. } => Err(ClientError::Device { step, code }),
        }
    }

    /// End the session with EXIT and wait (up to the timeout) for its ACK.
    pub async fn close(mut self) -> Result<(), ClientError> {
        if self.broken {
            return Ok(());
        }
        let (ex, bytes) = self.session.exit();
        let result = self
            .run_exchange(ex, bytes, STEP_CLOSE, Phase::Session, Await::Reply)
            .await;
        self.conn.shutdown().await;
        match result {
            Ok(_) => Ok(()),
            // Hanging up in answer to EXIT is a clean end too.
            Err(ClientError::Closed { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

pub(crate) fn io_error(e: io::Error, addr: SocketAddr, step: &'static str) -> ClientError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ClientError::Refused { addr },
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => ClientError::Closed { step },
        _ => ClientError::Io { step, source: e },
    }
}

fn malformed(
    e: ProtocolError,
    step: &'static str,
    phase: Phase,
    transport: Transport,
) -> ClientError {
    // A TCP frame gets this far only with ZK's magic: a bad checksum or
    // body is a ZK device garbling its reply, not another service on the
    // port. A UDP datagram has no magic, so during the handshake it stays
    // "not a ZK device".
    let zk_framed = transport == Transport::Tcp
        && matches!(
            e,
            ProtocolError::Checksum { .. }
                | ProtocolError::Malformed { .. }
                | ProtocolError::UnexpectedReply { .. }
        );
    match phase {
        Phase::Handshake if !zk_framed => ClientError::NotZk {
            detail: format!("{e} (while {step})"),
        },
        Phase::Handshake | Phase::Session => ClientError::Protocol { step, source: e },
    }
}

fn handshake_error(e: HandshakeError) -> ClientError {
    match e {
        HandshakeError::KeyRequired => ClientError::KeyRequired,
        HandshakeError::KeyRejected => ClientError::KeyRejected,
        HandshakeError::NotZk(what) => ClientError::NotZk {
            detail: format!("the handshake was answered with {what}"),
        },
    }
}
