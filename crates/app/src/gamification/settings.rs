//! A section's leaderboard setting: hide operators' names.
