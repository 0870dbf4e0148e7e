//! Hostile import IDs: whatever string `terraform import` passes, the parser answers with a
//! binding or an explanation of bounded size, and every accepted form round-trips. Seeded.

mod fuzz_support;

use fuzz_support::{LIMIT, heap_bound, on_server_stack, peak_heap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tencentcloud_provider::clb::binding::id::AssociationId;

#[test]
fn import_ids_parse_or_explain_and_round_trip() {
    on_server_stack("import id fuzz", LIMIT, || {
        let mut rng = StdRng::seed_from_u64(0x1d5);
        const PIECES: &[&str] = &[
            "lb-", "lbl-", "loc-", "lbtg-", "demo0001", "#", "##", " ", "\t", "é", "𝄞", "\u{0}",
            "-", "x", "0", "\u{200b}", "\n", "LB-",
        ];
        for _ in 0..20_000 {
            let s: String = (0..rng.random_range(0..12))
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            match AssociationId::parse(&s) {
                Ok(id) => {
                    let canonical = id.to_string();
                    assert_eq!(AssociationId::parse(&canonical), Ok(id.clone()), "{s:?}");
                    assert_eq!(
                        canonical.matches('#').count(),
                        if id.location_id.is_some() { 3 } else { 2 }
                    );
                }
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.contains("Accepted forms"), "{s:?}: {text}");
                }
            }
        }
        // Generated valid IDs in every accepted form parse to the same binding.
        for _ in 0..2000 {
            let word = |rng: &mut StdRng| -> String {
                (0..rng.random_range(1..10))
                    .map(|_| {
                        let c = rng.random_range(0..36u8);
                        char::from(if c < 10 { b'0' + c } else { b'a' + c - 10 })
                    })
                    .collect()
            };
            let (lb, lbl, tg) = (
                format!("lb-{}", word(&mut rng)),
                format!("lbl-{}", word(&mut rng)),
                format!("lbtg-{}", word(&mut rng)),
            );
            let loc = rng
                .random_bool(0.5)
                .then(|| format!("loc-{}", word(&mut rng)));
            let want = AssociationId {
                load_balancer_id: lb.clone(),
                listener_id: lbl.clone(),
                location_id: loc.clone(),
                target_group_id: tg.clone(),
            };
            let official = format!("{tg}#{lbl}#{lb}#{}", loc.clone().unwrap_or_default());
            for form in [want.to_string(), official, format!("  {}\n", want)] {
                assert_eq!(AssociationId::parse(&form), Ok(want.clone()), "{form:?}");
            }
        }
    });
}

/// An absurd import ID is refused with a message of bounded size: it is quoted, not copied.
#[test]
fn import_id_errors_quote_a_bounded_excerpt() {
    on_server_stack("import id size", LIMIT, || {
        for s in [
            format!("lb-{}", "a".repeat(1 << 20)),
            "#".repeat(1 << 20),
            format!("lb-1#lbl-2#{}#lbtg-3", "é".repeat(1 << 18)),
            format!("lbtg-1#lbl-2#lb-3#{}", "x#".repeat(1 << 18)),
            format!("nope{}", "𝄞".repeat(1 << 18)),
        ] {
            let (r, peak) = peak_heap(|| AssociationId::parse(&s));
            let text = r.unwrap_err().to_string();
            assert!(
                text.len() < 2048,
                "{} byte message for a {} byte ID",
                text.len(),
                s.len()
            );
            assert!(
                peak <= heap_bound(s.len()),
                "{peak} bytes of heap for a {} byte ID",
                s.len()
            );
        }
    });
}
