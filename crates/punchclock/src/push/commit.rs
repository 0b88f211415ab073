//! Group commit: what devices send is written by committer tasks, several
//! requests in one transaction (`Store::record_pushes`). SQLite has one
//! writer, so a transaction per upload queued every upload of every
//! company behind the others' commits and round trips; now one commit
//! serves all that arrived meanwhile.
//!
//! A request is answered only after the transaction holding it committed,
//! with its own outcome (each runs in a savepoint, so one that fails is
//! rolled back alone). A batch that fails as a whole stored nothing: its
//! requests are then committed one by one, so a bad one cannot sink its
//! neighbours, and each answer is still given only after its own commit.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot, Mutex};

use crate::domain::{CompanyId, DeviceId, PollOutcome, PushRecord};
use crate::store::{PushWrite, Store, StoreError};

/// Requests in one transaction at most.
const BATCH_REQUESTS: usize = 64;
/// A batch takes no more requests once it holds this many records
/// (punches and users), so no transaction grows long.
const BATCH_RECORDS: usize = 5_000;
/// Requests waiting for a committer; further ones wait to be queued.
const QUEUE: usize = 1_024;
/// Committers on PostgreSQL, which has a pool of connections; SQLite has
/// one writer, so one committer.
const POSTGRES_COMMITTERS: usize = 4;

/// What one request's commit came to, with its record handed back (to log
/// a failure with).
pub(super) type Committed = (PushRecord, Result<PollOutcome, StoreError>);

struct Job {
    write: PushWrite,
    done: oneshot::Sender<Committed>,
}

impl Job {
    fn records(&self) -> usize {
        self.write.record.punches.len() + self.write.record.users.len()
    }
}

/// The queue to the committers, started on first use (inside the runtime).
pub(super) struct Committer {
    store: Store,
    queue: OnceLock<mpsc::Sender<Job>>,
}

impl Committer {
    pub(super) fn new(store: Store) -> Committer {
        Committer {
            store,
            queue: OnceLock::new(),
        }
    }

    /// Stores `record` for the device; returns once it is committed (or
    /// not stored at all).
    pub(super) async fn commit(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        serial: &str,
        record: PushRecord,
    ) -> Result<Committed, StoreError> {
        let (done, answer) = oneshot::channel();
        let job = Job {
            write: PushWrite {
                company_id,
                device_id,
                serial: serial.to_string(),
                record,
            },
            done,
        };
        if self.queue().send(job).await.is_err() {
            return Err(gone());
        }
        answer.await.map_err(|_| gone())
    }

    fn queue(&self) -> &mpsc::Sender<Job> {
        self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            let rx = Arc::new(Mutex::new(rx));
            let committers = if self.store.is_postgres() {
                POSTGRES_COMMITTERS
            } else {
                1
            };
            for _ in 0..committers {
                tokio::spawn(run(self.store.clone(), rx.clone()));
            }
            tx
        })
    }
}

/// The committer ended (the runtime is shutting down): nothing was stored.
fn gone() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

/// One committer: takes what is queued, commits it, answers; until the
/// queue's sender is dropped.
async fn run(store: Store, queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    while let Some(batch) = next_batch(&queue).await {
        commit_batch(&store, batch).await;
    }
}

/// Waits for one request, then takes whatever else is already queued, up
/// to the batch's bounds.
async fn next_batch(queue: &Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut rx = queue.lock().await;
    let first = rx.recv().await?;
    let mut records = first.records();
    let mut batch = vec![first];
    while batch.len() < BATCH_REQUESTS && records < BATCH_RECORDS {
        let Ok(job) = rx.try_recv() else { break };
        records += job.records();
        batch.push(job);
    }
    Some(batch)
}

async fn commit_batch(store: &Store, batch: Vec<Job>) {
    let (writes, done): (Vec<PushWrite>, Vec<_>) =
        batch.into_iter().map(|j| (j.write, j.done)).unzip();
    let results = match store.record_pushes(&writes).await {
        Ok(outcomes) => outcomes,
        Err(e) if writes.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(
                requests = writes.len(),
                "push: a group commit failed, committing its requests one by one: {e}"
            );
            let mut results = Vec::with_capacity(writes.len());
            for write in &writes {
                let one = store
                    .record_push(
                        write.company_id,
                        write.device_id,
                        &write.serial,
                        &write.record,
                    )
                    .await;
                results.push(one);
            }
            results
        }
    };
    for ((write, done), result) in writes.into_iter().zip(done).zip(results) {
        // The request may have gone (its client hung up): nothing to tell.
        let _ = done.send((write.record, result));
    }
}
