//! zk-sim
