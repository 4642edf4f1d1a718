//! The state file: schema, atomic save, lock.
