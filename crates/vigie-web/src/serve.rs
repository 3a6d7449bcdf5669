//! Serving the portal over HTTP/1.1 with limits that a slow or greedy client cannot
//! outlast: a time to send a request's headers (which also closes idle keep-alive
//! connections), a time to answer each request once its headers are in (its body
//! included), and a number of connections served at once.

use std::{convert::Infallible, future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode},
    response::IntoResponse,
};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt as _;

/// The limits on each connection and on their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has to send a request's headers, counted from when the connection
    /// opens or the previous answer was sent; a connection left idle that long is closed.
    pub header_read: Duration,
    /// Time to answer a request once its headers are read, reading its body included;
    /// beyond it the answer is a 503 and the connection closes.
    pub request: Duration,
    /// Connections served at once; further ones wait in the system's queue to be accepted.
    pub max_connections: usize,
}

impl Limits {
    /// Vigie's limits: 10 s for the headers (and of idleness), 60 s for an answer (a large
    /// export or the PDF report included), 1,024 connections.
    pub const DEFAULT: Limits = Limits {
        header_read: Duration::from_secs(10),
        request: Duration::from_secs(60),
        max_connections: 1024,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// How long a shutdown waits for the connections being served to finish.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then waits
/// up to 10 s for the connections being served. Each request carries its peer's address
/// as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(slots as usize));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, a connection reset before it was accepted:
                // wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                answer(router.clone(), request, peer, limits.request)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read);
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    let _ = tokio::time::timeout(DRAIN, permits.acquire_many(slots)).await;
    Ok(())
}

/// One request through the router, within `limit`.
async fn answer(
    router: Router,
    mut request: Request<Incoming>,
    peer: SocketAddr,
    limit: Duration,
) -> Result<axum::response::Response, Infallible> {
    request.extensions_mut().insert(ConnectInfo(peer));
    let request = request.map(Body::new);
    Ok(
        match tokio::time::timeout(limit, router.oneshot(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::CONNECTION, "close")],
                "La requête n'a pas abouti dans le délai imparti.",
            )
                .into_response(),
        },
    )
}
