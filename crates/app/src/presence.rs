//! Who is connected right now (live sockets per user), for `is_online`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

/// Open live connections per user, in this process.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    connections: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Presence {
    /// A connection opened; true when it is the user's first.
    pub fn connect(&self, user: Uuid) -> bool {
        let Ok(mut map) = self.connections.lock() else { return false };
        let count = map.entry(user).or_insert(0);
        *count += 1;
        *count == 1
    }

    /// A connection closed; true when it was the user's last.
    pub fn disconnect(&self, user: Uuid) -> bool {
        let Ok(mut map) = self.connections.lock() else { return false };
        match map.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                map.remove(&user);
                true
            }
            None => false,
        }
    }

    pub fn online(&self) -> HashSet<Uuid> {
        self.connections.lock().map(|m| m.keys().copied().collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_connections_are_reported() {
        let p = Presence::default();
        let u = Uuid::now_v7();
        assert!(p.connect(u));
        assert!(!p.connect(u));
        assert!(p.online().contains(&u));
        assert!(!p.disconnect(u));
        assert!(p.disconnect(u));
        assert!(p.online().is_empty());
        assert!(!p.disconnect(u));
    }
}
