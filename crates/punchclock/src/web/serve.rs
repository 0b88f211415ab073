//! The HTTP server: an accept loop with a connection cap, and hyper's
//! HTTP/1 connections with a header-read timeout. `axum::serve` has
//! neither, so a client trickling headers, or 20,000 idle sockets, could
//! hold the service (issue 11, finding 2). Body and request deadlines are
//! middleware (`limits.rs`), since they need the route's answer format.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower_http::add_extension::AddExtension;

/// What one connection may hold.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Time to send a request's headers, and the longest an idle
    /// keep-alive connection stays open between requests.
    pub header_read_timeout: Duration,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_grace: Duration,
}

/// Serve `app` on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let conn = connection(stream, peer, app.clone(), &limits);
        let watched = graceful.watch(conn);
        tokio::spawn(run(watched, permit));
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await;
    Ok(())
}

type Connection = http1::Connection<
    TokioIo<TcpStream>,
    TowerToHyperService<AddExtension<Router, ConnectInfo<SocketAddr>>>,
>;

/// One HTTP/1 connection; the peer address reaches handlers as
/// `ConnectInfo<SocketAddr>`, as with `axum::serve`.
fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: &ConnectionLimits,
) -> Connection {
    let _ = stream.set_nodelay(true);
    let service = TowerToHyperService::new(AddExtension::new(app, ConnectInfo(peer)));
    http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
}

async fn run(
    conn: impl std::future::Future<Output = hyper::Result<()>>,
    permit: OwnedSemaphorePermit,
) {
    if let Err(e) = conn.await {
        // Timeouts and resets from clients are routine, not faults.
        tracing::debug!("connection ended: {e}");
    }
    drop(permit);
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Out of file descriptors (or another transient error): wait a moment
/// instead of spinning, so the connections we have can finish.
async fn accept_failed(e: std::io::Error) {
    tracing::warn!("accept failed: {e}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
