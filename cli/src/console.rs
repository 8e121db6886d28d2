//! The host's terminal as the session's terminal.
//!
//! While a session runs, the host terminal is in raw mode: every key goes to
//! the kernel's line discipline ([`Terminal`]), which echoes, edits lines and
//! turns `^C` into SIGINT for the guest — not for `wasmux` itself. Output
//! goes to the host's standard output; window size changes (SIGWINCH) reach
//! the guest through `tty_get`. The host terminal's modes come back when the
//! [`Console`] is dropped, also on error paths.

use std::io::{Read, Write};
use std::sync::Arc;

use anyhow::Context;
use rustix::termios::{self, OptionalActions, Termios};
use wasmux_kernel_shim::terminal::Terminal;

/// The host terminal, attached to a session's [`Terminal`].
pub struct Console {
    saved: Termios,
    terminal: Arc<Terminal>,
}

impl Console {
    /// Attaches to the host's terminal; `None` when standard input or
    /// output is not a terminal (a pipe, a file), where programs keep the
    /// host's streams as they are.
    pub fn attach() -> anyhow::Result<Option<Console>> {
        let stdin = rustix::stdio::stdin();
        let stdout = rustix::stdio::stdout();
        if !termios::isatty(stdin) || !termios::isatty(stdout) {
            return Ok(None);
        }
        let saved = termios::tcgetattr(stdin).context("reading the terminal's modes")?;
        let mut raw = saved.clone();
        raw.make_raw();
        termios::tcsetattr(stdin, OptionalActions::Now, &raw)
            .context("putting the terminal in raw mode")?;
        let terminal = Terminal::new(Box::new(|bytes| {
            let mut out = std::io::stdout().lock();
            // A closed host terminal leaves nobody to tell.
            let _ = out.write_all(bytes).and_then(|()| out.flush());
        }));
        let console = Console { saved, terminal };
        console.follow_window_size()?;
        console.forward_keys();
        Ok(Some(console))
    }

    pub fn terminal(&self) -> &Arc<Terminal> {
        &self.terminal
    }

    /// Keys typed on the host go to the line discipline, from a thread that
    /// lives as long as the command (it blocks in `read` at exit).
    fn forward_keys(&self) {
        let terminal = self.terminal.clone();
        std::thread::spawn(move || {
            let mut keys = [0u8; 1024];
            let mut stdin = std::io::stdin().lock();
            loop {
                match stdin.read(&mut keys) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => terminal.input(&keys[..n]),
                }
            }
        });
    }

    fn follow_window_size(&self) -> anyhow::Result<()> {
        let resize = |terminal: &Terminal| {
            if let Ok(size) = termios::tcgetwinsize(rustix::stdio::stdout()) {
                terminal.resize(u32::from(size.ws_col), u32::from(size.ws_row));
            }
        };
        resize(&self.terminal);
        let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGWINCH])
            .context("watching the window size")?;
        let terminal = self.terminal.clone();
        std::thread::spawn(move || {
            for _ in signals.forever() {
                resize(&terminal);
            }
        });
        Ok(())
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, &self.saved);
    }
}
