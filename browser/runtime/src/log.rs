//! `tracing` into the browser's console: every worker's events, with the
//! thread's name, without a timestamp (the console has its own).

use std::io::{self, Write};

use tracing::Level;
use tracing_subscriber::fmt::MakeWriter;

/// One event's text, written to the console when complete.
pub struct ConsoleLine {
    level: Level,
    text: Vec<u8>,
}

impl Write for ConsoleLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ConsoleLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        let text = text.trim_end().into();
        match self.level {
            Level::ERROR => web_sys::console::error_1(&text),
            Level::WARN => web_sys::console::warn_1(&text),
            _ => web_sys::console::log_1(&text),
        }
    }
}

struct Console;

impl<'a> MakeWriter<'a> for Console {
    type Writer = ConsoleLine;

    fn make_writer(&'a self) -> ConsoleLine {
        ConsoleLine {
            level: Level::INFO,
            text: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> ConsoleLine {
        ConsoleLine {
            level: *meta.level(),
            text: Vec::new(),
        }
    }
}

/// Sends this module's `tracing` events (all workers share the subscriber:
/// it lives in the shared memory) to the console, from `level` up.
pub fn install(level: Level) {
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Console)
        .with_max_level(level)
        .without_time()
        .with_ansi(false)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
}
