//! Key hints that fit their width without losing a key: when the line of
//! hints is too wide, the up and down pair becomes one hint (`↑↓ move`),
//! and if it is still too wide the hints wrap onto more rows, each hint
//! whole. A hint cut off at the edge would hide a key the admin needs.
//!
//! Works on the lines [`super::popup::hints`] builds (key spans and hint
//! spans, `" · "` between them). Depends on ratatui and [`super::text`].

use ratatui::text::{Line, Span};

use super::text;

/// The separator between two hints.
const SEPARATOR: &str = " · ";

/// `hints` in rows of at most `width` columns: one row when it fits (after
/// joining the up and down hints if need be), else as many as it takes.
pub fn fit(hints: Line<'static>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    if hints.width() <= width {
        return vec![hints];
    }
    let items = joined_moves(items(hints));
    let mut rows: Vec<Vec<Span<'static>>> = Vec::new();
    let mut used = 0;
    for item in items {
        let item_width: usize = item.iter().map(|span| text::width(&span.content)).sum();
        match rows.last_mut() {
            Some(row) if used + text::width(SEPARATOR) + item_width <= width => {
                row.push(Span::raw(SEPARATOR));
                used += text::width(SEPARATOR) + item_width;
                row.extend(item);
            }
            _ => {
                used = item_width;
                rows.push(item);
            }
        }
    }
    rows.into_iter().map(Line::from).collect()
}

/// `hints` on one row: the up and down hints joined when it is too wide;
/// for a dialog's own row of hints.
pub fn one_row(hints: Line<'static>, width: u16) -> Line<'static> {
    if hints.width() <= usize::from(width) {
        return hints;
    }
    let mut spans = Vec::new();
    for (i, item) in joined_moves(items(hints)).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(SEPARATOR));
        }
        spans.extend(item);
    }
    Line::from(spans)
}

/// The hints of `line`, each its spans (a key, then its hint).
fn items(line: Line<'static>) -> Vec<Vec<Span<'static>>> {
    let mut items = vec![Vec::new()];
    for span in line.spans {
        if span.content == SEPARATOR {
            items.push(Vec::new());
        } else if let Some(last) = items.last_mut() {
            last.push(span);
        }
    }
    items.retain(|item| !item.is_empty());
    items
}

/// `↑/k up · ↓/j down` as `↑↓ move`, `↑ scroll up · ↓ scroll down` as
/// `↑↓ scroll`.
fn joined_moves(mut items: Vec<Vec<Span<'static>>>) -> Vec<Vec<Span<'static>>> {
    let Some(at) = items
        .windows(2)
        .position(|pair| is_move(&pair[0], "↑", "up") && is_move(&pair[1], "↓", "down"))
    else {
        return items;
    };
    let item = &mut items[at];
    let hint = item.len() - 1;
    let joined = if item[hint].content.contains("scroll") {
        " scroll"
    } else {
        " move"
    };
    item[hint - 1].content = "↑↓".into();
    item[hint].content = joined.into();
    items.remove(at + 1);
    items
}

/// Whether `item` ends with a key starting `arrow` and a hint ending `word`.
fn is_move(item: &[Span<'static>], arrow: &str, word: &str) -> bool {
    match item {
        [.., key, hint] => key.content.starts_with(arrow) && hint.content.ends_with(word),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Modifier, Style};

    fn hints(pairs: &[(&str, &str)]) -> Line<'static> {
        let mut spans = Vec::new();
        for (i, (key, hint)) in pairs.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(SEPARATOR));
            }
            spans.push(Span::styled(
                (*key).to_owned(),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::raw(format!(" {hint}")));
        }
        Line::from(spans)
    }

    fn said(lines: &[Line<'static>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_line_that_fits_is_left_alone() {
        let line = hints(&[("↑/k", "up"), ("↓/j", "down"), ("q", "quit")]);
        assert_eq!(said(&fit(line, 80)), ["↑/k up · ↓/j down · q quit"]);
    }

    #[test]
    fn up_and_down_are_joined_when_too_wide() {
        let line = hints(&[("↑/k", "up"), ("↓/j", "down"), ("q", "quit")]);
        assert_eq!(said(&fit(line, 20)), ["↑↓ move · q quit"]);
        let line = hints(&[("↑", "scroll up"), ("↓", "scroll down"), ("?", "help")]);
        assert_eq!(said(&[one_row(line, 20)]), ["↑↓ scroll · ? help"]);
    }

    #[test]
    fn hints_wrap_whole_and_keep_every_key() {
        let line = hints(&[
            ("s", "show/hide"),
            ("c", "copy"),
            ("e", "save env file"),
            ("y", "I have stored it"),
            ("?", "help"),
        ]);
        let rows = said(&fit(line, 40));
        assert_eq!(
            rows,
            [
                "s show/hide · c copy · e save env file",
                "y I have stored it · ? help"
            ]
        );
        assert!(rows.iter().all(|row| text::width(row) <= 40));
    }
}
