//! Files written while their rows arrive: a producer sends batches of
//! rows over a bounded channel, the body writes each as it comes. Memory
//! per request is a few batches (and, for XLSX, the zip's buffers), never
//! the whole file; a client that goes away closes the channel and the
//! producer stops at its next send.

use std::io;

use axum::body::{Body, Bytes};
use axum::response::Response;
use futures_util::stream;
use tokio::sync::mpsc;

use super::csv_out::CsvRows;
use super::xlsx_out::XlsxRows;
use super::{file_response, Cell, Format, Sheet};

/// Rows a producer should send at a time.
pub const BATCH_ROWS: usize = 1000;
/// Batches in flight between producer and writer.
const IN_FLIGHT: usize = 2;
/// XLSX bytes sent to the client at a time.
const CHUNK: usize = 64 * 1024;

pub type Batch = Vec<Vec<Cell>>;

/// A batch, or why the rows stopped: the body is then cut off, so a
/// failed export never looks like a complete file.
pub type Sent = Result<Batch, String>;

/// The receiving end of a producer's batches.
pub struct Batches(mpsc::Receiver<Sent>);

impl Batches {
    /// A bounded channel: the producer waits while the writer is behind.
    pub fn channel() -> (mpsc::Sender<Sent>, Batches) {
        let (tx, rx) = mpsc::channel(IN_FLIGHT);
        (tx, Batches(rx))
    }
}

/// A file response whose body is written from `batches` as they arrive;
/// `Format::Json` is not a file and is written as CSV.
pub fn stream(format: Format, sheet: Sheet, batches: Batches) -> Response {
    let body = match format {
        Format::Xlsx => xlsx_body(sheet.clone(), batches),
        Format::Csv | Format::Json => csv_body(&sheet, batches),
    };
    file_response(format, &sheet, body)
}

fn csv_body(sheet: &Sheet, Batches(rx): Batches) -> Body {
    let writer = CsvRows::new(sheet).map_err(io::Error::other);
    let state = Some((rx, writer));
    Body::from_stream(stream::unfold(state, |state| async move {
        let (mut rx, writer) = state?;
        let mut w = match writer {
            Ok(w) => w,
            Err(e) => return Some((Err(e), None)),
        };
        let more = match rx.recv().await {
            Some(Ok(batch)) => w.write(&batch).map(|()| true).map_err(io::Error::other),
            Some(Err(e)) => Err(io::Error::other(e)),
            None => Ok(false),
        };
        let chunk = more.and_then(|more| Ok((more, w.take().map_err(io::Error::other)?)));
        match chunk {
            Ok((true, bytes)) => Some((Ok(Bytes::from(bytes)), Some((rx, Ok(w))))),
            Ok((false, bytes)) => Some((Ok(Bytes::from(bytes)), None)),
            Err(e) => Some((Err(e), None)),
        }
    }))
}

fn xlsx_body(sheet: Sheet, Batches(mut rx): Batches) -> Body {
    let (out, bytes) = mpsc::channel::<io::Result<Bytes>>(IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let written = (|| {
            let mut x = XlsxRows::new(sheet)?;
            while let Some(batch) = rx.blocking_recv() {
                let batch =
                    batch.map_err(|e| rust_xlsxwriter::XlsxError::IoError(io::Error::other(e)))?;
                x.write(&batch)?;
            }
            let mut w = ChunkWriter {
                out: out.clone(),
                buf: Vec::with_capacity(CHUNK),
            };
            x.finish(&mut w)?;
            io::Write::flush(&mut w)?;
            Ok::<_, rust_xlsxwriter::XlsxError>(())
        })();
        if let Err(e) = written {
            tracing::warn!(error = %e, "xlsx export failed");
            // The client sees a cut connection, not a broken file that
            // looks whole.
            let _ = out.blocking_send(Err(io::Error::other(e.to_string())));
        }
    });
    Body::from_stream(stream::unfold(bytes, |mut bytes| async move {
        bytes.recv().await.map(|b| (b, bytes))
    }))
}

/// Sends what the workbook writes in chunks of [`CHUNK`] bytes.
struct ChunkWriter {
    out: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.out
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use futures_util::StreamExt;

    use super::*;
    use crate::web::export::Column;

    fn sheet() -> Sheet {
        Sheet {
            name: "numbers",
            period: "2026-07-01".into(),
            zone: "UTC".into(),
            columns: vec![Column::new("n")],
        }
    }

    /// The property behind "a 120,000-punch CSV is never held whole": the
    /// producer stays at most a couple of batches ahead of the client, and
    /// each batch leaves as its own chunk.
    #[tokio::test(flavor = "current_thread")]
    async fn csv_leaves_batch_by_batch_and_the_producer_waits_for_the_client() {
        const BATCHES: usize = 50;
        let (tx, batches) = Batches::channel();
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = sent.clone();
        let producer = tokio::spawn(async move {
            for b in 0..BATCHES {
                let rows = (0..100).map(|i| vec![Cell::Int((b * 100 + i) as i64)]);
                if tx.send(Ok(rows.collect())).await.is_err() {
                    return;
                }
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let mut body = stream(Format::Csv, sheet(), batches)
            .into_body()
            .into_data_stream();
        // Nobody reads yet: however long the producer runs, it fills the
        // channel and waits.
        for _ in 0..200 {
            tokio::task::yield_now().await;
        }
        assert!(sent.load(Ordering::SeqCst) <= IN_FLIGHT, "{sent:?}");
        let first = body.next().await.unwrap().unwrap();
        let text = String::from_utf8(first.to_vec()).unwrap();
        assert!(text.starts_with("n\n0\n"), "{text}");
        assert_eq!(text.lines().count(), 1 + 100, "the header and one batch");
        let (mut chunks, mut lines) = (1, 100);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.unwrap();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
            chunks += 1;
            let ahead = sent.load(Ordering::SeqCst).saturating_sub(chunks);
            assert!(ahead <= IN_FLIGHT + 1, "producer {ahead} batches ahead");
        }
        assert_eq!(lines, BATCHES * 100, "every row arrives");
        assert!(chunks >= BATCHES, "{chunks} chunks");
        producer.await.unwrap();
    }
}
