//! Why a person skipped or failed work, or overrode a checklist: trimmed, never empty,
//! and of bounded length, so every stored reason says something and fits its column.

/// A reason as given, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

/// Why a text is no reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonError {
    Missing,
    /// Longer than this many characters.
    TooLong(usize),
}

impl std::fmt::Display for ReasonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReasonError::Missing => f.write_str("reason is required"),
            ReasonError::TooLong(max) => write!(f, "reason must be at most {max} characters"),
        }
    }
}

impl std::error::Error for ReasonError {}

impl Reason {
    /// The longest reason for skipping or failing an item or subitem.
    pub const STEP_MAX: usize = 1000;
    /// The longest reason for a supervisor override or a date correction.
    pub const OVERRIDE_MAX: usize = 2000;

    /// `text` trimmed, if it is not blank and at most `max_chars` characters long.
    pub fn new(text: &str, max_chars: usize) -> Result<Reason, ReasonError> {
        let trimmed = text.trim();
        match trimmed.chars().count() {
            0 => Err(ReasonError::Missing),
            n if n > max_chars => Err(ReasonError::TooLong(max_chars)),
            _ => Ok(Reason(trimmed.to_owned())),
        }
    }

    /// A reason that may be left out: blank or missing text is none.
    pub fn optional(text: Option<&str>, max_chars: usize) -> Result<Option<Reason>, ReasonError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Reason::new(t, max_chars).map(Some),
            None => Ok(None),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_and_neither_blank_nor_too_long() {
        assert_eq!(Reason::new("  fan broken ", 20).map(Reason::into_string), Ok("fan broken".to_owned()));
        assert_eq!(Reason::new("   ", 20), Err(ReasonError::Missing));
        assert_eq!(Reason::new(&"x".repeat(21), 20), Err(ReasonError::TooLong(20)));
        assert_eq!(Reason::new(&"é".repeat(20), 20).map(|r| r.as_str().chars().count()), Ok(20));
        assert_eq!(Reason::optional(Some(" "), 20), Ok(None));
        assert_eq!(ReasonError::TooLong(1000).to_string(), "reason must be at most 1000 characters");
        assert_eq!(ReasonError::Missing.to_string(), "reason is required");
    }
}
