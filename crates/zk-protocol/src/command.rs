//! Command and reply codes (reference §2).

pub const CMD_DB_RRQ: u16 = 7;
pub const CMD_USER_WRQ: u16 = 8;
pub const CMD_USERTEMP_RRQ: u16 = 9;
pub const CMD_OPTIONS_RRQ: u16 = 11;
pub const CMD_OPTIONS_WRQ: u16 = 12;
pub const CMD_ATTLOG_RRQ: u16 = 13;
pub const CMD_CLEAR_DATA: u16 = 14;
pub const CMD_CLEAR_ATTLOG: u16 = 15;
pub const CMD_GET_FREE_SIZES: u16 = 50;
pub const CMD_CANCELCAPTURE: u16 = 62;
pub const CMD_STARTVERIFY: u16 = 60;
pub const CMD_GET_PINWIDTH: u16 = 69;
pub const CMD_GET_TIME: u16 = 201;
pub const CMD_SET_TIME: u16 = 202;
pub const CMD_REG_EVENT: u16 = 500;
pub const CMD_CONNECT: u16 = 1000;
pub const CMD_EXIT: u16 = 1001;
pub const CMD_ENABLEDEVICE: u16 = 1002;
pub const CMD_DISABLEDEVICE: u16 = 1003;
pub const CMD_REFRESHDATA: u16 = 1013;
pub const CMD_REFRESHOPTION: u16 = 1014;
pub const CMD_GET_VERSION: u16 = 1100;
pub const CMD_AUTH: u16 = 1102;
pub const CMD_PREPARE_DATA: u16 = 1500;
pub const CMD_DATA: u16 = 1501;
pub const CMD_FREE_DATA: u16 = 1502;
pub const CMD_PREPARE_BUFFER: u16 = 1503;
pub const CMD_READ_BUFFER: u16 = 1504;

pub const CMD_ACK_OK: u16 = 2000;
pub const CMD_ACK_ERROR: u16 = 2001;
pub const CMD_ACK_DATA: u16 = 2002;
pub const CMD_ACK_RETRY: u16 = 2003;
pub const CMD_ACK_REPEAT: u16 = 2004;
pub const CMD_ACK_UNAUTH: u16 = 2005;
pub const CMD_ACK_UNKNOWN: u16 = 0xFFFF;
pub const CMD_ACK_ERROR_CMD: u16 = 0xFFFD;
pub const CMD_ACK_ERROR_INIT: u16 = 0xFFFC;
pub const CMD_ACK_ERROR_DATA: u16 = 0xFFFB;

/// Event flag for attendance events, in the REG_EVENT mask and event header.
pub const EF_ATTLOG: u16 = 1;

/// A human name for a command or reply code, for logs and error messages.
pub fn name(code: u16) -> &'static str {
    match code {
        CMD_DB_RRQ => "DB_RRQ",
        CMD_USER_WRQ => "USER_WRQ",
        CMD_USERTEMP_RRQ => "USERTEMP_RRQ",
        CMD_OPTIONS_RRQ => "OPTIONS_RRQ",
        CMD_OPTIONS_WRQ => "OPTIONS_WRQ",
        CMD_ATTLOG_RRQ => "ATTLOG_RRQ",
        CMD_CLEAR_DATA => "CLEAR_DATA",
        CMD_CLEAR_ATTLOG => "CLEAR_ATTLOG",
        CMD_GET_FREE_SIZES => "GET_FREE_SIZES",
        CMD_CANCELCAPTURE => "CANCELCAPTURE",
        CMD_STARTVERIFY => "STARTVERIFY",
        CMD_GET_PINWIDTH => "GET_PINWIDTH",
        CMD_GET_TIME => "GET_TIME",
        CMD_SET_TIME => "SET_TIME",
        CMD_REG_EVENT => "REG_EVENT",
        CMD_CONNECT => "CONNECT",
        CMD_EXIT => "EXIT",
        CMD_ENABLEDEVICE => "ENABLEDEVICE",
        CMD_DISABLEDEVICE => "DISABLEDEVICE",
        CMD_REFRESHDATA => "REFRESHDATA",
        CMD_REFRESHOPTION => "REFRESHOPTION",
        CMD_GET_VERSION => "GET_VERSION",
        CMD_AUTH => "AUTH",
        CMD_PREPARE_DATA => "PREPARE_DATA",
        CMD_DATA => "DATA",
        CMD_FREE_DATA => "FREE_DATA",
        CMD_PREPARE_BUFFER => "PREPARE_BUFFER",
        CMD_READ_BUFFER => "READ_BUFFER",
        CMD_ACK_OK => "ACK_OK",
        CMD_ACK_ERROR => "ACK_ERROR",
        CMD_ACK_DATA => "ACK_DATA",
        CMD_ACK_RETRY => "ACK_RETRY",
        CMD_ACK_REPEAT => "ACK_REPEAT",
        CMD_ACK_UNAUTH => "ACK_UNAUTH",
        CMD_ACK_UNKNOWN => "ACK_UNKNOWN",
        CMD_ACK_ERROR_CMD => "ACK_ERROR_CMD",
        CMD_ACK_ERROR_INIT => "ACK_ERROR_INIT",
        CMD_ACK_ERROR_DATA => "ACK_ERROR_DATA",
        _ => "unknown",
    }
}
