//! `HTTPS_PROXY` and `NO_PROXY` as the binary sees them: a remote endpoint
//! goes through the proxy with a `CONNECT`, and a host named in `NO_PROXY`
//! does not. The "proxy" is a listener on loopback that records the first
//! line of each request and hangs up, so nothing leaves this machine.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// The first request line of every connection the listener accepted.
type Seen = Arc<Mutex<Vec<String>>>;

/// A listener on a free loopback port that records and hangs up; its port.
fn recording_proxy() -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Seen::default();
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            record.lock().unwrap().push(line.trim_end().to_owned());
        }
    });
    (port, seen)
}

/// `ramkey scan --endpoint https://ram.example.test` with only `proxy_env`
/// besides dummy credentials and a temporary HOME.
fn scan_through(proxy_env: &[(&str, String)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ramkey"));
    command
        .args(["scan", "--endpoint", "https://ram.example.test"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tDummyKeyForProxy")
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "dummy-secret-for-proxy-test",
        );
    for (name, value) in proxy_env {
        command.env(name, value);
    }
    command.output().expect("ramkey runs")
}

#[test]
fn a_remote_endpoint_goes_through_https_proxy() {
    let (port, seen) = recording_proxy();

    let output = scan_through(&[("HTTPS_PROXY", format!("http://127.0.0.1:{port}"))]);

    let seen = seen.lock().unwrap().clone();
    let first = seen.first().expect("the proxy was asked");
    assert!(
        first.starts_with("CONNECT ram.example.test:443 "),
        "{first:?}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_host_in_no_proxy_is_not_sent_to_the_proxy() {
    // Nobody accepts here: a connection the binary made would wait in the
    // backlog until the check below, whether or not the binary hung up.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();

    let output = scan_through(&[
        ("HTTPS_PROXY", format!("http://127.0.0.1:{port}")),
        ("NO_PROXY", "ram.example.test".to_owned()),
    ]);

    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ram.example.test"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    listener.set_nonblocking(true).unwrap();
    let accepted = listener.accept();
    assert!(
        accepted
            .as_ref()
            .is_err_and(|error| error.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy was asked: {accepted:?}"
    );
}
