//! The closing line of a test run, `N passed, M failed, K skipped`: the sum
//! of every cargo test binary's `test result:` line and of node's TAP
//! summary (`# pass N`, `# fail N`, `# skipped N`) in a run's output.

/// Test counts summed over a log.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
pub struct Totals {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Totals {
    /// Adds what one line of output reports, if anything. The fields are
    /// awk's: whitespace-separated, a count its leading digits (0 if none).
    pub fn add_line(&mut self, line: &str) {
        let field = |n: usize| count(line.split_whitespace().nth(n - 1).unwrap_or(""));
        if line.starts_with("test result:") {
            // test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; ...
            self.passed += field(4);
            self.failed += field(6);
            self.skipped += field(8);
        } else if line.starts_with("# pass ") {
            self.passed += field(3);
        } else if line.starts_with("# fail ") {
            self.failed += field(3);
        } else if line.starts_with("# skipped ") {
            self.skipped += field(3);
        }
    }

    /// The sum over every line of `text`.
    pub fn of(text: &str) -> Self {
        let mut totals = Self::default();
        text.lines().for_each(|l| totals.add_line(l));
        totals
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// A field's count as awk reads a number: its leading digits.
fn count(field: &str) -> u64 {
    let digits = field.bytes().take_while(u8::is_ascii_digit).count();
    field[..digits].parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_cargo_and_tap_lines() {
        let log = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

test result: FAILED. 10 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 9.80s
# tests 7
# pass 5
# fail 1
# skipped 1
# todo 0
";
        assert_eq!(
            Totals::of(log),
            Totals {
                passed: 18,
                failed: 3,
                skipped: 2
            }
        );
        assert_eq!(
            Totals::of(log).to_string(),
            "18 passed, 3 failed, 2 skipped"
        );
    }

    #[test]
    fn ignores_lines_that_only_look_alike() {
        let log = concat!(
            "  test result: ok. 3 passed; 0 failed; 0 ignored\n",
            "## pass 4\n",
            "# passes 4\n",
            "# pass\n",
            "ok 1 - test result: ok. 9 passed\n",
            "linux: 645 cases, 645 pass\n",
        );
        assert_eq!(Totals::of(log), Totals::default());
    }

    #[test]
    fn reads_counts_as_awk_does() {
        assert_eq!(count("12"), 12);
        assert_eq!(count("12;"), 12);
        assert_eq!(count("FAILED."), 0);
        assert_eq!(count(""), 0);
        let mut t = Totals::default();
        t.add_line("test result: ok.\t4 passed;  1 failed; 2 ignored;");
        assert_eq!(
            t,
            Totals {
                passed: 4,
                failed: 1,
                skipped: 2
            }
        );
    }
}
