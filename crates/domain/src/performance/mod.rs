//! The performance views computed from the points ledger's daily tallies: windows,
//! the operational grade, tiers, badges, trend buckets. Pure functions only.
