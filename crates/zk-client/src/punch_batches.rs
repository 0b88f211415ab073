//! Punches chunk by chunk: the caller takes each decoded batch (one
//! READ_BUFFER chunk, about 1,600 punches over TCP) and only then is the
//! next chunk requested. A caller that stores every batch before asking for
//! the next one holds one chunk in memory, whatever the device holds, and
//! slows the download to its own pace.

use crate::bulk::{protocol, Start, STEP_PUNCHES};
use crate::client::ZkClient;
use crate::error::ClientError;
use std::collections::HashMap;
use zk_protocol::buffer::{ChunkPlan, TCP_MAX_CHUNK, UDP_MAX_CHUNK};
use zk_protocol::records::{detect_punch_layout, DatasetDecoder};
use zk_protocol::{Punch, PunchLayout, Transport};

/// An attendance download in progress; see [`ZkClient::punch_batches`].
pub struct PunchBatches<'c> {
    client: &'c mut ZkClient,
    source: Source,
    decoder: DatasetDecoder<PunchLayout>,
    /// 8-byte records carry only the device's uid: its enroll id comes from
    /// the user table, which is read only in that case.
    uid_map: Option<HashMap<u16, String>>,
    done_bytes: u64,
    total_bytes: u64,
}

enum Source {
    Inline(Vec<u8>),
    Chunks(ChunkPlan),
    Finished,
}

impl ZkClient {
    /// Starts reading the attendance log; take the punches with
    /// [`PunchBatches::next_batch`] until it returns `None`.
    pub async fn punch_batches(&mut self) -> Result<PunchBatches<'_>, ClientError> {
        let count = self.sizes().await?.records;
        let preferred = match self.transport() {
            Transport::Tcp => PunchLayout::B40,
            Transport::Udp => PunchLayout::B16,
        };
        let choose = move |n| detect_punch_layout(n, Some(count), preferred);
        let mut start = self
            .start_read(zk_protocol::buffer::Table::Punches, STEP_PUNCHES)
            .await?;
        let mut uid_map = None;
        if choose(start.record_bytes()).ok() == Some(PunchLayout::B8) {
            if let Start::Buffered(_) = start {
                // Reading users replaces the device's buffer: start over afterwards.
                self.free_data(STEP_PUNCHES).await;
            }
            let users = self.users().await?;
            uid_map = Some(users.into_iter().map(|u| (u.uid, u.user_id)).collect());
            if let Start::Buffered(_) = start {
                start = self
                    .start_read(zk_protocol::buffer::Table::Punches, STEP_PUNCHES)
                    .await?;
            }
        }
        let (source, total_bytes) = match start {
            Start::Inline(data) => {
                let len = data.len() as u64;
                (Source::Inline(data), len)
            }
            Start::Buffered(total) => {
                let max = match self.transport() {
                    Transport::Tcp => TCP_MAX_CHUNK,
                    Transport::Udp => UDP_MAX_CHUNK,
                };
                (Source::Chunks(ChunkPlan::new(total, max)), u64::from(total))
            }
        };
        Ok(PunchBatches {
            client: self,
            source,
            decoder: DatasetDecoder::new(choose),
            uid_map,
            done_bytes: 0,
            total_bytes,
        })
    }
}

impl PunchBatches<'_> {
    /// The punches of the next chunk (possibly none, when every record in it
    /// was undecodable), or `None` once the log has been read to its end.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Punch>>, ClientError> {
        let bytes = match std::mem::replace(&mut self.source, Source::Finished) {
            Source::Finished => return Ok(None),
            Source::Inline(data) => data,
            Source::Chunks(mut plan) => match plan.next_chunk() {
                Some((offset, size)) => {
                    let chunk = self.client.read_chunk(offset, size, STEP_PUNCHES).await?;
                    self.source = Source::Chunks(plan);
                    chunk
                }
                None => {
                    self.client.free_data(STEP_PUNCHES).await;
                    self.client.finish_dataset(STEP_PUNCHES, &self.decoder)?;
                    return Ok(None);
                }
            },
        };
        let batch = self.decode(&bytes)?;
        if matches!(self.source, Source::Finished) {
            // An inline dataset is complete in one piece.
            self.client.finish_dataset(STEP_PUNCHES, &self.decoder)?;
        }
        Ok(Some(batch))
    }

    fn decode(&mut self, bytes: &[u8]) -> Result<Vec<Punch>, ClientError> {
        let mut batch = Vec::new();
        let uid_map = &self.uid_map;
        self.decoder
            .push(bytes, &mut |mut p: Punch| {
                if let Some(id) = uid_map.as_ref().and_then(|m| m.get(&p.uid)) {
                    p.user_id.clone_from(id);
                }
                batch.push(p);
            })
            .map_err(protocol(STEP_PUNCHES))?;
        self.done_bytes += bytes.len() as u64;
        Ok(batch)
    }

    /// Bytes of the dataset read so far and in all (size prefix included).
    pub fn progress(&self) -> (u64, u64) {
        (self.done_bytes.min(self.total_bytes), self.total_bytes)
    }

    /// Records that could not be decoded so far (they are skipped).
    pub fn skipped(&self) -> usize {
        self.decoder.skipped
    }
}
