//! The real `ramkey` binary under a pseudo-terminal, read back as a screen.
//!
//! A [`PtyProgram`] runs in a pty of fixed size with a clean environment (HOME and
//! XDG_STATE_HOME in a temporary directory, TERM=xterm-256color, no ECS metadata
//! probing). Tests feed it keys ([`Key`], text) and wait for text to appear on the
//! screen that a vt100 parser builds from its output. Waits have timeouts only as
//! failure bounds: a wait that runs out panics with the screen as it was.
//!
//! It depends on nothing of ramkey: it drives the binary as a person would.

#![allow(dead_code, reason = "each test crate uses part of this harness")]

use std::ffi::OsStr;
use std::io::{Read as _, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

/// The terminal size every test sees, so screens are the same on every machine.
pub const ROWS: u16 = 40;
/// See [`ROWS`].
pub const COLS: u16 = 120;

/// A generous bound for one wait on a loaded 2-core machine; not a speed requirement.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A key as the terminal sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Up arrow.
    Up,
    /// Down arrow.
    Down,
    /// Left arrow.
    Left,
    /// Right arrow.
    Right,
    /// Enter (carriage return, as a terminal in raw mode sends it).
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Backspace (DEL, as xterm sends it).
    Backspace,
    /// The space bar.
    Space,
    /// A printable character.
    Char(char),
    /// Ctrl with a letter, e.g. `Ctrl('c')`.
    Ctrl(char),
}

impl Key {
    /// The bytes a terminal sends for this key; arrows follow the cursor-key mode the
    /// program has set (DECCKM).
    fn bytes(self, application_cursor: bool) -> Vec<u8> {
        let arrow = |letter: u8| {
            let prefix: &[u8] = if application_cursor {
                b"\x1bO"
            } else {
                b"\x1b["
            };
            [prefix, &[letter]].concat()
        };
        match self {
            Key::Up => arrow(b'A'),
            Key::Down => arrow(b'B'),
            Key::Right => arrow(b'C'),
            Key::Left => arrow(b'D'),
            Key::Enter => b"\r".to_vec(),
            Key::Esc => b"\x1b".to_vec(),
            Key::Tab => b"\t".to_vec(),
            Key::Backspace => b"\x7f".to_vec(),
            Key::Space => b" ".to_vec(),
            Key::Char(c) => c.to_string().into_bytes(),
            Key::Ctrl(c) => vec![(c.to_ascii_lowercase() as u8) & 0x1f],
        }
    }
}

/// How to start the program: arguments, extra environment and the temporary home.
pub struct PtyCommand {
    args: Vec<String>,
    env: Vec<(String, String)>,
    home: PathBuf,
    shell: Option<String>,
}

impl PtyCommand {
    /// The ramkey binary with `args`, its HOME and XDG_STATE_HOME under `home`.
    pub fn ramkey<I, S>(home: &Path, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self {
            args: args
                .into_iter()
                .map(|arg| arg.as_ref().to_string_lossy().into_owned())
                .collect(),
            env: Vec::new(),
            home: home.to_owned(),
            shell: None,
        }
    }

    /// Runs the program through `/bin/sh -c script`, which finds the ramkey binary
    /// and its arguments in `"$@"` and runs in the temporary home: e.g. a script
    /// that records `stty -g` before and after, or sends stdout to a file.
    #[must_use]
    pub fn in_shell(mut self, script: &str) -> Self {
        self.shell = Some(script.to_owned());
        self
    }

    /// Adds one environment variable to the clean environment.
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds several environment variables.
    #[must_use]
    pub fn envs<'a>(mut self, vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        for (name, value) in vars {
            self = self.env(name, value);
        }
        self
    }

    fn builder(&self) -> CommandBuilder {
        let ramkey = env!("CARGO_BIN_EXE_ramkey");
        let mut builder = match &self.shell {
            None => CommandBuilder::new(ramkey),
            Some(script) => {
                let mut builder = CommandBuilder::new("/bin/sh");
                builder.args(["-c", script.as_str(), "sh", ramkey]);
                builder
            }
        };
        builder.args(&self.args);
        builder.env_clear();
        let state = self.home.join("state");
        builder.env("HOME", &self.home);
        builder.env("XDG_STATE_HOME", &state);
        builder.env("TERM", "xterm-256color");
        builder.env("LANG", "C.UTF-8");
        builder.env("PATH", "/usr/bin:/bin");
        builder.env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
        for (name, value) in &self.env {
            builder.env(name, value);
        }
        builder.cwd(&self.home);
        builder
    }
}

/// What the reader thread shares with the test: the parsed screen, every byte seen,
/// and whether the program's side of the pty has closed.
struct Shared {
    parser: vt100::Parser<Replies>,
    raw: Vec<u8>,
    closed: bool,
}

/// Answers the terminal queries a TUI library may send at start-up, as a real
/// terminal would, so that it does not stall waiting for them.
#[derive(Default)]
struct Replies {
    pending: Vec<u8>,
}

impl vt100::Callbacks for Replies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        match (i1, c, params) {
            // Cursor position report (DSR 6), 1-based.
            (None, 'n', [[6]]) => {
                let (row, col) = screen.cursor_position();
                let report = format!("\x1b[{};{}R", row + 1, col + 1);
                self.pending.extend_from_slice(report.as_bytes());
            }
            // Primary device attributes: a VT220-class terminal without extras.
            (None, 'c', [] | [[0]]) => self.pending.extend_from_slice(b"\x1b[?62;22c"),
            _ => {}
        }
    }
}

/// The running program and its screen.
pub struct PtyProgram {
    child: Box<dyn Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    shared: Arc<(Mutex<Shared>, Condvar)>,
    master: Arc<Mutex<Box<dyn portable_pty::MasterPty + Send>>>,
}

impl PtyProgram {
    /// Starts the program in a fresh pty of [`ROWS`]×[`COLS`].
    pub fn spawn(command: &PtyCommand) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pty
            .slave
            .spawn_command(command.builder())
            .expect("start ramkey in the pty");
        // Only the child holds the slave side now, so its exit closes the pty.
        drop(pty.slave);

        let reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pty.master.take_writer().expect("pty writer")));
        let shared = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new_with_callbacks(
                    NonZeroU16::new(ROWS).expect("ROWS is not zero"),
                    NonZeroU16::new(COLS).expect("COLS is not zero"),
                    0,
                    Replies::default(),
                ),
                raw: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let master = Arc::new(Mutex::new(pty.master));
        spawn_reader(
            reader,
            Arc::clone(&shared),
            Arc::clone(&writer),
            Arc::clone(&master),
        );
        Self {
            child,
            writer,
            shared,
            master,
        }
    }

    /// The process id of what was started (the shell, with [`PtyCommand::in_shell`]).
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the program's process id")
    }

    /// Resizes the terminal, as a window drag would (the program gets SIGWINCH).
    pub fn resize(&self, rows: u16, cols: u16) {
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.lock().parser.screen_mut().set_size(
            NonZeroU16::new(rows).expect("rows"),
            NonZeroU16::new(cols).expect("cols"),
        );
        let master = self.master.lock().expect("pty master lock");
        master.resize(size).expect("resize the pty");
    }

    /// Whether the program has bracketed paste switched on.
    pub fn bracketed_paste(&self) -> bool {
        self.lock().parser.screen().bracketed_paste()
    }

    /// Whether the program has any mouse reporting switched on.
    pub fn mouse_capture(&self) -> bool {
        self.lock().parser.screen().mouse_protocol_mode() != vt100::MouseProtocolMode::None
    }

    /// Sends raw bytes, as if typed.
    pub fn send(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().expect("pty writer lock");
        writer.write_all(bytes).expect("write to the pty");
        writer.flush().expect("flush the pty");
    }

    /// Presses one key.
    pub fn press(&self, key: Key) {
        let application_cursor = self.lock().parser.screen().application_cursor();
        self.send(&key.bytes(application_cursor));
    }

    /// Presses several keys in order.
    pub fn press_all(&self, keys: &[Key]) {
        for key in keys {
            self.press(*key);
        }
    }

    /// Types text, one character after another.
    pub fn type_text(&self, text: &str) {
        self.send(text.as_bytes());
    }

    /// The screen as text, rows separated by newlines.
    pub fn screen(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// Whether the program has the terminal on its alternate screen (a full-screen UI
    /// that has not restored the terminal yet).
    pub fn in_alternate_screen(&self) -> bool {
        self.lock().parser.screen().alternate_screen()
    }

    /// Whether the program has hidden the cursor.
    pub fn cursor_hidden(&self) -> bool {
        self.lock().parser.screen().hide_cursor()
    }

    /// Every byte the program wrote to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.lock().raw.clone()
    }

    /// Waits until `text` is on the screen; panics with the screen after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) {
        self.wait_until(&format!("{text:?} on screen"), timeout, |screen| {
            screen.contains(text)
        });
    }

    /// Waits until every one of `texts` is on the screen at once.
    pub fn wait_for_all(&self, texts: &[&str], timeout: Duration) {
        self.wait_until(&format!("all of {texts:?} on screen"), timeout, |screen| {
            texts.iter().all(|text| screen.contains(text))
        });
    }

    /// Waits until `text` is no longer on the screen.
    pub fn wait_gone(&self, text: &str, timeout: Duration) {
        self.wait_until(&format!("{text:?} gone"), timeout, |screen| {
            !screen.contains(text)
        });
    }

    /// Waits until `done` holds for the screen text; `what` names it in the panic.
    pub fn wait_until(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        let (_, changed) = &*self.shared;
        let mut shared = self.lock();
        loop {
            let screen = shared.parser.screen().contents();
            if done(&screen) {
                return;
            }
            let now = Instant::now();
            if now >= deadline || shared.closed {
                let why = if shared.closed {
                    "the program closed the terminal"
                } else {
                    "timed out"
                };
                drop(shared);
                panic!("waiting for {what}: {why}\n{}", self.report());
            }
            shared = changed
                .wait_timeout(shared, deadline - now)
                .expect("screen lock")
                .0;
        }
    }

    /// Waits for the program to exit and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the program") {
                self.drain_output(deadline);
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "the program did not exit within {timeout:?}\n{}",
                self.report()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the program to end and returns how it ended, signal included
    /// (`signal()` is the signal's name, e.g. `Killed` for SIGKILL).
    pub fn wait_exit_status(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the program") {
                self.drain_output(deadline);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the program did not end within {timeout:?}\n{}",
                self.report()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// After the program exited: lets the reader take in what it wrote last
    /// (the terminal restore), until the pty closes or stays quiet a moment.
    fn drain_output(&self, deadline: Instant) {
        let quiet = Duration::from_millis(300);
        let (lock, changed) = &*self.shared;
        let mut shared = lock.lock().expect("screen lock");
        loop {
            let seen = shared.raw.len();
            let now = Instant::now();
            if shared.closed || now >= deadline {
                return;
            }
            let wait = quiet.min(deadline - now);
            shared = changed.wait_timeout(shared, wait).expect("screen lock").0;
            if shared.raw.len() == seen && !shared.closed {
                return;
            }
        }
    }

    /// The screen framed for a failure message.
    pub fn report(&self) -> String {
        let screen = self.screen();
        let rule = "-".repeat(usize::from(COLS));
        format!("screen ({ROWS}x{COLS}):\n{rule}\n{screen}\n{rule}")
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().expect("screen lock")
    }
}

impl Drop for PtyProgram {
    fn drop(&mut self) {
        // Ends only the program this harness started, through its own handle.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Feeds the program's output into the screen until the pty closes, and answers its
/// terminal queries. Owns the master side so that the pty lives as long as the reader.
fn spawn_reader(
    mut reader: Box<dyn std::io::Read + Send>,
    shared: Arc<(Mutex<Shared>, Condvar)>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Arc<Mutex<Box<dyn portable_pty::MasterPty + Send>>>,
) {
    thread::spawn(move || {
        let _master = master;
        let mut buffer = [0_u8; 8192];
        loop {
            let read = reader.read(&mut buffer).unwrap_or(0);
            let (lock, changed) = &*shared;
            let mut state = lock.lock().expect("screen lock");
            if read == 0 {
                state.closed = true;
                changed.notify_all();
                return;
            }
            state.parser.process(&buffer[..read]);
            state.raw.extend_from_slice(&buffer[..read]);
            let replies = std::mem::take(&mut state.parser.callbacks_mut().pending);
            changed.notify_all();
            drop(state);
            if !replies.is_empty() {
                let mut writer = writer.lock().expect("pty writer lock");
                let _ = writer.write_all(&replies);
                let _ = writer.flush();
            }
        }
    });
}
