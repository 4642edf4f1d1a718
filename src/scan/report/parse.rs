//! Reading the credential report's CSV text into [`ReportRow`]s: columns
//! found by name in the header line (so added or reordered columns do not
//! matter), a header repeated on a later page skipped, and every cell read
//! as its kind (`TRUE`/`FALSE`/`N/A`, a UTC time, `-` for never). A cell
//! that is none of these is an error naming its page, line and column.
//!
//! Pure: text in, rows out; knows nothing of HTTP or of the scan.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use csv::StringRecord;

use super::row::{ReportFlag, ReportKey, ReportRow, ReportTime};

/// The column naming the user; its presence marks a header line.
const USER: &str = "user";
/// The per-key columns, after a slot's prefix (`access_key_1_`, ...).
const KEY_FIELDS: [&str; 4] = ["exist", "active", "last_rotated", "last_used"];
/// The two key slots every report has.
const MAIN_SLOTS: [&str; 2] = ["access_key_1", "access_key_2"];
/// The prefix of the slots of users who held more than two keys before the limit.
const ADDITIONAL: &str = "additional_access_key_";

/// Why the report's text cannot be read. Lines count from 1 within a page.
#[derive(Debug, thiserror::Error)]
pub enum ReportParseError {
    /// A data row came before any header line.
    #[error(
        "credential report page {page}, line {line}: a row came before the header line \
         (the one naming the `user` and `access_key_1_active` columns)"
    )]
    NoHeader {
        /// The page, from 1.
        page: usize,
        /// The line within the page, from 1.
        line: u64,
    },

    /// The header lacks a column ramkey needs.
    #[error("credential report page {page}, line {line}: the header has no `{column}` column")]
    MissingColumn {
        /// The page, from 1.
        page: usize,
        /// The header's line.
        line: u64,
        /// The column's name.
        column: String,
    },

    /// A row ends before a column ramkey needs.
    #[error(
        "credential report page {page}, line {line}: the row has {found} fields but the \
         header names {needed} or more"
    )]
    ShortRow {
        /// The page, from 1.
        page: usize,
        /// The row's line.
        line: u64,
        /// Fields in the row.
        found: usize,
        /// Fields the header's columns need.
        needed: usize,
    },

    /// A cell holds something other than its column's kind of value.
    #[error(
        "credential report page {page}, line {line}, column `{column}`: {value:?} is not \
         {expected}"
    )]
    BadValue {
        /// The page, from 1.
        page: usize,
        /// The row's line.
        line: u64,
        /// The column's name.
        column: String,
        /// The cell as written.
        value: String,
        /// What the column holds.
        expected: &'static str,
    },

    /// The text is not CSV (e.g. an unclosed quote).
    #[error("credential report page {page}, line {line}: not readable as CSV: {source}")]
    Csv {
        /// The page, from 1.
        page: usize,
        /// Where the reader stopped.
        line: u64,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
}

/// Reads a report page by page, keeping the header of an earlier page for
/// pages that do not repeat it.
#[derive(Debug, Default)]
pub struct ReportReader {
    columns: Option<Columns>,
    pages: usize,
}

impl ReportReader {
    /// A reader that has seen no page yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one page's text, handing each row to `on_row` as it is read
    /// (so the caller keeps only what it needs). Returns the rows read.
    pub fn read_page(
        &mut self,
        text: &str,
        mut on_row: impl FnMut(ReportRow),
    ) -> Result<usize, ReportParseError> {
        self.pages += 1;
        let page = self.pages;
        let text = normalized(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());

        let mut record = StringRecord::new();
        let mut rows = 0;
        while read_record(&mut reader, &mut record, page)? {
            let line = record.position().map_or(0, csv::Position::line);
            if is_header(&record) {
                self.columns = Some(Columns::from_header(&record, page, line)?);
                continue;
            }
            let columns = self
                .columns
                .as_ref()
                .ok_or(ReportParseError::NoHeader { page, line })?;
            on_row(columns.row(&record, &Place { page, line })?);
            rows += 1;
        }
        Ok(rows)
    }
}

/// The text without a byte order mark, and with LF line ends: the csv
/// reader counts lines wrong after CRLF, which IMS may well send.
fn normalized(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The next record into `record` (reused, so a page costs no allocation
/// per row); `false` at the end.
fn read_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut StringRecord,
    page: usize,
) -> Result<bool, ReportParseError> {
    reader
        .read_record(record)
        .map_err(|source| ReportParseError::Csv {
            page,
            line: source.position().map_or(0, csv::Position::line),
            source,
        })
}

/// Every row of one report text (a whole report, or its only page).
pub fn parse(text: &str) -> Result<Vec<ReportRow>, ReportParseError> {
    let mut rows = Vec::new();
    ReportReader::new().read_page(text, |row| rows.push(row))?;
    Ok(rows)
}

/// A data row's `user` is a principal name or `<root>`, never `user`.
fn is_header(record: &StringRecord) -> bool {
    record.iter().any(|field| field.trim() == USER)
}

/// Where a cell is, for errors.
struct Place {
    page: usize,
    line: u64,
}

/// Where each needed column is in the rows.
#[derive(Debug)]
struct Columns {
    user: usize,
    slots: Vec<SlotColumns>,
    /// Fields a row needs to hold every column above.
    width: usize,
}

/// The columns of one key slot.
#[derive(Debug)]
struct SlotColumns {
    /// The column names, in [`KEY_FIELDS`] order.
    names: [String; 4],
    /// Their positions.
    at: [usize; 4],
    /// Additional slots are empty or `N/A` for most users.
    optional: bool,
}

impl Columns {
    fn from_header(
        header: &StringRecord,
        page: usize,
        line: u64,
    ) -> Result<Self, ReportParseError> {
        let positions: HashMap<&str, usize> = header
            .iter()
            .enumerate()
            .map(|(at, name)| (name.trim(), at))
            .collect();
        let find = |column: &str| {
            positions
                .get(column)
                .copied()
                .ok_or_else(|| ReportParseError::MissingColumn {
                    page,
                    line,
                    column: column.to_owned(),
                })
        };

        let user = find(USER)?;
        let mut slots = Vec::new();
        for prefix in MAIN_SLOTS {
            slots.push(SlotColumns::find(prefix, false, &find)?);
        }
        for prefix in additional_prefixes(header) {
            slots.push(SlotColumns::find(&prefix, true, &find)?);
        }
        let width = slots
            .iter()
            .flat_map(|slot| slot.at)
            .chain([user])
            .max()
            .map_or(0, |last| last + 1);
        Ok(Self { user, slots, width })
    }

    fn row(&self, record: &StringRecord, place: &Place) -> Result<ReportRow, ReportParseError> {
        if record.len() < self.width {
            return Err(ReportParseError::ShortRow {
                page: place.page,
                line: place.line,
                found: record.len(),
                needed: self.width,
            });
        }
        let user = record[self.user].trim();
        if user.is_empty() {
            return Err(bad(place, USER, user, "a user principal name or <root>"));
        }
        let keys = self
            .slots
            .iter()
            .map(|slot| slot.key(record, place))
            .collect::<Result<_, _>>()?;
        Ok(ReportRow {
            user: user.to_owned(),
            keys,
        })
    }
}

impl SlotColumns {
    fn find(
        prefix: &str,
        optional: bool,
        find: &impl Fn(&str) -> Result<usize, ReportParseError>,
    ) -> Result<Self, ReportParseError> {
        let names = KEY_FIELDS.map(|field| format!("{prefix}_{field}"));
        let mut at = [0; 4];
        for (slot, name) in at.iter_mut().zip(&names) {
            *slot = find(name)?;
        }
        Ok(Self {
            names,
            at,
            optional,
        })
    }

    fn key(&self, record: &StringRecord, place: &Place) -> Result<ReportKey, ReportParseError> {
        let cell = |n: usize| {
            let value = record[self.at[n]].trim();
            // Rows of users without additional keys may leave those cells empty.
            let value = if value.is_empty() && self.optional {
                "N/A"
            } else {
                value
            };
            (self.names[n].as_str(), value)
        };
        Ok(ReportKey {
            exists: flag(cell(0), place)?,
            active: flag(cell(1), place)?,
            last_rotated: time(cell(2), place)?,
            last_used: time(cell(3), place)?,
        })
    }
}

/// The `additional_access_key_<n>` prefixes the header names, by `n`.
fn additional_prefixes(header: &StringRecord) -> Vec<String> {
    let numbers: BTreeSet<u32> = header
        .iter()
        .filter_map(|name| name.trim().strip_prefix(ADDITIONAL))
        .filter_map(|rest| rest.split_once('_'))
        .filter_map(|(number, _)| number.parse().ok())
        .collect();
    numbers
        .into_iter()
        .map(|number| format!("{ADDITIONAL}{number}"))
        .collect()
}

fn flag((column, value): (&str, &str), place: &Place) -> Result<ReportFlag, ReportParseError> {
    match value {
        "TRUE" | "true" | "True" => Ok(ReportFlag::True),
        "FALSE" | "false" | "False" => Ok(ReportFlag::False),
        "N/A" | "n/a" => Ok(ReportFlag::NotApplicable),
        _ => Err(bad(place, column, value, "TRUE, FALSE or N/A")),
    }
}

fn time((column, value): (&str, &str), place: &Place) -> Result<ReportTime, ReportParseError> {
    match value {
        "-" => Ok(ReportTime::Never),
        "N/A" | "n/a" => Ok(ReportTime::NotApplicable),
        _ => DateTime::parse_from_rfc3339(value)
            .map(|at| ReportTime::At(at.with_timezone(&Utc)))
            .map_err(|_| {
                bad(
                    place,
                    column,
                    value,
                    "a time like 2020-10-19T15:06:52Z, - (never) or N/A",
                )
            }),
    }
}

fn bad(place: &Place, column: &str, value: &str, expected: &'static str) -> ReportParseError {
    ReportParseError::BadValue {
        page: place.page,
        line: place.line,
        column: column.to_owned(),
        value: value.to_owned(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const HEADER: &str = "user,user_creation_time,user_last_logon,password_exist,\
        password_active,password_last_changed,password_next_rotation,mfa_active,\
        access_key_1_exist,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used,\
        access_key_2_exist,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used";

    const ROOT_ROW: &str = "<root>,2019-01-01T00:00:00Z,2024-05-01T08:00:00Z,TRUE,TRUE,N/A,N/A,\
        TRUE,FALSE,N/A,N/A,N/A,FALSE,N/A,N/A,N/A";

    /// Both keys Active: key 1 used, key 2 never used.
    const TWO_KEYS: &str = "ci-deployer@acme.onaliyun.com,2020-02-03T04:05:06Z,-,FALSE,N/A,\
        N/A,N/A,FALSE,TRUE,TRUE,2020-02-03T04:05:06Z,2024-04-30T23:59:59Z,TRUE,TRUE,\
        2023-06-01T10:00:00Z,-";

    /// Key 1 Inactive and never used, key 2 Active.
    const ONE_ACTIVE: &str = "billing@acme.onaliyun.com,2021-01-01T00:00:00Z,-,FALSE,N/A,N/A,\
        N/A,FALSE,TRUE,FALSE,2021-01-01T00:00:00Z,-,TRUE,TRUE,2022-01-01T00:00:00Z,\
        2024-01-01T00:00:00Z";

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> ReportTime {
        ReportTime::At(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
    }

    fn text(lines: &[&str]) -> String {
        let mut joined = lines.join("\n");
        joined.push('\n');
        joined
    }

    #[test]
    fn every_value_kind_is_read() {
        let rows = parse(&text(&[HEADER, ROOT_ROW, TWO_KEYS, ONE_ACTIVE])).unwrap();

        assert_eq!(rows.len(), 3);
        let root = &rows[0];
        assert!(root.is_root());
        assert_eq!(
            root.keys[0],
            ReportKey {
                exists: ReportFlag::False,
                active: ReportFlag::NotApplicable,
                last_rotated: ReportTime::NotApplicable,
                last_used: ReportTime::NotApplicable,
            }
        );

        let ci = &rows[1];
        assert_eq!(ci.user, "ci-deployer@acme.onaliyun.com");
        assert_eq!(ci.user_name(), "ci-deployer");
        assert_eq!(
            ci.keys,
            [
                ReportKey {
                    exists: ReportFlag::True,
                    active: ReportFlag::True,
                    last_rotated: at(2020, 2, 3, 4, 5, 6),
                    last_used: at(2024, 4, 30, 23, 59, 59),
                },
                ReportKey {
                    exists: ReportFlag::True,
                    active: ReportFlag::True,
                    last_rotated: at(2023, 6, 1, 10, 0, 0),
                    last_used: ReportTime::Never,
                },
            ]
        );
        assert_eq!(ci.active_keys(), 2);

        let billing = &rows[2];
        assert_eq!(billing.keys[0].active, ReportFlag::False);
        assert_eq!(billing.keys[0].last_used, ReportTime::Never);
        assert_eq!(billing.active_keys(), 1);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let header = "access_key_2_last_used,access_key_2_active,access_key_2_exist,\
            access_key_2_last_rotated,user,access_key_1_active,access_key_1_exist,\
            access_key_1_last_used,access_key_1_last_rotated,something_new";
        let row = "-,TRUE,TRUE,2023-06-01T10:00:00Z,app@acme.onaliyun.com,TRUE,TRUE,\
            2024-01-01T00:00:00Z,2020-01-01T00:00:00Z,whatever";

        let rows = parse(&text(&[header, row])).unwrap();

        assert_eq!(rows[0].user_name(), "app");
        assert_eq!(rows[0].keys[0].last_used, at(2024, 1, 1, 0, 0, 0));
        assert_eq!(rows[0].keys[0].last_rotated, at(2020, 1, 1, 0, 0, 0));
        assert_eq!(rows[0].keys[1].last_used, ReportTime::Never);
        assert_eq!(rows[0].active_keys(), 2);
    }

    #[test]
    fn additional_keys_are_read_when_present_and_not_needed_otherwise() {
        let header = format!(
            "{HEADER},additional_access_key_1_exist,additional_access_key_1_active,\
             additional_access_key_1_last_rotated,additional_access_key_1_last_used,\
             additional_access_key_2_exist,additional_access_key_2_active,\
             additional_access_key_2_last_rotated,additional_access_key_2_last_used"
        );
        let old_timer = format!("{ONE_ACTIVE},TRUE,TRUE,2018-01-01T00:00:00Z,-,N/A,N/A,N/A,N/A");
        let empty_cells = format!("{TWO_KEYS},,,,,N/A,N/A,N/A,N/A");

        let rows = parse(&text(&[&header, &old_timer, &empty_cells])).unwrap();

        assert_eq!(rows[0].keys.len(), 4);
        assert_eq!(rows[0].keys[2].last_rotated, at(2018, 1, 1, 0, 0, 0));
        assert_eq!(rows[0].keys[3].exists, ReportFlag::NotApplicable);
        assert_eq!(rows[0].active_keys(), 2, "key 2 and additional key 1");
        assert_eq!(rows[1].keys[2].active, ReportFlag::NotApplicable);
        assert_eq!(rows[1].active_keys(), 2);

        let without = parse(&text(&[HEADER, TWO_KEYS])).unwrap();
        assert_eq!(without[0].keys.len(), 2);
    }

    #[test]
    fn an_incomplete_additional_slot_names_the_missing_column() {
        let header = format!("{HEADER},additional_access_key_3_active");
        let error = parse(&text(&[&header, TWO_KEYS])).unwrap_err();
        assert!(
            matches!(&error, ReportParseError::MissingColumn { column, line: 1, .. }
                if column == "additional_access_key_3_exist"),
            "{error:?}"
        );
    }

    #[test]
    fn a_header_repeated_on_a_later_page_is_skipped_and_one_page_may_omit_it() {
        let mut reader = ReportReader::new();
        let mut users = Vec::new();

        reader
            .read_page(&text(&[HEADER, ROOT_ROW, TWO_KEYS]), |row| {
                users.push(row.user);
            })
            .unwrap();
        let repeated = reader
            .read_page(&text(&[HEADER, ONE_ACTIVE]), |row| users.push(row.user))
            .unwrap();
        let bare = reader
            .read_page(&text(&[TWO_KEYS]), |row| users.push(row.user))
            .unwrap();

        assert_eq!((repeated, bare), (1, 1));
        assert_eq!(
            users,
            [
                "<root>",
                "ci-deployer@acme.onaliyun.com",
                "billing@acme.onaliyun.com",
                "ci-deployer@acme.onaliyun.com"
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_read() {
        let crlf = format!("\u{feff}{HEADER}\r\n{ROOT_ROW}\r\n{TWO_KEYS}\r\n");
        let rows = parse(&crlf).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].keys[1].last_used, ReportTime::Never);
        assert_eq!(rows[1].user_name(), "ci-deployer");

        let broken = TWO_KEYS.replace("2024-04-30T23:59:59Z", "soon");
        let error = parse(&format!("{HEADER}\r\n{ROOT_ROW}\r\n{broken}\r\n")).unwrap_err();
        assert!(
            matches!(&error, ReportParseError::BadValue { line: 3, column, .. }
                if column == "access_key_1_last_used"),
            "{error:?}"
        );
    }

    #[test]
    fn a_bad_time_is_an_error_naming_page_line_and_column() {
        let broken = TWO_KEYS.replace("2024-04-30T23:59:59Z", "yesterday");
        let error = parse(&text(&[HEADER, ROOT_ROW, &broken])).unwrap_err();

        assert!(
            matches!(&error, ReportParseError::BadValue { page: 1, line: 3, column, value, .. }
                if column == "access_key_1_last_used" && value == "yesterday"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("page 1, line 3"), "{message}");
        assert!(message.contains("`access_key_1_last_used`"), "{message}");
        assert!(message.contains("2020-10-19T15:06:52Z"), "{message}");
    }

    #[test]
    fn a_bad_flag_and_an_empty_user_are_errors() {
        let broken = TWO_KEYS.replacen(",TRUE,TRUE,2020", ",TRUE,YES,2020", 1);
        let error = parse(&text(&[HEADER, &broken])).unwrap_err();
        assert!(
            matches!(&error, ReportParseError::BadValue { line: 2, column, .. }
                if column == "access_key_1_active"),
            "{error:?}"
        );
        assert!(error.to_string().contains("TRUE, FALSE or N/A"), "{error}");

        let nameless = TWO_KEYS.replace("ci-deployer@acme.onaliyun.com", "");
        let error = parse(&text(&[HEADER, &nameless])).unwrap_err();
        assert!(
            matches!(&error, ReportParseError::BadValue { column, .. } if column == "user"),
            "{error:?}"
        );
    }

    #[test]
    fn the_later_page_of_an_error_is_named() {
        let mut reader = ReportReader::new();
        reader
            .read_page(&text(&[HEADER, TWO_KEYS]), |_| {})
            .unwrap();
        let error = reader
            .read_page(&text(&[HEADER, "x@y,1,2"]), |_| {})
            .unwrap_err();
        assert!(
            matches!(
                error,
                ReportParseError::ShortRow {
                    page: 2,
                    line: 2,
                    found: 3,
                    needed: 16
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn rows_without_a_header_or_a_header_without_key_columns_are_refused() {
        let error = parse(&text(&[TWO_KEYS])).unwrap_err();
        assert!(
            matches!(error, ReportParseError::NoHeader { page: 1, line: 1 }),
            "{error:?}"
        );

        let error = parse(&text(&["user,user_creation_time", ROOT_ROW])).unwrap_err();
        assert!(
            matches!(&error, ReportParseError::MissingColumn { column, .. }
                if column == "access_key_1_exist"),
            "{error:?}"
        );
    }

    #[test]
    fn an_unclosed_quote_is_a_csv_error_not_a_panic() {
        let error = parse(&format!("{HEADER}\n\"{TWO_KEYS}\n")).unwrap_err();
        // The csv reader takes an unclosed quote to the end as one field.
        assert!(
            matches!(
                error,
                ReportParseError::ShortRow { line: 2, .. } | ReportParseError::Csv { .. }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn an_empty_text_has_no_rows() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse(&text(&[HEADER])).unwrap().is_empty());
    }
}
