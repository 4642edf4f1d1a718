//! The channel a running start talks to the wizard through: the scan's
//! observer sends each event as it happens; the event loop reads them as
//! [`ScanNews`], gathered so that it redraws at most once per frame however
//! fast the scan reports.
//!
//! Nothing is lost (findings and notes all arrive, in order); progress is
//! coalesced to its latest value. Sending never blocks and never fails the
//! scan: a wizard that has gone simply stops listening. Depends on tokio
//! and [`super::scan_view`].

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::scan_view::{ScanEvent, ScanNews};

/// At most this often the wizard redraws for the scan's news.
pub const FRAME: Duration = Duration::from_millis(50);

/// The sending end, for the scan's observer.
#[derive(Debug, Clone)]
pub struct ScanSender(mpsc::UnboundedSender<ScanEvent>);

impl ScanSender {
    /// Passes `event` on; does nothing once the wizard stopped listening.
    pub fn send(&self, event: ScanEvent) {
        let _ = self.0.send(event);
    }
}

/// The receiving end, read by the event loop.
#[derive(Debug)]
pub struct ScanFeed {
    events: mpsc::UnboundedReceiver<ScanEvent>,
    /// What arrived and was not handed out yet: kept here, so a wait that
    /// is cancelled (a key press came first) loses nothing.
    gathered: ScanNews,
    /// No news is handed out before this moment.
    next_frame: Instant,
}

/// A connected sender and feed.
pub fn scan_feed() -> (ScanSender, ScanFeed) {
    let (sender, events) = mpsc::unbounded_channel();
    let feed = ScanFeed {
        events,
        gathered: ScanNews::default(),
        next_frame: Instant::now(),
    };
    (ScanSender(sender), feed)
}

impl ScanFeed {
    /// The news since the last call, once there is some and the next frame
    /// is due; `None` once every sender is gone and all was handed out.
    ///
    /// Cancel safe: what arrived stays gathered for the next call.
    pub async fn next(&mut self) -> Option<ScanNews> {
        if self.gathered.is_empty() {
            let event = self.events.recv().await?;
            self.gathered.add(event);
        }
        tokio::time::sleep_until(self.next_frame).await;
        self.next_frame = Instant::now() + FRAME;
        Some(self.take())
    }

    /// Everything that arrived so far, without waiting (possibly nothing).
    pub fn take(&mut self) -> ScanNews {
        while let Ok(event) = self.events.try_recv() {
            self.gathered.add(event);
        }
        std::mem::take(&mut self.gathered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::scan_view::ScanView;

    fn progress(users_listed: usize) -> ScanEvent {
        ScanEvent::Progress(ScanView {
            users_listed,
            ..ScanView::default()
        })
    }

    #[tokio::test]
    async fn progress_is_coalesced_and_notes_are_all_kept_in_order() {
        let (sender, mut feed) = scan_feed();
        sender.send(progress(1));
        sender.send(ScanEvent::Note("first".to_owned()));
        sender.send(progress(2));
        sender.send(ScanEvent::Note("second".to_owned()));

        let news = feed.next().await.expect("news");

        assert_eq!(news.progress.map(|p| p.users_listed), Some(2));
        assert_eq!(news.notes, ["first", "second"]);
        assert!(feed.take().is_empty());
    }

    #[tokio::test]
    async fn the_feed_ends_once_the_sender_is_gone_and_all_was_read() {
        let (sender, mut feed) = scan_feed();
        sender.send(ScanEvent::Settling);
        drop(sender);

        assert!(feed.next().await.expect("the last news").settling);
        assert_eq!(feed.next().await, None);
    }

    #[tokio::test]
    async fn a_cancelled_wait_loses_nothing() {
        let (sender, mut feed) = scan_feed();
        sender.send(ScanEvent::Note("kept".to_owned()));
        // The first read is handed out at once; the next waits for a frame.
        let _ = feed.next().await;
        sender.send(ScanEvent::Note("waits".to_owned()));
        {
            let wait = feed.next();
            futures::pin_mut!(wait);
            // Polled once (it gathers the note, then sleeps), then dropped.
            let _ = futures::poll!(wait);
        }
        assert_eq!(feed.take().notes, ["waits"]);
    }
}
