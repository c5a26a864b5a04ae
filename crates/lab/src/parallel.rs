//! A small work-sharing parallel map for independent runs.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `job` applied to every item on `threads` scoped worker threads (at most one per item),
/// each taking the next item not yet started through an atomic index; the results come back
/// in the order of `items`, whatever the thread count. A panicking job panics here.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    job: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, job(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.clamp(1, items.len().max(1)))
            .map(|_| scope.spawn(worker))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_for_any_thread_count() {
        let items: Vec<u64> = (0..37).collect();
        for threads in [1, 2, 5, 64] {
            assert_eq!(
                parallel_map(&items, threads, |x| x * x),
                items.iter().map(|x| x * x).collect::<Vec<_>>()
            );
        }
        assert!(parallel_map(&[] as &[u64], 2, |x| *x).is_empty());
    }
}
