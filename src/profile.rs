//! Credentials and region from the environment and the shared AWS files (feature `std`).
