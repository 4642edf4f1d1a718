//! Every key of the wizard as a Markdown reference, for the user guide.
//!
//! Built from [`super::keys::TABLE`], the table that dispatches keys, so
//! the guide's list cannot drift from what the keys do: a test compares
//! `docs/user-guide.md` with [`markdown`]. Depends on [`super::keys`] only.

use std::fmt::Write as _;

use super::keys::{Context, bindings_for, keys_label};

/// One `###` section per context, each a table of its keys and what they
/// do, in the order the help overlay shows them.
pub fn markdown() -> String {
    let mut out = String::new();
    for context in Context::ALL {
        let mut bindings = bindings_for(context).peekable();
        if bindings.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "### In {}\n", context.name());
        out.push_str("| Key | What it does |\n|---|---|\n");
        for binding in bindings {
            let keys = keys_label(binding.keys).replace('|', "\\|");
            let _ = writeln!(out, "| `{keys}` | {} |", binding.help);
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::keys::TABLE;

    #[test]
    fn every_binding_has_a_row() {
        let reference = markdown();
        let rows = reference.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(rows, TABLE.len());
        assert!(reference.contains("| `Ctrl-C` | quit now |"));
        assert!(reference.contains("### In the findings list\n"));
    }
}
