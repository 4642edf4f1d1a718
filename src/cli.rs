//! The command line: every subcommand and flag, parsed by clap.
//!
//! Only definitions live here; [`crate::commands`] runs them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cloud::Region;

mod faults;
pub use faults::FaultArgs;

/// Find RAM users holding two Active AccessKeys and rotate them safely.
#[derive(Debug, Parser)]
#[command(name = "ramkey", version, about, long_about = None)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do; without one, the interactive wizard runs.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Send every service's calls to this one URL (the sandbox, or a test server).
    #[arg(long, global = true, env = "RAMKEY_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,

    /// Sign with this profile of ~/.aliyun/config.json or ~/.alibabacloud/credentials,
    /// not the environment's keys (without it: ALIBABA_CLOUD_PROFILE, after the environment).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// State file to use instead of the per-account default under $XDG_STATE_HOME/ramkey/.
    #[arg(long, global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,

    /// A key not used for this many days is idle.
    #[arg(long, global = true, default_value_t = 90, value_name = "DAYS")]
    pub idle_days: u32,

    /// Days between disabling a key and deleting it.
    #[arg(long, global = true, default_value_t = 90, value_name = "DAYS")]
    pub wait_days: u32,

    /// Look for KMS RAM secrets in these regions (repeatable or comma-separated); their
    /// users' keys are never offered for disabling. Without it KMS is not checked.
    #[arg(
        long = "kms-region",
        global = true,
        value_name = "REGION",
        value_delimiter = ','
    )]
    pub kms_regions: Vec<Region>,

    /// Hours after a KMS rotation during which a managed user's two keys are expected.
    #[arg(long, global = true, default_value_t = crate::scan::kms::DEFAULT_WINDOW_HOURS,
          value_name = "HOURS")]
    pub kms_window_hours: u32,

    /// Write the log here (default: ramkey.log beside the state files).
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    /// Log level or filter, e.g. `debug` or `ramkey=trace` (RUST_LOG also works).
    #[arg(long, global = true, default_value = "info", value_name = "FILTER")]
    pub log_level: String,

    /// How requests are signed: v1 (SignatureVersion 1.0) or v3 (ACS3-HMAC-SHA256).
    // The values are named in the line above: listing them with their own
    // descriptions would switch the whole `--help` to its long layout.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = SignatureArg::V1,
        hide_possible_values = true,
        value_name = "v1|v3"
    )]
    pub signature: SignatureArg,

    /// Wizard and demo: show every write as the exact call it would make, send none, record
    /// nothing.
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub dry_run: bool,

    /// Wizard and demo: only read (for auditors); every step that writes is refused.
    #[arg(long, global = true)]
    pub read_only: bool,
}

/// `--signature`: the request signature to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureArg {
    /// SignatureVersion 1.0, HMAC-SHA1, every parameter signed in the form body.
    V1,
    /// ACS3-HMAC-SHA256 in the Authorization header.
    V3,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive wizard against the configured account (the default).
    Wizard(WizardArgs),
    /// The wizard against the built-in sandbox account; needs no credentials.
    Demo(DemoArgs),
    /// Find flagged users and print them; exit code 3 when any is flagged.
    Scan(ScanArgs),
    /// Show rotations in progress and deletions due, from the state file only.
    Status(StatusArgs),
    /// Serve the RAM/STS emulator on loopback for scripts, SDKs and tests.
    Sandbox(Box<SandboxArgs>),
    /// Print the RAM policy ramkey's own identity needs (JSON); no credentials, no network.
    Policy(PolicyArgs),
    /// Print the completion script for SHELL to stdout (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page ramkey(1) to stdout, or write every command's page into --dir.
    Man(ManArgs),
}

/// `ramkey wizard` (plain `ramkey` runs it with none of these).
#[derive(Debug, Args, Default)]
pub struct WizardArgs {
    /// Mark USER as exempt in the findings table (repeatable); as for `scan`.
    #[arg(long, value_name = "USER=REASON")]
    pub exempt: Vec<String>,

    /// Config file with `[[exempt]]` entries (default:
    /// $XDG_CONFIG_HOME/ramkey/config.toml, used when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `ramkey demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Account file to serve instead of the built-in demo account.
    #[arg(long, value_name = "FILE")]
    pub account: Option<PathBuf>,
}

/// Output formats of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document for scripts.
    Json,
}

/// Output formats of `scan` (docs/scan-output.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document for scripts.
    Json,
    /// One row per flagged key, with a header line, for spreadsheets.
    Csv,
    /// A Markdown table and the notes, for tickets and wikis.
    Markdown,
}

/// Where `scan` takes its candidates from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanSource {
    /// The credential report when it can be used, else every user.
    Auto,
    /// The credential report only (fails when it cannot be used).
    Report,
    /// Every user's keys, one by one.
    Api,
}

/// `ramkey scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// How to print the findings (described in docs/scan-output.md).
    // Values named in the line, as for `--signature`: the short `--help` layout.
    #[arg(
        long,
        value_enum,
        default_value_t = ScanFormat::Table,
        hide_possible_values = true,
        value_name = "table|json|csv|markdown"
    )]
    pub format: ScanFormat,

    /// Write the report to FILE (mode 0600, replaced whole) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Where the candidates come from: the credential report, every user,
    /// or the report with a fallback to every user.
    #[arg(
        long,
        value_enum,
        default_value_t = ScanSource::Auto,
        hide_possible_values = true,
        value_name = "auto|report|api"
    )]
    pub source: ScanSource,

    /// Never send more than N requests per second (default: as fast as the
    /// account allows, found by backing off when throttled).
    #[arg(long, value_name = "N", value_parser = positive_rate)]
    pub max_rps: Option<f64>,

    /// Leave USER with two Active keys as exempt, not flagged (repeatable).
    #[arg(long, value_name = "USER=REASON")]
    pub exempt: Vec<String>,

    /// Config file with `[[exempt]]` entries (default:
    /// $XDG_CONFIG_HOME/ramkey/config.toml, used when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// A `--max-rps` value that is not a rate.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a positive number of requests per second (e.g. 20 or 2.5)")]
pub struct NotARate(String);

fn positive_rate(text: &str) -> Result<f64, NotARate> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(NotARate(text.to_owned())),
    }
}

/// `ramkey status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// How to print the rotations: table, or json (described in docs/state-file.md).
    #[arg(
        long,
        value_enum,
        default_value_t = OutputFormat::Table,
        hide_possible_values = true,
        value_name = "table|json"
    )]
    pub format: OutputFormat,

    /// Print the audit log beside each state file (every write call and
    /// confirmation) instead of the rotations.
    #[arg(long, conflicts_with = "ics")]
    pub history: bool,

    /// Also write an iCalendar file with one event per key awaiting deletion,
    /// on its deletion date.
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// `ramkey sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on; loopback only.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Account file to serve (default: the built-in demo account).
    #[arg(long, value_name = "FILE")]
    pub account: Option<PathBuf>,

    /// Serve a generated account of this many users instead (user-00001, ...);
    /// the same arguments always generate the same account.
    #[arg(long, value_name = "N", conflicts_with = "account")]
    pub users: Option<u32>,

    /// With --users: the share of users holding two Active keys (0.0 to 1.0).
    #[arg(long, default_value_t = 0.05, value_name = "R", requires = "users")]
    pub flagged_ratio: f64,

    /// How long a credential report takes to generate (sandbox clock).
    #[arg(long, default_value_t = 300, value_name = "MILLISECONDS")]
    pub report_delay: u64,

    /// Emulate an IMS without report paging: one page, cut at 3,500 users.
    #[arg(long)]
    pub report_without_paging: bool,

    /// How the sandbox misbehaves, for testing clients.
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// `ramkey policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Only what `ramkey scan` needs (read-only), not the rotations.
    #[arg(long)]
    pub scan_only: bool,
}

/// `ramkey completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `ramkey man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ramkey.1 and one page per subcommand (ramkey-scan.1, ...) into DIR.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_wizard() {
        let cli = Cli::try_parse_from(["ramkey"]).unwrap();
        assert!(cli.command.is_none());
    }

    #[test]
    fn signature_is_v1_unless_v3_is_asked_for() {
        let default = Cli::try_parse_from(["ramkey", "scan"]).unwrap();
        assert_eq!(default.global.signature, SignatureArg::V1);
        let v3 = Cli::try_parse_from(["ramkey", "scan", "--signature", "v3"]).unwrap();
        assert_eq!(v3.global.signature, SignatureArg::V3);
        assert!(Cli::try_parse_from(["ramkey", "--signature", "v2", "scan"]).is_err());
    }

    #[test]
    fn policy_prints_the_remediate_document_unless_scan_only() {
        for (args, scan_only) in [
            (&["ramkey", "policy"][..], false),
            (&["ramkey", "policy", "--scan-only"][..], true),
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(
                matches!(cli.command, Some(Command::Policy(PolicyArgs { scan_only: s })) if s == scan_only),
                "{args:?}"
            );
        }
    }

    fn help_of(subcommand: &str) -> String {
        let mut cli = Cli::command();
        let sub = cli.find_subcommand_mut(subcommand).expect("subcommand");
        sub.render_long_help().to_string()
    }

    #[test]
    fn each_format_flag_points_to_the_document_that_describes_its_json() {
        let scan = help_of("scan");
        assert!(scan.contains("docs/scan-output.md"), "{scan}");
        let status = help_of("status");
        assert!(status.contains("docs/state-file.md"), "{status}");
        assert!(!status.contains("scan-output"), "{status}");
    }

    #[test]
    fn format_keeps_help_in_its_short_layout() {
        for (subcommand, values) in [
            ("scan", "--format <table|json|csv|markdown>"),
            ("scan", "--source <auto|report|api>"),
            ("status", "--format <table|json>"),
        ] {
            let help = help_of(subcommand);
            assert!(help.contains(values), "{help}");
            assert!(!help.contains("Possible values"), "{help}");
        }
    }

    #[test]
    fn status_takes_history_or_a_calendar_file() {
        let cli =
            Cli::try_parse_from(["ramkey", "status", "--history", "--format", "json"]).unwrap();
        let Some(Command::Status(args)) = cli.command else {
            panic!("not status");
        };
        assert!(args.history && args.ics.is_none() && args.format == OutputFormat::Json);

        let cli = Cli::try_parse_from(["ramkey", "status", "--ics", "due.ics"]).unwrap();
        let Some(Command::Status(args)) = cli.command else {
            panic!("not status");
        };
        assert_eq!(args.ics.as_deref(), Some(std::path::Path::new("due.ics")));
        assert!(!args.history);

        assert!(Cli::try_parse_from(["ramkey", "status", "--history", "--ics", "x.ics"]).is_err());
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "ramkey",
            "scan",
            "--format",
            "json",
            "--endpoint",
            "http://127.0.0.1:1",
            "--profile",
            "prod",
        ])
        .unwrap();
        assert_eq!(cli.global.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(cli.global.profile.as_deref(), Some("prod"));
        assert!(matches!(
            cli.command,
            Some(Command::Scan(ScanArgs {
                format: ScanFormat::Json,
                ..
            }))
        ));
    }

    #[test]
    fn scan_flags() {
        let cli = Cli::try_parse_from([
            "ramkey",
            "scan",
            "--format",
            "csv",
            "--source",
            "report",
            "--max-rps",
            "12.5",
            "--exempt",
            "ci=vault",
            "--exempt",
            "backup=ops",
            "--output",
            "out.csv",
            "--config",
            "c.toml",
        ])
        .unwrap();
        let Some(Command::Scan(args)) = cli.command else {
            panic!("not a scan");
        };
        assert_eq!(args.format, ScanFormat::Csv);
        assert_eq!(args.source, ScanSource::Report);
        assert_eq!(args.max_rps, Some(12.5));
        assert_eq!(args.exempt, ["ci=vault", "backup=ops"]);
        assert_eq!(args.output, Some(PathBuf::from("out.csv")));
        assert_eq!(args.config, Some(PathBuf::from("c.toml")));

        let defaults = Cli::try_parse_from(["ramkey", "scan"]).unwrap();
        let Some(Command::Scan(args)) = defaults.command else {
            panic!("not a scan");
        };
        assert_eq!(
            (args.format, args.source),
            (ScanFormat::Table, ScanSource::Auto)
        );
        assert_eq!(args.max_rps, None);

        for bad in ["0", "-1", "fast", "inf"] {
            let flag = format!("--max-rps={bad}");
            let error = Cli::try_parse_from(["ramkey", "scan", &flag]).unwrap_err();
            assert!(
                error.to_string().contains("requests per second"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn kms_regions_are_a_checked_list_and_the_window_has_a_default() {
        let none = Cli::try_parse_from(["ramkey", "scan"]).unwrap();
        assert!(none.global.kms_regions.is_empty());
        assert_eq!(none.global.kms_window_hours, 48);

        let cli = Cli::try_parse_from([
            "ramkey",
            "scan",
            "--kms-region",
            "cn-hangzhou,cn-shanghai",
            "--kms-region=ap-southeast-1",
            "--kms-window-hours",
            "72",
        ])
        .unwrap();
        let regions: Vec<&str> = cli.global.kms_regions.iter().map(Region::as_str).collect();
        assert_eq!(regions, ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]);
        assert_eq!(cli.global.kms_window_hours, 72);

        let error =
            Cli::try_parse_from(["ramkey", "--kms-region", "hangzhou.evil", "scan"]).unwrap_err();
        assert!(error.to_string().contains("not a region id"), "{error}");
    }
}
