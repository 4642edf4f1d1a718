//! `ramkey sandbox` as a separate process, for tests that need a server outside the
//! program under test (the SDK interop suite, the end-to-end tests under a pty).
//!
//! It starts the real binary on a free loopback port, reads the shell assignments it
//! prints first (endpoint and caller credentials), and kills it when dropped. It
//! depends on nothing of ramkey but the binary's documented output.

#![allow(dead_code, reason = "each test crate uses part of this harness")]

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A bound on how long the sandbox may take to print its first lines; a failure bound
/// for a loaded machine, not a speed requirement.
const STARTUP_BOUND: Duration = Duration::from_secs(120);

/// How much of the sandbox's stderr (one line per request) a failure shows.
const DIAGNOSTIC_LINES: usize = 40;

const ENDPOINT: &str = "RAMKEY_ENDPOINT";
const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";

/// A running `ramkey sandbox`, killed on drop.
pub struct SandboxProcess {
    child: Child,
    assignments: HashMap<String, String>,
    stderr_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SandboxProcess {
    /// Starts `ramkey sandbox --listen 127.0.0.1:0` plus `extra_args` (e.g. `--account`).
    pub fn start<I, S>(extra_args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let dir = tempfile::tempdir().expect("temporary directory for the sandbox");
        let stderr_path = dir.path().join("sandbox.stderr");
        let stderr = File::create(&stderr_path).expect("sandbox stderr file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ramkey"))
            .args(["sandbox", "--listen", "127.0.0.1:0"])
            .args(extra_args)
            .env("HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start `ramkey sandbox`");

        let stdout = child.stdout.take().expect("sandbox stdout is piped");
        let lines = first_lines(stdout, 3);
        let mut sandbox = Self {
            child,
            assignments: HashMap::new(),
            stderr_path,
            _dir: dir,
        };
        match lines.recv_timeout(STARTUP_BOUND) {
            Ok(lines) => sandbox.assignments = sandbox.parse(&lines),
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "`ramkey sandbox` printed no endpoint and credentials within {STARTUP_BOUND:?}\n{}",
                sandbox.diagnostics()
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
                "`ramkey sandbox` closed its output before printing endpoint and credentials\n{}",
                sandbox.diagnostics()
            ),
        }
        sandbox
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.assignments[ENDPOINT]
    }

    /// The AccessKey id of the sandbox account's caller.
    pub fn access_key_id(&self) -> &str {
        &self.assignments[ACCESS_KEY_ID]
    }

    /// The caller's AccessKey secret.
    pub fn secret(&self) -> &str {
        &self.assignments[ACCESS_KEY_SECRET]
    }

    /// The three assignments as environment variables for a client of the sandbox.
    pub fn client_env(&self) -> [(&'static str, &str); 3] {
        [
            (ENDPOINT, self.endpoint()),
            (ACCESS_KEY_ID, self.access_key_id()),
            (ACCESS_KEY_SECRET, self.secret()),
        ]
    }

    /// Every line the sandbox wrote to stderr so far (one per request it
    /// answered, plus its start-up lines); a test takes `len()` as a mark and
    /// reads what came after it.
    pub fn stderr_lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.stderr_path)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The end of what the sandbox wrote to stderr, and whether it is still running.
    pub fn diagnostics(&mut self) -> String {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => format!("exited: {status}"),
            Ok(None) => "still running".to_owned(),
            Err(error) => format!("state unknown: {error}"),
        };
        let stderr = std::fs::read_to_string(&self.stderr_path).unwrap_or_default();
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(DIAGNOSTIC_LINES)..].join("\n");
        format!(
            "sandbox {status}; the last {} of its {} stderr lines:\n{tail}",
            DIAGNOSTIC_LINES.min(lines.len()),
            lines.len()
        )
    }

    fn parse(&mut self, lines: &[String]) -> HashMap<String, String> {
        let mut assignments = HashMap::new();
        for line in lines {
            let Some((name, value)) = parse_assignment(line) else {
                panic!(
                    "`ramkey sandbox` line is not NAME=VALUE: {line:?}\n{}",
                    self.diagnostics()
                );
            };
            assignments.insert(name, value);
        }
        for name in [ENDPOINT, ACCESS_KEY_ID, ACCESS_KEY_SECRET] {
            assert!(
                assignments.contains_key(name),
                "`ramkey sandbox` did not print {name} in its first lines {lines:?}\n{}",
                self.diagnostics()
            );
        }
        assignments
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        // Ends only the process this harness started, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `count` lines on a thread and sends them; the thread then keeps draining the
/// pipe so that the sandbox never blocks on a full stdout.
fn first_lines(
    stdout: impl std::io::Read + Send + 'static,
    count: usize,
) -> mpsc::Receiver<Vec<String>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut lines = Vec::new();
        let mut line = String::new();
        while lines.len() < count {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => lines.push(line.trim_end().to_owned()),
            }
        }
        let _ = sender.send(lines);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    receiver
}

/// `NAME=value`, `NAME='value'`, `NAME="value"`, optionally after `export `.
fn parse_assignment(line: &str) -> Option<(String, String)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (name, value) = line.split_once('=')?;
    let value = ['\'', '"']
        .iter()
        .find_map(|quote| value.strip_prefix(*quote)?.strip_suffix(*quote))
        .unwrap_or(value);
    let well_formed = !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    well_formed.then(|| (name.to_owned(), value.to_owned()))
}
