use thiserror::Error;

/// Why the simulator could not start or serve.
#[derive(Debug, Error)]
pub enum SimError {
    #[error("device {index} would need port {first_port}+{index}, beyond 65535")]
    PortRange { first_port: u16, index: usize },
    #[error("no free port pair (tcp+udp on the same number) after {attempts} attempts")]
    NoFreePort { attempts: u32 },
    #[error("cannot listen on {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl From<SimError> for std::io::Error {
    fn from(e: SimError) -> Self {
        let kind = match &e {
            SimError::Bind { source, .. } => source.kind(),
            SimError::PortRange { .. } => std::io::ErrorKind::InvalidInput,
            SimError::NoFreePort { .. } => std::io::ErrorKind::AddrInUse,
        };
        std::io::Error::new(kind, e)
    }
}
