//! The terminal wizard (ratatui + crossterm): screens, dialogs, the key
//! table, the terminal guard and the event loop.
//!
//! Key handling is pure ([`app::App::update`] turns a message into a new
//! state and at most one [`view::Effect`]); [`event_loop`] performs effects
//! through a [`event_loop::Backend`] and feeds the results back. The cloud
//! client, the state store and the engine never import this module.

pub mod app;
pub mod burst;
pub mod checklist;
pub mod choice;
pub mod clipboard;
pub mod clock_jump;
pub mod color;
pub mod confirm;
pub mod engine_bridge;
pub mod error_dialog;
pub mod event_loop;
pub mod evidence;
pub mod exempt_mark;
pub mod findings;
pub mod flow;
pub mod footer;
pub mod help;
pub mod input;
pub mod key_reference;
pub mod keys;
pub mod kms_mark;
pub mod launch;
pub mod move_summary;
pub mod notice;
pub mod override_dialog;
pub mod paste_secret;
pub mod path_fit;
pub mod plan_preview;
pub mod popup;
pub mod question;
pub mod render;
pub mod rotation_screen;
pub mod safety;
pub mod scan_feed;
pub mod scan_gauge;
pub mod scan_view;
pub mod secret_dialog;
pub mod secret_io;
pub mod start_screen;
pub mod steps;
pub mod swap_dialog;
pub mod terminal;
pub mod text;
pub mod text_input;
pub mod too_small;
pub mod view;

pub use app::App;
pub use event_loop::{Backend, Exit, run, run_observed, run_starting};
