//! Proof that the sandbox speaks the real protocol: the official Alibaba Cloud Python
//! SDKs, unchanged, run the suite in `tests/interop/` against `ramkey sandbox`.
//!
//! The SDKs live in `.venv`, which `scripts/test` creates and fills from
//! `tests/interop/requirements.txt`. Without it this test fails and says so: it never
//! passes without having run the SDKs.

#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use std::path::{Path, PathBuf};
use std::process::Command;

use sandbox_process::SandboxProcess;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> PathBuf {
    let python = repository().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `scripts/test`, which creates .venv and installs the official \
         SDKs from tests/interop/requirements.txt, then runs the tests",
        python.display()
    );
    python
}

#[test]
fn official_python_sdks_work_against_the_sandbox() {
    let python = venv_python();
    let mut sandbox = SandboxProcess::start::<_, &str>([]);

    let output = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfExX"])
        .arg(repository().join("tests/interop"))
        .current_dir(repository())
        .envs(sandbox.client_env())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // The SDKs honour proxy variables; loopback must never go through one.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env_remove("ALIBABA_CLOUD_PROFILE")
        .output()
        .expect("run the interop suite with the venv's python");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the official SDKs failed against the sandbox ({})\n--- pytest stdout\n{stdout}\n\
         --- pytest stderr\n{stderr}\n--- {}",
        output.status,
        sandbox.diagnostics()
    );
    assert!(
        stdout.contains(" passed") && !stdout.contains(" skipped"),
        "pytest succeeded without running every test:\n{stdout}"
    );
    println!("{stdout}");
}
