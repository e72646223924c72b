//! Atmos-style policies.
