//! Integration tests for the aiops binary live in `tests/`.
