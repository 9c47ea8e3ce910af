//! Tests of `export`.

use super::*;

#[test]
fn the_budget_is_fair_and_never_deadlocks() {
    let budget = Budget::new(100);
    let p = budget.acquire(60);
    // Over the budget: granted only when nothing else is held.
    let big = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let q = budget.acquire(500);
            q.bytes
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(p);
        h.join().unwrap()
    });
    assert_eq!(big, 500);
    assert_eq!(budget.peak(), 500);
    assert_eq!(budget.lock().held, 0);
    // Many threads, random sizes: everything is granted and given back.
    let budget = Budget::new(1000);
    std::thread::scope(|s| {
        for t in 0..8u64 {
            let budget = &budget;
            s.spawn(move || {
                for i in 0..200u64 {
                    let mut p = budget.acquire((t * 37 + i * 11) % 700 + 1);
                    if i % 3 == 0 {
                        p.regain((t + i) % 1500 + 1);
                    }
                    p.set((i % 5) * 10);
                }
            });
        }
    });
    assert_eq!(budget.lock().held, 0);
    assert!(budget.peak() <= 1500, "{}", budget.peak());
}
