//! A socket that can step out of the runtime's reactor while the client
//! deliberately sleeps (see `pace`).
//!
//! A registered socket wakes a runtime thread for every segment that arrives,
//! even when no task is reading it: on a link that trickles 1 KB frames that
//! is one wakeup per frame. Parked, the socket is only a kernel buffer that
//! fills quietly; it re-registers on the next use, and a read then takes all
//! that came. Parking is cancel-safe: a parked socket simply stays parked
//! until it is used again.

use std::io;
use tokio::net::{TcpStream, UdpSocket};

/// A tokio socket and its plain std form (non-blocking, as tokio leaves it).
pub(crate) trait Reactor: Sized {
    type Std;
    fn into_std(self) -> io::Result<Self::Std>;
    fn from_std(s: Self::Std) -> io::Result<Self>;
    /// A non-blocking read or receive on the std form.
    fn std_read(s: &Self::Std, buf: &mut [u8]) -> io::Result<usize>;
    /// A non-blocking write or send on the std form.
    fn std_write(s: &Self::Std, bytes: &[u8]) -> io::Result<usize>;
}

impl Reactor for TcpStream {
    type Std = std::net::TcpStream;
    fn into_std(self) -> io::Result<Self::Std> {
        TcpStream::into_std(self)
    }
    fn from_std(s: Self::Std) -> io::Result<Self> {
        TcpStream::from_std(s)
    }
    fn std_read(mut s: &Self::Std, buf: &mut [u8]) -> io::Result<usize> {
        std::io::Read::read(&mut s, buf)
    }
    fn std_write(mut s: &Self::Std, bytes: &[u8]) -> io::Result<usize> {
        std::io::Write::write(&mut s, bytes)
    }
}

impl Reactor for UdpSocket {
    type Std = std::net::UdpSocket;
    fn into_std(self) -> io::Result<Self::Std> {
        UdpSocket::into_std(self)
    }
    fn from_std(s: Self::Std) -> io::Result<Self> {
        UdpSocket::from_std(s)
    }
    fn std_read(s: &Self::Std, buf: &mut [u8]) -> io::Result<usize> {
        s.recv(buf)
    }
    fn std_write(s: &Self::Std, bytes: &[u8]) -> io::Result<usize> {
        s.send(bytes)
    }
}

/// A socket, registered with the reactor or parked. Both `None` only after
/// a failed conversion, which loses the socket: it then reads as closed.
pub(crate) struct Parkable<S: Reactor> {
    live: Option<S>,
    parked: Option<S::Std>,
}

impl<S: Reactor> Parkable<S> {
    pub(crate) fn new(s: S) -> Self {
        Parkable {
            live: Some(s),
            parked: None,
        }
    }

    /// The registered socket, re-registering it if it was parked.
    pub(crate) fn live(&mut self) -> io::Result<&mut S> {
        if let Some(s) = self.parked.take() {
            self.live = Some(S::from_std(s)?);
        }
        self.live
            .as_mut()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }

    /// While parked, a read of what the kernel already holds, without
    /// waking or joining the reactor; `None` when live or nothing is there.
    pub(crate) fn read_parked(&mut self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        match S::std_read(self.parked.as_ref()?, buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
            r => Some(r),
        }
    }

    /// While parked, write what the kernel takes at once (all of a small
    /// request, in practice); returns how many bytes went out.
    pub(crate) fn write_parked(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let Some(s) = self.parked.as_ref() else {
            return Ok(0);
        };
        let mut done = 0;
        while done < bytes.len() {
            match S::std_write(s, &bytes[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// Take the socket out of the reactor until the next [`Parkable::live`].
    pub(crate) fn park(&mut self) -> io::Result<()> {
        if let Some(s) = self.live.take() {
            self.parked = Some(s.into_std()?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn data_sent_while_parked_is_read_after() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = Parkable::new(TcpStream::connect(addr).await.unwrap());
        let (mut server, _) = listener.accept().await.unwrap();
        client.park().unwrap();
        client.park().unwrap(); // twice is harmless
        server.write_all(b"hello").await.unwrap();
        server.write_all(b" world").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let mut buf = [0u8; 32];
        let n = client.read_parked(&mut buf).unwrap().unwrap();
        assert_eq!(&buf[..n], b"hello world");
        assert!(
            client.read_parked(&mut buf).is_none(),
            "nothing more: would block"
        );
        assert_eq!(client.write_parked(b"parked ").unwrap(), 7);
        server.write_all(b"again").await.unwrap();
        let n = client.live().unwrap().read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"again");
        assert!(
            client.read_parked(&mut buf).is_none(),
            "live: not read here"
        );
        client.live().unwrap().write_all(b"ok").await.unwrap();
        let mut got = vec![];
        while got.len() < 9 {
            let n = server.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"parked ok");
    }
}
