//! Independent analyses spread over a few threads. Every task is a pure function of the table
//! and the request, and each result goes back to its own slot, so the output is the same —
//! byte for byte once serialised — on one thread or many.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `run(task)` for every task of `order` (a permutation of `0..order.len()`: the order
/// they are started in, longest first for the best balance) on up to `threads` threads, and
/// returns the results by task index.
pub(crate) fn in_parallel<T: Send>(
    order: &[usize],
    threads: usize,
    run: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = order.iter().map(|_| Mutex::new(None)).collect();
    let work = || {
        while let Some(&task) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let value = run(task);
            if let Some(Ok(mut slot)) = slots.get(task).map(Mutex::lock) {
                *slot = Some(value);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.clamp(1, order.len().max(1)) {
            scope.spawn(work);
        }
        work();
    });
    slots.into_iter().filter_map(|slot| slot.into_inner().ok().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_by_task_whatever_the_threads() {
        let order = [3, 0, 2, 1, 4];
        for threads in [1, 2, 8] {
            assert_eq!(in_parallel(&order, threads, |t| t * 10), vec![0, 10, 20, 30, 40]);
        }
    }
}
