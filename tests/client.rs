//! Client integration tests (in progress).
