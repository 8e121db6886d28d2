//! The short account `.ci/run` prints of a run's whole log (builds and
//! passing tests print thousands of lines; a failure would drown in them):
//!
//! - every heading and result line (`== `, `FAILED STEP: `, `REGRESSION `,
//!   `FLAKY `, the tests' sum, the conformance and busybox counts);
//! - if the run failed, what the failures printed: each line that reports a
//!   failure (a failed step or test, a compiler error, a panic in our code)
//!   with 3 lines before and 15 after, as `grep -n -B3 -A15` shows them
//!   (`N:` a reporting line, `N-` context, `--` between groups), at most
//!   400 lines; then the last 80 lines of the log;
//! - where the whole log is, and the run's exit status.
//!
//! People grep these lines: their formats do not change.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Lines of context before and after a line that reports a failure.
const BEFORE: usize = 3;
const AFTER: usize = 15;
/// At most this many lines of what the failures printed.
const FAILURE_LINES: usize = 400;
/// The log's last lines, shown when the run failed.
const TAIL: usize = 80;

/// Prints the account of the log at `log` of a run that ended with `status`.
pub fn print(log: &Path, status: u8) -> anyhow::Result<()> {
    let text = std::fs::read(log).with_context(|| format!("reading {}", log.display()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&account(&text, status))?;
    writeln!(out, "\nwhole log: {} (exit {status})", log.display())?;
    Ok(())
}

/// The account of `log`, but for its last line (where the log is).
fn account(log: &[u8], status: u8) -> Vec<u8> {
    let lines = split_lines(log);
    let mut out = Vec::new();
    for line in lines.iter().filter(|l| is_heading(l)) {
        push_line(&mut out, line);
    }
    if status != 0 {
        out.extend_from_slice(b"\n== what the failures printed\n");
        for line in context(&lines, reports_failure)
            .into_iter()
            .take(FAILURE_LINES)
        {
            push_line(&mut out, &line);
        }
        out.extend_from_slice(b"\n== the last 80 lines\n");
        for line in &lines[lines.len().saturating_sub(TAIL)..] {
            push_line(&mut out, line);
        }
        // As `tail` gives it: a last line without a newline stays so.
        if !log.is_empty() && !log.ends_with(b"\n") {
            out.pop();
        }
    }
    out
}

fn push_line(out: &mut Vec<u8>, line: &[u8]) {
    out.extend_from_slice(line);
    out.push(b'\n');
}

/// The log's lines, without their newlines (a last line without one counts).
fn split_lines(log: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
    if log.ends_with(b"\n") || log.is_empty() {
        lines.pop();
    }
    lines
}

/// A heading or result line, which the account always shows.
fn is_heading(line: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 7] = [
        b"== ",
        b"FAILED STEP: ",
        b"REGRESSION ",
        b"FLAKY ",
        b"busybox testsuite: ",
        b"posix: ",
        b"wasmux passes: ",
    ];
    if PREFIXES.iter().any(|p| line.starts_with(p)) {
        return true;
    }
    // N passed, M failed
    if let Some(rest) = digits_then(line, b" passed, ") {
        if digits_then(rest, b" failed").is_some() {
            return true;
        }
    }
    // (linux|fast|fast-browser): N cases
    [&b"linux: "[..], b"fast: ", b"fast-browser: "]
        .iter()
        .filter_map(|p| line.strip_prefix(*p))
        .any(|rest| digits_then(rest, b" cases").is_some())
}

/// A line that reports a failure: a failed step, a regression, a failed
/// test (cargo's and TAP's), a compiler error, a panic in our own code.
fn reports_failure(line: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 3] = [b"FAILED STEP", b"REGRESSION ", b"not ok "];
    if PREFIXES.iter().any(|p| line.starts_with(p)) || line == b"failures:" {
        return true;
    }
    // test .* FAILED
    if line.len() >= b"test  FAILED".len()
        && line.starts_with(b"test ")
        && line.ends_with(b" FAILED")
    {
        return true;
    }
    // error: or error[E0425]:
    if let Some(rest) = line.strip_prefix(b"error") {
        let rest = match rest.strip_prefix(b"[E") {
            Some(code) => match digits_then(code, b"]") {
                Some(rest) => rest,
                None => return false,
            },
            None => rest,
        };
        if rest.starts_with(b": ") {
            return true;
        }
    }
    // panicked at .*(cli|kernel-shim|...)/
    if let Some(at) = find(line, b"panicked at ") {
        let rest = &line[at + b"panicked at ".len()..];
        const OURS: [&[u8]; 7] = [
            b"cli/",
            b"kernel-shim/",
            b"vfs/",
            b"netproxy/",
            b"browser/",
            b"conformance/",
            b"userland/",
        ];
        return OURS.iter().any(|dir| find(rest, dir).is_some());
    }
    false
}

/// What `grep -n -B3 -A15` prints for the lines `hit` selects.
fn context(lines: &[&[u8]], hit: impl Fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    let hits: Vec<bool> = lines.iter().map(|l| hit(l)).collect();
    let mut shown = vec![false; lines.len()];
    for (i, _) in hits.iter().enumerate().filter(|(_, h)| **h) {
        let end = (i + AFTER).min(lines.len() - 1);
        shown[i.saturating_sub(BEFORE)..=end].fill(true);
    }
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().filter(|(i, _)| shown[*i]) {
        if last.is_some_and(|l| l + 1 != i) {
            out.push(b"--".to_vec());
        }
        let mut numbered = format!("{}{}", i + 1, if hits[i] { ':' } else { '-' }).into_bytes();
        numbered.extend_from_slice(line);
        out.push(numbered);
        last = Some(i);
    }
    out
}

/// `s` without its leading digits (at least one) and then `then`.
fn digits_then<'a>(s: &'a [u8], then: &[u8]) -> Option<&'a [u8]> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    s[n..].strip_prefix(then)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn headings_and_results() {
        for line in [
            "== lint",
            "FAILED STEP: cargo test",
            "REGRESSION kill01/sighup: was PASS",
            "FLAKY clock_gettime01/time",
            "1234 passed, 0 failed, 7 skipped",
            "linux: 645 cases, 645 pass",
            "fast: 640 cases",
            "fast-browser: 612 cases",
            "busybox testsuite: 724 passed",
            "posix: wrote conformance/results/posix.md",
            "wasmux passes: 724",
        ] {
            assert!(is_heading(line.as_bytes()), "{line}");
        }
        for line in [
            "==lint",
            " == lint",
            "passed, 0 failed",
            "12 passed; 0 failed",
            "linux: cases",
            "fast-wasm: 3 cases",
            "linux: 12 tests",
            "test result: ok. 3 passed; 0 failed",
        ] {
            assert!(!is_heading(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn failure_lines() {
        for line in [
            "FAILED STEP: lint",
            "FAILED STEPS",
            "REGRESSION x",
            "test process::tests::kill ... FAILED",
            "test  FAILED",
            "failures:",
            "not ok 3 - terminal echoes",
            "error: could not compile `wasmux-kernel-shim`",
            "error[E0425]: cannot find value `x` in this scope",
            "thread 'main' panicked at kernel-shim/src/process.rs:12:5:",
            "thread 'w' panicked at /work/main/cli/src/main.rs:1:1:",
        ] {
            assert!(reports_failure(line.as_bytes()), "{line}");
        }
        for line in [
            "failures: 3",
            " failures:",
            "test FAILED",
            "test a ... ok",
            "errors: 0",
            "error[E]: x",
            "error[Eab]: x",
            "error:x",
            "warning: unused",
            "thread 'main' panicked at /root/.cargo/registry/src/x/tokio/src/lib.rs:1:1:",
            "ok 1 - not ok",
        ] {
            assert!(!reports_failure(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn context_as_grep_shows_it() {
        let log: Vec<String> = (1..=40).map(|i| format!("line {i}")).collect();
        let lines: Vec<&[u8]> = log.iter().map(|l| l.as_bytes()).collect();
        let hit = |l: &[u8]| l == b"line 5" || l == b"line 8" || l == b"line 30";
        let shown: Vec<String> = context(&lines, hit).into_iter().map(text).collect();
        let mut want: Vec<String> = vec![];
        // 5 and 8: 2..=23, one group; 30: 27..=40.
        for i in 2..=23 {
            let mark = if i == 5 || i == 8 { ':' } else { '-' };
            want.push(format!("{i}{mark}line {i}"));
        }
        want.push("--".into());
        for i in 27..=40 {
            let mark = if i == 30 { ':' } else { '-' };
            want.push(format!("{i}{mark}line {i}"));
        }
        assert_eq!(shown, want);
        // Groups that touch are one group: no separator.
        let hit = |l: &[u8]| l == b"line 1" || l == b"line 20";
        let shown: Vec<String> = context(&lines, hit).into_iter().map(text).collect();
        assert_eq!(shown.len(), 35);
        assert!(!shown.contains(&"--".to_string()));
    }

    #[test]
    fn account_of_a_passing_run() {
        let log = "setup: ok\n== format\nCompiling x\n== cargo test\ntest result: ok. 2 passed; 0 failed; 0 ignored\n\n2 passed, 0 failed, 0 skipped\n\n== every step passed\n";
        assert_eq!(
            text(account(log.as_bytes(), 0)),
            "== format\n== cargo test\n2 passed, 0 failed, 0 skipped\n== every step passed\n"
        );
    }

    #[test]
    fn account_of_a_failed_run() {
        let mut log = String::from("== lint\nerror: unused variable\n");
        for i in 0..100 {
            log.push_str(&format!("noise {i}\n"));
        }
        log.push_str(
            "FAILED STEP: lint\n\n0 passed, 0 failed, 0 skipped\n\n== 1 failed steps: lint",
        );
        let got = text(account(log.as_bytes(), 1));
        let (head, rest) = got.split_once("\n== what the failures printed\n").unwrap();
        assert_eq!(
            head,
            "== lint\nFAILED STEP: lint\n0 passed, 0 failed, 0 skipped\n== 1 failed steps: lint\n"
        );
        let (failures, tail) = rest.split_once("\n== the last 80 lines\n").unwrap();
        let failures: Vec<&str> = failures.lines().collect();
        assert_eq!(failures[0], "1-== lint");
        assert_eq!(failures[1], "2:error: unused variable");
        assert_eq!(failures[16], "17-noise 14");
        assert_eq!(failures[17], "--");
        assert_eq!(failures[18], "100-noise 97");
        assert_eq!(failures[20], "102-noise 99");
        assert_eq!(failures[21], "103:FAILED STEP: lint");
        assert_eq!(failures.last(), Some(&"107-== 1 failed steps: lint"));
        assert!(tail.ends_with("== 1 failed steps: lint"));
        let tail: Vec<&str> = tail.lines().collect();
        assert_eq!(tail.len(), 80);
        assert_eq!(tail[0], "noise 25");
        assert_eq!(tail[79], "== 1 failed steps: lint");
    }

    #[test]
    fn at_most_400_lines_of_failures() {
        let log = "test x ... FAILED\n".repeat(1000);
        let got = text(account(log.as_bytes(), 101));
        let failures = got
            .split_once("== what the failures printed\n")
            .unwrap()
            .1
            .split_once("\n== the last 80 lines")
            .unwrap()
            .0;
        assert_eq!(failures.lines().count(), 400);
        assert_eq!(failures.lines().last(), Some("400:test x ... FAILED"));
    }
}
