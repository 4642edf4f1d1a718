//! The event loop: draw, wait for the next thing to happen, feed it to
//! [`App::update`], run the effect it returns, repeat.
//!
//! Terminal events come from a stream (crossterm's `EventStream` in the
//! binary, a list in tests), taken in batches of what is available at once:
//! keys that arrive together are a paste ([`super::burst`]), whose Enter
//! never submits. Effects run on a worker task that owns the
//! [`Backend`] and sends each result back as a message, so a slow call
//! never blocks redrawing. A slow tick runs only while a call is in flight.
//! On the way out the loop waits for that call, so its outcome is recorded
//! before ramkey exits. The client's retries arrive on their own channel
//! ([`retry_channel`]), so the status line says "retrying in 3 s" while the
//! call waits.
//!
//! [`run_starting`] opens the wizard before its backend exists: the worker
//! first runs the [`Launch`] (the scan, then the rest of the start) while
//! the scan's news arrives on a [`ScanFeed`] and the keys stay live. Leaving
//! during the scan drops the scan; leaving during the rest of the start
//! waits for it, as for a call in flight. While the terminal is below the
//! minimum size ([`super::too_small`]) only Ctrl-C is let through: every
//! other key would act on a screen that cannot be seen. Depends on
//! [`super::app`], [`super::keys`], [`super::launch`], [`super::render`],
//! [`super::scan_feed`] and tokio; nothing here touches the cloud directly.

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
use super::burst::{Arrival, Batched};
use super::clipboard::TerminalWriter;
use super::keys::{self, Command};
use super::launch::Launch;
use super::scan_feed::ScanFeed;
use super::scan_view::{ScanNews, Started};
use super::secret_io;
use super::view::{Effect, ErrorView, Performed};
use super::{render, too_small};
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
    T: ratatui::backend::Backend + TerminalWriter,
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
    events: E,
    stops: S,
    retries: R,
    app: &mut App,
    backend: B,
) -> Result<Exit, LoopError>
where
    T: ratatui::backend::Backend + TerminalWriter,
    T::Error: StdError + Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Exit> + Unpin,
    R: Stream<Item = RetryNotice> + Unpin,
    B: Backend,
{
    let inputs = Inputs {
        events,
        stops,
        retries,
    };
    let begin: Begin<B, NoStart<B>> = Begin::Running(backend);
    drive(terminal, inputs, app, begin).await
}

/// [`run_observed`] for a wizard that is still starting (see
/// [`super::app::App::scanning`]): the loop runs the scan of `launch`, whose
/// news arrives on `feed`, then its worker the rest of the start, and then
/// the effects.
pub async fn run_starting<T, E, S, R, L>(
    terminal: &mut Terminal<T>,
    inputs: Inputs<E, S, R>,
    app: &mut App,
    launch: L,
    feed: ScanFeed,
) -> Result<Exit, LoopError>
where
    T: ratatui::backend::Backend + TerminalWriter,
    T::Error: StdError + Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Exit> + Unpin,
    R: Stream<Item = RetryNotice> + Unpin,
    L: Launch,
{
    drive(terminal, inputs, app, Begin::Launching(launch, feed)).await
}

/// What the loop listens to besides its worker: terminal events, signals
/// (SIGTERM, SIGHUP, as exits) and the client's retries.
pub struct Inputs<E, S, R> {
    /// Terminal events.
    pub events: E,
    /// Signals, as exits.
    pub stops: S,
    /// The client's retries.
    pub retries: R,
}

/// The start of a loop given its backend: there is none, it is never made.
struct NoStart<B>(std::marker::PhantomData<fn() -> B>);

impl<B: Backend> Launch for NoStart<B> {
    type Backend = B;

    async fn scan(self) -> (Self, Result<(), ErrorView>) {
        (self, Ok(()))
    }

    async fn finish(self) -> Result<(B, Started), ErrorView> {
        Err(worker_gone("Starting the wizard"))
    }
}

/// How the loop begins: with a backend, or with a start to run first.
enum Begin<B, L> {
    Running(B),
    Launching(L, ScanFeed),
}

async fn drive<T, E, S, R, B, L>(
    terminal: &mut Terminal<T>,
    inputs: Inputs<E, S, R>,
    app: &mut App,
    begin: Begin<B, L>,
) -> Result<Exit, LoopError>
where
    T: ratatui::backend::Backend + TerminalWriter,
    T::Error: StdError + Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Exit> + Unpin,
    R: Stream<Item = RetryNotice> + Unpin,
    B: Backend,
    L: Launch<Backend = B>,
{
    let Inputs {
        events,
        mut stops,
        mut retries,
    } = inputs;
    // Keys that arrive together are a paste without bracketed paste.
    let mut events = Batched::new(events);
    let (requests, request_rx) = mpsc::unbounded_channel::<Effect>();
    let (reply_tx, mut replies) = mpsc::unbounded_channel::<Reply>();
    let mut request_rx = Some(request_rx);
    let mut reply_tx = Some(reply_tx);
    let (mut scan, mut feed, mut worker) = match begin {
        Begin::Running(backend) => {
            let spawned =
                spawn_worker::<L>(Work::Running(backend), request_rx.take(), reply_tx.take());
            (None, None, spawned)
        }
        Begin::Launching(launch, feed) => (Some(Box::pin(launch.scan())), Some(feed), None),
    };
    let mut ticker = tokio::time::interval(TICK);
    let mut input_open = true;

    let outcome = loop {
        let small = match terminal.draw(|frame| render::render(app, frame)) {
            Ok(frame) => too_small::applies(frame.area),
            Err(error) => break Err(LoopError::Draw(Box::new(error))),
        };
        if let Some(exit) = app.exit {
            break Ok(exit);
        }

        // Only a text field needs to tell a paste's Enter from a typed one.
        events.look_ahead(app.context().takes_text());
        let msg = tokio::select! {
            event = events.next(), if input_open => match event {
                Some(Ok(arrival)) => match to_msg(arrival) {
                    // Only the size message shows: a key would act unseen.
                    Some(msg) if small && !is_interrupt(app, &msg) => continue,
                    Some(msg) => msg,
                    None => continue, // resize and focus: the redraw is enough
                },
                Some(Err(error)) => break Err(LoopError::Input(error)),
                None => {
                    input_open = false;
                    Msg::Stop(Exit::Terminated)
                }
            },
            (launch, scanned) = scanning(&mut scan), if scan.is_some() => {
                // The rest of the start runs on the worker, as effects do.
                scan = None;
                worker = spawn_worker(
                    Work::Scanned(launch, scanned),
                    request_rx.take(),
                    reply_tx.take(),
                );
                continue;
            }
            reply = replies.recv(), if app.awaits_worker() && worker.is_some() => match reply {
                Some(Reply::Performed(result)) => Msg::Performed(result),
                Some(Reply::Started(result)) => {
                    // The last findings and notes first, then the engine's views.
                    if let Some(mut feed) = feed.take() {
                        app.update(Msg::Scan(feed.take()));
                    }
                    Msg::Started(result)
                }
                None if app.is_pending() => Msg::Performed(Err(worker_gone("Running the step"))),
                None => Msg::Started(Err(worker_gone("Starting the wizard"))),
            },
            news = next_news(&mut feed), if feed.is_some() => {
                let Some(news) = news else {
                    // Every sender is gone: the start's outcome follows.
                    feed = None;
                    continue;
                };
                Msg::Scan(news)
            }
            _ = ticker.tick(), if app.is_pending() || app.is_starting() => Msg::Tick,
            Some(notice) = retries.next() => Msg::Retrying(notice),
            Some(exit) = stops.next() => Msg::Stop(exit),
        };

        if let Some(effect) = app.update(msg) {
            // The worker only stops when `requests` is dropped, below.
            let _ = requests.send(effect);
        }
        // A copy or save the secret dialog asked for, done before the redraw.
        secret_io::run_pending(app, terminal.backend_mut());
    };

    // A scan still running stops here (it only reads); the rest of a start
    // and a call in flight are let finish, but for the new key's check,
    // which can take minutes: a signal must not wait for it (its outcome is
    // recorded in one go at its end, and the next run checks again).
    if app.checking_new_key()
        && let Some(worker) = &worker
    {
        worker.abort();
    }
    drop(scan);
    drop(requests);
    drop(reply_tx);
    drain(&mut replies, app).await;
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    outcome
}

/// The running scan's outcome, or never when there is none.
async fn scanning<F: Future + Unpin>(scan: &mut Option<F>) -> F::Output {
    match scan {
        Some(scan) => scan.await,
        None => std::future::pending().await,
    }
}

/// What the worker sends back.
enum Reply {
    /// The start finished (or failed).
    Started(Result<Started, ErrorView>),
    /// An effect was performed (or failed).
    Performed(Result<Performed, ErrorView>),
}

/// What the worker begins with.
enum Work<L: Launch> {
    /// A backend ready for effects.
    Running(L::Backend),
    /// A start whose scan ended so: finish it first.
    Scanned(L, Result<(), ErrorView>),
}

/// Spawns the worker that owns the backend; `None` when its channels were
/// already given to one (never: each loop spawns one worker).
fn spawn_worker<L: Launch>(
    work: Work<L>,
    requests: Option<mpsc::UnboundedReceiver<Effect>>,
    replies: Option<mpsc::UnboundedSender<Reply>>,
) -> Option<tokio::task::JoinHandle<()>> {
    let (mut requests, replies) = (requests?, replies?);
    Some(tokio::spawn(async move {
        let Some(mut backend) = begin_work(work, &replies).await else {
            return;
        };
        while let Some(effect) = requests.recv().await {
            let result = backend.perform(effect).await;
            if replies.send(Reply::Performed(result)).is_err() {
                break;
            }
        }
    }))
}

/// The backend to perform effects with: the one given, or the finished
/// start's (its outcome sent first). `None` when the start failed.
async fn begin_work<L: Launch>(
    work: Work<L>,
    replies: &mpsc::UnboundedSender<Reply>,
) -> Option<L::Backend> {
    let (launch, scanned) = match work {
        Work::Running(backend) => return Some(backend),
        Work::Scanned(launch, scanned) => (launch, scanned),
    };
    let started = match scanned {
        Ok(()) => launch.finish().await,
        Err(error) => Err(error),
    };
    match started {
        Ok((backend, started)) => {
            replies.send(Reply::Started(Ok(started))).ok()?;
            Some(backend)
        }
        Err(error) => {
            let _ = replies.send(Reply::Started(Err(error)));
            None
        }
    }
}

/// The scan's next news, or never when there is no scan to hear from.
async fn next_news(feed: &mut Option<ScanFeed>) -> Option<ScanNews> {
    match feed {
        Some(feed) => feed.next().await,
        None => std::future::pending().await,
    }
}

/// Lets a call in flight finish, so its outcome reaches the state file
/// before ramkey exits; any secret it returned is dropped unseen only if
/// the admin chose to quit while it ran.
async fn drain(replies: &mut mpsc::UnboundedReceiver<Reply>, app: &mut App) {
    if !app.is_pending() {
        return;
    }
    // Its outcome only: a look it would lead to is never sent.
    while let Some(reply) = replies.recv().await {
        if let Reply::Performed(result) = reply {
            app.update(Msg::Performed(result));
            return;
        }
    }
}

fn worker_gone(doing: &str) -> ErrorView {
    ErrorView {
        doing: doing.to_owned(),
        code: None,
        message: "the engine stopped unexpectedly; see the log file".to_owned(),
        request_id: None,
        hint: Some("quit and start ramkey again: it resumes from the state file".to_owned()),
        offer: None,
        drift: None,
    }
}

/// Whether `msg` is Ctrl-C, which leaves even while nothing can be seen.
fn is_interrupt(app: &App, msg: &Msg) -> bool {
    matches!(msg, Msg::Key(key) | Msg::PastedKey(key)
        if keys::lookup(app.context(), key) == Some(Command::Interrupt))
}

fn to_msg(arrival: Arrival) -> Option<Msg> {
    match arrival.event {
        Event::Key(key) if arrival.pasted => Some(Msg::PastedKey(key)),
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::FocusGained | Event::FocusLost | Event::Mouse(_) | Event::Resize(..) => None,
    }
}

/// SIGTERM and SIGHUP, and SIGINT, as exits, for the `stops` of [`run`].
///
/// In raw mode Ctrl-C arrives as a key, not as SIGINT; a SIGINT sent by
/// `kill -INT` would otherwise end ramkey without restoring the terminal.
#[cfg(unix)]
pub fn signals() -> io::Result<impl Stream<Item = Exit> + Unpin> {
    use tokio::signal::unix::{SignalKind, signal};
    use tokio_stream_shim::SignalStream;

    let term = SignalStream(signal(SignalKind::terminate())?);
    let hup = SignalStream(signal(SignalKind::hangup())?);
    let int = SignalStream(signal(SignalKind::interrupt())?);
    let stopped = futures::stream::select(term, hup).map(|()| Exit::Terminated);
    let interrupted = int.map(|()| Exit::Interrupted);
    Ok(futures::stream::select(stopped, interrupted))
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
