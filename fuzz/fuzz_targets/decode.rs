//! Every decoder in zk-protocol must return an error on arbitrary bytes,
//! never panic. Run with `cargo fuzz run decode` (nightly).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zk_protocol::exchange::Exchange;
use zk_protocol::records::{self, DatasetDecoder, PunchLayout, UserLayout};
use zk_protocol::{buffer, event, options, FreeSizes, Packet, TcpDeframer};

fuzz_target!(|data: &[u8]| {
    let _ = Packet::decode(data);
    let mut deframer = TcpDeframer::new();
    deframer.push(data);
    let mut exchange = Exchange::new(zk_protocol::command::CMD_READ_BUFFER, 1);
    while let Ok(Some(p)) = deframer.next_packet() {
        if exchange.on_packet(p).is_err() {
            break;
        }
    }
    let _ = FreeSizes::decode(data);
    let _ = options::parse_reply(data);
    let _ = event::decode_attlog(data);
    let _ = buffer::parse_data_stat(data);
    let _ = buffer::parse_read_request(data);
    let _ = buffer::parse_prepare_request(data);
    for layout in [PunchLayout::B8, PunchLayout::B16, PunchLayout::B40, PunchLayout::B49] {
        if data.len() >= layout.size() {
            let _ = records::decode_punch(layout, &data[..layout.size()]);
        }
    }
    for layout in [UserLayout::Zk6, UserLayout::Zk8] {
        if data.len() >= layout.size() {
            let _ = records::decode_user(layout, &data[..layout.size()]);
        }
    }
    let mut punches =
        DatasetDecoder::new(|n| records::detect_punch_layout(n, None, PunchLayout::B40));
    let _ = punches.push(data, &mut |_| {});
    let _ = punches.finish();
});
