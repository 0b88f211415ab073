//! A device's tables, kept compact (a million punches in ~16 MB), and the
//! datasets built from them lazily: a PREPARE_BUFFER only records how many
//! records it covers, and each READ_BUFFER encodes just the bytes it asks for.

use std::collections::HashMap;
use zk_protocol::records::{encode_punch, encode_user_lossy_in};
use zk_protocol::{DeviceTime, NameEncoding, Punch, PunchLayout, User, UserLayout};

/// A punch with its enroll id interned: 16 bytes instead of ~72.
#[derive(Debug, Clone, Copy)]
struct PackedPunch {
    time: DeviceTime,
    id: u32,
    uid: u16,
    status: u8,
    punch: u8,
}

#[derive(Debug)]
pub(crate) struct Store {
    users: Vec<User>,
    ids: Vec<String>,
    id_index: HashMap<String, u32>,
    punches: Vec<PackedPunch>,
    /// The code page names are stored in.
    names: NameEncoding,
    /// Bumped when a table is cleared: snapshots of an older epoch are gone.
    epoch: u64,
    /// Operation-log entries: a real device logs each administrative
    /// operation, clearing a table among them (the free-sizes `oplog`).
    oplog: u32,
}

impl Store {
    pub(crate) fn new(users: Vec<User>, punches: Vec<Punch>, names: NameEncoding) -> Store {
        let mut s = Store {
            users: Vec::with_capacity(users.len()),
            ids: Vec::new(),
            id_index: HashMap::new(),
            punches: Vec::new(),
            names,
            epoch: 0,
            oplog: 0,
        };
        for u in users {
            s.push_user(u);
        }
        s.punches.reserve_exact(punches.len());
        for p in punches {
            s.push_punch(p);
        }
        s
    }

    pub(crate) fn users(&self) -> &[User] {
        &self.users
    }

    pub(crate) fn punch_count(&self) -> usize {
        self.punches.len()
    }

    /// Stores `u` with `name_bytes` as this device holds them, so what a
    /// client decodes compares equal to what the simulator reports.
    pub(crate) fn push_user(&mut self, mut u: User) {
        u.name_bytes = self.names.encode_lossy(&u.name);
        self.users.push(u);
    }

    pub(crate) fn name_encoding(&self) -> NameEncoding {
        self.names
    }

    /// Replace the user with `u`'s uid, or add `u`.
    pub(crate) fn upsert_user(&mut self, mut u: User) {
        u.name_bytes = self.names.encode_lossy(&u.name);
        match self.users.iter_mut().find(|x| x.uid == u.uid) {
            Some(x) => *x = u,
            None => self.users.push(u),
        }
    }

    pub(crate) fn clear_punches(&mut self) {
        self.punches = Vec::new();
        self.epoch += 1;
        self.oplog = self.oplog.wrapping_add(1);
    }

    pub(crate) fn clear_users(&mut self) {
        self.users = Vec::new();
        self.epoch += 1;
        self.oplog = self.oplog.wrapping_add(1);
    }

    /// Operation-log entries so far.
    pub(crate) fn oplog(&self) -> u32 {
        self.oplog
    }

    pub(crate) fn push_punch(&mut self, p: Punch) {
        let id = match self.id_index.get(&p.user_id) {
            Some(&id) => id,
            None => {
                let id = self.ids.len() as u32;
                self.id_index.insert(p.user_id.clone(), id);
                self.ids.push(p.user_id);
                id
            }
        };
        self.punches.push(PackedPunch {
            time: p.time,
            id,
            uid: p.uid,
            status: p.status,
            punch: p.punch,
        });
    }

    fn unpack_into(&self, i: usize, out: &mut Punch) {
        let p = &self.punches[i];
        out.uid = p.uid;
        out.user_id.clear();
        out.user_id.push_str(&self.ids[p.id as usize]);
        out.time = p.time;
        out.status = p.status;
        out.punch = p.punch;
    }

    pub(crate) fn punches(&self) -> Vec<Punch> {
        (0..self.punches.len())
            .map(|i| {
                let mut p = blank_punch();
                self.unpack_into(i, &mut p);
                p
            })
            .collect()
    }

    pub(crate) fn punch(&self, i: usize) -> Option<Punch> {
        (i < self.punches.len()).then(|| {
            let mut p = blank_punch();
            self.unpack_into(i, &mut p);
            p
        })
    }

    /// Freeze the current extent of a table for a bulk read. Tables only
    /// grow, so a record count is a consistent snapshot.
    pub(crate) fn snapshot(&self, table: TableLayout) -> Snapshot {
        let count = match table {
            TableLayout::Users(_) => self.users.len(),
            TableLayout::Punches(_) => self.punches.len(),
        };
        Snapshot {
            table,
            count,
            epoch: self.epoch,
        }
    }
}

fn blank_punch() -> Punch {
    Punch {
        uid: 0,
        user_id: String::new(),
        time: DeviceTime::new(2000, 1, 1, 0, 0, 0).expect("valid"),
        status: 0,
        punch: 0,
    }
}

/// A table in the layout a connection reads it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableLayout {
    Users(UserLayout),
    Punches(PunchLayout),
}

impl TableLayout {
    fn record_size(self) -> usize {
        match self {
            TableLayout::Users(l) => l.size(),
            TableLayout::Punches(l) => l.size(),
        }
    }
}

/// The first `count` records of a table as a dataset `[u32 len][records]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Snapshot {
    table: TableLayout,
    count: usize,
    epoch: u64,
}

impl Snapshot {
    fn records_len(&self) -> usize {
        self.count * self.table.record_size()
    }

    /// Dataset length, prefix included.
    pub(crate) fn len(&self) -> usize {
        4 + self.records_len()
    }

    /// Append dataset bytes `[off, off + len)` (clamped to the dataset) to `out`.
    pub(crate) fn read(&self, store: &Store, mut off: usize, len: usize, out: &mut Vec<u8>) {
        let end = off.saturating_add(len).min(self.len());
        let prefix = (self.records_len() as u32).to_le_bytes();
        while off < end && off < 4 {
            out.push(prefix[off]);
            off += 1;
        }
        if off >= end {
            return;
        }
        let size = self.table.record_size();
        let (first, skip) = ((off - 4) / size, (off - 4) % size);
        let last = (end - 4).div_ceil(size);
        if self.epoch != store.epoch {
            // The table was cleared under a prepared read: its records are
            // gone, as on a device that frees them; the sizes stay right.
            out.resize(out.len() + (end - off), 0);
            return;
        }
        let start = out.len();
        out.reserve((last - first) * size);
        match self.table {
            TableLayout::Users(layout) => {
                for u in &store.users[first..last] {
                    encode_user_lossy_in(layout, u, store.names, out);
                }
            }
            TableLayout::Punches(layout) => {
                let mut p = blank_punch();
                for i in first..last {
                    store.unpack_into(i, &mut p);
                    let at = out.len();
                    if let Err(e) = encode_punch(layout, &p, out) {
                        // A time outside 2000-2099 cannot be encoded; keep
                        // the record count right with an all-zero record.
                        tracing::warn!(index = i, error = %e, "punch not encodable, sent as zeros");
                        out.truncate(at);
                        out.resize(at + size, 0);
                    }
                }
            }
        }
        out.drain(start..start + skip);
        out.truncate(start + (end - off));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zk_protocol::records::{dataset, encode_user};

    fn store() -> Store {
        let spec = crate::DeviceSpec::generated_until(
            0,
            7,
            33,
            5,
            DeviceTime::new(2025, 6, 1, 0, 0, 0).unwrap(),
        );
        Store::new(spec.users, spec.punches, NameEncoding::Utf8)
    }

    fn whole(store: &Store, table: TableLayout) -> Vec<u8> {
        let mut recs = vec![];
        match table {
            TableLayout::Users(l) => store
                .users
                .iter()
                .for_each(|u| encode_user(l, u, &mut recs)),
            TableLayout::Punches(l) => store
                .punches()
                .iter()
                .for_each(|p| encode_punch(l, p, &mut recs).unwrap()),
        }
        dataset(&recs)
    }

    #[test]
    fn any_slice_matches_the_eager_dataset() {
        let s = store();
        for table in [
            TableLayout::Users(UserLayout::Zk8),
            TableLayout::Users(UserLayout::Zk6),
            TableLayout::Punches(PunchLayout::B40),
            TableLayout::Punches(PunchLayout::B16),
            TableLayout::Punches(PunchLayout::B8),
        ] {
            let full = whole(&s, table);
            let snap = s.snapshot(table);
            assert_eq!(snap.len(), full.len());
            for (off, len) in [
                (0, 1),
                (0, 4),
                (1, 3),
                (3, 50),
                (4, 7),
                (37, 100),
                (0, 100_000),
                (full.len() - 1, 9),
            ] {
                let mut out = vec![0xEE];
                snap.read(&s, off, len, &mut out);
                let end = (off + len).min(full.len());
                assert_eq!(&out[1..], &full[off..end], "{table:?} {off}+{len}");
            }
            let mut out = vec![];
            snap.read(&s, full.len() + 5, 10, &mut out);
            assert!(out.is_empty());
        }
    }

    #[test]
    fn packed_punches_roundtrip_and_snapshot_is_frozen() {
        let mut s = store();
        let before = s.punches();
        let snap = s.snapshot(TableLayout::Punches(PunchLayout::B40));
        let mut extra = before[0].clone();
        extra.user_id = "NEW-ID".into();
        s.push_punch(extra.clone());
        assert_eq!(s.punches()[..33], before[..]);
        assert_eq!(s.punch(33), Some(extra));
        assert_eq!(snap.len(), 4 + 33 * 40);
        assert_eq!(std::mem::size_of::<PackedPunch>(), 16);
    }
}
