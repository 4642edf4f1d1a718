//! The one key table: which key does what where, and the hint shown for it.
//!
//! Dispatch ([`lookup`]), the footer ([`footer_hints`]) and the `?` overlay
//! ([`bindings_for`]) all read [`TABLE`], so a key cannot work without being
//! listed, nor be listed without working. Typing into a text field is not a
//! binding: keys the table does not claim in a text context are typed.
//! Depends on crossterm's key types only.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where the focus is: the screen, or the dialog above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The first screen: who ramkey is, the state file, where to begin.
    Start,
    /// The list of flagged users.
    Findings,
    /// The list while the scan fills it in, under the gauge.
    Scanning,
    /// Typing into the findings list's filter line (after `/`).
    Filter,
    /// One user's rotation.
    Rotation,
    /// A yes/no question (start a step, confirm a swap, quit while busy).
    Question,
    /// Typing the user name to allow a destructive step.
    TypedConfirm,
    /// Typing a value, such as the new user's name.
    TextInput,
    /// Ticking items, such as the policies to copy.
    Checklist,
    /// Picking one of several options, such as which key to retire.
    Choice,
    /// The new AccessKey secret, shown once.
    Secret,
    /// An API or engine error.
    Error,
    /// Something ramkey tells before going on, such as what it settled
    /// from an earlier run.
    Notice,
    /// The `?` overlay.
    Help,
    /// Keys only `ramkey demo` has, on top of its two screens' own (the
    /// findings list and the rotation screen); never consulted for a real
    /// account.
    Demo,
}

impl Context {
    /// Every context, for the help overlay and for tests.
    pub const ALL: [Context; 15] = [
        Context::Start,
        Context::Findings,
        Context::Scanning,
        Context::Filter,
        Context::Rotation,
        Context::Question,
        Context::TypedConfirm,
        Context::TextInput,
        Context::Checklist,
        Context::Choice,
        Context::Secret,
        Context::Error,
        Context::Notice,
        Context::Help,
        Context::Demo,
    ];

    /// What the help overlay calls this place.
    pub fn name(self) -> &'static str {
        match self {
            Context::Start => "the start screen",
            Context::Findings => "the findings list",
            Context::Scanning => "the findings list during the scan",
            Context::Filter => "the filter line",
            Context::Rotation => "the rotation screen",
            Context::Question => "a question",
            Context::TypedConfirm => "a typed confirmation",
            Context::TextInput => "a text field",
            Context::Checklist => "a checklist",
            Context::Choice => "a choice",
            Context::Secret => "the new secret",
            Context::Error => "an error",
            Context::Notice => "a notice",
            Context::Help => "this help",
            Context::Demo => "the demo (ramkey demo only)",
        }
    }

    /// Whether unclaimed printable keys are typed into a field here.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::TypedConfirm | Context::TextInput | Context::Filter
        )
    }
}

/// What a key means once its context is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Selection up one row.
    Up,
    /// Selection down one row.
    Down,
    /// Open, run the current step, or submit.
    Act,
    /// Leave the dialog or screen.
    Back,
    /// Show the key help.
    Help,
    /// Leave ramkey (from the findings list).
    Quit,
    /// Leave ramkey from anywhere (Ctrl-C).
    Interrupt,
    /// Tick or untick the selected item.
    Toggle,
    /// Answer yes.
    Yes,
    /// Answer no.
    No,
    /// Delete the character before the cursor.
    Erase,
    /// An application broke: re-enable the disabled old key.
    Rollback,
    /// Check again that the new key works.
    VerifyKey,
    /// The old key is Active again or was used after its disable: disable
    /// it again and restart the waiting period.
    DisableAgain,
    /// Open the findings list's filter line.
    Filter,
    /// Show or hide the new secret.
    RevealSecret,
    /// Copy the new secret to the clipboard through the terminal (OSC 52).
    CopySecret,
    /// Save the new key to a new file as an env file.
    SaveEnvFile,
    /// Save the new key to a new file as an aliyun CLI profile.
    SaveProfile,
    /// `ramkey demo` only: move the clock past the waiting period.
    JumpClock,
    /// Sort the findings table by its next column.
    Sort,
    /// Reverse the findings table's sort.
    ReverseSort,
}

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key without modifiers (Shift is ignored for characters).
    Plain(KeyCode),
    /// A character with Ctrl held.
    Ctrl(char),
}

impl Key {
    /// The key as people write it: `Enter`, `↑`, `Ctrl-C`.
    pub fn label(self) -> String {
        match self {
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Plain(KeyCode::Up) => "↑".to_owned(),
            Key::Plain(KeyCode::Down) => "↓".to_owned(),
            Key::Plain(KeyCode::Enter) => "Enter".to_owned(),
            Key::Plain(KeyCode::Esc) => "Esc".to_owned(),
            Key::Plain(KeyCode::Backspace) => "Backspace".to_owned(),
            Key::Plain(KeyCode::Char(' ')) => "Space".to_owned(),
            Key::Plain(KeyCode::Char(c)) => c.to_string(),
            Key::Plain(other) => other.to_string(),
        }
    }

    fn matches(self, event: &KeyEvent) -> bool {
        match self {
            Key::Ctrl(c) => {
                event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char(c)
            }
            Key::Plain(code) => {
                !event
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && event.code == code
            }
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys that trigger it; the first is the one hinted.
    pub keys: &'static [Key],
    /// Where it applies.
    pub context: Context,
    /// What it does.
    pub command: Command,
    /// The footer text.
    pub hint: &'static str,
    /// The help overlay's text (the hint, unless the footer needs it shorter).
    pub help: &'static str,
    /// Whether a held-down key (auto-repeat) acts too; only for movement.
    pub repeats: bool,
    /// Whether the footer shows it (the help overlay always does).
    pub in_footer: bool,
}

const UP: &[Key] = &[Key::Plain(KeyCode::Up), Key::Plain(KeyCode::Char('k'))];
const DOWN: &[Key] = &[Key::Plain(KeyCode::Down), Key::Plain(KeyCode::Char('j'))];
const ARROWS_ONLY_UP: &[Key] = &[Key::Plain(KeyCode::Up)];
const ARROWS_ONLY_DOWN: &[Key] = &[Key::Plain(KeyCode::Down)];
const ENTER: &[Key] = &[Key::Plain(KeyCode::Enter)];
const ESC: &[Key] = &[Key::Plain(KeyCode::Esc)];
const HELP: &[Key] = &[Key::Plain(KeyCode::Char('?'))];
const QUIT: &[Key] = &[Key::Plain(KeyCode::Char('q'))];
const CTRL_C: &[Key] = &[Key::Ctrl('c')];
const SPACE: &[Key] = &[Key::Plain(KeyCode::Char(' '))];
const YES: &[Key] = &[Key::Plain(KeyCode::Char('y'))];
const NO: &[Key] = &[Key::Plain(KeyCode::Char('n'))];
const BACKSPACE: &[Key] = &[Key::Plain(KeyCode::Backspace)];
const ROLLBACK: &[Key] = &[Key::Plain(KeyCode::Char('r'))];
const VERIFY: &[Key] = &[Key::Plain(KeyCode::Char('v'))];
const AGAIN: &[Key] = &[Key::Plain(KeyCode::Char('a'))];
const SLASH: &[Key] = &[Key::Plain(KeyCode::Char('/'))];
const SHOW: &[Key] = &[Key::Plain(KeyCode::Char('s'))];
const COPY: &[Key] = &[Key::Plain(KeyCode::Char('c'))];
const SAVE_ENV: &[Key] = &[Key::Plain(KeyCode::Char('e'))];
const SAVE_PROFILE: &[Key] = &[Key::Plain(KeyCode::Char('p'))];
const SKIP: &[Key] = &[Key::Plain(KeyCode::Char('>'))];
const SORT: &[Key] = &[Key::Plain(KeyCode::Char('s'))];
const REVERSE: &[Key] = &[Key::Plain(KeyCode::Char('S'))];

const fn bind(
    keys: &'static [Key],
    context: Context,
    command: Command,
    hint: &'static str,
) -> Binding {
    Binding {
        keys,
        context,
        command,
        hint,
        help: hint,
        repeats: false,
        in_footer: true,
    }
}

const fn movement(
    keys: &'static [Key],
    context: Context,
    command: Command,
    hint: &'static str,
) -> Binding {
    Binding {
        repeats: true,
        ..bind(keys, context, command, hint)
    }
}

/// A binding whose help text says more than its footer hint has room for.
const fn explained(binding: Binding, help: &'static str) -> Binding {
    Binding { help, ..binding }
}

const fn quiet(binding: Binding) -> Binding {
    Binding {
        in_footer: false,
        ..binding
    }
}

use Command as C;
use Context as X;

/// Every key ramkey reacts to.
pub const TABLE: &[Binding] = &[
    movement(UP, X::Start, C::Up, "up"),
    movement(DOWN, X::Start, C::Down, "down"),
    explained(
        bind(ENTER, X::Start, C::Act, "choose"),
        "open the chosen line: a rotation or the list",
    ),
    explained(
        bind(ESC, X::Start, C::Back, "findings list"),
        "go to the findings list",
    ),
    quiet(explained(
        bind(SLASH, X::Start, C::Filter, "filter"),
        "go to the findings list and filter it",
    )),
    bind(HELP, X::Start, C::Help, "help"),
    explained(
        bind(QUIT, X::Start, C::Quit, "quit"),
        "quit (a running scan only reads: it stops)",
    ),
    quiet(bind(CTRL_C, X::Start, C::Interrupt, "quit now")),
    movement(UP, X::Findings, C::Up, "up"),
    movement(DOWN, X::Findings, C::Down, "down"),
    bind(ENTER, X::Findings, C::Act, "open"),
    explained(
        bind(SLASH, X::Findings, C::Filter, "filter"),
        "filter by user, name, key id, verdict or mark",
    ),
    explained(
        bind(SORT, X::Findings, C::Sort, "sort"),
        "sort by the next column (user, verdict, …)",
    ),
    quiet(bind(
        REVERSE,
        X::Findings,
        C::ReverseSort,
        "reverse the sort",
    )),
    // The filter line says when Esc applies.
    quiet(bind(ESC, X::Findings, C::Back, "clear the filter")),
    bind(HELP, X::Findings, C::Help, "help"),
    bind(QUIT, X::Findings, C::Quit, "quit"),
    quiet(bind(CTRL_C, X::Findings, C::Interrupt, "quit now")),
    movement(UP, X::Scanning, C::Up, "up"),
    movement(DOWN, X::Scanning, C::Down, "down"),
    // Out of the footer: a user opens once the scan is complete.
    quiet(explained(
        bind(ENTER, X::Scanning, C::Act, "open"),
        "open a user (once the scan is complete)",
    )),
    explained(
        bind(SLASH, X::Scanning, C::Filter, "filter"),
        "filter by user, name, key id, verdict or mark",
    ),
    explained(
        bind(SORT, X::Scanning, C::Sort, "sort"),
        "sort by the next column (user, verdict, …)",
    ),
    quiet(bind(
        REVERSE,
        X::Scanning,
        C::ReverseSort,
        "reverse the sort",
    )),
    quiet(bind(ESC, X::Scanning, C::Back, "clear the filter")),
    bind(HELP, X::Scanning, C::Help, "help"),
    explained(
        bind(QUIT, X::Scanning, C::Quit, "quit"),
        "quit: stops the scan (it only reads; nothing was changed)",
    ),
    quiet(bind(CTRL_C, X::Scanning, C::Interrupt, "quit now")),
    bind(ENTER, X::Filter, C::Act, "keep filter"),
    bind(ESC, X::Filter, C::Back, "clear filter"),
    quiet(movement(ARROWS_ONLY_UP, X::Filter, C::Up, "up")),
    quiet(movement(ARROWS_ONLY_DOWN, X::Filter, C::Down, "down")),
    quiet(bind(BACKSPACE, X::Filter, C::Erase, "erase")),
    quiet(bind(CTRL_C, X::Filter, C::Interrupt, "quit now")),
    movement(UP, X::Rotation, C::Up, "up"),
    movement(DOWN, X::Rotation, C::Down, "down"),
    bind(ENTER, X::Rotation, C::Act, "run step"),
    bind(ESC, X::Rotation, C::Back, "back"),
    // In the footer only while the old key can be re-enabled (see `render`).
    quiet(explained(
        bind(ROLLBACK, X::Rotation, C::Rollback, "roll back"),
        "application broke: re-enable the old key",
    )),
    // Out of the footer: the rotation screen says when `v` is needed.
    quiet(explained(
        bind(VERIFY, X::Rotation, C::VerifyKey, "verify new key"),
        "check again that the new key works",
    )),
    // In the footer only when it applies (see `render`).
    quiet(explained(
        bind(AGAIN, X::Rotation, C::DisableAgain, "disable again"),
        "old key in use again: disable again, new wait",
    )),
    bind(HELP, X::Rotation, C::Help, "help"),
    quiet(bind(CTRL_C, X::Rotation, C::Interrupt, "quit now")),
    bind(YES, X::Question, C::Yes, "yes"),
    bind(NO, X::Question, C::No, "no"),
    // Only a swap confirmation answers Enter, and only with no (its own line
    // says so): a pasted line break must never confirm (BC-16).
    quiet(explained(
        bind(ENTER, X::Question, C::Act, "no, wait"),
        "a swap confirmation: no, wait (only y confirms)",
    )),
    bind(ESC, X::Question, C::Back, "cancel"),
    bind(HELP, X::Question, C::Help, "help"),
    quiet(bind(CTRL_C, X::Question, C::Interrupt, "quit now")),
    bind(
        ENTER,
        X::TypedConfirm,
        C::Act,
        "confirm (when the name matches)",
    ),
    bind(ESC, X::TypedConfirm, C::Back, "cancel"),
    quiet(bind(BACKSPACE, X::TypedConfirm, C::Erase, "erase")),
    quiet(bind(CTRL_C, X::TypedConfirm, C::Interrupt, "quit now")),
    bind(ENTER, X::TextInput, C::Act, "submit"),
    bind(ESC, X::TextInput, C::Back, "cancel"),
    quiet(bind(BACKSPACE, X::TextInput, C::Erase, "erase")),
    quiet(bind(CTRL_C, X::TextInput, C::Interrupt, "quit now")),
    movement(UP, X::Checklist, C::Up, "up"),
    movement(DOWN, X::Checklist, C::Down, "down"),
    bind(SPACE, X::Checklist, C::Toggle, "tick/untick"),
    bind(ENTER, X::Checklist, C::Act, "continue"),
    bind(ESC, X::Checklist, C::Back, "cancel"),
    bind(HELP, X::Checklist, C::Help, "help"),
    quiet(bind(CTRL_C, X::Checklist, C::Interrupt, "quit now")),
    movement(UP, X::Choice, C::Up, "up"),
    movement(DOWN, X::Choice, C::Down, "down"),
    bind(ENTER, X::Choice, C::Act, "choose"),
    bind(ESC, X::Choice, C::Back, "cancel"),
    bind(HELP, X::Choice, C::Help, "help"),
    quiet(bind(CTRL_C, X::Choice, C::Interrupt, "quit now")),
    explained(
        bind(SHOW, X::Secret, C::RevealSecret, "show/hide"),
        "show or hide the secret (hidden until shown)",
    ),
    explained(
        bind(COPY, X::Secret, C::CopySecret, "copy"),
        "copy the secret to the clipboard through the terminal (OSC 52; not every \
         terminal supports it: check it arrived)",
    ),
    explained(
        bind(SAVE_ENV, X::Secret, C::SaveEnvFile, "save env file"),
        "save the key to a new file (0600) as ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET lines",
    ),
    explained(
        bind(
            SAVE_PROFILE,
            X::Secret,
            C::SaveProfile,
            "save aliyun profile",
        ),
        "save the key to a new file (0600) as an aliyun CLI config with one AK profile",
    ),
    explained(
        bind(YES, X::Secret, C::Yes, "I have stored it"),
        "the secret is stored: close this for good (only after showing, copying or saving it)",
    ),
    bind(HELP, X::Secret, C::Help, "help"),
    quiet(bind(CTRL_C, X::Secret, C::Interrupt, "quit now")),
    bind(ENTER, X::Error, C::Act, "close"),
    bind(ESC, X::Error, C::Back, "close"),
    bind(HELP, X::Error, C::Help, "help"),
    quiet(bind(CTRL_C, X::Error, C::Interrupt, "quit now")),
    movement(ARROWS_ONLY_UP, X::Notice, C::Up, "scroll up"),
    movement(ARROWS_ONLY_DOWN, X::Notice, C::Down, "scroll down"),
    bind(ENTER, X::Notice, C::Act, "go on"),
    quiet(bind(ESC, X::Notice, C::Back, "go on")),
    bind(HELP, X::Notice, C::Help, "help"),
    quiet(bind(CTRL_C, X::Notice, C::Interrupt, "quit now")),
    movement(ARROWS_ONLY_UP, X::Help, C::Up, "scroll up"),
    movement(ARROWS_ONLY_DOWN, X::Help, C::Down, "scroll down"),
    bind(ESC, X::Help, C::Back, "close"),
    bind(HELP, X::Help, C::Back, "close"),
    quiet(bind(CTRL_C, X::Help, C::Interrupt, "quit now")),
    // In the footer only while a deletion waits (see `render`).
    quiet(explained(
        bind(SKIP, X::Demo, C::JumpClock, "skip"),
        "demo only: skip the waiting period (clock jump)",
    )),
    quiet(bind(CTRL_C, X::Demo, C::Interrupt, "quit now")),
];

/// The binding of `command` in `context`, for a hint shown only at times.
pub fn binding(context: Context, command: Command) -> Option<&'static Binding> {
    bindings_for(context).find(|binding| binding.command == command)
}

/// The command `event` triggers in `context`, if any.
///
/// Only presses act; a release never does (Windows reports both, and a
/// second Enter could confirm the next dialog). Auto-repeat acts only for
/// movement.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Command> {
    let binding = TABLE
        .iter()
        .filter(|binding| binding.context == context)
        .find(|binding| binding.keys.iter().any(|key| key.matches(event)))?;
    match event.kind {
        KeyEventKind::Press => Some(binding.command),
        KeyEventKind::Repeat if binding.repeats => Some(binding.command),
        KeyEventKind::Repeat | KeyEventKind::Release => None,
    }
}

/// Every binding of `context`, in table order: the help overlay's content.
pub fn bindings_for(context: Context) -> impl Iterator<Item = &'static Binding> {
    TABLE
        .iter()
        .filter(move |binding| binding.context == context)
}

/// The footer line for `context`, e.g. `↑/k up  ↓/j down  Enter open`.
pub fn footer_hints(context: Context) -> Vec<(String, &'static str)> {
    bindings_for(context)
        .filter(|binding| binding.in_footer)
        .map(|binding| (keys_label(binding.keys), binding.hint))
        .collect()
}

/// All keys of a binding, as `↑/k`.
pub fn keys_label(keys: &[Key]) -> String {
    keys.iter()
        .map(|key| key.label())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn key(code: KeyCode, kind: KeyEventKind) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn releases_never_act() {
        for binding in TABLE {
            for k in binding.keys {
                let event = match k {
                    Key::Plain(code) => key(*code, KeyEventKind::Release),
                    Key::Ctrl(c) => KeyEvent {
                        modifiers: KeyModifiers::CONTROL,
                        ..key(KeyCode::Char(*c), KeyEventKind::Release)
                    },
                };
                assert_eq!(lookup(binding.context, &event), None, "{binding:?}");
            }
        }
    }

    #[test]
    fn repeat_moves_but_does_not_act() {
        let down = key(KeyCode::Char('j'), KeyEventKind::Repeat);
        let enter = key(KeyCode::Enter, KeyEventKind::Repeat);
        assert_eq!(lookup(Context::Findings, &down), Some(Command::Down));
        assert_eq!(lookup(Context::Findings, &enter), None);
    }

    #[test]
    fn each_key_means_one_thing_per_context() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                let shared = a.keys.iter().any(|k| b.keys.contains(k));
                assert!(
                    !(a.context == b.context && shared),
                    "{a:?} and {b:?} collide"
                );
            }
        }
    }

    #[test]
    fn text_contexts_leave_letters_for_typing() {
        for binding in TABLE.iter().filter(|b| b.context.takes_text()) {
            for k in binding.keys {
                assert!(
                    !matches!(k, Key::Plain(KeyCode::Char(_))),
                    "{binding:?} would steal a typed character"
                );
            }
        }
    }

    #[test]
    fn ctrl_c_works_everywhere() {
        let ctrl_c = KeyEvent {
            modifiers: KeyModifiers::CONTROL,
            ..key(KeyCode::Char('c'), KeyEventKind::Press)
        };
        for context in Context::ALL {
            assert_eq!(lookup(context, &ctrl_c), Some(Command::Interrupt));
        }
    }

    #[test]
    fn footer_names_the_keys() {
        let hints = footer_hints(Context::Findings);
        assert_eq!(hints[0], ("↑/k".to_owned(), "up"));
        assert!(hints.iter().any(|(k, h)| k == "q" && *h == "quit"));
    }
}
