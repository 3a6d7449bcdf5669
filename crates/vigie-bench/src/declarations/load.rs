//! The load: concurrent clients (tokio tasks sharing one loopback HTTP connection pool)
//! posting declarations in a loop, bounded in time and count, each request timed.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::{StatusCode, header};
use serde::Deserialize;
use vigie_model::CaseNumber;

use super::{
    sample::{self, Key},
    server::Account,
};

/// Why a request did not end with an acknowledgment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Failure {
    /// The server answered another status than 201.
    Status(u16),
    /// No answer within the request timeout.
    Timeout,
    /// The connection could not be made.
    Connect,
    /// The connection broke (reset, closed) before the answer.
    Transport,
    /// 201 without a readable case number.
    BadAnswer,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(s) => write!(f, "HTTP {s}"),
            Failure::Timeout => f.write_str("timeout"),
            Failure::Connect => f.write_str("connection refused"),
            Failure::Transport => f.write_str("connection broken"),
            Failure::BadAnswer => f.write_str("201 without case number"),
        }
    }
}

/// One request.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Which request.
    pub key: Key,
    /// When it ended, from the start of the load.
    pub done: Duration,
    /// How long it took.
    pub latency: Duration,
    /// The case number acknowledged, or why not.
    pub result: Result<CaseNumber, Failure>,
}

/// What a load runs.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The run number, part of every request's key.
    pub run: u32,
    /// Concurrent clients.
    pub clients: usize,
    /// No request starts after this.
    pub duration: Duration,
    /// No more requests than this, all clients together.
    pub max_requests: u64,
    /// A client stops at its first failure (the kill test: the server is gone).
    pub stop_on_failure: bool,
}

/// What a load measured.
pub struct Load {
    /// Every request, in no particular order.
    pub outcomes: Vec<Outcome>,
    /// From the start to the end of the last request.
    pub wall: Duration,
    /// The first few error messages, to explain failures.
    pub messages: Vec<String>,
}

impl Load {
    /// Acknowledged requests.
    pub fn successes(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_ok()).count()
    }

    /// Failed requests.
    pub fn failures(&self) -> usize {
        self.outcomes.len() - self.successes()
    }

    /// Acknowledged declarations per second of wall time.
    pub fn rate(&self) -> f64 {
        self.successes() as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// The `q` quantile (0–1) of the latencies of every request (nearest rank).
    pub fn latency(&self, q: f64) -> Duration {
        let mut all: Vec<Duration> = self.outcomes.iter().map(|o| o.latency).collect();
        all.sort_unstable();
        if all.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * all.len() as f64).ceil() as usize).clamp(1, all.len());
        all[rank - 1]
    }
}

/// A loopback HTTP client for `clients` concurrent clients: no proxy, keep-alive, the
/// given timeout per request.
pub fn http(clients: usize, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(clients.max(1))
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(2))
        .timeout(timeout)
        .build()?)
}

#[derive(Deserialize)]
struct Created {
    case_number: String,
}

/// Posts one declaration; its case number or why not.
pub async fn declare(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: Vec<u8>,
) -> (Result<CaseNumber, Failure>, Option<String>) {
    let sent = http
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let classify = |e: &reqwest::Error| {
        if e.is_timeout() {
            Failure::Timeout
        } else if e.is_connect() {
            Failure::Connect
        } else {
            Failure::Transport
        }
    };
    let response = match sent {
        Ok(r) => r,
        Err(e) => return (Err(classify(&e)), Some(format!("{e:#}"))),
    };
    let status = response.status();
    let bytes = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return (Err(classify(&e)), Some(format!("{e:#}"))),
    };
    if status != StatusCode::CREATED {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        return (Err(Failure::Status(status.as_u16())), Some(text));
    }
    match serde_json::from_slice::<Created>(&bytes)
        .ok()
        .and_then(|c| CaseNumber::parse(&c.case_number).ok())
    {
        Some(case) => (Ok(case), None),
        None => (Err(Failure::BadAnswer), None),
    }
}

/// Runs `plan` against the server at `base` (loopback), the clients' accounts taken in
/// turn from `accounts`; `stop` ends it early. Times are measured from `start`.
pub async fn run(
    http: &reqwest::Client,
    base: &str,
    accounts: &Arc<Vec<Account>>,
    seed: u64,
    plan: Plan,
    stop: &Arc<AtomicBool>,
    start: Instant,
) -> Load {
    let issued = Arc::new(AtomicU64::new(0));
    let messages = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::with_capacity(plan.clients);
    for client in 0..plan.clients {
        let (http, base, accounts) = (http.clone(), base.to_owned(), accounts.clone());
        let (issued, messages, stop) = (issued.clone(), messages.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            let client = u32::try_from(client).unwrap_or(u32::MAX);
            for seq in 0u32.. {
                if stop.load(Ordering::Relaxed)
                    || start.elapsed() >= plan.duration
                    || issued.fetch_add(1, Ordering::Relaxed) >= plan.max_requests
                {
                    break;
                }
                let key = Key {
                    run: plan.run,
                    client,
                    seq,
                };
                let account = &accounts[key.account(accounts.len())];
                let body = sample::body(&sample::declaration(seed, key, &account.structure));
                let t0 = Instant::now();
                let (result, message) = declare(&http, &base, &account.token, body).await;
                let latency = t0.elapsed();
                outcomes.push(Outcome {
                    key,
                    done: start.elapsed(),
                    latency,
                    result,
                });
                if let (Some(message), Ok(mut kept)) = (message, messages.lock())
                    && kept.len() < 5
                {
                    kept.push(message);
                }
                if result.is_err() && plan.stop_on_failure {
                    break;
                }
            }
            outcomes
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        // A task cannot panic short of a bug; its requests are then simply missing.
        if let Ok(mut o) = task.await {
            outcomes.append(&mut o);
        }
    }
    let wall = start.elapsed();
    let messages = messages.lock().map(|m| m.clone()).unwrap_or_default();
    Load {
        outcomes,
        wall,
        messages,
    }
}
