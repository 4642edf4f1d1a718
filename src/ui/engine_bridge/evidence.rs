//! The swap evidence for the wizard: the engine's reading of both keys'
//! last use (BC-12), in the words of [`SwapEvidenceView`], kept per user
//! until that user's next action. A reading that fails still opens the
//! confirmation, saying why nothing could be read and advising to wait.

use super::EngineBackend;
use crate::rotation::{self, EngineError, SwapEvidence};
use crate::ui::view::{EvidenceFact, Performed, SwapEvidenceView};

impl EngineBackend {
    /// Reads the evidence of `user`'s swap (reads only) and keeps it for
    /// the views.
    pub(super) async fn read_evidence(&mut self, user: &str) -> Performed {
        let view = match self.engine.swap_evidence(user).await {
            Ok(read) => evidence_view(&read),
            Err(error) => unreadable(&error),
        };
        let notice = if view.supports_confirming {
            "Swap evidence read: it supports confirming."
        } else {
            "Swap evidence read: ramkey advises waiting."
        };
        self.evidence.insert(user.to_owned(), view);
        Performed {
            snapshot: self.snapshot(),
            notice: notice.to_owned(),
            new_secret: None,
        }
    }

    /// The evidence kept for the swap `plan` waits for, if any.
    pub(super) fn evidence_view(&self, plan: &rotation::RotationView) -> Option<SwapEvidenceView> {
        use rotation::StepKind as E;

        if !matches!(plan.current, Some(E::ConfirmStaging | E::ConfirmProduction)) {
            return None;
        }
        self.evidence.get(&plan.user).cloned()
    }
}

/// The engine's judgement in the dialog's words.
pub fn evidence_view(read: &SwapEvidence) -> SwapEvidenceView {
    SwapEvidenceView {
        heading: read.heading(),
        facts: read
            .facts()
            .into_iter()
            .map(|fact| EvidenceFact {
                text: fact.text,
                warning: fact.warning,
            })
            .collect(),
        advice: read.advice(),
        supports_confirming: read.supports_confirming(),
    }
}

/// The confirmation's evidence when the last-use dates could not be read.
fn unreadable(error: &EngineError) -> SwapEvidenceView {
    SwapEvidenceView {
        heading: format!("The keys' last use could not be read: {error}."),
        facts: Vec::new(),
        advice: "Advice: wait before confirming: without the last-use dates, check in the \
                 application's logs that it signs with the new key, or close this and try again."
            .to_owned(),
        supports_confirming: false,
    }
}
