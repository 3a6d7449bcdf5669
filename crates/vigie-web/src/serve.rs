//! Serving the portal over HTTP/1.1 with limits that a slow or greedy client cannot
//! outlast: a time to send a request's headers (which also closes idle keep-alive
//! connections), a time to send its body, a time to answer it, and a number of
//! connections served at once.

use std::{
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    BoxError, Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
    response::IntoResponse,
};
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt as _;

/// The limits on each connection and on their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has to send a request's headers, counted from when the connection
    /// opens or the previous answer was sent; a connection left idle that long is closed.
    pub header_read: Duration,
    /// Time a client has to send a request's body once its headers are in; beyond it the
    /// answer is a 408 and the connection closes.
    pub body_read: Duration,
    /// Time to answer a request once its headers are in; beyond it the answer is a 503 and
    /// the connection closes. Generous: the first dashboard after a start waits for the
    /// server to read every row.
    pub request: Duration,
    /// Connections served at once; further ones wait in the system's queue to be accepted.
    pub max_connections: usize,
}

impl Limits {
    /// Vigie's limits: 10 s for the headers (and of idleness), 30 s for a body, 300 s for
    /// an answer, 1,024 connections.
    pub const DEFAULT: Limits = Limits {
        header_read: Duration::from_secs(10),
        body_read: Duration::from_secs(30),
        request: Duration::from_secs(300),
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
                answer(router.clone(), request, peer, limits)
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

/// One request through the router, within `limits`.
async fn answer(
    router: Router,
    mut request: Request<Incoming>,
    peer: SocketAddr,
    limits: Limits,
) -> Result<axum::response::Response, Infallible> {
    request.extensions_mut().insert(ConnectInfo(peer));
    let late = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(Deadline {
            inner: Box::pin(body),
            sleep: Box::pin(tokio::time::sleep(limits.body_read)),
            late: late.clone(),
        })
    });
    let refused = |status: StatusCode, text: &'static str| {
        (status, [(header::CONNECTION, "close")], text).into_response()
    };
    Ok(
        match tokio::time::timeout(limits.request, router.oneshot(request)).await {
            Ok(Ok(_)) if late.load(Ordering::Relaxed) => refused(
                StatusCode::REQUEST_TIMEOUT,
                "La requête n'est pas arrivée en entier dans le délai imparti.",
            ),
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "La requête n'a pas abouti dans le délai imparti.",
            ),
        },
    )
}

/// A request's body that must arrive before a deadline; past it, reading fails and the
/// request is marked late.
struct Deadline<B> {
    inner: Pin<Box<B>>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    late: Arc<AtomicBool>,
}

impl<B> hyper::body::Body for Deadline<B>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Poll::Ready(frame) = self.inner.as_mut().poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err("the request's body came too slowly".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
