//! `wasmux conformance`: runs the conformance suite on one backend, records
//! the results, renders `conformance/REPORT.md` and holds the run to the
//! baseline (a regression fails the command).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use wasmux_conformance::{
    rerun, run_suite, Backend, BackendKind, BrowserSetup, FastBackend, FastBrowserBackend,
    LinuxBackend, SuiteDir, Verdict,
};

#[derive(clap::Args)]
pub struct ConformanceArgs {
    /// Where to run the programs: linux (the oracle), fast, fast-browser or full.
    #[arg(long, value_name = "BACKEND",
          value_parser = clap::builder::PossibleValuesParser::new(BackendKind::ALL.map(BackendKind::name)))]
    backend: String,
    /// The programs, as `conformance/build.sh` built them (the directory it prints).
    #[arg(long, value_name = "DIR")]
    build: Option<PathBuf>,
    /// The suite's directory in the checkout (groups, limitations, baseline, report).
    #[arg(long, value_name = "DIR", default_value = "conformance")]
    suite: PathBuf,
    /// fast-browser: the built site (browser/build.sh's output).
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
    /// How long one program may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    deadline: u64,
    /// Record this run as the backend's baseline instead of comparing with it.
    #[arg(long)]
    update_baseline: bool,
}

fn default_build() -> PathBuf {
    crate::cache_dir().join("conformance").join("build")
}

/// Returns whether the run holds to the baseline.
pub fn run(args: ConformanceArgs, userland: Option<&std::path::Path>) -> anyhow::Result<bool> {
    let kind = BackendKind::parse(&args.backend).expect("clap checked the backend's name");
    let build = args.build.unwrap_or_else(default_build);
    let suite = SuiteDir::new(&args.suite);
    if !suite.path.join("groups.txt").is_file() {
        bail!(
            "{} is not the conformance suite's directory (no groups.txt); give --suite",
            suite.path.display()
        );
    }
    let backend: Box<dyn Backend> = match kind {
        BackendKind::Linux => Box::new(LinuxBackend::new(&build)?),
        BackendKind::Fast => {
            let wasmux = std::env::current_exe().context("finding the wasmux command")?;
            Box::new(FastBackend::new(&build, &wasmux, userland)?)
        }
        BackendKind::FastBrowser => {
            let setup = BrowserSetup {
                node: "node".into(),
                driver: suite.path.join("browser.mjs"),
                site: args.site.unwrap_or_else(|| crate::cache_dir().join("site")),
                wasmux: std::env::current_exe().context("finding the wasmux command")?,
            };
            Box::new(FastBrowserBackend::new(&build, &setup)?)
        }
        BackendKind::Full => {
            bail!("the full backend does not exist yet: full mode (v86) is not built")
        }
    };
    let groups = suite.groups()?;
    let deadline = Duration::from_secs(args.deadline);
    let mut results = run_suite(backend.as_ref(), &groups, deadline, |program| {
        let count = |v| program.cases.iter().filter(|c| c.verdict == v).count();
        println!(
            "{:<16} {:>3} TPASS {:>3} TCONF {:>3} TFAIL {:>3} TBROK",
            program.program,
            count(Verdict::Pass),
            count(Verdict::Conf),
            count(Verdict::Fail),
            count(Verdict::Broken)
        );
    });
    let mut baseline = suite.baseline()?;
    let mut comparison = baseline.compare(&results);
    if !args.update_baseline && !comparison.regressions.is_empty() {
        // A second look before calling it a regression: a case that passes
        // again is flaky (and said so), one that fails again is not.
        let mut programs: Vec<String> = comparison
            .regressions
            .iter()
            .filter_map(|(id, _, _)| id.split_once('/').map(|(p, _)| p.to_string()))
            .collect();
        programs.sort();
        programs.dedup();
        println!("\nregressions: running {} again", programs.join(", "));
        rerun(backend.as_ref(), &groups, deadline, &mut results, &programs);
        let second = baseline.compare(&results);
        let now = results.verdicts();
        for (id, _, first) in &comparison.regressions {
            if !second.regressions.iter().any(|(again, _, _)| again == id) {
                println!(
                    "FLAKY {id}: {} in the first run, {} in the second",
                    label(first),
                    label(&now.get(id).copied())
                );
            }
        }
        comparison = second;
    }
    let tally = results.tally();
    println!(
        "\n{}: {} cases: {} TPASS, {} TCONF, {} TFAIL, {} TBROK",
        results.backend,
        tally.total(),
        tally.pass,
        tally.conf,
        tally.fail,
        tally.broken
    );
    suite.save_results(&results)?;
    let held = if args.update_baseline {
        baseline.record(&results);
        suite.save_baseline(&baseline)?;
        println!("baseline for {} recorded", results.backend);
        true
    } else {
        for (id, was, is) in &comparison.progressions {
            println!(
                "better than the baseline: {id}: {} -> {}",
                was.label(),
                is.label()
            );
        }
        let added = comparison.new_cases.len();
        if added > 0 {
            println!("{added} cases are not in the baseline yet (--update-baseline records them)");
        }
        for (id, was, is) in &comparison.regressions {
            println!("REGRESSION {id}: {} -> {}", label(was), label(is));
        }
        comparison.regressions.is_empty()
    };
    let posix = std::fs::read_to_string(suite.path.join("results/posix.md")).unwrap_or_default();
    suite.write_report(&posix)?;
    println!("report: {}", suite.path.join("REPORT.md").display());
    Ok(held)
}

/// A verdict's name, or `absent` for a case that did not report.
fn label(verdict: &Option<Verdict>) -> &'static str {
    verdict.map(|v| v.label()).unwrap_or("absent")
}
