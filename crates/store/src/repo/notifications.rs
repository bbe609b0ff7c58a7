//! Notifications and receipts: placeholder, being written.
