//! Progressive lockout after consecutive failed logins, and how logins are throttled.
//!
//! The schedule ([`Lockout::after`]), counted in consecutive failures of one login name:
//!
//! | failures | locked for |
//! |---------:|-----------:|
//! | 0–4      | —          |
//! | 5        | 1 min      |
//! | 6        | 2 min      |
//! | 7        | 4 min      |
//! | 8        | 8 min      |
//! | 9        | 16 min     |
//! | 10       | 32 min     |
//! | 11 and more | 1 h     |
//!
//! counted from the last failure. An attacker on one name thus gets 11 guesses in the first
//! hour, then one an hour: about 35 the first day and 24 a day after, against passwords of
//! 12 characters or more, while a user who mistypes five times waits a minute.

use jiff::{SignedDuration, Timestamp};

/// The progressive lockout schedule.
pub struct Lockout;

impl Lockout {
    /// Consecutive failures allowed before the first lock.
    pub const FREE_FAILURES: u32 = 4;
    /// Length of the first lock, at the fifth failure.
    pub const FIRST: SignedDuration = SignedDuration::from_mins(1);
    /// Longest lock.
    pub const MAX: SignedDuration = SignedDuration::from_mins(60);

    /// How long `failures` consecutive failures lock the account, counted from the last one.
    pub fn duration(failures: u32) -> Option<SignedDuration> {
        let doublings = failures.checked_sub(Self::FREE_FAILURES + 1)?;
        // 2^6 minutes already exceeds the hour: stop doubling there.
        let minutes = 1i64 << doublings.min(6);
        Some(SignedDuration::from_mins(minutes).min(Self::MAX))
    }

    /// Until when the account is locked at `now`, or `None` if a login may be tried.
    ///
    /// `failures` counts the consecutive failures (reset to 0 by a success), `last_failure`
    /// is the time of the latest one.
    pub fn after(failures: u32, last_failure: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let until = last_failure
            .saturating_add(Self::duration(failures)?)
            .ok()?;
        (until > now).then_some(until)
    }
}

/// How the web layer throttles logins; the numbers it uses for the per-IP limit.
///
/// Two limits apply, and a login attempt (password, TOTP code or recovery code) goes on
/// only if both allow it:
///
/// 1. **Per login name**, [`Lockout`]: the failure counter and the time of the last failure
///    are stored with the normalised login name (the lowercase e-mail address), in the
///    database so that every node sees them. They are kept for names that have no account
///    too (as a SHA-256 of the name), so a locked name looks the same whether it exists or
///    not. While locked, an attempt is refused without checking the password or the code and
///    is not counted (counting it would extend the lock forever). Only a complete login
///    (password and, where required, second factor) resets the counter: a right password
///    alone does not, or whoever knows it could guess codes without end. A wrong TOTP or
///    recovery code counts as a failure of the same name, and the failure that locks the
///    account also ends the half-open session. Counters idle for a day are forgotten.
/// 2. **Per client IP**, in memory, on the login routes: a burst of
///    [`per_ip_burst`](LoginThrottle::per_ip_burst) attempts, then one per
///    [`per_ip_period`](LoginThrottle::per_ip_period). This slows one client trying many
///    names (password spraying), which the per-name counter does not see. Hospitals reach
///    Vigie through a few NAT addresses shared by all their staff, so this limit is loose;
///    the client IP is read from `X-Forwarded-For` only when the peer is a trusted proxy
///    (`vigie serve --trusted-proxy`). The web layer also gives each login name, with or
///    without an account, a budget of attempts from all addresses together (10 per 10
///    minutes), which bounds many addresses working on one name.
///
/// For an unknown name the login calls [`dummy_verify`](crate::password::dummy_verify) and
/// answers exactly as for a wrong password: « Identifiant ou mot de passe incorrect ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Attempts one IP may make at once.
    pub per_ip_burst: u32,
    /// Time after which one more attempt is allowed.
    pub per_ip_period: SignedDuration,
}

impl LoginThrottle {
    /// Vigie's setting: bursts of 30, then one attempt every 2 s (30 a minute) per IP.
    pub const DEFAULT: LoginThrottle = LoginThrottle {
        per_ip_burst: 30,
        per_ip_period: SignedDuration::from_secs(2),
    };
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        LoginThrottle::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn schedule() {
        let cases: &[(u32, Option<i64>)] = &[
            (0, None),
            (1, None),
            (4, None),
            (5, Some(1)),
            (6, Some(2)),
            (7, Some(4)),
            (9, Some(16)),
            (10, Some(32)),
            (11, Some(60)),
            (20, Some(60)),
            (u32::MAX, Some(60)),
        ];
        for &(failures, minutes) in cases {
            assert_eq!(
                Lockout::duration(failures),
                minutes.map(SignedDuration::from_mins),
                "{failures} failures"
            );
        }
    }

    #[test]
    fn locked_until_and_expiry() {
        let last = at(1_700_000_000);
        let min = 60;
        // (failures, seconds after the last failure, locked until, in seconds after it)
        let cases: &[(u32, i64, Option<i64>)] = &[
            (4, 0, None),
            (5, 0, Some(min)),
            (5, 59, Some(min)),
            (5, 60, None),
            (6, 90, Some(2 * min)),
            (6, 120, None),
            (10, 31 * min, Some(32 * min)),
            (10, 32 * min, None),
            (20, 0, Some(60 * min)),
            (20, 59 * min + 59, Some(60 * min)),
            (20, 60 * min, None),
        ];
        for &(failures, elapsed, until) in cases {
            let now = last
                .saturating_add(SignedDuration::from_secs(elapsed))
                .unwrap();
            let expected = until.map(|s| at(1_700_000_000 + s));
            assert_eq!(
                Lockout::after(failures, last, now),
                expected,
                "{failures} failures, {elapsed} s later"
            );
        }
    }

    #[test]
    fn near_the_end_of_time() {
        assert_eq!(
            Lockout::after(20, Timestamp::MAX, Timestamp::MIN),
            Some(Timestamp::MAX)
        );
    }
}
