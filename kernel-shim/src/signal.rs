//! Linux's signals: their numbers, what happens to a process nobody
//! catches them in, and sets of them — the one signal vocabulary of the
//! kernel (no number is written anywhere else).
//!
//! Sets travel to and from programs as 64-bit masks with bit `n - 1` for
//! signal `n`, as Linux's `sigset_t` (and the compatibility layer's) has it.

use wasmux_vfs::Errno;

/// One of Linux's 31 standard signals (real-time signals do not exist here).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(u8);

/// Declares the signals' constants and names from one list.
macro_rules! signals {
    ($($constant:ident = $number:literal, $name:literal;)*) => {
        impl Signal {
            $(
                #[doc = concat!("`", $name, "`")]
                pub const $constant: Signal = Signal($number);
            )*

            /// The symbolic name (`"SIGINT"`).
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($number => $name,)*
                    _ => unreachable!("a Signal is 1..=31"),
                }
            }
        }
    };
}

signals! {
    HUP = 1, "SIGHUP";
    INT = 2, "SIGINT";
    QUIT = 3, "SIGQUIT";
    ILL = 4, "SIGILL";
    TRAP = 5, "SIGTRAP";
    ABRT = 6, "SIGABRT";
    BUS = 7, "SIGBUS";
    FPE = 8, "SIGFPE";
    KILL = 9, "SIGKILL";
    USR1 = 10, "SIGUSR1";
    SEGV = 11, "SIGSEGV";
    USR2 = 12, "SIGUSR2";
    PIPE = 13, "SIGPIPE";
    ALRM = 14, "SIGALRM";
    TERM = 15, "SIGTERM";
    STKFLT = 16, "SIGSTKFLT";
    CHLD = 17, "SIGCHLD";
    CONT = 18, "SIGCONT";
    STOP = 19, "SIGSTOP";
    TSTP = 20, "SIGTSTP";
    TTIN = 21, "SIGTTIN";
    TTOU = 22, "SIGTTOU";
    URG = 23, "SIGURG";
    XCPU = 24, "SIGXCPU";
    XFSZ = 25, "SIGXFSZ";
    VTALRM = 26, "SIGVTALRM";
    PROF = 27, "SIGPROF";
    WINCH = 28, "SIGWINCH";
    IO = 29, "SIGIO";
    PWR = 30, "SIGPWR";
    SYS = 31, "SIGSYS";
}

/// What Linux does with a signal nobody catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    Ignore,
    /// Stop the process until SIGCONT. A program that catches signals
    /// stops itself (`wasmux.stop`); wasmer-wasix cannot suspend any other,
    /// so for those the kernel ignores it.
    Stop,
}

impl Signal {
    /// The largest signal number.
    pub const MAX: u8 = 31;

    /// The signal numbered `number`, if there is one (1 to 31).
    pub fn new(number: u8) -> Option<Signal> {
        (1..=Self::MAX).contains(&number).then_some(Signal(number))
    }

    /// Signal `number` from a program: EINVAL if there is none.
    pub fn from_guest(number: i32) -> Result<Signal, Errno> {
        u8::try_from(number)
            .ok()
            .and_then(Signal::new)
            .ok_or(Errno::Inval)
    }

    /// Its number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// Linux's default action for it.
    pub fn default_action(self) -> DefaultAction {
        if SignalSet::STOPS.contains(self) {
            DefaultAction::Stop
        } else if SignalSet::IGNORED_BY_DEFAULT.contains(self) {
            DefaultAction::Ignore
        } else {
            DefaultAction::Terminate
        }
    }

    /// The exit status a shell reports for a process it killed (128 + n).
    pub fn shell_status(self) -> i32 {
        128 + i32::from(self.0)
    }
}

impl std::fmt::Debug for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of signals.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SignalSet(u64);

impl SignalSet {
    pub const EMPTY: SignalSet = SignalSet(0);

    /// SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU: their default action stops.
    pub const STOPS: SignalSet =
        SignalSet::of(&[Signal::STOP, Signal::TSTP, Signal::TTIN, Signal::TTOU]);

    /// The signals whose default action is to do nothing.
    pub const IGNORED_BY_DEFAULT: SignalSet =
        SignalSet::of(&[Signal::CHLD, Signal::CONT, Signal::URG, Signal::WINCH]);

    /// The set of `signals`.
    pub const fn of(signals: &[Signal]) -> SignalSet {
        let mut bits = 0;
        let mut i = 0;
        while i < signals.len() {
            bits |= 1 << (signals[i].0 - 1);
            i += 1;
        }
        SignalSet(bits)
    }

    /// The set a program's mask names (bit `n - 1` for signal `n`); bits
    /// past the last signal are dropped.
    pub fn from_mask(mask: u64) -> SignalSet {
        SignalSet(mask & ((1 << Signal::MAX) - 1))
    }

    /// The set as a program's mask.
    pub fn mask(self) -> u64 {
        self.0
    }

    pub fn contains(self, signal: Signal) -> bool {
        self.0 & SignalSet::of(&[signal]).0 != 0
    }

    pub fn insert(&mut self, signal: Signal) {
        self.0 |= SignalSet::of(&[signal]).0;
    }

    pub fn remove(&mut self, signal: Signal) {
        self.0 &= !SignalSet::of(&[signal]).0;
    }

    /// Removes every signal of `other`.
    pub fn remove_all(&mut self, other: SignalSet) {
        self.0 &= !other.0;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the sets share a signal.
    pub fn intersects(self, other: SignalSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The signals, lowest number first.
    pub fn iter(self) -> impl Iterator<Item = Signal> {
        (1..=Signal::MAX)
            .map(Signal)
            .filter(move |&s| self.contains(s))
    }
}

impl std::fmt::Debug for SignalSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_default_actions_are_linuxs() {
        assert_eq!(Signal::INT.number(), 2);
        assert_eq!(Signal::KILL.number(), 9);
        assert_eq!(Signal::CHLD.number(), 17);
        assert_eq!(Signal::SYS.name(), "SIGSYS");
        assert_eq!(Signal::new(0), None);
        assert_eq!(Signal::new(32), None);
        assert_eq!(Signal::from_guest(-1), Err(Errno::Inval));
        assert_eq!(Signal::from_guest(15), Ok(Signal::TERM));
        let actions: Vec<_> = (1..=Signal::MAX)
            .map(|n| Signal::new(n).unwrap().default_action())
            .collect();
        for (n, action) in (1..).zip(actions) {
            let expected = match n {
                17 | 18 | 23 | 28 => DefaultAction::Ignore,
                19..=22 => DefaultAction::Stop,
                _ => DefaultAction::Terminate,
            };
            assert_eq!(action, expected, "signal {n}");
        }
        assert_eq!(Signal::ABRT.shell_status(), 134);
    }

    #[test]
    fn sets_are_masks_with_bit_n_minus_1_for_signal_n() {
        let mut set = SignalSet::of(&[Signal::HUP, Signal::SYS]);
        assert_eq!(set.mask(), 1 | 1 << 30);
        assert!(set.contains(Signal::HUP) && !set.contains(Signal::INT));
        set.insert(Signal::INT);
        set.remove(Signal::HUP);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Signal::INT, Signal::SYS]);
        set.remove_all(SignalSet::from_mask(u64::MAX));
        assert!(set.is_empty());
        assert_eq!(SignalSet::from_mask(u64::MAX).iter().count(), 31);
        assert!(SignalSet::STOPS.intersects(SignalSet::of(&[Signal::TSTP])));
    }
}
