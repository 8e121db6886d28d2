//! The terminal of an interactive session: a Linux line discipline between
//! the keyboard and the programs reading standard input.
//!
//! Keys come in through [`Terminal::input`] (from the host's raw terminal
//! natively, from xterm.js in the browser). In canonical mode (the default)
//! the discipline edits a line — echo, backspace, `^U`, `^W` — and hands it
//! to readers on Enter; `^D` hands over a partial line, or end-of-file on an
//! empty one (a zero-length read, as on Linux); `^C`, `^\` and `^Z` send
//! SIGINT, SIGQUIT and SIGTSTP to the foreground processes. In raw mode
//! (a program turned canonical mode off with WASIX `tty_set`) bytes pass
//! through as they come. Programs learn the window size and modes through
//! WASIX `tty_get`, which wasmer-wasix asks of this type as its
//! [`TtyBridge`].
//!
//! The foreground is the process group a shell made it (`tcsetpgrp`);
//! before one does, every live process of the session, as when job control
//! is off on Linux.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use virtual_fs::VirtualFile;
use wasmer_wasix::os::TtyBridge;
use wasmer_wasix::WasiTtyState;

use crate::process::{self, Pid, ProcessTable};
use crate::signal::Signal;
use crate::synthetic::device_times;

/// Where the terminal's output goes: echoed keys and what programs write.
pub type Screen = Box<dyn Fn(&[u8]) + Send + Sync>;

/// Delivers a signal to the foreground processes.
pub type Signaller = Box<dyn Fn(Signal) + Send + Sync>;

/// The terminal's modes, as `tty_get` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    pub echo: bool,
    pub canonical: bool,
    pub cols: u32,
    pub rows: u32,
}

impl Default for Modes {
    fn default() -> Self {
        Modes {
            echo: true,
            canonical: true,
            cols: 80,
            rows: 24,
        }
    }
}

struct State {
    modes: Modes,
    line: Vec<u8>,
}

/// One session's terminal.
pub struct Terminal {
    state: Mutex<State>,
    /// What the readers of standard input will get; pushed to with `state`
    /// locked, so lines arrive in the order they were finished.
    to_readers: InputQueue,
    screen: Screen,
    signaller: Mutex<Option<Signaller>>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal")
            .field("modes", &self.state().modes)
            .finish()
    }
}

impl Terminal {
    /// A terminal showing its output on `screen`.
    pub fn new(screen: Screen) -> Arc<Terminal> {
        Arc::new(Terminal {
            state: Mutex::new(State {
                modes: Modes::default(),
                line: Vec::new(),
            }),
            to_readers: InputQueue::default(),
            screen,
            signaller: Mutex::new(None),
        })
    }

    /// A new descriptor of the terminal, for reading what is typed and
    /// writing to the screen: what standard input, output and error of the
    /// session's programs are, and what opening `/dev/tty` gives.
    pub fn open(self: &Arc<Self>) -> TerminalFile {
        TerminalFile {
            terminal: self.clone(),
            waiting: None,
        }
    }

    /// Output from programs: shown with each `\n` as `\r\n`, as Linux's
    /// `ONLCR` output processing does.
    pub fn write(&self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            if at > 0 {
                (self.screen)(&rest[..at]);
            }
            (self.screen)(b"\r\n");
            rest = &rest[at + 1..];
        }
        if !rest.is_empty() {
            (self.screen)(rest);
        }
    }

    /// Sets who receives the signals typed on the keyboard.
    pub fn set_signaller(&self, signaller: Signaller) {
        *self.signaller.lock().unwrap_or_else(|p| p.into_inner()) = Some(signaller);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn modes(&self) -> Modes {
        self.state().modes
    }

    /// The window changed size.
    pub fn resize(&self, cols: u32, rows: u32) {
        let mut state = self.state();
        state.modes.cols = cols;
        state.modes.rows = rows;
    }

    fn signal(&self, signal: Signal) {
        if let Some(deliver) = &*self.signaller.lock().unwrap_or_else(|p| p.into_inner()) {
            deliver(signal);
        }
    }

    /// Bytes typed on the keyboard.
    pub fn input(&self, bytes: &[u8]) {
        let mut state = self.state();
        let modes = state.modes;
        if !modes.canonical {
            if modes.echo {
                (self.screen)(bytes);
            }
            self.to_readers.push(bytes.to_vec());
            return;
        }
        let mut echo = Vec::new();
        let mut signals = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    let mut line = std::mem::take(&mut state.line);
                    line.push(b'\n');
                    echo.extend_from_slice(b"\r\n");
                    self.to_readers.push(line);
                }
                0x04 => {
                    // ^D: hand over what there is; on an empty line that is
                    // a zero-length read, which readers take as end of file.
                    let line = std::mem::take(&mut state.line);
                    self.to_readers.push(line);
                }
                0x7f | 0x08 => {
                    if pop_char(&mut state.line) {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x15 => {
                    // ^U: kill the line.
                    while pop_char(&mut state.line) {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x17 => {
                    // ^W: erase the word before the cursor.
                    while state.line.last() == Some(&b' ') {
                        state.line.pop();
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                    while state.line.last().is_some_and(|&c| c != b' ') {
                        pop_char(&mut state.line);
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 | 0x1c | 0x1a => {
                    let (name, signal) = match b {
                        0x03 => (b"^C", Signal::INT),
                        0x1c => (b"^\\", Signal::QUIT),
                        _ => (b"^Z", Signal::TSTP),
                    };
                    state.line.clear();
                    echo.extend_from_slice(name);
                    echo.extend_from_slice(b"\r\n");
                    signals.push(signal);
                }
                _ => {
                    state.line.push(b);
                    echo.push(b);
                }
            }
        }
        drop(state);
        if modes.echo && !echo.is_empty() {
            (self.screen)(&echo);
        }
        for signal in signals {
            self.signal(signal);
        }
    }
}

/// Removes the last character (all bytes of a UTF-8 sequence); false if
/// the line was empty.
fn pop_char(line: &mut Vec<u8>) -> bool {
    let Some(mut last) = line.pop() else {
        return false;
    };
    while last & 0xc0 == 0x80 {
        match line.pop() {
            Some(b) => last = b,
            None => break,
        }
    }
    true
}

impl TtyBridge for Terminal {
    fn reset(&self) {
        let mut state = self.state();
        let Modes { cols, rows, .. } = state.modes;
        state.modes = Modes {
            cols,
            rows,
            ..Modes::default()
        };
    }

    fn tty_get(&self) -> WasiTtyState {
        let modes = self.modes();
        WasiTtyState {
            cols: modes.cols,
            rows: modes.rows,
            width: modes.cols * 8,
            height: modes.rows * 16,
            stdin_tty: true,
            stdout_tty: true,
            stderr_tty: true,
            echo: modes.echo,
            line_buffered: modes.canonical,
            line_feeds: true,
        }
    }

    fn tty_set(&self, tty: WasiTtyState) {
        let mut state = self.state();
        state.modes.echo = tty.echo;
        state.modes.canonical = tty.line_buffered;
        if !tty.line_buffered && !state.line.is_empty() {
            // Leaving canonical mode hands the pending line over as is.
            let line = std::mem::take(&mut state.line);
            self.to_readers.push(line);
        }
    }
}

/// Input handed to readers, in the pieces it was handed over: an empty piece
/// is one end-of-file (a read returning 0), as `^D` on an empty line gives.
#[derive(Default)]
struct InputQueue {
    state: Mutex<(VecDeque<Vec<u8>>, Vec<Waker>)>,
}

impl InputQueue {
    fn lock(&self) -> MutexGuard<'_, (VecDeque<Vec<u8>>, Vec<Waker>)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, piece: Vec<u8>) {
        let wakers = {
            let mut state = self.lock();
            state.0.push_back(piece);
            std::mem::take(&mut state.1)
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// One open descriptor of the terminal (see [`Terminal::open`]).
pub struct TerminalFile {
    terminal: Arc<Terminal>,
    /// The read that is waiting for input: who waits, and how many signals
    /// that process had received when it began.
    waiting: Option<(Pid, u64)>,
}

/// Whether the read that is `waiting` should end with EINTR because a
/// signal came to the reading process: wasmer-wasix blocks a read until it
/// completes, and delivers signals only at the next syscall, so without this
/// a `^C` would wait for the next line typed.
fn interrupted(waiting: &mut Option<(Pid, u64)>, cx: &Context<'_>) -> bool {
    let Some(reader) = process::current() else {
        return false;
    };
    let received = reader.signals_received(cx.waker());
    // A killed process must not sit in a read: the kill may have come
    // between its last syscall and this read, when no read was waiting to
    // see the count change.
    if reader.is_killed() {
        *waiting = None;
        return true;
    }
    // Signals the program has yet to take end the read whenever they
    // came: the doorbell that announced them may have been rung (and taken
    // by an image that has since exec'd) before this read began. It is
    // rung again for the syscall that follows.
    if reader.has_signals_to_take() {
        *waiting = None;
        ProcessTable::ring(&reader);
        return true;
    }
    match *waiting {
        Some((pid, before)) if pid == reader.pid && received > before => {
            *waiting = None;
            true
        }
        Some((pid, _)) if pid == reader.pid => false,
        _ => {
            *waiting = Some((reader.pid, received));
            false
        }
    }
}

impl std::fmt::Debug for TerminalFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalFile").finish_non_exhaustive()
    }
}

impl AsyncRead for TerminalFile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut state = this.terminal.to_readers.lock();
        let Some(piece) = state.0.front_mut() else {
            state.1.push(cx.waker().clone());
            drop(state);
            if interrupted(&mut this.waiting, cx) {
                return Poll::Ready(Err(io::ErrorKind::Interrupted.into()));
            }
            return Poll::Pending;
        };
        let n = piece.len().min(buf.remaining());
        buf.put_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            state.0.pop_front();
        }
        this.waiting = None;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for TerminalFile {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.terminal.write(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Seeking is accepted and does nothing: wasmer-wasix seeks an opened file
/// to its offset before every read and write, so refusing (ESPIPE, as Linux
/// answers `lseek`) would fail them all.
impl AsyncSeek for TerminalFile {
    fn start_seek(self: Pin<&mut Self>, _: io::SeekFrom) -> io::Result<()> {
        Ok(())
    }
    fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(0))
    }
}

impl VirtualFile for TerminalFile {
    device_times!();
    fn set_len(&mut self, _: u64) -> virtual_fs::Result<()> {
        Err(virtual_fs::FsError::PermissionDenied)
    }
    fn unlink(&mut self) -> virtual_fs::Result<()> {
        Ok(())
    }
    fn poll_read_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut state = self.terminal.to_readers.lock();
        match state.0.front() {
            Some(piece) => Poll::Ready(Ok(piece.len())),
            None => {
                state.1.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
    fn poll_write_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Captured = Arc<Mutex<Vec<u8>>>;

    fn terminal() -> (
        Arc<Terminal>,
        TerminalFile,
        Captured,
        Arc<Mutex<Vec<Signal>>>,
    ) {
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        let t = Terminal::new(Box::new(move |b| sink.lock().unwrap().extend_from_slice(b)));
        let signals = Arc::new(Mutex::new(Vec::new()));
        let got = signals.clone();
        t.set_signaller(Box::new(move |s| got.lock().unwrap().push(s)));
        let reader = t.open();
        (t, reader, screen, signals)
    }

    fn read_some(reader: &mut TerminalFile) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let n = pollster::block_on(reader.read(&mut buf)).unwrap();
        buf[..n].to_vec()
    }

    #[test]
    fn canonical_mode_edits_a_line_and_hands_it_over_on_enter() {
        let (t, mut reader, screen, _) = terminal();
        t.input(b"ls -x\x7fl");
        t.input("é\x7f".as_bytes());
        t.input(b" foo bar\x17baz\r");
        assert_eq!(read_some(&mut reader), b"ls -l foo baz\n");
        let screen = screen.lock().unwrap().clone();
        assert!(screen.starts_with(b"ls -x\x08 \x08l"), "{screen:?}");
        assert!(screen.ends_with(b"baz\r\n"), "{screen:?}");
    }

    #[test]
    fn ctrl_d_gives_end_of_file_on_an_empty_line_and_the_line_otherwise() {
        let (t, mut reader, _, _) = terminal();
        t.input(b"partial\x04");
        assert_eq!(read_some(&mut reader), b"partial");
        t.input(b"\x04");
        assert_eq!(read_some(&mut reader), b"", "an empty read is end of file");
        t.input(b"after\r");
        assert_eq!(read_some(&mut reader), b"after\n");
    }

    #[test]
    fn control_keys_signal_and_discard_the_line() {
        let (t, mut reader, screen, signals) = terminal();
        t.input(b"half a line\x03");
        t.input(b"\x1c\x1a");
        assert_eq!(
            *signals.lock().unwrap(),
            [Signal::INT, Signal::QUIT, Signal::TSTP]
        );
        t.input(b"next\r");
        assert_eq!(read_some(&mut reader), b"next\n");
        assert!(screen.lock().unwrap().windows(4).any(|w| w == b"^C\r\n"));
    }

    #[test]
    fn raw_mode_passes_bytes_through_and_echo_can_be_turned_off() {
        let (t, mut reader, screen, signals) = terminal();
        let mut tty = t.tty_get();
        assert!(tty.line_buffered && tty.echo && tty.stdin_tty);
        tty.line_buffered = false;
        tty.echo = false;
        t.tty_set(tty);
        t.input(b"q\x03\x7f");
        assert_eq!(read_some(&mut reader), b"q\x03\x7f");
        assert!(screen.lock().unwrap().is_empty());
        assert!(signals.lock().unwrap().is_empty());
        t.reset();
        assert_eq!(t.modes(), Modes::default());
    }

    #[test]
    fn the_window_size_reaches_tty_get() {
        let (t, _, _, _) = terminal();
        t.resize(132, 43);
        let tty = t.tty_get();
        assert_eq!((tty.cols, tty.rows), (132, 43));
    }

    #[test]
    fn output_turns_line_feeds_into_carriage_return_line_feed() {
        let (t, mut file, screen, _) = terminal();
        pollster::block_on(file.write_all(b"one\ntwo\n\nthree")).unwrap();
        t.write(b"!");
        assert_eq!(&*screen.lock().unwrap(), b"one\r\ntwo\r\n\r\nthree!");
    }
}
