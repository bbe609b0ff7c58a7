//! The delivery state of an outbox message (an e-mail or a webhook call).

/// PENDING until delivered (SENT) or given up on (DEAD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Dead,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 3] = [OutboxStatus::Pending, OutboxStatus::Sent, OutboxStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "PENDING",
            OutboxStatus::Sent => "SENT",
            OutboxStatus::Dead => "DEAD",
        }
    }
}

crate::named::named!(OutboxStatus);
