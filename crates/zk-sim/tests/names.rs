//! A simulated older clock serves names in its code page, byte for byte.

mod common;

use common::*;
use zk_protocol::buffer::Table;
use zk_protocol::records::{decode_user, decode_user_with, UserLayout};
use zk_protocol::{NameDecoding, NameEncoding, Transport};
use zk_sim::DeviceSpec;

fn legacy(enc: NameEncoding, names: &[&str]) -> DeviceSpec {
    let mut s = spec(names.len() as u32, 0);
    s.name_encoding = enc;
    for (u, name) in s.users.iter_mut().zip(names) {
        u.name = name.to_string();
    }
    s
}

async fn served_users(spec: DeviceSpec) -> Vec<Vec<u8>> {
    let sim = start(vec![spec]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let (data, _) = r.read_dataset(Table::Users, 64 * 1024).await;
    sim.shutdown().await;
    data[4..].chunks(72).map(<[u8]>::to_vec).collect()
}

#[tokio::test]
async fn a_cp1252_clock_serves_cp1252_bytes() {
    let recs = served_users(legacy(NameEncoding::Cp1252, &["Núñez", "Zoë 张"])).await;
    // Bytes from Python's cp1252 codec: N ú ñ e z.
    assert_eq!(&recs[0][11..17], &[0x4e, 0xfa, 0xf1, 0x65, 0x7a, 0]);
    let u = decode_user(UserLayout::Zk8, &recs[0]).unwrap();
    assert_eq!(u.name, "Núñez", "the CP1252 fallback reads it");
    let u = decode_user(UserLayout::Zk8, &recs[1]).unwrap();
    assert_eq!(u.name, "Zoë ?", "what CP1252 cannot store is served as '?'");
}

#[tokio::test]
async fn a_chinese_clock_serves_gbk_bytes() {
    let spec = legacy(NameEncoding::Gbk, &["张伟", "Li Na"]);
    let sim = start(vec![spec]).await;
    let reported = sim.device(0).users();
    assert_eq!(reported[0].name_bytes, [0xd5, 0xc5, 0xce, 0xb0]);
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let (data, _) = r.read_dataset(Table::Users, 64 * 1024).await;
    sim.shutdown().await;
    let how = NameDecoding::with_setting(NameEncoding::Gbk);
    let users: Vec<_> = data[4..]
        .chunks(72)
        .map(|c| decode_user_with(UserLayout::Zk8, c, &how).unwrap())
        .collect();
    assert_eq!(users[0].name, "张伟");
    assert_eq!(users[1].name, "Li Na");
    assert_eq!(
        users, reported,
        "decoded users equal what the simulator holds"
    );
}
