//! Notifications: placeholder, being written.
