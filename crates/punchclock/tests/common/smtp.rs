//! A real SMTP server for tests, on 127.0.0.1:0, that keeps what arrives.
//! Recipients whose local part starts with `bounce` are refused for good
//! (550), `busy` for now (451) while [`SmtpSink::set_busy`] is on.
//!
//! With `PUNCHCLOCK_TEST_AIOSMTPD` set to a Python that has aiosmtpd (as
//! `.ci/run` does) the server is aiosmtpd from PyPI, run by
//! `aiosmtpd_sink.py`; it must start, or the test fails. Without it, a
//! small server here speaks the protocol over the socket (EHLO, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, QUIT), so `cargo test` needs no Python.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, CRLF line ends, dots unstuffed.
    pub data: String,
}

impl Received {
    /// The first header of that name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = value.as_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_owned());
                }
            }
        }
        value
    }

    /// The decoded text of the part with this content type.
    pub fn part(&self, content_type: &str) -> Option<String> {
        let ct = self.header("Content-Type")?;
        let boundary = ct.split("boundary=").nth(1)?.trim_matches('"');
        let boundary = boundary.split(';').next()?.trim_matches('"');
        self.data
            .split(&format!("--{boundary}"))
            .filter_map(|p| p.split_once("\r\n\r\n"))
            .find(|(head, _)| head.contains(&format!("Content-Type: {content_type}")))
            .map(|(head, body)| decode(head, body.strip_suffix("\r\n").unwrap_or(body)))
    }
}

/// Undo quoted-printable or base64, as the part's header says.
fn decode(head: &str, body: &str) -> String {
    if head.contains("quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else if head.contains("base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8_lossy(&base64_decode(&clean)).into_owned()
    } else {
        body.to_owned()
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let vals: Vec<u32> = chunk.iter().filter_map(|c| val(*c)).collect();
        let mut n = 0u32;
        for (i, v) in vals.iter().enumerate() {
            n |= v << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..vals.len().saturating_sub(1)]);
    }
    out
}

/// The running server.
#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    busy: Arc<AtomicBool>,
    /// Set when the server is aiosmtpd; then `received` and `busy` are unused.
    aiosmtpd: Option<Arc<Aiosmtpd>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        match std::env::var_os("PUNCHCLOCK_TEST_AIOSMTPD") {
            Some(python) => Self::start_aiosmtpd(Path::new(&python)),
            None => Self::start_own().await,
        }
    }

    fn start_aiosmtpd(python: &Path) -> SmtpSink {
        let server = Aiosmtpd::start(python);
        SmtpSink {
            addr: server.addr,
            received: Arc::default(),
            busy: Arc::default(),
            aiosmtpd: Some(Arc::new(server)),
        }
    }

    async fn start_own() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let sink = SmtpSink {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            busy: Arc::new(AtomicBool::new(true)),
            aiosmtpd: None,
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(s.clone().session(stream));
            }
        });
        sink
    }

    /// `smtp://` URL of this server (no TLS: it is on loopback).
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        match &self.aiosmtpd {
            Some(server) => server.received(),
            None => self.received.lock().unwrap().clone(),
        }
    }

    /// Messages for one address.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// While on, `busy…@` recipients get 451 (try later).
    pub fn set_busy(&self, on: bool) {
        match &self.aiosmtpd {
            Some(server) => server.set_busy(on),
            None => self.busy.store(on, Ordering::SeqCst),
        }
    }

    /// Waits until `n` messages arrived (at most 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.received().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }

    async fn session(self, stream: TcpStream) {
        let (r, mut w) = stream.into_split();
        let mut lines = BufReader::new(r);
        let _ = w.write_all(b"220 sink.test ESMTP ready\r\n").await;
        let mut from = String::new();
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let cmd = line.trim_end().to_owned();
            let upper = cmd.to_ascii_uppercase();
            let reply = if upper.starts_with("EHLO") {
                "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned()
            } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                "250 ok\r\n".to_owned()
            } else if upper.starts_with("MAIL FROM:") {
                from = address(&cmd[10..]);
                to.clear();
                "250 ok\r\n".to_owned()
            } else if upper.starts_with("RCPT TO:") {
                let a = address(&cmd[8..]);
                self.rcpt(a, &mut to)
            } else if upper == "DATA" {
                let _ = w.write_all(b"354 go ahead\r\n").await;
                let data = read_data(&mut lines).await;
                self.received.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 2.0.0 queued\r\n".to_owned()
            } else if upper == "RSET" {
                to.clear();
                "250 ok\r\n".to_owned()
            } else if upper == "QUIT" {
                let _ = w.write_all(b"221 bye\r\n").await;
                return;
            } else {
                "502 not implemented\r\n".to_owned()
            };
            if w.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    fn rcpt(&self, a: String, to: &mut Vec<String>) -> String {
        let local = a.split('@').next().unwrap_or_default().to_ascii_lowercase();
        if local.starts_with("bounce") {
            "550 5.1.1 mailbox unavailable\r\n".to_owned()
        } else if local.starts_with("busy") && self.busy.load(Ordering::SeqCst) {
            "451 4.3.0 try again later\r\n".to_owned()
        } else {
            to.push(a);
            "250 ok\r\n".to_owned()
        }
    }
}

fn address(arg: &str) -> String {
    let a = arg.trim();
    let a = a.split_whitespace().next().unwrap_or(a);
    a.trim_start_matches('<').trim_end_matches('>').to_owned()
}

async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            break;
        }
        if line == ".\r\n" || line == ".\n" {
            break;
        }
        let l = line.strip_prefix('.').unwrap_or(&line);
        data.push_str(l);
    }
    data
}

/// aiosmtpd in a child process, writing each message to a directory.
struct Aiosmtpd {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    child: Mutex<Child>,
    /// Closed on drop, which stops the server even if the kill is missed.
    stdin: Mutex<Option<ChildStdin>>,
}

impl Aiosmtpd {
    fn start(python: &Path) -> Aiosmtpd {
        let dir = tempfile::tempdir().expect("tempdir for aiosmtpd");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/common/aiosmtpd_sink.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("PUNCHCLOCK_TEST_AIOSMTPD is set but that Python does not start");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("aiosmtpd stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("aiosmtpd port line");
        let port: u16 = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("aiosmtpd did not start (said {line:?})"));
        let stdin = child.stdin.take();
        let server = Aiosmtpd {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
            child: Mutex::new(child),
            stdin: Mutex::new(stdin),
        };
        server.set_busy(true);
        server
    }

    fn set_busy(&self, on: bool) {
        let flag = self.dir.path().join("busy");
        if on {
            std::fs::File::create(&flag)
                .and_then(|mut f| f.flush())
                .expect("busy flag");
        } else {
            let _ = std::fs::remove_file(&flag);
        }
    }

    /// Messages in arrival order (files are numbered as they arrive).
    fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("aiosmtpd directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names.iter().map(|p| read_message(p)).collect()
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        drop(self.stdin.lock().unwrap().take());
        let mut child = self.child.lock().unwrap();
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn read_message(path: &Path) -> Received {
    let text = std::fs::read_to_string(path).expect("a message aiosmtpd wrote");
    let v: serde_json::Value = serde_json::from_str(&text).expect("message json");
    let to = v["to"].as_array().expect("to").iter();
    Received {
        from: v["from"].as_str().unwrap_or_default().to_owned(),
        to: to.filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        data: v["data"].as_str().unwrap_or_default().to_owned(),
    }
}
