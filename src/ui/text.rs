//! Text measured in terminal columns: cutting to a display width and padding.
//!
//! RAM display names are often Chinese and may hold emoji, which take two
//! columns each; cutting by bytes or by `char` count misaligns tables or
//! panics on a char boundary. Everything here counts display columns.
//! Depends on nothing but `unicode-width`.

use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

/// What a cut string ends with, so the reader can tell it was cut.
const ELLIPSIS: char = '…';

/// The number of terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `max` columns, ending with `…` when it was cut.
///
/// The cut falls on a character boundary; a wide character that would
/// straddle the limit is dropped whole, so the result may be one column
/// short of `max`.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }

    let budget = max - 1; // one column for the ellipsis
    let mut used = 0;
    let mut cut = String::new();
    for ch in text.chars() {
        let ch_width = ch.width().unwrap_or(0);
        if used + ch_width > budget {
            break;
        }
        used += ch_width;
        cut.push(ch);
    }
    cut.push(ELLIPSIS);
    cut
}

/// `text` cut to `columns` and padded with spaces to exactly `columns`, so
/// the next column of a table starts where it should.
pub fn fit(text: &str, columns: usize) -> String {
    let mut cut = truncate(text, columns);
    let pad = columns.saturating_sub(width(&cut));
    cut.extend(std::iter::repeat_n(' ', pad));
    cut
}

/// `text` broken into lines of at most `max` columns: at each line break
/// it holds, at spaces where it can be, and inside a word only when the
/// word alone is wider than `max`.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    if max == 0 {
        return Vec::new();
    }
    text.lines()
        .flat_map(|paragraph| wrap_paragraph(paragraph, max))
        .collect()
}

fn wrap_paragraph(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let space = usize::from(!line.is_empty());
        if width(&line) + space + width(word) <= max {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for ch in word.chars() {
            if !line.is_empty() && width(&line) + ch.width().unwrap_or(0) > max {
                lines.push(std::mem::take(&mut line));
            }
            line.push(ch);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const BC16_NAME: &str = "运维-张三-🦀-非常长的显示名称用于测试截断";

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(truncate("alice", 10), "alice");
        assert_eq!(truncate("张三", 4), "张三");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("张三"), 4);
        assert_eq!(width("🦀"), 2);
        assert_eq!(width(BC16_NAME), 41);
    }

    #[test]
    fn cut_ends_with_an_ellipsis_within_the_width() {
        let cut = truncate(BC16_NAME, 20);
        assert_eq!(cut, "运维-张三-🦀-非常长…");
        assert!(width(&cut) <= 20);
    }

    #[test]
    fn a_wide_character_is_never_split() {
        // 9 columns: "运维-张" is 7, "三" would make 9 with no room for "…".
        let cut = truncate(BC16_NAME, 9);
        assert_eq!(cut, "运维-张…");
        assert_eq!(width(&cut), 8);
    }

    #[test]
    fn every_width_is_respected_without_panicking() {
        for max in 0..=50 {
            let cut = truncate(BC16_NAME, max);
            assert!(width(&cut) <= max, "width {max} gave {cut:?}");
            assert_eq!(width(&fit(BC16_NAME, max)), max);
        }
    }

    #[test]
    fn fit_pads_to_the_exact_width() {
        assert_eq!(fit("张三", 6), "张三  ");
        assert_eq!(fit("", 3), "   ");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_every_word() {
        let lines = wrap("add a RamRoleArn profile and run ramkey", 16);
        assert_eq!(lines, ["add a RamRoleArn", "profile and run", "ramkey"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("one two\nthree", 20), ["one two", "three"]);
        assert_eq!(wrap("anything", 0), Vec::<String>::new());
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_by_display_width() {
        assert_eq!(
            wrap("~/.aliyun/config.json", 8),
            ["~/.aliyu", "n/config", ".json"]
        );
        for max in 1..=30 {
            let lines = wrap(BC16_NAME, max);
            assert!(
                lines.iter().all(|line| width(line) <= max.max(2)),
                "{max}: {lines:?}"
            );
            assert_eq!(lines.concat(), BC16_NAME);
        }
    }
}
