//! Results kept on disk, the baseline they are held to, and `REPORT.md`.
//!
//! The suite directory (`conformance/` of the checkout) holds:
//! - `groups.txt`: which programs make up which group (`group: prog prog…`);
//! - `limitations.txt`: cases that fail on a backend by design, each with a
//!   one-line reason (`backend case reason…`), shown in the report;
//! - `baseline.json`: each backend's verdict per case, the bar a run is held to;
//! - `results/BACKEND.json`: the latest run of each backend;
//! - `REPORT.md`: generated from the above.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::outcome::{Case, Ending, Verdict};
use crate::ConformanceError;

/// One program's run on one backend.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProgramResult {
    pub program: String,
    pub group: String,
    pub ending: Ending,
    pub cases: Vec<Case>,
}

/// One backend's run of the whole suite.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackendResults {
    pub backend: String,
    pub programs: Vec<ProgramResult>,
}

impl BackendResults {
    /// Every case as `program/case` with its verdict.
    pub fn verdicts(&self) -> BTreeMap<String, Verdict> {
        self.programs
            .iter()
            .flat_map(|p| {
                p.cases
                    .iter()
                    .map(move |c| (format!("{}/{}", p.program, c.name), c.verdict))
            })
            .collect()
    }

    fn case(&self, id: &str) -> Option<&Case> {
        let (program, case) = id.split_once('/')?;
        self.programs
            .iter()
            .find(|p| p.program == program)?
            .cases
            .iter()
            .find(|c| c.name == case)
    }

    /// Counts of each verdict.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for verdict in self.verdicts().values() {
            tally.add(*verdict);
        }
        tally
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub pass: usize,
    pub conf: usize,
    pub fail: usize,
    pub broken: usize,
}

impl Tally {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Conf => self.conf += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Broken => self.broken += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.pass + self.conf + self.fail + self.broken
    }
}

/// Programs by group, from `groups.txt`.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    order: Vec<String>,
    of: BTreeMap<String, String>,
}

impl Groups {
    pub fn parse(text: &str) -> Groups {
        let mut groups = Groups::default();
        for line in meaningful_lines(text) {
            let Some((group, programs)) = line.split_once(':') else {
                continue;
            };
            let group = group.trim().to_string();
            for program in programs.split_whitespace() {
                groups.of.insert(program.to_string(), group.clone());
            }
            groups.order.push(group);
        }
        groups
    }

    pub fn group_of(&self, program: &str) -> &str {
        self.of.get(program).map(String::as_str).unwrap_or("other")
    }

    fn rank(&self, group: &str) -> usize {
        self.order
            .iter()
            .position(|g| g == group)
            .unwrap_or(usize::MAX)
    }
}

/// Documented limitations, from `limitations.txt`: (backend, case) → reason.
#[derive(Clone, Debug, Default)]
pub struct Limitations(BTreeMap<(String, String), String>);

impl Limitations {
    pub fn parse(text: &str) -> Limitations {
        let mut map = BTreeMap::new();
        for line in meaningful_lines(text) {
            let mut words = line.splitn(3, char::is_whitespace);
            if let (Some(backend), Some(case), Some(reason)) =
                (words.next(), words.next(), words.next())
            {
                map.insert(
                    (backend.to_string(), case.to_string()),
                    reason.trim().to_string(),
                );
            }
        }
        Limitations(map)
    }

    /// Why `case` (`program/name`) fails on `backend` by design: its own
    /// line, or its program's (`program/*`).
    pub fn reason(&self, backend: &str, case: &str) -> Option<&str> {
        let program = case.split_once('/').map(|(p, _)| format!("{p}/*"));
        [Some(case.to_string()), program]
            .into_iter()
            .flatten()
            .find_map(|key| self.0.get(&(backend.to_string(), key)))
            .map(String::as_str)
    }
}

fn meaningful_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The recorded verdicts a run is compared with: backend → case → verdict.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline(pub BTreeMap<String, BTreeMap<String, Verdict>>);

/// How a run differs from the baseline.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// Was passing (or TCONF), now fails, breaks or is missing.
    pub regressions: Vec<(String, Option<Verdict>, Option<Verdict>)>,
    /// Failed in the baseline, passes now: the baseline can be raised.
    pub progressions: Vec<(String, Verdict, Verdict)>,
    /// Not in the baseline at all (new cases), with their verdicts.
    pub new_cases: Vec<(String, Verdict)>,
}

impl Baseline {
    pub fn compare(&self, results: &BackendResults) -> Comparison {
        let now = results.verdicts();
        let empty = BTreeMap::new();
        let before = self.0.get(&results.backend).unwrap_or(&empty);
        let mut comparison = Comparison::default();
        for (id, was) in before {
            match now.get(id) {
                None if !was.is_bad() => {
                    comparison.regressions.push((id.clone(), Some(*was), None))
                }
                Some(is) if is.is_bad() && !was.is_bad() => {
                    comparison
                        .regressions
                        .push((id.clone(), Some(*was), Some(*is)))
                }
                Some(is) if !is.is_bad() && was.is_bad() => {
                    comparison.progressions.push((id.clone(), *was, *is))
                }
                _ => {}
            }
        }
        for (id, is) in &now {
            if !before.contains_key(id) {
                if is.is_bad() {
                    comparison.regressions.push((id.clone(), None, Some(*is)));
                }
                comparison.new_cases.push((id.clone(), *is));
            }
        }
        comparison
    }

    pub fn record(&mut self, results: &BackendResults) {
        self.0.insert(results.backend.clone(), results.verdicts());
    }
}

/// The suite directory and what it holds.
pub struct SuiteDir {
    pub path: PathBuf,
}

impl SuiteDir {
    pub fn new(path: impl Into<PathBuf>) -> SuiteDir {
        SuiteDir { path: path.into() }
    }

    fn read_optional(&self, name: &str) -> Result<String, ConformanceError> {
        let path = self.path.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(ConformanceError::io(
                format!("reading {}", path.display()),
                e,
            )),
        }
    }

    fn read_json<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, ConformanceError> {
        let text = self.read_optional(name)?;
        if text.trim().is_empty() {
            return Ok(T::default());
        }
        serde_json::from_str(&text).map_err(|e| ConformanceError::Format {
            path: self.path.join(name),
            message: e.to_string(),
        })
    }

    fn write(&self, name: &str, text: &str) -> Result<(), ConformanceError> {
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ConformanceError::io(format!("creating {}", parent.display()), e))?;
        }
        // Written whole then renamed: an interrupted run leaves the old file.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| ConformanceError::io(format!("writing {}", path.display()), e))
    }

    pub fn groups(&self) -> Result<Groups, ConformanceError> {
        Ok(Groups::parse(&self.read_optional("groups.txt")?))
    }

    pub fn limitations(&self) -> Result<Limitations, ConformanceError> {
        Ok(Limitations::parse(&self.read_optional("limitations.txt")?))
    }

    pub fn baseline(&self) -> Result<Baseline, ConformanceError> {
        self.read_json("baseline.json")
    }

    pub fn save_baseline(&self, baseline: &Baseline) -> Result<(), ConformanceError> {
        self.write("baseline.json", &to_json(baseline))
    }

    pub fn save_results(&self, results: &BackendResults) -> Result<(), ConformanceError> {
        self.write(
            &format!("results/{}.json", results.backend),
            &to_json(results),
        )
    }

    /// The latest results of every backend that has any.
    pub fn all_results(&self) -> Result<Vec<BackendResults>, ConformanceError> {
        let mut all = Vec::new();
        for kind in BackendKind::ALL {
            // A backend never run has no file: read_json gives None.
            let name = format!("results/{}.json", kind.name());
            all.extend(self.read_json::<Option<BackendResults>>(&name)?);
        }
        Ok(all)
    }

    /// Renders `REPORT.md` from every backend's latest results, plus any
    /// extra sections (the Open POSIX suite's).
    pub fn write_report(&self, extra: &str) -> Result<(), ConformanceError> {
        let report = render(
            &self.all_results()?,
            &self.groups()?,
            &self.limitations()?,
            extra,
        );
        self.write("REPORT.md", &report)
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("results serialize");
    text.push('\n');
    text
}

fn render(
    all: &[BackendResults],
    groups: &Groups,
    limitations: &Limitations,
    extra: &str,
) -> String {
    let mut md = String::new();
    md.push_str("# Conformance report\n\n");
    md.push_str(
        "Generated by `wasmux conformance` (see `conformance/README.md`); do not edit. \
         Each case is one behaviour of a system call, checked by a program of `suite/` \
         that was written against Linux's documentation and runs unchanged on every backend. \
         Linux is the oracle: every case passes or is TCONF there.\n\n",
    );
    let backends: Vec<&str> = BackendKind::ALL
        .iter()
        .map(|k| k.name())
        .filter(|name| all.iter().any(|r| r.backend == *name))
        .collect();
    let absent: Vec<&str> = BackendKind::ALL
        .iter()
        .map(|k| k.name())
        .filter(|name| !backends.contains(name))
        .collect();

    md.push_str("## Summary\n\n| backend | cases | TPASS | TCONF | TFAIL | TBROK |\n|---|---:|---:|---:|---:|---:|\n");
    for results in all {
        let t = results.tally();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            results.backend,
            t.total(),
            t.pass,
            t.conf,
            t.fail,
            t.broken
        );
    }
    if !absent.is_empty() {
        let _ = writeln!(md, "\nNo results (yet) for: {}.", absent.join(", "));
    }

    // Group → backend → tally.
    let mut by_group: BTreeMap<(usize, String), BTreeMap<&str, Tally>> = BTreeMap::new();
    for results in all {
        for program in &results.programs {
            let key = (groups.rank(&program.group), program.group.clone());
            let tally = by_group
                .entry(key)
                .or_default()
                .entry(&results.backend)
                .or_default();
            for case in &program.cases {
                tally.add(case.verdict);
            }
        }
    }
    md.push_str("\n## By group\n\nTPASS / cases (TCONF, TFAIL, TBROK when any).\n\n| group |");
    for b in &backends {
        let _ = write!(md, " {b} |");
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    for ((_, group), tallies) in &by_group {
        let _ = write!(md, "| {group} |");
        for b in &backends {
            let cell = tallies.get(b).map(tally_cell).unwrap_or_default();
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
    }

    // Every case, with what did not pass explained.
    let mut ids: Vec<(usize, String, String)> = Vec::new();
    for results in all {
        for program in &results.programs {
            for case in &program.cases {
                let id = format!("{}/{}", program.program, case.name);
                if !ids.iter().any(|(_, _, seen)| *seen == id) {
                    ids.push((groups.rank(&program.group), program.program.clone(), id));
                }
            }
        }
    }
    ids.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    md.push_str("\n## Cases\n\n| case |");
    for b in &backends {
        let _ = write!(md, " {b} |");
    }
    md.push_str(" notes |\n|---|");
    md.push_str(&"---|".repeat(backends.len()));
    md.push_str("---|\n");
    for (_, _, id) in &ids {
        let _ = write!(md, "| `{id}` |");
        let mut notes = Vec::new();
        for results in all {
            let case = results.case(id);
            let cell = case.map(|c| c.verdict.label()).unwrap_or("—");
            let _ = write!(md, " {cell} |");
            if let Some(case) = case.filter(|c| c.verdict != Verdict::Pass) {
                let why = limitations
                    .reason(&results.backend, id)
                    .map(|r| format!("known limitation: {r}"))
                    .unwrap_or_else(|| case.message.clone());
                notes.push(format!("{}: {}", results.backend, escape(&why)));
            }
        }
        let _ = writeln!(md, " {} |", notes.join("<br>"));
    }
    if !extra.is_empty() {
        md.push('\n');
        md.push_str(extra);
    }
    md
}

fn tally_cell(t: &Tally) -> String {
    let mut cell = format!("{} / {}", t.pass, t.total());
    let rest: Vec<String> = [(t.conf, "TCONF"), (t.fail, "TFAIL"), (t.broken, "TBROK")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect();
    if !rest.is_empty() {
        let _ = write!(cell, " ({})", rest.join(", "));
    }
    cell
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(backend: &str, cases: &[(&str, Verdict)]) -> BackendResults {
        BackendResults {
            backend: backend.into(),
            programs: vec![ProgramResult {
                program: "open01".into(),
                group: "file I/O".into(),
                ending: Ending::Exited(0),
                cases: cases
                    .iter()
                    .map(|(name, verdict)| Case {
                        name: name.to_string(),
                        verdict: *verdict,
                        message: format!("{name} said so"),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn regressions_progressions_and_new_cases_are_told_apart() {
        let mut baseline = Baseline::default();
        baseline.record(&results(
            "fast",
            &[
                ("kept", Verdict::Pass),
                ("lost", Verdict::Pass),
                ("gone", Verdict::Pass),
                ("fixed", Verdict::Fail),
                ("conf", Verdict::Conf),
            ],
        ));
        let now = results(
            "fast",
            &[
                ("kept", Verdict::Pass),
                ("lost", Verdict::Fail),
                ("fixed", Verdict::Pass),
                ("conf", Verdict::Broken),
                ("added", Verdict::Pass),
                ("added_bad", Verdict::Fail),
            ],
        );
        let c = baseline.compare(&now);
        let regressed: Vec<&str> = c.regressions.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            regressed,
            [
                "open01/conf",
                "open01/gone",
                "open01/lost",
                "open01/added_bad"
            ]
        );
        assert_eq!(c.progressions.len(), 1);
        assert_eq!(c.progressions[0].0, "open01/fixed");
        assert_eq!(c.new_cases.len(), 2);
        // Another backend's baseline says nothing about this one.
        assert!(baseline
            .compare(&results("linux", &[("x", Verdict::Pass)]))
            .regressions
            .is_empty());
    }

    #[test]
    fn groups_and_limitations_files_parse() {
        let groups = Groups::parse("# comment\nfile I/O: open01 read01\n\nprocesses: fork01\n");
        assert_eq!(groups.group_of("read01"), "file I/O");
        assert_eq!(groups.group_of("fork01"), "processes");
        assert_eq!(groups.group_of("zzz"), "other");
        assert!(groups.rank("file I/O") < groups.rank("processes"));
        let limits = Limitations::parse("fast open01/x  no such thing here\n# c\n");
        assert_eq!(
            limits.reason("fast", "open01/x"),
            Some("no such thing here")
        );
        assert_eq!(limits.reason("linux", "open01/x"), None);
        let whole =
            Limitations::parse("fast-browser socket01/* no sockets\nfast-browser socket01/a own\n");
        assert_eq!(
            whole.reason("fast-browser", "socket01/b"),
            Some("no sockets")
        );
        assert_eq!(whole.reason("fast-browser", "socket01/a"), Some("own"));
        assert_eq!(whole.reason("fast-browser", "socket02/b"), None);
    }

    #[test]
    fn the_report_has_every_backend_and_explains_what_did_not_pass() {
        let linux = results("linux", &[("a", Verdict::Pass), ("b", Verdict::Pass)]);
        let fast = results("fast", &[("a", Verdict::Pass), ("b", Verdict::Fail)]);
        let limits = Limitations::parse("fast open01/b a | reason\n");
        let md = render(&[linux, fast], &Groups::default(), &limits, "## Extra\n");
        assert!(md.contains("| linux | 2 | 2 | 0 | 0 | 0 |"), "{md}");
        assert!(md.contains("| fast | 2 | 1 | 0 | 1 | 0 |"), "{md}");
        assert!(
            md.contains("| `open01/b` | TPASS | TFAIL | fast: known limitation: a \\| reason |"),
            "{md}"
        );
        assert!(
            md.contains("No results (yet) for: fast-browser, full."),
            "{md}"
        );
        assert!(md.ends_with("## Extra\n"));
    }
}
