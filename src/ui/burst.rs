//! Pastes without bracketed paste (BC-16): a terminal that does not bracket
//! a paste types it, so its characters arrive as key presses and its line
//! break as Enter, which would submit the focused field.
//!
//! Such a paste arrives all at once, faster than anyone types: while a text
//! field has the focus, the loop takes every event already available
//! together ([`Batched`], without waiting and without a clock), and
//! [`mark`] calls a batch a paste when it holds two or more key presses,
//! one of them a character. Elsewhere the loop takes each event alone. A key of such a
//! batch reaches [`super::app::App::update`] as
//! [`Msg::PastedKey`](super::app::Msg::PastedKey), and there only types
//! ([`acts_when_pasted`]): its Enter submits nothing and its `y` answers
//! nothing. Depends on crossterm's event types and `futures` only.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::{Stream, StreamExt as _};

use super::keys::Command;

/// The most events taken as one batch, so a stream that is always ready
/// still lets the loop draw.
const MAX_BATCH: usize = 4096;

/// One terminal event and whether it came as part of a paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The event.
    pub event: Event,
    /// It arrived together with other key presses, one of them a character.
    pub pasted: bool,
}

/// The events of one batch (everything that was available at once), each
/// marked with whether the batch is a paste.
pub fn mark(batch: Vec<Event>) -> Vec<Arrival> {
    let pasted = is_paste(&batch);
    batch
        .into_iter()
        .map(|event| Arrival { event, pasted })
        .collect()
}

/// Two or more key presses (releases do not count: Windows reports one for
/// every press), at least one of them a character.
fn is_paste(batch: &[Event]) -> bool {
    let presses: Vec<&KeyEvent> = batch.iter().filter_map(pressed).collect();
    presses.len() >= 2 && presses.iter().any(|key| is_character(key))
}

fn pressed(event: &Event) -> Option<&KeyEvent> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(key),
        _ => None,
    }
}

fn is_character(key: &KeyEvent) -> bool {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    plain && matches!(key.code, KeyCode::Char(_))
}

/// What a pasted key may still do besides typing into a text field:
/// erase and move. Ctrl-C is never part of a paste and always acts.
pub fn acts_when_pasted(command: Command) -> bool {
    matches!(
        command,
        Command::Erase | Command::Up | Command::Down | Command::Interrupt
    )
}

/// The status line after a pasted key was held back.
pub fn held_back(command: Command) -> &'static str {
    match command {
        Command::Act => {
            "A line break that came with pasted text does not submit: check the field, then \
             press Enter."
        }
        _ => "Keys that came together with pasted text do not act: press the key again.",
    }
}

/// A stream of terminal events taken in batches and marked ([`mark`]):
/// once one event is there, every event already available joins it.
pub struct Batched<E> {
    events: E,
    ready: VecDeque<io::Result<Arrival>>,
    ended: bool,
    look_ahead: bool,
}

impl<E> Batched<E> {
    /// Batches `events`, looking ahead after each event.
    pub fn new(events: E) -> Self {
        Self {
            events,
            ready: VecDeque::new(),
            ended: false,
            look_ahead: true,
        }
    }

    /// Whether the next batch looks for more events once it has one. The
    /// loop looks ahead only while a text field has the focus, where a
    /// paste lands and its Enter would submit: elsewhere each event is
    /// taken alone, as it was before pastes were told apart.
    pub fn look_ahead(&mut self, look: bool) {
        self.look_ahead = look;
    }
}

impl<E> Stream for Batched<E>
where
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    type Item = io::Result<Arrival>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(next) = self.ready.pop_front() {
            return Poll::Ready(Some(next));
        }
        if self.ended {
            return Poll::Ready(None);
        }

        let (batch, failed) = self.take_available(cx);
        self.ready.extend(mark(batch).into_iter().map(Ok));
        self.ready.extend(failed.map(Err));
        match self.ready.pop_front() {
            Some(next) => Poll::Ready(Some(next)),
            None if self.ended => Poll::Ready(None),
            // The inner stream said Pending last, so it will wake this task.
            None => Poll::Pending,
        }
    }
}

impl<E> Batched<E>
where
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    /// Every event available now, up to an error or the end (remembered).
    fn take_available(&mut self, cx: &mut Context<'_>) -> (Vec<Event>, Option<io::Error>) {
        let mut batch = Vec::new();
        while batch.len() < MAX_BATCH {
            match self.events.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(event))) => {
                    batch.push(event);
                    if !self.look_ahead {
                        break;
                    }
                }
                Poll::Ready(Some(Err(error))) => return (batch, Some(error)),
                Poll::Ready(None) => {
                    self.ended = true;
                    break;
                }
                Poll::Pending => break,
            }
        }
        (batch, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, kind: KeyEventKind) -> Event {
        Event::Key(KeyEvent::new_with_kind(code, KeyModifiers::NONE, kind))
    }

    fn press(code: KeyCode) -> Event {
        key(code, KeyEventKind::Press)
    }

    fn pasted(batch: Vec<Event>) -> Vec<bool> {
        mark(batch).into_iter().map(|a| a.pasted).collect()
    }

    #[test]
    fn characters_with_their_line_break_are_a_paste() {
        let mut batch: Vec<Event> = "secret".chars().map(|c| press(KeyCode::Char(c))).collect();
        batch.push(press(KeyCode::Enter));
        assert_eq!(pasted(batch), vec![true; 7]);
    }

    #[test]
    fn one_key_with_its_release_or_arrows_with_enter_are_not() {
        let windows = vec![
            press(KeyCode::Char('y')),
            key(KeyCode::Char('y'), KeyEventKind::Release),
        ];
        assert_eq!(pasted(windows), vec![false, false]);
        let arrows = vec![press(KeyCode::Down), press(KeyCode::Enter)];
        assert_eq!(pasted(arrows), vec![false, false]);
        assert_eq!(pasted(vec![press(KeyCode::Enter)]), vec![false]);
    }

    #[test]
    fn a_control_character_is_not_a_typed_one() {
        let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(
            pasted(vec![ctrl_c, press(KeyCode::Enter)]),
            vec![false, false]
        );
    }

    #[test]
    fn a_pasted_key_only_erases_and_moves() {
        assert!(acts_when_pasted(Command::Erase));
        assert!(acts_when_pasted(Command::Down));
        for command in [Command::Act, Command::Yes, Command::Back, Command::Quit] {
            assert!(!acts_when_pasted(command), "{command:?}");
        }
    }

    #[tokio::test]
    async fn a_stream_is_batched_by_what_is_ready_together() {
        let events: Vec<io::Result<Event>> =
            vec![Ok(press(KeyCode::Char('a'))), Ok(press(KeyCode::Enter))];
        let marked: Vec<Arrival> = Batched::new(futures::stream::iter(events))
            .map(Result::unwrap)
            .collect()
            .await;
        assert!(marked.iter().all(|arrival| arrival.pasted), "{marked:?}");
    }

    #[tokio::test]
    async fn without_looking_ahead_each_event_is_alone() {
        let events: Vec<io::Result<Event>> =
            vec![Ok(press(KeyCode::Char('a'))), Ok(press(KeyCode::Enter))];
        let mut batched = Batched::new(futures::stream::iter(events));
        batched.look_ahead(false);
        let marked: Vec<Arrival> = batched.map(Result::unwrap).collect().await;
        assert!(marked.iter().all(|arrival| !arrival.pasted), "{marked:?}");
    }

    #[tokio::test]
    async fn an_error_after_a_batch_comes_after_its_events() {
        let events: Vec<io::Result<Event>> = vec![
            Ok(press(KeyCode::Down)),
            Err(io::Error::other("gone")),
            Ok(press(KeyCode::Up)),
        ];
        let mut batched = Batched::new(futures::stream::iter(events));
        assert!(batched.next().await.unwrap().is_ok());
        assert!(batched.next().await.unwrap().is_err());
        let up = batched.next().await.unwrap().unwrap();
        assert!(!up.pasted);
        assert!(batched.next().await.is_none());
    }
}
