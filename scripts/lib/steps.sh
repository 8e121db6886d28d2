# The step runner of scripts/test.sh, sourced (after scripts/env.sh) from
# the repository's root. The work is the xtask's (xtask/src/steps.rs):
#
#   step NAME CMD [ARG...]          runs a step: `== NAME` as it starts,
#                                   `FAILED STEP: NAME` if CMD fails
#   step_output NAME CMD [ARG...]   the same, printing only the last line
#                                   CMD printed (a path later steps use):
#                                   dir=$(step_output NAME CMD ...)
#   steps_end                       the sum of the tests' results and the
#                                   failed steps; fails if a step failed
#
# Every step runs whatever the ones before it did; a step whose input a
# failed step should have made fails too, under its own name.
#
# The xtask is built once, after the patch step (so Cargo.lock stays as
# committed), and its binary copied next to the run's record: other
# checkouts that share the target directory may rebuild it during the run.
steps_record=$(mktemp -d)
trap 'rm -rf "$steps_record"' EXIT
bash scripts/patch-crates.sh
cargo build -q -p xtask
cp "$CARGO_TARGET_DIR/debug/xtask" "$steps_record/xtask"

step() { "$steps_record/xtask" step --record "$steps_record" "$@"; }
step_output() { "$steps_record/xtask" step --record "$steps_record" --output "$@"; }
steps_end() { "$steps_record/xtask" end --record "$steps_record"; }
