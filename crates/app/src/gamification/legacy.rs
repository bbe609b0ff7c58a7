//! The original's legacy gamification endpoints (contract §1.6), answered from the ledger.
