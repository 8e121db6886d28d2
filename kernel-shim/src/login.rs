//! Logging in: who a session acts as, its home, and the environment its
//! programs start with — written once for the `wasmux` command and the
//! browser tab.

use wasmux_vfs::Cred;

use crate::image::{USER_GID, USER_HOME, USER_NAME, USER_UID};
use crate::kernel::{Program, Spawn, Stdio, DEFAULT_PATH};

/// The terminal type a session says it has unless told otherwise (what
/// xterm.js and most terminal emulators are).
pub const DEFAULT_TERM: &str = "xterm-256color";

/// A user of the image (`/etc/passwd`) a session logs in as.
#[derive(Debug, Clone)]
pub struct Login {
    pub cred: Cred,
    pub name: &'static str,
    pub home: &'static str,
}

impl Login {
    /// The unprivileged user programs run as by default.
    pub fn user() -> Login {
        Login {
            cred: Cred::user(USER_UID, USER_GID),
            name: USER_NAME,
            home: USER_HOME,
        }
    }

    /// The superuser.
    pub fn root() -> Login {
        Login {
            cred: Cred::root(),
            name: "root",
            home: "/root",
        }
    }

    /// The environment of the session's programs on a terminal of type
    /// `term`: `PATH`, `HOME`, `USER`, `LOGNAME`, `TERM`.
    pub fn env(&self, term: &str) -> Vec<(String, String)> {
        [
            ("PATH", DEFAULT_PATH),
            ("HOME", self.home),
            ("USER", self.name),
            ("LOGNAME", self.name),
            ("TERM", term),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// `program` run as the session runs it: from the home directory, with
    /// the session's environment and its terminal.
    pub fn spawn(&self, program: Program, args: Vec<String>, term: &str) -> Spawn {
        Spawn {
            program,
            args,
            env: self.env(term),
            cwd: self.home.to_string(),
            stdio: Stdio::default(),
        }
    }

    /// The login shell: `/bin/sh -l`.
    pub fn shell(&self, term: &str) -> Spawn {
        self.spawn(Program::Guest("/bin/sh".into()), vec!["-l".into()], term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_shell_starts_at_home_with_the_sessions_environment() {
        let shell = Login::user().shell("vt100");
        assert!(matches!(&shell.program, Program::Guest(p) if p == "/bin/sh"));
        assert_eq!(shell.args, ["-l"]);
        assert_eq!(shell.cwd, USER_HOME);
        let env = |key: &str| {
            shell
                .env
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(env("HOME"), Some(USER_HOME));
        assert_eq!(env("LOGNAME"), Some(USER_NAME));
        assert_eq!(env("TERM"), Some("vt100"));
        assert_eq!(env("PATH"), Some(DEFAULT_PATH));
        assert_eq!(Login::root().env("x")[1].1, "/root");
    }
}
