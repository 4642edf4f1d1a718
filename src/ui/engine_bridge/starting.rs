//! The wizard's start as a [`Launch`]: the engine's scan, observed so that
//! its progress, findings and notes reach the gauge through a
//! [`ScanSender`], then the rest of [`EngineBackend`]'s start.
//!
//! The observer turns the scan's types into the wizard's view types here,
//! so the screens never see them. Depends on [`crate::scan`]'s observer and
//! the bridge.

use std::sync::Arc;

use super::EngineBackend;
use crate::clock::Clock;
use crate::cloud::model::CallerIdentity;
use crate::rotation::Engine;
use crate::scan::progress::{Phase, ScanProgress, SourceKind};
use crate::scan::{Finding, ScanObserver, ScanReport};
use crate::ui::launch::Launch;
use crate::ui::scan_feed::ScanSender;
use crate::ui::scan_view::{ScanEvent, ScanPhase, ScanSource, ScanView, Started};
use crate::ui::view::{ErrorView, Header};

/// The engine on its way to being the wizard's backend.
pub struct Starting {
    backend: EngineBackend,
    feed: ScanSender,
    /// The scan's outcome, for the rest of the start.
    report: Option<ScanReport>,
}

impl Starting {
    /// A start over `engine` whose scan reports to `feed`.
    pub fn new(engine: Engine, clock: Arc<dyn Clock>, feed: ScanSender) -> Self {
        Self {
            backend: EngineBackend::new(engine, clock),
            feed,
            report: None,
        }
    }

    /// The same start in `ramkey demo`, over its world (`None`: not a demo).
    #[must_use]
    pub fn with_demo_world(mut self, world: Option<Arc<dyn super::DemoWorld>>) -> Self {
        if let Some(world) = world {
            self.backend = self.backend.with_demo_world(world);
        }
        self
    }

    /// The header, known before the scan (see [`EngineBackend::header`]).
    pub fn header(&self, caller: &CallerIdentity, demo: bool) -> Header {
        self.backend.header(caller, demo)
    }
}

impl Launch for Starting {
    type Backend = EngineBackend;

    async fn scan(mut self) -> (Self, Result<(), ErrorView>) {
        let observer = Feeding {
            backend: &self.backend,
            feed: &self.feed,
        };
        let scanned = self.backend.scan(&observer).await;
        let outcome = match scanned {
            Ok(report) => {
                self.report = Some(report);
                self.feed.send(ScanEvent::Settling);
                Ok(())
            }
            Err(error) => Err(self.backend.start_error("Scanning the account", &error)),
        };
        (self, outcome)
    }

    async fn finish(mut self) -> Result<(EngineBackend, Started), ErrorView> {
        let doing = "Settling an earlier run and reading the first screens";
        let Some(report) = self.report.take() else {
            // The event loop finishes only after a successful scan.
            return Err(ErrorView {
                doing: format!("{doing}: not done."),
                code: None,
                message: "the start was asked to finish before its scan".to_owned(),
                request_id: None,
                hint: Some("quit and start ramkey again".to_owned()),
                offer: None,
                drift: None,
            });
        };
        if let Err(error) = self.backend.finish(&report).await {
            return Err(self.backend.start_error(doing, &error));
        }
        let started = Started {
            snapshot: self.backend.snapshot(),
            settled: self.backend.settled(),
        };
        Ok((self.backend, started))
    }
}

/// The scan's observer: each event, in the wizard's words, onto the feed.
struct Feeding<'a> {
    backend: &'a EngineBackend,
    feed: &'a ScanSender,
}

impl ScanObserver for Feeding<'_> {
    fn progress(&self, progress: &ScanProgress) {
        self.feed.send(ScanEvent::Progress(scan_view(progress)));
    }

    fn found(&self, finding: &Finding) {
        let user = self.backend.found_view(finding);
        self.feed.send(ScanEvent::Found(Box::new(user)));
    }

    fn note(&self, note: &str) {
        self.feed.send(ScanEvent::Note(note.to_owned()));
    }
}

/// The scan's progress as the gauge shows it.
pub fn scan_view(progress: &ScanProgress) -> ScanView {
    ScanView {
        source: match progress.source {
            SourceKind::Api => ScanSource::Api,
            SourceKind::Report => ScanSource::Report,
        },
        phase: match progress.phase {
            Phase::Generating => ScanPhase::Generating,
            Phase::Downloading => ScanPhase::Downloading,
            Phase::Listing => ScanPhase::Listing,
            Phase::Checking => ScanPhase::Checking,
            Phase::Done => ScanPhase::Done,
        },
        users_listed: progress.users_listed,
        users_total: progress.users_total,
        users_checked: progress.users_checked,
        keys_checked: progress.keys_checked,
        flagged: progress.flagged,
        calls: progress.calls,
        throttled: progress.throttled,
        rate: progress.rate,
        elapsed: progress.elapsed,
        eta: progress.eta,
    }
}
