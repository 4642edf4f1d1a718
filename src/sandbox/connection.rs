//! Connections that a fault switch can cut: the listener hands each request
//! a [`Connection`] handle; after [`Connection::reset`] the socket refuses
//! every further read and write and is closed with a TCP reset, so the
//! client gets no answer at all, as when a network path fails mid-call.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections that can be cut.
pub struct CuttableListener {
    inner: TcpListener,
}

impl CuttableListener {
    pub fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl Listener for CuttableListener {
    type Io = CuttableStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        let stream = CuttableStream {
            inner: stream,
            cut: Arc::default(),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// One connection's socket, refusing all traffic once cut.
pub struct CuttableStream {
    inner: TcpStream,
    cut: Arc<AtomicBool>,
}

/// The handle a request gets on its connection.
#[derive(Debug, Clone)]
pub struct Connection {
    cut: Arc<AtomicBool>,
}

impl Connection {
    /// Drops the connection without sending anything more.
    pub fn reset(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        Self {
            cut: Arc::clone(&stream.io().cut),
        }
    }
}

impl CuttableStream {
    /// Once cut: a zero linger makes closing the socket send a reset, and
    /// the error makes the HTTP server close it now.
    fn check(&self) -> io::Result<()> {
        if !self.cut.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _ = self.inner.set_zero_linger();
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "the sandbox cut this connection (fault switch)",
        ))
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
