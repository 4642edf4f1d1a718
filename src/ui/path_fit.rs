//! A file path cut to a width in the middle, at `/` boundaries, so its
//! file name (the part that tells one state file from another) stays whole:
//! `/home/admin/…/1234567890123456.json`.
//!
//! Depends on [`super::text`] only.

use super::text;

/// `path` in at most `max` columns: whole when it fits; else its leading
/// directories that fit, `…/`, and the file name; else the file name cut.
pub fn fit(path: &str, max: usize) -> String {
    if text::width(path) <= max {
        return path.to_owned();
    }
    let Some((dirs, name)) = path.rsplit_once('/') else {
        return text::truncate(path, max);
    };
    let tail = format!("…/{name}");
    if text::width(&tail) > max {
        return text::truncate(name, max);
    }
    let mut head = String::new();
    for part in dirs.split_inclusive('/') {
        if text::width(&head) + text::width(part) + text::width(&tail) > max {
            break;
        }
        head.push_str(part);
    }
    format!("{head}{tail}")
}

#[cfg(test)]
mod tests {
    use super::fit;

    const STATE: &str = "/home/admin/.local/state/ramkey/1234567890123456.json";

    #[test]
    fn a_path_that_fits_is_whole() {
        assert_eq!(fit(STATE, 80), STATE);
    }

    #[test]
    fn the_file_name_stays_whole() {
        assert_eq!(fit(STATE, 38), "/home/admin/…/1234567890123456.json");
        assert_eq!(fit(STATE, 23), "…/1234567890123456.json");
    }

    #[test]
    fn a_name_too_long_is_cut_with_an_ellipsis() {
        assert_eq!(fit(STATE, 10), "123456789…");
        assert_eq!(fit("no-slash-at-all.json", 8), "no-slas…");
    }
}
