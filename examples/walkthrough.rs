//! The tutorial walkthrough (in progress).
fn main() {}
