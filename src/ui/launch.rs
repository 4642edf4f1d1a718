//! How the wizard's backend comes to be while the wizard already shows:
//! first the scan (which `q` may stop at any point by dropping it: it only
//! reads), then the rest of the start (settling what an earlier run left in
//! flight, reading what the first screens need), which is always let finish
//! because it records what it settles.
//!
//! The event loop polls the scan itself, beside the keys (so the scan's
//! future need not be `Send`), and hands the rest to its worker task before
//! the first effect. Depends on [`super::event_loop::Backend`] and the view
//! types only.

use super::event_loop::Backend;
use super::scan_view::Started;
use super::view::ErrorView;

/// The two parts of a start.
pub trait Launch: Send + Sized + 'static {
    /// What performs the wizard's effects once started.
    type Backend: Backend;

    /// Scans the account (reads only) and hands the start back with the
    /// outcome; may be dropped at any await point.
    fn scan(self) -> impl Future<Output = (Self, Result<(), ErrorView>)>;

    /// The rest of the start, after a successful scan: the backend and
    /// what the wizard shows first.
    fn finish(self) -> impl Future<Output = Result<(Self::Backend, Started), ErrorView>> + Send;
}
