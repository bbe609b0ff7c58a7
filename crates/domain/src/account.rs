//! How a user is named to sign in: a username, an e-mail address, and the login someone
//! types (either of the two). Each is checked once, when it is made, so holding one means
//! it is valid: trimmed, lower-cased (as stored), within its length.

use std::fmt;

/// Why a username or e-mail address was refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidName(pub String);

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 3–50 of letters, digits, `.`, `_`, `-`; lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(value: &str) -> Result<Username, InvalidName> {
        let name = trimmed_within("username", value, 3, 50)?.to_lowercase();
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(InvalidName("username may contain only letters, digits, '.', '_' and '-'".to_owned()));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// One `@` with text on both sides and a dot in the domain (or `localhost`), no
/// whitespace, 3–255 characters; lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Email, InvalidName> {
        let address = trimmed_within("email", value, 3, 255)?.to_lowercase();
        let valid = match address.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !address.chars().any(char::is_whitespace)
                    && (domain.contains('.') || domain == "localhost")
            }
            None => false,
        };
        if !valid {
            return Err(InvalidName("email is not a valid e-mail address".to_owned()));
        }
        Ok(Email(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What someone typed to sign in (an e-mail address or a username), as it is looked up:
/// trimmed, lower-cased and cut to [`Login::MAX`] characters. Never refused: a login that
/// names nobody simply finds no one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login(String);

impl Login {
    /// Longest login considered; a password typed into the wrong box stays bounded.
    pub const MAX: usize = 320;

    pub fn typed(value: &str) -> Login {
        Login(value.trim().to_lowercase().chars().take(Login::MAX).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `value` trimmed, if its length in characters is within `min..=max`.
fn trimmed_within<'a>(field: &str, value: &'a str, min: usize, max: usize) -> Result<&'a str, InvalidName> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(InvalidName(format!("{field} must be at least {min} characters")));
    }
    if len > max {
        return Err(InvalidName(format!("{field} must be at most {max} characters")));
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lower_cased_and_checked() {
        assert_eq!(Username::parse(" Olu.Operator ").map(Username::into_string), Ok("olu.operator".to_owned()));
        assert_eq!(Username::parse("ab"), Err(InvalidName("username must be at least 3 characters".to_owned())));
        assert_eq!(
            Username::parse(&"a".repeat(51)),
            Err(InvalidName("username must be at most 50 characters".to_owned()))
        );
        assert!(Username::parse("has space").is_err());
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Ops@Bank.Example").map(Email::into_string), Ok("ops@bank.example".to_owned()));
        assert_eq!(Email::parse("admin@localhost").map(Email::into_string), Ok("admin@localhost".to_owned()));
        assert!(Email::parse("no-at-sign").is_err());
        assert!(Email::parse("a@b@c.d").is_err());
        assert!(Email::parse("a b@c.d").is_err());
    }

    #[test]
    fn a_typed_login_is_normalised_and_bounded() {
        assert_eq!(Login::typed("  Ops@Bank.Example ").as_str(), "ops@bank.example");
        assert_eq!(Login::typed(&"x".repeat(1000)).as_str().chars().count(), Login::MAX);
    }
}
