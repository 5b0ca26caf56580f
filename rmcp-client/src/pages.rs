//! Listing every page of a paginated list (`tools/list`, `resources/list`…), within bounds.
//!
//! rmcp's own `list_all_*` follow `nextCursor` for as long as the server hands one out, so a
//! server whose list never ends grows the client's memory until a timeout stops it. These stop
//! at [`MAX_PAGES`] pages or [`MAX_ITEMS`] items, whichever comes first, with an error that
//! says which.

use std::future::Future;

use rmcp::model::PaginatedRequestParams;
use rmcp::service::ServiceError;

/// The most pages one listing follows.
pub const MAX_PAGES: usize = 1000;
/// The most items (tools, resources, templates, prompts) one listing keeps.
pub const MAX_ITEMS: usize = 10_000;

/// Why a listing stopped short.
#[derive(Debug)]
pub(crate) enum PageError {
    /// A request failed.
    Service(ServiceError),
    /// The list did not end within [`MAX_PAGES`] pages.
    TooManyPages,
    /// The list held more than [`MAX_ITEMS`] items.
    TooManyItems,
}

/// Fetches page after page with `fetch` (the cursor in, the items and the next cursor out).
pub(crate) async fn list_all<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, PageError>
where
    F: FnMut(Option<PaginatedRequestParams>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ServiceError>>,
{
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let params = PaginatedRequestParams::default().with_cursor(cursor.take());
        let (page, next) = fetch(Some(params)).await.map_err(PageError::Service)?;
        items.extend(page);
        if items.len() > MAX_ITEMS {
            return Err(PageError::TooManyItems);
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
    Err(PageError::TooManyPages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn pages_are_followed_to_the_end() {
        let calls = Cell::new(0);
        let items = list_all(|params| {
            calls.set(calls.get() + 1);
            let page: usize = params
                .and_then(|p| p.cursor)
                .map_or(0, |c| c.parse().unwrap());
            let next = (page < 2).then(|| (page + 1).to_string());
            std::future::ready(Ok((vec![page], next)))
        })
        .await
        .unwrap();
        assert_eq!(items, [0, 1, 2]);
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn an_endless_list_stops_at_the_page_cap() {
        let calls = Cell::new(0);
        let outcome = list_all(|_| {
            calls.set(calls.get() + 1);
            std::future::ready(Ok((vec![()], Some("again".to_owned()))))
        })
        .await;
        assert!(matches!(outcome, Err(PageError::TooManyPages)));
        assert_eq!(calls.get(), MAX_PAGES);
    }

    #[tokio::test]
    async fn a_list_too_long_stops_at_the_item_cap() {
        let outcome =
            list_all(|_| std::future::ready(Ok((vec![0u8; 4000], Some("more".to_owned()))))).await;
        assert!(matches!(outcome, Err(PageError::TooManyItems)));
    }
}
