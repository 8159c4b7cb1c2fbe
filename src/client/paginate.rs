//! The shared paginator logic: [`Cursor`] follows continuation tokens and markers and ends
//! with an error on a truncated page without a marker or on any marker seen before (a
//! server that repeats A, B, A, B would otherwise be followed forever).

use std::collections::BTreeSet;
use std::string::String;

use super::error::{Error, Result};

/// Where a listing stands.
#[derive(Debug, Default)]
pub(crate) struct Cursor {
    seen: BTreeSet<String>,
    done: bool,
}

impl Cursor {
    /// Whether the last page was seen (or an error ended the listing).
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Records a page: `Ok(true)` when another page follows (its marker is new),
    /// `Ok(false)` at the end.
    ///
    /// # Errors
    /// A truncated page without a marker, or a marker seen before: the listing cannot
    /// continue without losing or repeating entries.
    pub(crate) fn advance(
        &mut self,
        truncated: bool,
        marker: Option<String>,
        what: &'static str,
    ) -> Result<bool> {
        if !truncated {
            self.done = true;
            return Ok(false);
        }
        let Some(marker) = marker else {
            self.done = true;
            return Err(Error::decode(what, None));
        };
        if !self.seen.insert(marker) {
            self.done = true;
            return Err(Error::decode(
                "the server sent the same continuation marker twice; stopping the listing",
                None,
            ));
        }
        Ok(true)
    }
}

#[cfg(feature = "client")]
pub(crate) use stream::PageStream;

#[cfg(feature = "client")]
mod stream {
    use std::boxed::Box;

    use super::Result;

    pub(crate) type PageFuture<P, T> =
        std::pin::Pin<Box<dyn std::future::Future<Output = (P, Result<Option<T>>)> + Send>>;

    /// Drives a paginator's `next_page` as a stream, one request at a time.
    pub(crate) struct PageStream<P, T> {
        idle: Option<P>,
        pending: Option<PageFuture<P, T>>,
        step: fn(P) -> PageFuture<P, T>,
    }

    impl<P, T> PageStream<P, T> {
        pub(crate) fn new(p: P, step: fn(P) -> PageFuture<P, T>) -> Self {
            Self {
                idle: Some(p),
                pending: None,
                step,
            }
        }
    }

    impl<P: Unpin, T> futures_core::Stream for PageStream<P, T> {
        type Item = Result<T>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            use std::task::Poll;
            let this = &mut *self;
            if this.pending.is_none() {
                match this.idle.take() {
                    Some(p) => this.pending = Some((this.step)(p)),
                    None => return Poll::Ready(None),
                }
            }
            let Some(fut) = this.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let Poll::Ready((p, r)) = fut.as_mut().poll(cx) else {
                return Poll::Pending;
            };
            this.pending = None;
            match r {
                Ok(Some(page)) => {
                    this.idle = Some(p);
                    Poll::Ready(Some(Ok(page)))
                }
                Ok(None) => Poll::Ready(None),
                Err(e) => Poll::Ready(Some(Err(e))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_repeated_marker_ends_the_listing() {
        let mut c = Cursor::default();
        assert!(c.advance(true, Some("A".into()), "x").unwrap());
        assert!(c.advance(true, Some("B".into()), "x").unwrap());
        assert!(c.advance(true, Some("A".into()), "x").is_err());
        assert!(c.is_done());
    }

    #[test]
    fn truncated_without_marker_is_an_error() {
        let mut c = Cursor::default();
        assert!(c.advance(true, None, "no marker").is_err());
        let mut c = Cursor::default();
        assert!(!c.advance(false, None, "x").unwrap());
        assert!(c.is_done());
    }
}
