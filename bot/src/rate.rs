//! Rate limiting with token buckets: one per user for every command, one per user for expensive
//! work (renders of whole diagrams, reloads, uploads), and one for everyone together.
//!
//! A bucket holds up to `burst` tokens and gains one every `60 / per_minute` seconds; a command
//! takes one token from each bucket it is charged to, and only when every one of them has a
//! token, so a refused command costs nothing. The time is an argument, so the arithmetic is
//! tested without waiting.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One bucket's size and refill rate. A `burst` of 0 turns the bucket off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Commands that may follow each other at once.
    pub burst: u32,
    /// Tokens regained per minute once the burst is spent.
    pub per_minute: u32,
}

impl Rule {
    fn off(&self) -> bool {
        self.burst == 0
    }

    fn refill(&self) -> Duration {
        Duration::from_secs_f64(60.0 / f64::from(self.per_minute.max(1)))
    }

    /// "8 at once, then one every 3 s".
    pub fn describe(&self) -> String {
        if self.off() {
            return "unlimited".into();
        }
        let secs = self.refill().as_secs_f64();
        let every = if secs >= 1.0 {
            format!("one every {} s", trim(secs))
        } else {
            format!("{} per second", trim(1.0 / secs))
        };
        format!("{} at once, then {every}", self.burst)
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The three budgets. The defaults come from how a person uses the bot during an incident
/// (see the README): about one command every 3 s at the fastest while reading answers, in runs of
/// up to 8 when re-asking with another pattern or depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateConfig {
    /// Every command of one user.
    pub user: Rule,
    /// `/diagram`, `/inventory reload` and `/inventory upload` of one user, on top of `user`.
    pub expensive: Rule,
    /// Every command of everyone together.
    pub global: Rule,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            user: Rule {
                burst: 8,
                per_minute: 20,
            },
            expensive: Rule {
                burst: 3,
                per_minute: 6,
            },
            global: Rule {
                burst: 60,
                per_minute: 600,
            },
        }
    }
}

impl RateConfig {
    /// Every bucket off: for tests and benchmarks that send many commands as one user.
    pub fn unlimited() -> RateConfig {
        let off = Rule {
            burst: 0,
            per_minute: 0,
        };
        RateConfig {
            user: off,
            expensive: off,
            global: off,
        }
    }
}

/// Which budget refused a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    User,
    Expensive,
    Global,
}

impl Limit {
    /// The label in metrics and the audit log.
    pub fn label(self) -> &'static str {
        match self {
            Limit::User => "user",
            Limit::Expensive => "expensive",
            Limit::Global => "global",
        }
    }
}

/// A refusal: which budget, and how long until the command would be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub limit: Limit,
    pub wait: Duration,
}

impl Refusal {
    /// The wait in whole seconds, rounded up and at least 1, so "in 0 s" is never said.
    pub fn wait_secs(&self) -> u64 {
        let ms = self.wait.as_millis();
        u64::try_from(ms.div_ceil(1000)).unwrap_or(u64::MAX).max(1)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rule: &Rule, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(rule.burst),
            at: now,
        }
    }

    fn level(&self, rule: &Rule, now: Instant) -> f64 {
        let gained =
            now.saturating_duration_since(self.at).as_secs_f64() / rule.refill().as_secs_f64();
        (self.tokens + gained).min(f64::from(rule.burst))
    }

    /// How long until one token is there (zero when it is there now).
    fn wait(&self, rule: &Rule, now: Instant) -> Duration {
        let missing = 1.0 - self.level(rule, now);
        if missing <= 0.0 {
            Duration::ZERO
        } else {
            rule.refill().mul_f64(missing)
        }
    }

    fn take(&mut self, rule: &Rule, now: Instant) {
        self.tokens = self.level(rule, now) - 1.0;
        self.at = now;
    }
}

/// The buckets of every user and the global one.
#[derive(Debug)]
pub struct Limiter {
    cfg: RateConfig,
    global: Bucket,
    users: HashMap<u64, Bucket>,
    expensive: HashMap<u64, Bucket>,
}

/// Users whose buckets are kept before full ones are forgotten.
const KEPT_USERS: usize = 10_000;

impl Limiter {
    pub fn new(cfg: RateConfig, now: Instant) -> Limiter {
        Limiter {
            cfg,
            global: Bucket::full(&cfg.global, now),
            users: HashMap::new(),
            expensive: HashMap::new(),
        }
    }

    pub fn config(&self) -> RateConfig {
        self.cfg
    }

    /// Charges one command of `user` (expensive or not) at `now`; a refusal takes nothing.
    pub fn admit(&mut self, user: u64, expensive: bool, now: Instant) -> Result<(), Refusal> {
        let cfg = self.cfg;
        let user_bucket = *self
            .users
            .entry(user)
            .or_insert_with(|| Bucket::full(&cfg.user, now));
        let expensive_bucket = *self
            .expensive
            .entry(user)
            .or_insert_with(|| Bucket::full(&cfg.expensive, now));
        let mut checks = vec![(Limit::User, user_bucket, cfg.user)];
        if expensive {
            checks.push((Limit::Expensive, expensive_bucket, cfg.expensive));
        }
        checks.push((Limit::Global, self.global, cfg.global));
        let refused = checks
            .iter()
            .filter(|(_, _, rule)| !rule.off())
            .map(|(limit, bucket, rule)| Refusal {
                limit: *limit,
                wait: bucket.wait(rule, now),
            })
            .filter(|r| !r.wait.is_zero())
            .max_by_key(|r| r.wait);
        if let Some(r) = refused {
            return Err(r);
        }
        if !cfg.user.off() {
            if let Some(b) = self.users.get_mut(&user) {
                b.take(&cfg.user, now);
            }
        }
        if expensive && !cfg.expensive.off() {
            if let Some(b) = self.expensive.get_mut(&user) {
                b.take(&cfg.expensive, now);
            }
        }
        if !cfg.global.off() {
            self.global.take(&cfg.global, now);
        }
        self.forget_full(now);
        Ok(())
    }

    /// Keeps the maps small: a full bucket is the same as no bucket.
    fn forget_full(&mut self, now: Instant) {
        if self.users.len() + self.expensive.len() <= KEPT_USERS {
            return;
        }
        let cfg = self.cfg;
        self.users
            .retain(|_, b| b.level(&cfg.user, now) < f64::from(cfg.user.burst));
        self.expensive
            .retain(|_, b| b.level(&cfg.expensive, now) < f64::from(cfg.expensive.burst));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_burst_then_one_every_refill() {
        let t0 = Instant::now();
        let mut l = Limiter::new(RateConfig::default(), t0);
        for _ in 0..8 {
            assert_eq!(l.admit(1, false, t0), Ok(()));
        }
        let r = l.admit(1, false, t0).unwrap_err();
        assert_eq!(r.limit, Limit::User);
        assert_eq!(r.wait_secs(), 3);
        // 2.5 s later: half a second to go, said as 1 s, never "0 s".
        let r = l.admit(1, false, t0 + secs(2.5)).unwrap_err();
        assert_eq!(r.wait_secs(), 1);
        assert_eq!(l.admit(1, false, t0 + secs(3.0)), Ok(()));
        // Another user is not affected.
        assert_eq!(l.admit(2, false, t0 + secs(3.0)), Ok(()));
    }

    #[test]
    fn a_person_exploring_an_incident_is_never_refused() {
        // One command every 2 s for a minute, after a burst of five: the pace of someone
        // reading each answer before asking the next.
        let t0 = Instant::now();
        let mut l = Limiter::new(RateConfig::default(), t0);
        for i in 0..5 {
            assert_eq!(l.admit(1, false, t0 + secs(f64::from(i) * 0.5)), Ok(()));
        }
        let mut refused = 0;
        for i in 0..12 {
            let at = t0 + secs(4.0 + f64::from(i) * 3.0);
            refused += usize::from(l.admit(1, false, at).is_err());
        }
        assert_eq!(refused, 0);
    }

    #[test]
    fn expensive_work_has_its_own_budget_and_a_refusal_costs_nothing() {
        let t0 = Instant::now();
        let mut l = Limiter::new(RateConfig::default(), t0);
        for _ in 0..3 {
            assert_eq!(l.admit(1, true, t0), Ok(()));
        }
        let r = l.admit(1, true, t0).unwrap_err();
        assert_eq!((r.limit, r.wait_secs()), (Limit::Expensive, 10));
        // The refused render took no ordinary token: five cheap commands still go.
        for _ in 0..5 {
            assert_eq!(l.admit(1, false, t0), Ok(()));
        }
        assert_eq!(l.admit(1, false, t0).unwrap_err().limit, Limit::User);
    }

    #[test]
    fn the_global_bucket_holds_everyone_together() {
        let t0 = Instant::now();
        let cfg = RateConfig {
            global: Rule {
                burst: 3,
                per_minute: 60,
            },
            ..RateConfig::default()
        };
        let mut l = Limiter::new(cfg, t0);
        for user in 0..3 {
            assert_eq!(l.admit(user, false, t0), Ok(()));
        }
        let r = l.admit(99, false, t0).unwrap_err();
        assert_eq!((r.limit, r.wait_secs()), (Limit::Global, 1));
    }

    #[test]
    fn a_zero_burst_turns_a_bucket_off() {
        let t0 = Instant::now();
        let mut l = Limiter::new(RateConfig::unlimited(), t0);
        for _ in 0..1000 {
            assert_eq!(l.admit(1, true, t0), Ok(()));
        }
        assert_eq!(RateConfig::unlimited().user.describe(), "unlimited");
        assert_eq!(
            RateConfig::default().user.describe(),
            "8 at once, then one every 3 s"
        );
        assert_eq!(
            RateConfig::default().global.describe(),
            "60 at once, then 10 per second"
        );
    }
}
