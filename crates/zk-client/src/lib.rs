//! zk-client
