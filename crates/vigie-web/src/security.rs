//! Security of every answer: strict headers, no cross-site posts, limits on login attempts.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{App, WebError};

/// The Content-Security-Policy: own styles and images only, no scripts, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every answer, and refuses cross-site posts.
pub async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if is_cross_site_write(&request) {
        return WebError::Forbidden.into_response();
    }
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    // A standalone document (the yearly report) brings its own, as strict, policy.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if !is_asset {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if app.settings.hsts {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

/// Whether a form post shows it comes from the portal's own pages: the browser says so
/// (`Sec-Fetch-Site: same-origin`, or `none` when typed by the user) or sends the `Origin`
/// of the host it posts to. A post with neither header (a forged login from a page that
/// strips them, or a script) proves nothing.
pub fn same_origin_proven(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            !host.is_empty() && origin.split_once("://").map(|(_, h)| h) == Some(host)
        }
        _ => false,
    }
}

/// The client's address: the connecting peer, unless the peer is one of the `trusted`
/// reverse proxies; then the right-most address of `X-Forwarded-For` that is not itself a
/// trusted proxy (what the proxies appended; anything a client wrote is further left).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| {
        trusted
            .iter()
            .any(|t| t.to_canonical() == ip.to_canonical())
    };
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(ip) => client = ip.to_canonical(),
            Ok(ip) => return ip.to_canonical(),
            // Beyond an unreadable entry nothing can be trusted: keep the last proxy.
            Err(_) => break,
        }
    }
    client
}

/// The client's address of a request, as [`client_ip`] reads it with the portal's
/// trusted proxies.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<App> for ClientIp {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, WebError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or(WebError::BadRequest("no peer address"))?;
        Ok(ClientIp(client_ip(
            peer,
            &parts.headers,
            &app.settings.trusted_proxies,
        )))
    }
}

/// A state-changing request sent by another site (checked with the browser's own headers).
fn is_cross_site_write(request: &Request) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            origin.split_once("://").map(|(_, h)| h) != Some(host)
        }
        _ => false,
    }
}

/// Work that costs a core (typesetting a report): at most `running` at once, `waiting`
/// more queued, and the others turned away at once rather than piling up.
pub struct Bounded {
    running: tokio::sync::Semaphore,
    admitted: tokio::sync::Semaphore,
}

/// A place among the running ones, held until dropped.
pub struct Slot<'a> {
    _running: tokio::sync::SemaphorePermit<'a>,
    _admitted: tokio::sync::SemaphorePermit<'a>,
}

impl Bounded {
    /// `running` at once (at least one), `waiting` more queued.
    pub fn new(running: usize, waiting: usize) -> Bounded {
        let running = running.max(1);
        Bounded {
            running: tokio::sync::Semaphore::new(running),
            admitted: tokio::sync::Semaphore::new(running + waiting),
        }
    }

    /// Waits for a place, or `None` at once when the queue is full.
    pub async fn enter(&self) -> Option<Slot<'_>> {
        let admitted = self.admitted.try_acquire().ok()?;
        let running = self.running.acquire().await.ok()?;
        Some(Slot {
            _running: running,
            _admitted: admitted,
        })
    }
}

/// A budget of attempts per key (a client's address, a login name) that refills over
/// time (a token bucket).
pub struct RateLimiter<K = IpAddr> {
    capacity: f64,
    refill_per_sec: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    /// `capacity` attempts at once, refilled completely over `period`.
    pub fn new(capacity: u32, period: Duration) -> RateLimiter<K> {
        RateLimiter {
            capacity: f64::from(capacity),
            refill_per_sec: f64::from(capacity) / period.as_secs_f64(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one attempt for `key`; false when its budget is spent.
    pub fn allow(&self, key: K) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            let capacity = self.capacity;
            let rate = self.refill_per_sec;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < capacity
            });
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.refill_per_sec)
            .min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The key of a login name in the per-account budget: its normalised form, whether or not
/// an account has it.
pub fn login_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_read_from_forwarded_for_behind_a_trusted_proxy_only() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("127.0.0.1"), ip("10.0.0.2")];
        let headers = |xff: &[&str]| {
            let mut h = HeaderMap::new();
            for v in xff {
                h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
            }
            h
        };
        // (peer, X-Forwarded-For lines, client)
        let cases: &[(&str, &[&str], &str)] = &[
            ("192.0.2.7", &["203.0.113.9"], "192.0.2.7"),
            ("127.0.0.1", &[], "127.0.0.1"),
            ("127.0.0.1", &["203.0.113.9"], "203.0.113.9"),
            ("127.0.0.1", &["198.51.100.1, 203.0.113.9"], "203.0.113.9"),
            (
                "127.0.0.1",
                &["198.51.100.1", "203.0.113.9, 10.0.0.2"],
                "203.0.113.9",
            ),
            ("127.0.0.1", &["10.0.0.2"], "10.0.0.2"),
            ("127.0.0.1", &["junk, 203.0.113.9"], "203.0.113.9"),
            ("127.0.0.1", &["203.0.113.9, junk"], "127.0.0.1"),
            ("::ffff:127.0.0.1", &["2001:db8::1"], "2001:db8::1"),
        ];
        for &(peer, xff, client) in cases {
            assert_eq!(
                client_ip(ip(peer), &headers(xff), &proxy),
                ip(client),
                "{peer} {xff:?}"
            );
        }
    }

    #[test]
    fn a_login_post_must_show_where_it_comes_from() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        assert!(!same_origin_proven(&h(&[])));
        assert!(!same_origin_proven(&h(&[("host", "vigie.fr")])));
        assert!(same_origin_proven(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin_proven(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin_proven(&h(&[
            ("host", "vigie.fr"),
            ("origin", "https://vigie.fr")
        ])));
        assert!(!same_origin_proven(&h(&[
            ("host", "vigie.fr"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin_proven(&h(&[
            ("host", "vigie.fr"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn the_budget_is_per_address_and_refills() {
        let limiter: RateLimiter = RateLimiter::new(3, Duration::from_millis(300));
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
        std::thread::sleep(Duration::from_millis(150));
        assert!(limiter.allow(a));
    }
}
