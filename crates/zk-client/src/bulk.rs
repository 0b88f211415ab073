//! Bulk reads of the user and attendance tables (reference §4):
//! PREPARE_BUFFER, then either the whole dataset inline or READ_BUFFER chunk
//! by chunk, then FREE_DATA. Records are decoded as each chunk arrives, so a
//! million punches never sit in memory as raw bytes.

use crate::client::{Await, Phase, ZkClient};
use crate::error::ClientError;
use zk_protocol::buffer::{
    parse_data_stat, prepare_request, read_request, ChunkPlan, Table, TCP_MAX_CHUNK, UDP_MAX_CHUNK,
};
use zk_protocol::command::*;
use zk_protocol::exchange::Answer;
use zk_protocol::records::{detect_user_layout, DatasetDecoder, RecordLayout};
use zk_protocol::{ProtocolError, Punch, Transport, User, UserLayout};

const STEP_USERS: &str = "reading users";
pub(crate) const STEP_PUNCHES: &str = "reading punches";

/// How the device answered PREPARE_BUFFER.
pub(crate) enum Start {
    /// The whole dataset, `[u32 size][records]`, in one DATA packet.
    Inline(Vec<u8>),
    /// The dataset waits in the device's buffer; this many bytes, prefix included.
    Buffered(u32),
}

impl Start {
    /// Record bytes the dataset will hold, for choosing the record layout.
    pub(crate) fn record_bytes(&self) -> usize {
        match self {
            Start::Inline(d) if d.len() >= 4 => {
                u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize
            }
            Start::Inline(_) => 0,
            Start::Buffered(total) => total.saturating_sub(4) as usize,
        }
    }
}

pub(crate) fn protocol(step: &'static str) -> impl Fn(ProtocolError) -> ClientError {
    move |source| ClientError::Protocol { step, source }
}

impl ZkClient {
    /// All users. The table is read even when the device counts 0 users:
    /// some firmwares misreport their counts.
    pub async fn users(&mut self) -> Result<Vec<User>, ClientError> {
        let count = self.sizes().await?.users;
        let preferred = match self.transport() {
            Transport::Tcp => UserLayout::Zk8,
            Transport::Udp => UserLayout::Zk6,
        };
        let mut decoder =
            DatasetDecoder::new(move |n| detect_user_layout(n, Some(count), preferred));
        let mut users = Vec::new();
        let start = self.start_read(Table::Users, STEP_USERS).await?;
        self.pull(
            start,
            STEP_USERS,
            &mut decoder,
            &mut |u| users.push(u),
            &mut |_, _| {},
        )
        .await?;
        self.user_layout = decoder.layout().or(self.user_layout);
        Ok(users)
    }

    /// Stream all punches to `sink` as chunks arrive, reporting
    /// `progress(done_bytes, total_bytes)`; returns how many were delivered.
    /// Undecodable records are skipped, logged and counted in [`ZkClient::last_skipped`].
    /// To store each chunk before the next is read, use [`ZkClient::punch_batches`].
    pub async fn punches_with(
        &mut self,
        sink: &mut (dyn FnMut(Punch) + Send),
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<usize, ClientError> {
        let mut batches = self.punch_batches().await?;
        let mut delivered = 0usize;
        progress(0, batches.progress().1);
        while let Some(batch) = batches.next_batch().await? {
            delivered += batch.len();
            batch.into_iter().for_each(&mut *sink);
            let (done, total) = batches.progress();
            progress(done, total);
        }
        Ok(delivered)
    }

    /// All punches in memory; prefer [`ZkClient::punches_with`] for big logs.
    pub async fn punches(&mut self) -> Result<Vec<Punch>, ClientError> {
        let mut out = Vec::new();
        self.punches_with(&mut |p| out.push(p), &mut |_, _| {})
            .await?;
        Ok(out)
    }

    pub(crate) async fn start_read(
        &mut self,
        table: Table,
        step: &'static str,
    ) -> Result<Start, ClientError> {
        match self
            .call(step, CMD_PREPARE_BUFFER, &prepare_request(table))
            .await?
        {
            Answer::Inline(data) | Answer::Stream(data) => Ok(Start::Inline(data)),
            Answer::Reply {
                code: CMD_ACK_OK,
                data,
                ..
            } => Ok(Start::Buffered(
                parse_data_stat(&data).map_err(protocol(step))?,
            )),
            Answer::Reply { code, .. } => Err(ClientError::Device { step, code }),
        }
    }

    /// Decode a dataset, fetching it chunk by chunk when it was not inline.
    async fn pull<L>(
        &mut self,
        start: Start,
        step: &'static str,
        decoder: &mut DatasetDecoder<L>,
        sink: &mut (dyn FnMut(L::Record) + Send),
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<(), ClientError>
    where
        L: RecordLayout + Send,
    {
        match start {
            Start::Inline(data) => {
                decoder.push(&data, sink).map_err(protocol(step))?;
                progress(data.len() as u64, data.len() as u64);
            }
            Start::Buffered(total) => {
                let max = match self.transport() {
                    Transport::Tcp => TCP_MAX_CHUNK,
                    Transport::Udp => UDP_MAX_CHUNK,
                };
                let mut plan = ChunkPlan::new(total, max);
                let mut done = 0u64;
                progress(0, u64::from(total));
                while let Some((offset, size)) = plan.next_chunk() {
                    let chunk = self.read_chunk(offset, size, step).await?;
                    decoder.push(&chunk, sink).map_err(protocol(step))?;
                    done += u64::from(size);
                    progress(done, u64::from(total));
                }
                self.free_data(step).await;
            }
        }
        self.finish_dataset(step, decoder)
    }

    /// A dataset read to its end: it must be complete; skipped records are
    /// counted and logged.
    pub(crate) fn finish_dataset<L: RecordLayout>(
        &mut self,
        step: &'static str,
        decoder: &DatasetDecoder<L>,
    ) -> Result<(), ClientError> {
        decoder.finish().map_err(protocol(step))?;
        self.last_skipped = decoder.skipped;
        if decoder.skipped > 0 {
            tracing::warn!(
                step,
                skipped = decoder.skipped,
                first_error = ?decoder.first_error,
                "skipped records that could not be decoded"
            );
        }
        Ok(())
    }

    /// One READ_BUFFER chunk, retried with a fresh reply id on a timeout or
    /// a bad answer; stray packets of an abandoned attempt are then ignored.
    pub(crate) async fn read_chunk(
        &mut self,
        offset: u32,
        size: u32,
        step: &'static str,
    ) -> Result<Vec<u8>, ClientError> {
        let mut attempt = 0;
        loop {
            self.ensure_open(step)?;
            let (ex, bytes) = self
                .session
                .request(CMD_READ_BUFFER, &read_request(offset, size));
            let err = match self
                .run_exchange(ex, bytes, step, Phase::Session, Await::Chunk(size as usize))
                .await
            {
                Ok(Answer::Stream(d) | Answer::Inline(d)) if d.len() == size as usize => {
                    return Ok(d)
                }
                Ok(Answer::Stream(d) | Answer::Inline(d)) => ClientError::Protocol {
                    step,
                    source: ProtocolError::Malformed {
                        what: "data chunk",
                        detail: format!("{} bytes, asked for {size}", d.len()),
                    },
                },
                Ok(Answer::Reply { code, .. }) => ClientError::Device { step, code },
                Err(e) => e,
            };
            let retryable = matches!(
                err,
                ClientError::Timeout { .. }
                    | ClientError::Protocol { .. }
                    | ClientError::Device { .. }
            );
            if attempt >= self.opts.retries || self.broken || !retryable {
                return Err(err);
            }
            attempt += 1;
            tracing::warn!(step, offset, size, attempt, error = %err, "retrying a chunk");
        }
    }

    /// Release the device's buffer. The data is already in hand, so a failure
    /// here is only logged.
    pub(crate) async fn free_data(&mut self, step: &'static str) {
        if let Err(e) = self.call_ok(step, CMD_FREE_DATA, &[]).await {
            tracing::warn!(step, error = %e, "the device did not confirm FREE_DATA");
        }
    }
}
