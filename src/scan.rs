//! Who is flagged and why: users with two Active AccessKeys, and a verdict
//! with its evidence for each key.
