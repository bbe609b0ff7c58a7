//! Shift swaps (issue 20): an operator offers one of their rostered shifts, a colleague
//! of the same section accepts it, and a manager approves or rejects it — unless the
//! section lets swaps complete on acceptance. The offerer (or a manager) may cancel it
//! until it is decided. Only an approved swap changes the roster (`roster::Swap`).
//!
//! ```text
//! OFFERED ──accept──▶ ACCEPTED ──approve──▶ APPROVED
//!    │  └──accept (no approval needed)──────▶ APPROVED
//!    │                  └──────reject─────▶ REJECTED
//!    └──cancel──▶ CANCELLED ◀──cancel── ACCEPTED
//! ```

/// Where a swap stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwapStatus {
    /// Offered, waiting for a colleague.
    Offered,
    /// Taken by a colleague, waiting for a manager's approval.
    Accepted,
    /// Completed: the shift moved to the taker (by a manager, or on acceptance).
    Approved,
    Rejected,
    Cancelled,
}

impl SwapStatus {
    pub const ALL: [SwapStatus; 5] =
        [SwapStatus::Offered, SwapStatus::Accepted, SwapStatus::Approved, SwapStatus::Rejected, SwapStatus::Cancelled];

    pub const fn as_str(self) -> &'static str {
        match self {
            SwapStatus::Offered => "OFFERED",
            SwapStatus::Accepted => "ACCEPTED",
            SwapStatus::Approved => "APPROVED",
            SwapStatus::Rejected => "REJECTED",
            SwapStatus::Cancelled => "CANCELLED",
        }
    }

    /// A status as a client spells it (any case, surrounding blanks ignored).
    pub fn parse(text: &str) -> Option<SwapStatus> {
        SwapStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Decided one way or the other: nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, SwapStatus::Approved | SwapStatus::Rejected | SwapStatus::Cancelled)
    }
}

crate::named::named!(SwapStatus);

/// What someone does to a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapAction {
    /// A colleague takes it; `needs_approval` is the section's setting at that moment.
    Accept {
        needs_approval: bool,
    },
    Approve,
    Reject,
    Cancel,
}

impl SwapAction {
    /// The verb, for messages ("cannot be approved").
    pub fn past_participle(self) -> &'static str {
        match self {
            SwapAction::Accept { .. } => "accepted",
            SwapAction::Approve => "approved",
            SwapAction::Reject => "rejected",
            SwapAction::Cancel => "cancelled",
        }
    }
}

/// The status `action` leads to from `from`, or `None` when it is not allowed there.
pub fn next(from: SwapStatus, action: SwapAction) -> Option<SwapStatus> {
    use SwapStatus::*;
    match (from, action) {
        (Offered, SwapAction::Accept { needs_approval: true }) => Some(Accepted),
        (Offered, SwapAction::Accept { needs_approval: false }) => Some(Approved),
        (Accepted, SwapAction::Approve) => Some(Approved),
        (Accepted, SwapAction::Reject) => Some(Rejected),
        (Offered | Accepted, SwapAction::Cancel) => Some(Cancelled),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ACTIONS: [SwapAction; 5] = [
        SwapAction::Accept { needs_approval: true },
        SwapAction::Accept { needs_approval: false },
        SwapAction::Approve,
        SwapAction::Reject,
        SwapAction::Cancel,
    ];

    #[test]
    fn the_happy_paths() {
        let accepted = next(SwapStatus::Offered, SwapAction::Accept { needs_approval: true });
        assert_eq!(accepted, Some(SwapStatus::Accepted));
        assert_eq!(next(SwapStatus::Accepted, SwapAction::Approve), Some(SwapStatus::Approved));
        assert_eq!(next(SwapStatus::Accepted, SwapAction::Reject), Some(SwapStatus::Rejected));
        assert_eq!(
            next(SwapStatus::Offered, SwapAction::Accept { needs_approval: false }),
            Some(SwapStatus::Approved),
            "no approval needed: acceptance completes it"
        );
        assert_eq!(next(SwapStatus::Offered, SwapAction::Cancel), Some(SwapStatus::Cancelled));
        assert_eq!(next(SwapStatus::Accepted, SwapAction::Cancel), Some(SwapStatus::Cancelled));
    }

    #[test]
    fn nothing_is_decided_twice_or_out_of_order() {
        assert_eq!(next(SwapStatus::Offered, SwapAction::Approve), None, "nobody took it yet");
        assert_eq!(next(SwapStatus::Offered, SwapAction::Reject), None);
        assert_eq!(next(SwapStatus::Accepted, SwapAction::Accept { needs_approval: true }), None, "taken already");
    }

    #[test]
    fn statuses_parse_in_any_case() {
        assert_eq!(SwapStatus::parse(" accepted "), Some(SwapStatus::Accepted));
        assert_eq!(SwapStatus::parse("maybe"), None);
        for s in SwapStatus::ALL {
            assert_eq!(SwapStatus::parse(s.as_str()), Some(s));
        }
    }

    proptest! {
        /// A decided swap stays as it is, whatever is tried on it, and every allowed
        /// step leaves OFFERED behind for good.
        #[test]
        fn decided_swaps_never_move(status in proptest::sample::select(SwapStatus::ALL.to_vec()),
                                    actions in proptest::collection::vec(proptest::sample::select(ACTIONS.to_vec()), 0..8)) {
            let mut current = status;
            for action in actions {
                let was_final = current.is_final();
                if let Some(to) = next(current, action) {
                    prop_assert!(!was_final, "{:?} moved to {:?}", current, to);
                    prop_assert_ne!(to, SwapStatus::Offered);
                    current = to;
                }
            }
        }
    }
}
