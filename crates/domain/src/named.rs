//! Closed sets of names (statuses, roles, shifts, item types): each value has one
//! canonical text name, the one stored in the database and written on the wire.

/// A closed set of values with one canonical name each.
pub trait Named: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every value, in declaration order.
    const VALUES: &'static [Self];
    /// What the set is called, for error messages ("ItemStatus").
    const KIND: &'static str;

    fn as_str(self) -> &'static str;

    /// The value whose canonical name is exactly `name` (stored values are canonical:
    /// no trimming, no case folding, no aliases).
    fn from_name(name: &str) -> Option<Self> {
        Self::VALUES.iter().copied().find(|v| v.as_str() == name)
    }
}

/// Implements [`Named`] from the type's inherent `ALL` and `as_str`.
macro_rules! named {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::named::Named for $ty {
            const VALUES: &'static [Self] = &<$ty>::ALL;
            const KIND: &'static str = stringify!($ty);
            fn as_str(self) -> &'static str {
                <$ty>::as_str(self)
            }
        }
    )+};
}
pub(crate) use named;

#[cfg(test)]
mod tests {
    use super::Named;
    use crate::checklist::{InstanceStatus, ItemStatus, ItemType};
    use crate::outbox::OutboxStatus;
    use crate::role::Role;
    use crate::shift::ShiftType;

    fn round_trips<T: Named>() {
        for value in T::VALUES {
            assert_eq!(T::from_name(value.as_str()), Some(*value), "{}", T::KIND);
        }
        assert_eq!(T::from_name(""), None);
        assert_eq!(T::from_name("garbled"), None);
    }

    #[test]
    fn every_name_round_trips_and_nothing_else_parses() {
        round_trips::<ItemStatus>();
        round_trips::<InstanceStatus>();
        round_trips::<ItemType>();
        round_trips::<ShiftType>();
        round_trips::<Role>();
        round_trips::<OutboxStatus>();
        assert_eq!(ItemStatus::from_name("pending"), None, "stored names are exact");
        assert_eq!(Role::from_name("supervisor"), None, "aliases are for input, not storage");
    }
}
