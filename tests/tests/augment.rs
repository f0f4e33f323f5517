//! Counterexamples: with the label check on, no counterexample contradicts the
//! rule; each changes only the components the user marked.

use proptest::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::tasks::colors::{self, Rule};
use xil_core::{CounterexampleStrategy, Counterexamples, Dataset, Example, Oracle, Origin};

fn strategies() -> impl Strategy<Value = CounterexampleStrategy> {
    prop_oneof![
        Just(CounterexampleStrategy::Randomize),
        Just(CounterexampleStrategy::AllAlternatives),
        Just(CounterexampleStrategy::SameClass)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn counterexamples_never_change_the_rules_label_when_checked(
        seed in any::<u64>(),
        irrelevant in prop::collection::vec(0usize..25, 1..6),
        strategy in strategies(),
        copies in 1usize..4,
        rule_one in any::<bool>(),
    ) {
        let rule = if rule_one { Rule::One } else { Rule::Zero };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut out: Dataset<colors::Image, 512> = Dataset::new();
        for _ in 0..10 {
            out.push(colors::generate(&mut rng)).unwrap();
        }
        let Example { instance, label, .. } = colors::generate(&mut rng);
        let generated = Counterexamples::new(strategy, copies, 0.5)
            .generate(&instance, label, &irrelevant, |x| rule.label(x) == label, &mut out, &mut rng)
            .unwrap();
        prop_assert!(generated.overflow.is_none());
        let made: Vec<_> = out.as_slice().iter().filter(|e| e.origin == Origin::Counterexample).collect();
        prop_assert_eq!(made.len(), generated.added);
        for example in made {
            prop_assert_eq!(rule.label(&example.instance), label);
            prop_assert_eq!(example.label, label);
            prop_assert_eq!(example.weight, 0.5);
            for (p, (a, b)) in example.instance.cells().iter().zip(instance.cells()).enumerate() {
                prop_assert!(a == b || irrelevant.contains(&p), "pixel {} changed but was not marked", p);
            }
        }
    }
}
