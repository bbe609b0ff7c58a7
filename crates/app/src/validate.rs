//! Input checks shared by the use cases. Each returns a 422 message that names the field.

use sentinelops_domain::{Email, Username};

use crate::error::{AppResult, invalid};

/// Trims `value` and checks its length in characters.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min <= 1 {
            invalid(format!("{field} is required"))
        } else {
            invalid(format!("{field} must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(invalid(format!("{field} must be at most {max} characters")));
    }
    Ok(trimmed.to_owned())
}

/// Usernames: the rules of [`Username`], refused with a 422.
pub fn username(value: &str) -> AppResult<Username> {
    Username::parse(value).map_err(|refused| invalid(refused.0))
}

/// E-mail addresses: the rules of [`Email`], refused with a 422.
pub fn email(value: &str) -> AppResult<Email> {
    Email::parse(value).map_err(|refused| invalid(refused.0))
}

/// Dates the product deals in: from 1970 to 2200 (anything else is a typo or an attack,
/// and far dates overflow date arithmetic).
pub fn date(field: &str, value: chrono::NaiveDate) -> AppResult<chrono::NaiveDate> {
    use chrono::Datelike;
    if (1970..=2200).contains(&value.year()) {
        Ok(value)
    } else {
        Err(invalid(format!("{field} must be between 1970 and 2200")))
    }
}

/// Instants, bounded like dates.
pub fn instant(field: &str, value: chrono::DateTime<chrono::Utc>) -> AppResult<chrono::DateTime<chrono::Utc>> {
    date(field, value.date_naive()).map(|_| value)
}

/// Passwords: 8–128 characters, kept exactly as typed.
pub fn password(value: &str) -> AppResult<String> {
    let len = value.chars().count();
    if len < 8 {
        return Err(invalid("password must be at least 8 characters"));
    }
    if len > 128 {
        return Err(invalid("password must be at most 128 characters"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_emails_are_normalised_and_checked() {
        assert_eq!(username(" Olu.Operator ").ok().map(Username::into_string), Some("olu.operator".to_owned()));
        assert!(username("ab").is_err());
        assert!(username("has space").is_err());
        assert_eq!(email("Ops@Bank.Example").ok().map(Email::into_string), Some("ops@bank.example".to_owned()));
        assert_eq!(email("admin@localhost").ok().map(Email::into_string), Some("admin@localhost".to_owned()));
        assert!(email("no-at-sign").is_err());
        assert!(email("a@b@c.d").is_err());
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
        assert!(text("name", "   ", 1, 10).is_err());
    }
}
