//! What a program says about its cases, and how it ended.
//!
//! A conformance program prints one line per case (`TPASS name: message`,
//! see `suite/tst.h`); anything else on its standard output is ignored, so a
//! stray `printf` cannot forge or hide a result. How the program ended is
//! kept too: a crash, a timeout, an exit status that contradicts the lines,
//! or an end before the harness's last line ([`DONE_LINE`]: the program was
//! replaced by exec or exited early, and its later cases never ran) becomes
//! a broken pseudo-case, [`END_CASE`], so it cannot pass unnoticed.

use serde::{Deserialize, Serialize};

/// The verdict of one case, in LTP's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    /// The behaviour matched Linux's.
    #[serde(rename = "TPASS")]
    Pass,
    /// Does not apply here; the message says why.
    #[serde(rename = "TCONF")]
    Conf,
    /// The behaviour differs.
    #[serde(rename = "TFAIL")]
    Fail,
    /// The case could not be run (setup failed, the program died).
    #[serde(rename = "TBROK")]
    Broken,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "TPASS",
            Verdict::Conf => "TCONF",
            Verdict::Fail => "TFAIL",
            Verdict::Broken => "TBROK",
        }
    }

    fn parse(label: &str) -> Option<Verdict> {
        Some(match label {
            "TPASS" => Verdict::Pass,
            "TCONF" => Verdict::Conf,
            "TFAIL" => Verdict::Fail,
            "TBROK" => Verdict::Broken,
            _ => return None,
        })
    }

    /// Failed or broken: what a regression check cares about.
    pub fn is_bad(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Broken)
    }
}

/// One case's result within a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    pub verdict: Verdict,
    pub message: String,
}

/// How a program's run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    Exited(i32),
    Signalled(i32),
    TimedOut {
        seconds: u64,
    },
    /// There is no program for this backend: why (a compiler's error).
    NotBuilt(String),
    /// The backend could not start it.
    NotStarted(String),
}

/// The name of the pseudo-case that reports a program ending badly.
pub const END_CASE: &str = "(end)";

/// The line `suite/tst.h` prints when `tst_run` has returned: every case ran.
pub const DONE_LINE: &str = "TDONE";

/// Whether the program's output holds [`DONE_LINE`].
pub fn finished(stdout: &str) -> bool {
    stdout.lines().any(|line| line == DONE_LINE)
}

/// Reads a program's output into cases: one per name, the worst verdict
/// winning when a name is reported twice (a parent and a forked child).
pub fn parse_cases(stdout: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in stdout.lines() {
        let Some((label, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some(verdict) = Verdict::parse(label) else {
            continue;
        };
        let Some((name, message)) = rest.split_once(": ") else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        match cases.iter_mut().find(|c| c.name == name) {
            Some(seen) if verdict > seen.verdict => {
                seen.verdict = verdict;
                seen.message = message.to_string();
            }
            Some(_) => {}
            None => cases.push(Case {
                name: name.to_string(),
                verdict,
                message: message.to_string(),
            }),
        }
    }
    cases
}

/// The broken pseudo-case a bad ending adds, if any: tst.h exits 0 when all
/// passed, 1 on a failure and 2 when broken; anything else, or a status that
/// disagrees with the lines, means the program did not finish as written.
pub fn end_case(
    cases: &[Case],
    finished: bool,
    ending: &Ending,
    stderr_tail: &str,
) -> Option<Case> {
    let worst = cases.iter().map(|c| c.verdict).max();
    let expected = match worst {
        Some(Verdict::Broken) => 2,
        Some(Verdict::Fail) => 1,
        _ => 0,
    };
    // A setup step that fails reports TBROK and ends at once, by design.
    let ended_early = !finished && worst != Some(Verdict::Broken);
    let message = match ending {
        Ending::Exited(_) if ended_early => {
            "ended before its last case (replaced by exec, or exited)".to_string()
        }
        Ending::Exited(status) if *status == expected => return None,
        // A child's TFAIL/TBROK line does not reach the parent's exit status.
        Ending::Exited(0) if cases.iter().any(|c| c.verdict.is_bad()) => return None,
        Ending::Exited(status) => format!("exited with status {status}"),
        Ending::Signalled(signal) => format!("killed by signal {signal}"),
        Ending::TimedOut { seconds } => format!("did not finish in {seconds} s"),
        Ending::NotBuilt(why) => format!("does not build: {}", first_line(why)),
        Ending::NotStarted(why) => format!("could not start: {}", first_line(why)),
    };
    let detail = first_line(stderr_tail);
    let message = if detail.is_empty() {
        message
    } else {
        format!("{message}; stderr: {detail}")
    };
    Some(Case {
        name: END_CASE.to_string(),
        verdict: Verdict::Broken,
        message,
    })
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("warning"))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_cases_and_noise_is_ignored() {
        let out = "TPASS open: fd 3\nhello\nTFAIL mode: 0000 (x)\nTCONF raw: no raw sockets\n\
                   TPASSopen: glued\nTFAIL bad name: spaces\nTWARN x: y\n";
        let cases = parse_cases(out);
        let names: Vec<_> = cases.iter().map(|c| (c.name.as_str(), c.verdict)).collect();
        assert_eq!(
            names,
            [
                ("open", Verdict::Pass),
                ("mode", Verdict::Fail),
                ("raw", Verdict::Conf)
            ]
        );
        assert_eq!(cases[1].message, "0000 (x)");
    }

    #[test]
    fn a_name_reported_twice_keeps_its_worst_verdict() {
        let cases = parse_cases("TPASS a: parent\nTFAIL a: child\nTPASS a: again\n");
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].verdict, Verdict::Fail);
        assert_eq!(cases[0].message, "child");
    }

    #[test]
    fn endings_that_disagree_with_the_lines_are_broken() {
        let pass = parse_cases("TPASS a: ok\n");
        let fail = parse_cases("TPASS a: ok\nTFAIL b: no\n");
        assert_eq!(end_case(&pass, true, &Ending::Exited(0), ""), None);
        assert_eq!(end_case(&fail, true, &Ending::Exited(1), ""), None);
        let lying = end_case(&pass, true, &Ending::Exited(1), "").unwrap();
        assert_eq!(lying.verdict, Verdict::Broken);
        let killed = end_case(&pass, false, &Ending::Signalled(9), "wasmux: trap\n").unwrap();
        assert_eq!(killed.message, "killed by signal 9; stderr: wasmux: trap");
        let hung = end_case(&[], false, &Ending::TimedOut { seconds: 5 }, "").unwrap();
        assert_eq!(hung.message, "did not finish in 5 s");
        let unbuilt = end_case(&[], false, &Ending::NotBuilt("x.c:1: error\n".into()), "").unwrap();
        assert_eq!(unbuilt.message, "does not build: x.c:1: error");
    }

    #[test]
    fn a_program_that_ends_before_its_last_case_is_broken() {
        let out = "TPASS a: ok\n";
        assert!(!finished(out));
        let early = end_case(&parse_cases(out), false, &Ending::Exited(0), "").unwrap();
        assert_eq!(early.verdict, Verdict::Broken);
        assert!(early.message.starts_with("ended before its last case"));
        let done = "TPASS a: ok\nTDONE\n";
        assert!(finished(done));
        assert_eq!(
            end_case(&parse_cases(done), true, &Ending::Exited(0), ""),
            None
        );
        // A failed setup step ends the program on purpose: its TBROK says so.
        let setup = parse_cases("TBROK setup: no directory\n");
        assert_eq!(end_case(&setup, false, &Ending::Exited(2), ""), None);
    }
}
