//! The digest schedule: a 5-field cron expression evaluated in the team's time zone.
//!
//! Grammar per field: `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and lists `a,b`.
//! Months take `JAN`…`DEC`, weekdays `SUN`…`SAT` (0 or 7 is Sunday). As in cron, when both
//! day-of-month and day-of-week are restricted, either one matching is enough.
//!
//! Kept by hand after looking for a crate (issue 13): `cron`, `croner` and `saffron` work on
//! chrono, a second date library beside jiff; `jiff-cron` (a fork of `cron` on jiff) reads 6- or
//! 7-field expressions with seconds and years, so the documented 5-field schedules would need
//! translating, and follows `cron`'s own field semantics rather than Vixie cron's. What is here is
//! a hundred lines with the cron rules tested below.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    days_star: bool,
    weekdays_star: bool,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    pub fn parse(s: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected 5 fields (minute hour day month weekday), found {}",
                fields.len()
            ));
        }
        let minutes = field(fields[0], 0, 59, &[], "minute")?;
        let hours = field(fields[1], 0, 23, &[], "hour")?;
        let days = field(fields[2], 1, 31, &[], "day of month")?;
        let months = field(fields[3], 1, 12, &MONTHS, "month")?;
        let mut weekdays = field(fields[4], 0, 7, &WEEKDAYS, "day of week")?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        Ok(Cron {
            minutes,
            hours: hours as u32,
            days: days as u32,
            months: months as u16,
            weekdays: (weekdays & 0x7f) as u8,
            days_star: fields[2] == "*",
            weekdays_star: fields[4] == "*",
        })
    }

    /// Whether the schedule fires in the minute of `t` (seconds ignored).
    pub fn matches(&self, t: DateTime) -> bool {
        let bit = |mask: u64, v: i64| mask & (1u64 << v) != 0;
        let day_ok = bit(self.days as u64, t.day() as i64);
        let wd_ok = bit(
            self.weekdays as u64,
            t.weekday().to_sunday_zero_offset() as i64,
        );
        let day_match = match (self.days_star, self.weekdays_star) {
            (true, true) => true,
            (false, true) => day_ok,
            (true, false) => wd_ok,
            (false, false) => day_ok || wd_ok,
        };
        bit(self.minutes, t.minute() as i64)
            && bit(self.hours as u64, t.hour() as i64)
            && bit(self.months as u64, t.month() as i64)
            && day_match
    }

    /// The first minute strictly after `after` at which the schedule fires, within a year.
    pub fn next_after(&self, after: Timestamp, zone: &Zone) -> Option<Timestamp> {
        let start = after.as_second() / 60 * 60 + 60;
        (0..=366 * 24 * 60).find_map(|m| {
            let ts = Timestamp::from_second(start + m * 60).ok()?;
            self.matches(zone.civil(ts)).then_some(ts)
        })
    }
}

fn field(s: &str, lo: i64, hi: i64, names: &[&str], what: &str) -> Result<u64, String> {
    let value = |v: &str| -> Result<i64, String> {
        let up = v.to_ascii_uppercase();
        if let Some(i) = names.iter().position(|n| *n == up) {
            return Ok(i as i64 + if names.len() == 12 { 1 } else { 0 });
        }
        let n: i64 = v
            .parse()
            .map_err(|_| format!("{what}: {v:?} is not a number"))?;
        if n < lo || n > hi {
            return Err(format!("{what}: {n} is outside {lo}-{hi}"));
        }
        Ok(n)
    };
    let mut mask = 0u64;
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => {
                let st: i64 = st.parse().map_err(|_| format!("{what}: bad step {st:?}"))?;
                if st <= 0 {
                    return Err(format!("{what}: step must be positive"));
                }
                (r, st)
            }
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            (v, if step > 1 { hi } else { v })
        };
        if a > b {
            return Err(format!("{what}: range {a}-{b} is backwards"));
        }
        let mut v = a;
        while v <= b {
            mask |= 1u64 << v;
            v += step;
        }
    }
    Ok(mask)
}

/// A time zone: an IANA name (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`).
#[derive(Debug, Clone)]
pub struct Zone(TimeZone);

impl Zone {
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("utc") || s == "Z" {
            return Some(Zone(TimeZone::UTC));
        }
        if let Some(rest) = s.strip_prefix(['+', '-']) {
            let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
            let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
            if h > 14 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) * if s.starts_with('-') { -1 } else { 1 };
            return Some(Zone(TimeZone::fixed(
                jiff::tz::Offset::from_seconds(secs).ok()?,
            )));
        }
        TimeZone::get(s).ok().map(Zone)
    }

    pub fn civil(&self, t: Timestamp) -> DateTime {
        self.0.to_datetime(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn weekday_mornings_in_shanghai() {
        let cron = Cron::parse("0 9 * * MON-FRI").unwrap();
        let zone = Zone::parse("Asia/Shanghai").unwrap();
        // 2026-11-27 is a Friday; 09:00 in Shanghai is 01:00 UTC.
        let next = cron.next_after(ts("2026-11-26T02:00:00Z"), &zone).unwrap();
        assert_eq!(next, ts("2026-11-27T01:00:00Z"));
        // After Friday's run, the next is Monday.
        let next = cron.next_after(next, &zone).unwrap();
        assert_eq!(next, ts("2026-11-30T01:00:00Z"));
    }

    #[test]
    fn steps_lists_and_names() {
        let cron = Cron::parse("*/15 8-10,17 1 JAN,jul *").unwrap();
        let utc = Zone::parse("UTC").unwrap();
        assert!(cron.matches(utc.civil(ts("2027-01-01T08:45:00Z"))));
        assert!(cron.matches(utc.civil(ts("2027-07-01T17:00:00Z"))));
        assert!(!cron.matches(utc.civil(ts("2027-07-01T17:05:00Z"))));
        assert!(!cron.matches(utc.civil(ts("2027-02-01T08:00:00Z"))));
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_are_restricted() {
        let cron = Cron::parse("0 0 13 * FRI").unwrap();
        let utc = Zone::parse("+00:00").unwrap();
        assert!(
            cron.matches(utc.civil(ts("2026-11-13T00:00:00Z"))),
            "the 13th"
        );
        assert!(
            cron.matches(utc.civil(ts("2026-11-20T00:00:00Z"))),
            "a Friday"
        );
        assert!(!cron.matches(utc.civil(ts("2026-11-19T00:00:00Z"))));
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        assert!(Cron::parse("0 9 * *").unwrap_err().contains("5 fields"));
        assert!(Cron::parse("61 * * * *").unwrap_err().contains("minute"));
        assert!(Cron::parse("0 9 * * FUN")
            .unwrap_err()
            .contains("day of week"));
        assert!(Zone::parse("Mars/Olympus").is_none());
        assert!(Zone::parse("+08:00").is_some());
    }
}
