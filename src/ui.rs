//! The terminal wizard (ratatui + crossterm).
