//! A small SMTP server on 127.0.0.1 that keeps what it receives (RFC 5321 without TLS or
//! authentication): enough for a real client to deliver to it, and for a test to read back.

use std::{
    collections::HashMap,
    io,
    net::{Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tokio::{
    io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::{JoinHandle, JoinSet},
};

/// Longest command or text line read, CRLF included (RFC 5321 asks for 1,000; we take more).
const MAX_LINE: u64 = 8 * 1024;
/// Largest message accepted, as advertised by `SIZE`.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
/// A client silent for this long is disconnected.
const IDLE: Duration = Duration::from_secs(60);

/// A message as delivered: its envelope and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The reverse path given by `MAIL FROM` (empty for a bounce).
    pub from: String,
    /// The forward paths accepted by `RCPT TO`, in order.
    pub to: Vec<String>,
    /// Headers and body with CRLF line ends, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
}

/// A real SMTP server listening on `127.0.0.1` at a port chosen by the system.
///
/// It stops, closing every connection, when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

/// How the server answers `RCPT TO` for a given address.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// `550`: the mailbox does not exist.
    Reject,
    /// `450`: the mailbox is busy, try again later.
    Defer,
}

#[derive(Debug)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    /// Refusals by lowercased address.
    refusals: Mutex<HashMap<String, Refusal>>,
    /// The number of messages received, for waiters.
    count: watch::Sender<usize>,
    /// Commands received, verbs only, in order, over every session.
    verbs: Mutex<Vec<String>>,
}

impl Shared {
    fn messages(&self) -> MutexGuard<'_, Vec<Received>> {
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn refusals(&self) -> MutexGuard<'_, HashMap<String, Refusal>> {
        self.refusals.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SmtpServer {
    /// Starts a server on `127.0.0.1:0`; panics if no port can be bound.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("the test SMTP server could not bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("the test SMTP server has no local address");
        let shared = Arc::new(Shared {
            messages: Mutex::new(Vec::new()),
            refusals: Mutex::new(HashMap::new()),
            count: watch::Sender::new(0),
            verbs: Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn(accept(listener, Arc::clone(&shared)));
        SmtpServer {
            addr,
            shared,
            accept,
        }
    }

    /// The address the server listens on (always on `127.0.0.1`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server as a URL without TLS, like `smtp://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every message received so far, in order of delivery.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.messages().clone()
    }

    /// The verbs of every command received so far (`EHLO`, `NOOP`, `QUIT`…), in order.
    pub fn verbs(&self) -> Vec<String> {
        self.shared
            .verbs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until at least `n` messages have been received and returns them all.
    ///
    /// # Panics
    ///
    /// When fewer than `n` have arrived after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let mut count = self.shared.count.subscribe();
        let arrived = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await;
        if !matches!(arrived, Ok(Ok(_))) {
            panic!(
                "the test SMTP server received {} message(s) within {timeout:?}, expected {n}",
                self.shared.messages().len()
            );
        }
        self.messages()
    }

    /// Makes the server answer `550` (mailbox unavailable) to `RCPT TO` for `address`.
    pub fn reject(&self, address: &str) {
        self.refuse(address, Refusal::Reject);
    }

    /// Makes the server answer `450` (try again later) to `RCPT TO` for `address`.
    pub fn defer(&self, address: &str) {
        self.refuse(address, Refusal::Defer);
    }

    fn refuse(&self, address: &str, refusal: Refusal) {
        self.shared
            .refusals()
            .insert(address.to_ascii_lowercase(), refusal);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Dropping the accept loop drops its `JoinSet`, which aborts every session.
        self.accept.abort();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    sessions.spawn(session(stream, Arc::clone(&shared)));
                }
                // Such as too many open files: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

async fn session(mut stream: TcpStream, shared: Arc<Shared>) {
    // An I/O error or a silent client ends the session; there is nobody to tell.
    let _ = converse(&mut stream, &shared).await;
}

/// The envelope being built by `MAIL FROM` and `RCPT TO`.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

async fn converse(stream: &mut TcpStream, shared: &Shared) -> io::Result<()> {
    let (read, mut write) = stream.split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    let mut transaction = Transaction::default();
    write
        .write_all(b"220 127.0.0.1 ESMTP vigie-test-support\r\n")
        .await?;
    loop {
        if !read_line(&mut read, &mut line).await? {
            return Ok(());
        }
        let command = String::from_utf8_lossy(trim_line_end(&line)).into_owned();
        let (verb, argument) = command.split_once(' ').unwrap_or((&command, ""));
        let verb = verb.to_ascii_uppercase();
        shared
            .verbs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(verb.clone());
        let reply = match verb.as_str() {
            "EHLO" => {
                transaction = Transaction::default();
                format!("250-127.0.0.1\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {MAX_MESSAGE}")
            }
            "HELO" => {
                transaction = Transaction::default();
                "250 127.0.0.1".to_owned()
            }
            "MAIL" => match (&transaction.from, path(argument, "FROM:")) {
                (Some(_), _) => "503 5.5.1 nested MAIL command".to_owned(),
                (None, Some(from)) => {
                    transaction.from = Some(from);
                    "250 2.1.0 OK".to_owned()
                }
                (None, None) => "501 5.5.4 syntax: MAIL FROM:<address>".to_owned(),
            },
            "RCPT" => match (&transaction.from, path(argument, "TO:")) {
                (None, _) => "503 5.5.1 need MAIL before RCPT".to_owned(),
                (Some(_), None) => "501 5.5.4 syntax: RCPT TO:<address>".to_owned(),
                (Some(_), Some(to)) => {
                    let refusal = shared.refusals().get(&to.to_ascii_lowercase()).copied();
                    match refusal {
                        Some(Refusal::Reject) => format!("550 5.1.1 <{to}>: mailbox unavailable"),
                        Some(Refusal::Defer) => {
                            format!("450 4.2.1 <{to}>: mailbox busy, try again later")
                        }
                        None => {
                            transaction.to.push(to);
                            "250 2.1.5 OK".to_owned()
                        }
                    }
                }
            },
            "DATA" => match (transaction.from.take(), std::mem::take(&mut transaction.to)) {
                (Some(from), to) if !to.is_empty() => {
                    write
                        .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let Some(data) = read_data(&mut read, &mut line).await? else {
                        return Ok(());
                    };
                    if data.len() > MAX_MESSAGE {
                        "552 5.3.4 message too big".to_owned()
                    } else {
                        let mut messages = shared.messages();
                        messages.push(Received { from, to, data });
                        let n = messages.len();
                        drop(messages);
                        shared.count.send_replace(n);
                        format!("250 2.0.0 OK queued as {n}")
                    }
                }
                _ => "503 5.5.1 need MAIL and RCPT before DATA".to_owned(),
            },
            "RSET" => {
                transaction = Transaction::default();
                "250 2.0.0 OK".to_owned()
            }
            "NOOP" => "250 2.0.0 OK".to_owned(),
            "VRFY" => "252 2.5.0 cannot verify".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => "502 5.5.1 command not implemented".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
        write.write_all(b"\r\n").await?;
    }
}

/// Reads one line into `line` (cleared first); `false` at the end of the stream.
async fn read_line(read: &mut (impl AsyncBufRead + Unpin), line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    let n = tokio::time::timeout(IDLE, (&mut *read).take(MAX_LINE).read_until(b'\n', line))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    if n == 0 {
        return Ok(false);
    }
    if !line.ends_with(b"\n") {
        // Longer than MAX_LINE, or cut by the end of the stream.
        return Err(io::Error::from(io::ErrorKind::InvalidData));
    }
    Ok(true)
}

/// Reads the data after `354` up to the `.` line, undoing dot-stuffing; `None` if the
/// stream ends first. Stops keeping bytes past the size limit but reads to the end.
async fn read_data(
    read: &mut (impl AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
) -> io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    loop {
        if !read_line(read, line).await? {
            return Ok(None);
        }
        let text = trim_line_end(line);
        if text == b"." {
            return Ok(Some(data));
        }
        let text = text.strip_prefix(b".").unwrap_or(text);
        if data.len() <= MAX_MESSAGE {
            data.extend_from_slice(text);
            data.extend_from_slice(b"\r\n");
        }
    }
}

/// The line without its CRLF (or bare LF).
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The path of `FROM:<a@b> PARAM=…` or `TO:<a@b>`, without angle brackets.
fn path(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument.get(keyword.len()..)?.trim_start();
    let path = match rest.strip_prefix('<') {
        Some(bracketed) => bracketed.split_once('>')?.0,
        None => rest.split(' ').next()?,
    };
    Some(path.to_owned())
}
