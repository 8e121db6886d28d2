//! `tracing` into the browser's console: every worker's events, one console
//! line each (`LEVEL target: message key=value…`), without a timestamp (the
//! console has its own).
//!
//! A subscriber of our own rather than `tracing-subscriber`'s: its span
//! registry gives every thread a slot that the thread's exit hands back, and
//! a worker's thread-local destructors never run on
//! `wasm32-unknown-unknown`. Slots ran out after 128 workers had ever
//! existed (its limit on 32-bit targets), and from then on every new span
//! panicked. This one keeps no state per thread: a span is an id, and
//! events are printed alone.

use std::fmt::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Prints events from `max` up to the console.
struct Console {
    max: Level,
    next_span: AtomicU64,
}

impl Subscriber for Console {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(self.max.into())
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut line = Line(format!("{:>5} {}:", metadata.level(), metadata.target()));
        event.record(&mut line);
        let text = line.0.into();
        match *metadata.level() {
            Level::ERROR => web_sys::console::error_1(&text),
            Level::WARN => web_sys::console::warn_1(&text),
            _ => web_sys::console::log_1(&text),
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// An event's fields as text: the message bare, the others as `key=value`.
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = if field.name() == "message" {
            write!(self.0, " {value:?}")
        } else {
            write!(self.0, " {}={value:?}", field.name())
        };
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// Sends `tracing` events from `max` up to the console. All workers share
/// the subscriber: it lives in the shared memory.
pub fn install(max: Level) {
    let console = Console {
        max,
        next_span: AtomicU64::new(1),
    };
    let _ = tracing::subscriber::set_global_default(console);
}
