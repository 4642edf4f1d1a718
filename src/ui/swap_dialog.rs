//! The swap confirmation (staging, then production) with its evidence
//! (BC-12): what the step asks, when the new key was first seen in use,
//! whether the old key was used since the swap began, and the advice.
//!
//! `y` confirms and `n` or Esc closes, as in every question; Enter gives
//! the default answer, which is yes only when the evidence supports
//! confirming: while the old key is still busy (or nothing used the new
//! key) the default is to wait. Also what follows a read in the flow: the
//! confirmation once the evidence is in, and the notice of a new key still
//! refused after its check. Depends on the shared dialog pieces,
//! [`super::flow`], [`super::notice`], [`super::text`] and [`super::view`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::flow::{self, Dialog};
use super::input::{Input, Reply};
use super::keys::{self, Command, Context};
use super::notice::{Notice, Passage};
use super::view::{Snapshot, StepKind, SwapEvidenceView, UserView};
use super::{popup, text};

/// The dialog's inside width (its box is 72 wide).
const TEXT_WIDTH: usize = 70;

/// A swap confirmation waiting for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapDialog {
    /// The box title, the step's.
    pub title: String,
    /// What the step asks, already wrapped.
    pub body: Vec<String>,
    /// The evidence read for it.
    pub evidence: SwapEvidenceView,
    /// `Is staging running on the new key?`, without the answers.
    pub question: String,
}

impl SwapDialog {
    /// The dialog of a swap step.
    pub fn new(
        title: String,
        body: Vec<String>,
        evidence: SwapEvidenceView,
        question: &str,
    ) -> Self {
        Self {
            title,
            body,
            evidence,
            question: question.to_owned(),
        }
    }

    /// The prompt with its answers, the default in capitals: no, always.
    pub fn prompt(&self) -> String {
        format!("{} [y/N]", self.question)
    }

    /// `y` confirms; `n`, Esc and Enter close. Enter never confirms, also
    /// when the evidence supports it: a line break pasted by a terminal
    /// without bracketed paste arrives as Enter (BC-16).
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Yes) => Reply::Done(()),
            Input::Command(Command::Act | Command::No | Command::Back) => Reply::Close,
            _ => Reply::Stay,
        }
    }

    /// Every line of the box's text, styled: the step, then the evidence.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let mut lines: Vec<Line> = self.body.iter().cloned().map(Line::from).collect();
        lines.push(Line::raw(""));
        lines.extend(wrapped(&self.evidence.heading, "", Style::new()));
        let warn = Style::new().fg(Color::Yellow);
        for fact in &self.evidence.facts {
            let (mark, style) = if fact.warning {
                ("! ", warn)
            } else {
                ("• ", Style::new())
            };
            lines.extend(wrapped(&fact.text, mark, style));
        }
        let advice = if self.evidence.supports_confirming {
            Style::new().fg(Color::Green)
        } else {
            warn.add_modifier(Modifier::BOLD)
        };
        lines.extend(wrapped(&self.evidence.advice, "", advice));
        lines
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let lines = self.lines();
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 72, height.saturating_add(5)),
            &self.title,
        );
        let [body, prompt, hints] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(Line::from(self.prompt()), prompt);
        frame.render_widget(swap_hints(), hints);
    }
}

/// A question's hints, and what Enter does on a swap: no, wait.
fn swap_hints() -> Line<'static> {
    let mut line = popup::hints(Context::Question);
    if let Some(enter) = keys::binding(Context::Question, Command::Act) {
        line.spans.push(Span::raw(" · "));
        line.spans.push(Span::styled(
            keys::keys_label(enter.keys),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        line.spans.push(Span::raw(format!(" {}", enter.hint)));
    }
    line
}

/// `said` wrapped to the box, rows after the first lined up past `mark`.
fn wrapped(said: &str, mark: &str, style: Style) -> Vec<Line<'static>> {
    let hang = " ".repeat(text::width(mark));
    text::wrap(said, TEXT_WIDTH.saturating_sub(hang.len()))
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 { mark } else { hang.as_str() };
            Line::from(format!("{lead}{row}")).style(style)
        })
        .collect()
}

/// Whether `step` is a swap confirmation, whose evidence is read first.
pub fn is_swap(step: &StepKind) -> bool {
    matches!(
        step,
        StepKind::ConfirmStaging { .. } | StepKind::ConfirmProduction { .. }
    )
}

/// Whether Enter on `user`'s rotation reads the swap evidence before the
/// confirmation opens: its current step is a swap that is not blocked.
pub fn evidence_first(user: &UserView) -> bool {
    let Some(rotation) = &user.rotation else {
        return false;
    };
    let current = rotation.current().map(|i| &rotation.steps[i].kind);
    rotation.blocked.is_none() && current.is_some_and(is_swap)
}

/// The swap's confirmation once its evidence is read; `None` when the
/// rotation moved on meanwhile.
pub fn opened(user: &UserView, snapshot: &Snapshot) -> Option<Dialog> {
    let rotation = user.rotation.as_ref()?;
    let step = &rotation.steps[rotation.current()?].kind;
    if !is_swap(step) || rotation.swap_evidence.is_none() {
        return None;
    }
    flow::open_step(user, step, snapshot).ok()
}

/// A check of the new key that ended with the key still refused when the
/// cap passed, said plainly in a notice (`summary` is the engine's).
pub fn still_refused(user: &UserView, summary: &str) -> Option<Dialog> {
    let new_key = user.rotation.as_ref()?.new_key.as_ref()?;
    if new_key.is_verified() {
        return None;
    }
    let passages = vec![
        Passage {
            text: summary.to_owned(),
            warning: true,
        },
        Passage {
            text: format!(
                "Nothing was disabled: the old key stays Active until {} is seen to work. \
                 New keys can take minutes; v on the rotation screen checks again.",
                new_key.key_id
            ),
            warning: false,
        },
    ];
    Some(Dialog::Notice(Notice::new(
        "The new key is not verified yet",
        passages,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::EvidenceFact;

    fn dialog(supports: bool) -> SwapDialog {
        let evidence = SwapEvidenceView {
            heading: "Evidence read 10:05:00 UTC (the production swap began 10:00:00 UTC):"
                .to_owned(),
            facts: vec![EvidenceFact {
                text: "Old key K: still in use".to_owned(),
                warning: !supports,
            }],
            advice: "Advice: wait".to_owned(),
            supports_confirming: supports,
        };
        SwapDialog::new(
            "Confirm production uses the new key".to_owned(),
            vec![],
            evidence,
            "Is production running on the new key?",
        )
    }

    #[test]
    fn only_y_confirms_and_enter_waits_whatever_the_evidence() {
        for supports in [false, true] {
            let mut swap = dialog(supports);
            assert!(swap.prompt().ends_with("[y/N]"));
            assert_eq!(swap.handle(&Input::Command(Command::Act)), Reply::Close);
            assert_eq!(swap.handle(&Input::Char('x')), Reply::Stay);
            assert_eq!(swap.handle(&Input::Command(Command::No)), Reply::Close);
            assert_eq!(swap.handle(&Input::Command(Command::Yes)), Reply::Done(()));
        }
    }
}
