//! The event loop: draw, wait for the next thing to happen, feed it to
//! [`App::update`], run the effect it returns, repeat.
//!
//! Terminal events come from a stream (crossterm's `EventStream` in the
//! binary, a list in tests). Effects run on a worker task that owns the
//! [`Backend`] and sends each result back as a message, so a slow call
//! never blocks redrawing. A slow tick runs only while a call is in flight.
//! On the way out the loop waits for that call, so its outcome is recorded
//! before ramkey exits. The client's retries arrive on their own channel
//! ([`retry_channel`]), so the status line says "retrying in 3 s" while the
//! call waits. Depends on [`super::app`], [`super::render`] and tokio;
//! nothing here touches the cloud directly.

use std::error::Error as StdError;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use futures::{Stream, StreamExt as _};
use ratatui::Terminal;
use tokio::sync::mpsc;

pub use super::app::Exit;
use super::app::{App, Msg};
use super::render;
use super::view::{Effect, ErrorView, Performed};
use crate::cloud::{RetryNotice, RetryObserver};

/// How often the "working…" line moves while a call is in flight.
const TICK: Duration = Duration::from_millis(250);

/// What performs the wizard's effects: the rotation engine in the binary,
/// a scripted stand-in in tests.
pub trait Backend: Send + 'static {
    /// Performs one request and returns the views after it.
    fn perform(
        &mut self,
        effect: Effect,
    ) -> impl Future<Output = Result<Performed, ErrorView>> + Send;
}

/// Why the loop stopped without the admin asking.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    /// Drawing on the terminal failed.
    #[error("cannot draw on the terminal")]
    Draw(#[source] Box<dyn StdError + Send + Sync>),
    /// Reading keys failed.
    #[error("cannot read from the terminal")]
    Input(#[source] io::Error),
}

/// The retries a client's observer saw, for [`run_observed`].
pub type RetryNotices = UnboundedReceiver<RetryNotice>;

/// An observer to give the wizard's client (`Retry::observed_by`) and the
/// notices it passes on. Nothing is lost or blocked if the loop is gone.
pub fn retry_channel() -> (Arc<dyn RetryObserver>, RetryNotices) {
    let (sender, notices) = unbounded();
    let observer = move |notice: &RetryNotice| {
        let _ = sender.unbounded_send(notice.clone());
    };
    (Arc::new(observer), notices)
}

/// Runs the wizard until it exits; returns why.
///
/// `stops` delivers signals (SIGTERM, SIGHUP) as exits.
pub async fn run<T, E, S, B>(
    terminal: &mut Terminal<T>,
    events: E,
    stops: S,
    app: &mut App,
    backend: B,
) -> Result<Exit, LoopError>
where
    T: ratatui::backend::Backend,
    T::Error: StdError + Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Exit> + Unpin,
    B: Backend,
{
    let no_retries = futures::stream::pending();
    run_observed(terminal, events, stops, no_retries, app, backend).await
}

/// [`run`], showing each retry of the call in flight from `retries`.
pub async fn run_observed<T, E, S, R, B>(
    terminal: &mut Terminal<T>,
    mut events: E,
    mut stops: S,
    mut retries: R,
    app: &mut App,
    backend: B,
) -> Result<Exit, LoopError>
where
    T: ratatui::backend::Backend,
    T::Error: StdError + Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Exit> + Unpin,
    R: Stream<Item = RetryNotice> + Unpin,
    B: Backend,
{
    let (requests, results, worker) = spawn_worker(backend);
    let mut results = results;
    let mut ticker = tokio::time::interval(TICK);
    let mut input_open = true;

    let outcome = loop {
        if let Err(error) = terminal.draw(|frame| render::render(app, frame)) {
            break Err(LoopError::Draw(Box::new(error)));
        }
        if let Some(exit) = app.exit {
            break Ok(exit);
        }

        let msg = tokio::select! {
            event = events.next(), if input_open => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue, // resize and focus: the redraw is enough
                },
                Some(Err(error)) => break Err(LoopError::Input(error)),
                None => {
                    input_open = false;
                    Msg::Stop(Exit::Terminated)
                }
            },
            result = results.recv(), if app.is_pending() => Msg::Performed(match result {
                Some(result) => result,
                None => Err(worker_gone()),
            }),
            _ = ticker.tick(), if app.is_pending() => Msg::Tick,
            Some(notice) = retries.next() => Msg::Retrying(notice),
            Some(exit) = stops.next() => Msg::Stop(exit),
        };

        if let Some(effect) = app.update(msg) {
            // The worker only stops when `requests` is dropped, below.
            let _ = requests.send(effect);
        }
    };

    drop(requests);
    drain(&mut results, app).await;
    let _ = worker.await;
    outcome
}

type Worker = (
    mpsc::UnboundedSender<Effect>,
    mpsc::UnboundedReceiver<Result<Performed, ErrorView>>,
    tokio::task::JoinHandle<()>,
);

fn spawn_worker<B: Backend>(mut backend: B) -> Worker {
    let (request_tx, mut request_rx) = mpsc::unbounded_channel::<Effect>();
    let (result_tx, result_rx) = mpsc::unbounded_channel();
    let worker = tokio::spawn(async move {
        while let Some(effect) = request_rx.recv().await {
            let result = backend.perform(effect).await;
            if result_tx.send(result).is_err() {
                break;
            }
        }
    });
    (request_tx, result_rx, worker)
}

/// Lets a call in flight finish, so its outcome reaches the state file
/// before ramkey exits; any secret it returned is dropped unseen only if
/// the admin chose to quit while it ran.
async fn drain(results: &mut mpsc::UnboundedReceiver<Result<Performed, ErrorView>>, app: &mut App) {
    if !app.is_pending() {
        return;
    }
    if let Some(result) = results.recv().await {
        app.update(Msg::Performed(result));
    }
}

fn worker_gone() -> ErrorView {
    ErrorView {
        doing: "Running the step".to_owned(),
        code: None,
        message: "the engine stopped unexpectedly; see the log file".to_owned(),
        request_id: None,
        hint: Some("quit and start ramkey again: it resumes from the state file".to_owned()),
        offer: None,
        drift: None,
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::FocusGained | Event::FocusLost | Event::Mouse(_) | Event::Resize(..) => None,
    }
}

/// SIGTERM and SIGHUP as exits, for the `stops` of [`run`].
#[cfg(unix)]
pub fn signals() -> io::Result<impl Stream<Item = Exit> + Unpin> {
    use tokio::signal::unix::{SignalKind, signal};
    use tokio_stream_shim::SignalStream;

    let term = SignalStream(signal(SignalKind::terminate())?);
    let hup = SignalStream(signal(SignalKind::hangup())?);
    Ok(futures::stream::select(term, hup).map(|()| Exit::Terminated))
}

/// Adapts a tokio signal to a stream without pulling in tokio-stream.
#[cfg(unix)]
mod tokio_stream_shim {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures::Stream;
    use tokio::signal::unix::Signal;

    pub struct SignalStream(pub Signal);

    impl Stream for SignalStream {
        type Item = ();

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
            self.0.poll_recv(cx)
        }
    }
}
