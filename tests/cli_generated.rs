//! `ramkey completions SHELL` and `ramkey man` are generated from the command-line
//! definition: every subcommand and every flag it has appears in each shell's script
//! and in the man pages, so neither can fall behind a new flag.

use std::process::{Command, Output};

use clap::CommandFactory as _;
use ramkey::cli::Cli;

/// Runs the binary with `args` in an empty home; it must succeed.
fn ramkey(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(status.success(), "{args:?}: {stderr}");
    assert!(
        !home.path().join("state").exists(),
        "{args:?} wrote into the state directory"
    );
    String::from_utf8(stdout).expect("UTF-8 output")
}

/// The visible subcommands of ramkey.
fn subcommands() -> Vec<clap::Command> {
    Cli::command()
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect()
}

/// The visible long flags of `command`.
fn long_flags(command: &clap::Command) -> Vec<String> {
    command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter_map(|arg| arg.get_long().map(str::to_owned))
        .collect()
}

/// Every visible long flag of ramkey and of its subcommands.
fn every_flag() -> Vec<String> {
    let mut flags = long_flags(&Cli::command());
    for sub in subcommands() {
        flags.extend(long_flags(&sub));
    }
    flags
}

#[test]
fn the_definition_has_subcommands_and_flags_to_look_for() {
    let names: Vec<String> = subcommands()
        .iter()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for expected in ["scan", "demo", "completions", "man"] {
        assert!(names.iter().any(|name| name == expected), "{names:?}");
    }
    let flags = every_flag();
    for expected in ["endpoint", "state", "format", "dir"] {
        assert!(flags.iter().any(|flag| flag == expected), "{flags:?}");
    }
}

#[test]
fn every_shells_completions_name_every_subcommand_and_flag() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ramkey(&["completions", shell]);
        for sub in subcommands() {
            assert!(
                script.contains(sub.get_name()),
                "{shell}: no {}",
                sub.get_name()
            );
        }
        for flag in every_flag() {
            // fish spells a long flag `-l name`; the others `--name`.
            let spelled = if shell == "fish" {
                format!("-l {flag}")
            } else {
                format!("--{flag}")
            };
            assert!(script.contains(&spelled), "{shell}: no {spelled}");
        }
    }
}

#[test]
fn an_unknown_shell_is_refused() {
    let status = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(2));
}

/// `--name` as roff writes it in a man page.
fn in_roff(flag: &str) -> String {
    format!("--{flag}").replace('-', "\\-")
}

#[test]
fn the_man_page_names_every_subcommand_and_global_flag() {
    let page = ramkey(&["man"]);
    assert!(page.contains(".TH ramkey"), "{page}");
    for sub in subcommands() {
        assert!(page.contains(sub.get_name()), "no {}", sub.get_name());
    }
    for flag in long_flags(&Cli::command()) {
        assert!(page.contains(&in_roff(&flag)), "no --{flag}");
    }
}

#[test]
fn the_man_pages_in_a_directory_name_every_flag_of_their_command() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    ramkey(&["man", "--dir", pages.to_str().unwrap()]);

    let top = std::fs::read_to_string(pages.join("ramkey.1")).unwrap();
    for flag in long_flags(&Cli::command()) {
        assert!(top.contains(&in_roff(&flag)), "ramkey.1: no --{flag}");
    }
    for sub in subcommands() {
        let name = format!("ramkey-{}.1", sub.get_name());
        let page = std::fs::read_to_string(pages.join(&name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        for flag in long_flags(&sub) {
            assert!(page.contains(&in_roff(&flag)), "{name}: no --{flag}");
        }
    }
}
