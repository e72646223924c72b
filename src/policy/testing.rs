//! `paved policy test`.
