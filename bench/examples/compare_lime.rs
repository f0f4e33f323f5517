//! xil's side of `scripts/compare_python`'s LIME comparison: a model, then
//! LIME explanations of the same instances, timed one at a time on one
//! thread, in each feature-selection mode. Prints one JSON object with the
//! model (so that Python's `lime` explains the very same one), the training
//! rows (lime's sampling statistics), the instances and their decision
//! values, and per mode the milliseconds and selected components of every
//! explanation, plus a second, independent explanation of each instance (how
//! much LIME agrees with itself at this sample size).
//!
//! Tasks:
//! - `colors`: the 5 x 5 images of four colours, an L1 SVM (C = 0.1, 500
//!   images, rule 0) on the 300 same-colour pair features: CAIPI's model.
//! - `binary100`: 100 binary features and a linear score with ten non-zero
//!   weights.
//!
//! `cargo run --release -p xil-bench --example compare_lime -- TASK SAMPLES K INSTANCES`

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};
use std::time::Instant;
use xil_core::tasks::colors::{self, PAIRS, PairFeatures};
use xil_core::{
    Decision, Example, Explainer, Featurized, Fit, Grid, L1Svm, Lime, LinearModel, OnInstances, Sampling, Score,
    Selection,
};

/// Rows the colors model is trained on (and lime's training statistics).
const TRAINING: usize = 500;
/// The colors SVM's C: a sparse model, as CAIPI's (9 non-zero weights).
const C: f32 = 0.1;
/// Binary features of the second task.
const BITS: usize = 100;

type Bits = Grid<BITS, 2>;

/// A linear score over binary features.
struct Linear {
    weights: [f32; BITS],
    bias: f32,
}

impl Score<Bits> for Linear {
    fn score(&self, x: &Bits) -> f32 {
        self.bias + x.cells().iter().zip(&self.weights).map(|(&c, w)| f32::from(c) * w).sum::<f32>()
    }
}

fn fail(message: String) -> ! {
    eprintln!("compare_lime: {message}");
    std::process::exit(2)
}

fn argument(position: usize, name: &str, default: usize) -> usize {
    std::env::args().nth(position).map_or(default, |text| {
        text.parse().unwrap_or_else(|_| fail(format!("{name} must be a whole number, not {text:?}")))
    })
}

/// Per mode: milliseconds, selections and independent second selections.
fn explain_all<X, S: Score<X>, const COMPONENTS: usize>(
    scorer: &S,
    instances: &[X],
    lime: Lime,
    k: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Value
where
    Lime: Explainer<X, COMPONENTS>,
{
    let mut modes = serde_json::Map::new();
    for (name, selection) in [("forward_selection", Selection::Forward), ("highest_weights", Selection::HighestWeights)]
    {
        let lime = lime.selection(selection);
        let (mut milliseconds, mut selected, mut again) = (Vec::new(), Vec::new(), Vec::new());
        for instance in instances {
            let started = Instant::now();
            let explanation = lime.explain(scorer, instance, k, rng).unwrap_or_else(|e| fail(format!("LIME: {e}")));
            milliseconds.push(started.elapsed().as_secs_f64() * 1e3);
            selected.push(explanation.selected().to_vec());
            let second = lime.explain(scorer, instance, k, rng).unwrap_or_else(|e| fail(format!("LIME: {e}")));
            again.push(second.selected().to_vec());
        }
        modes.insert(name.into(), json!({ "milliseconds": milliseconds, "selected": selected, "again": again }));
    }
    Value::Object(modes)
}

fn colors_task(samples: usize, k: usize, count: usize, rng: &mut Xoshiro256PlusPlus) -> Value {
    let training: Vec<Example<colors::Image>> = (0..TRAINING).map(|_| colors::generate(rng)).collect();
    let instances: Vec<colors::Image> = (0..count).map(|_| colors::generate(rng).instance).collect();
    let model: LinearModel<PAIRS> =
        Fit::<PAIRS, TRAINING>::fit(&L1Svm::new().c(C), &Featurized::new(&training, &PairFeatures))
            .unwrap_or_else(|e| fail(format!("fitting the L1 SVM: {e}")));
    // lime's categorical sampler redraws each pixel from the training
    // colours, so it keeps the instance's colour with its frequency, 1/4.
    let lime = Lime::new().samples(samples).sampling(Sampling::Independent { keep: 0.25 });
    let scorer = OnInstances::new(&model, &PairFeatures);
    let modes = explain_all(&scorer, &instances, lime, k, rng);
    let pairs: Vec<(usize, usize)> = (0..PAIRS).filter_map(colors::pair).collect();
    json!({
        "model": { "kind": "pairs", "weights": model.weights.as_slice(), "bias": model.bias, "pairs": pairs },
        "training": training.iter().map(|e| e.instance.cells().to_vec()).collect::<Vec<_>>(),
        "instances": instances.iter().map(|x| x.cells().to_vec()).collect::<Vec<_>>(),
        "decisions": instances.iter().map(|x| model.decision_of(&PairFeatures, x)).collect::<Vec<_>>(),
        "modes": modes,
    })
}

fn binary_task(samples: usize, k: usize, count: usize, rng: &mut Xoshiro256PlusPlus) -> Value {
    let bits = |rng: &mut Xoshiro256PlusPlus| {
        let cells: [u8; BITS] = core::array::from_fn(|_| u8::from(rng.next_u32() & 1 == 1));
        Bits::new(cells).unwrap_or_else(|e| fail(format!("a binary row: {e}")))
    };
    let training: Vec<Bits> = (0..TRAINING).map(|_| bits(rng)).collect();
    let instances: Vec<Bits> = (0..count).map(|_| bits(rng)).collect();
    // Ten non-zero weights, 0.5 to 1.5 in size, either sign.
    let mut weights = [0.0f32; BITS];
    for (i, w) in weights.iter_mut().take(10).enumerate() {
        let size = 0.5 + (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
        *w = if i % 2 == 0 { size } else { -size };
    }
    let model = Linear { weights, bias: 0.0 };
    // Binary features of frequency 1/2: lime keeps each with probability 1/2.
    let lime = Lime::new().samples(samples).sampling(Sampling::Independent { keep: 0.5 });
    let modes = explain_all(&model, &instances, lime, k, rng);
    json!({
        "model": { "kind": "linear", "weights": model.weights.to_vec(), "bias": model.bias },
        "training": training.iter().map(|x| x.cells().to_vec()).collect::<Vec<_>>(),
        "instances": instances.iter().map(|x| x.cells().to_vec()).collect::<Vec<_>>(),
        "decisions": instances.iter().map(|x| model.score(x)).collect::<Vec<_>>(),
        "modes": modes,
    })
}

fn main() {
    let task = std::env::args().nth(1).unwrap_or_else(|| fail("TASK is colors or binary100".into()));
    let samples = argument(2, "SAMPLES", 2000);
    let k = argument(3, "K", 4);
    let count = argument(4, "INSTANCES", 20);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(41);
    let mut output = match task.as_str() {
        "colors" => colors_task(samples, k, count, &mut rng),
        "binary100" => binary_task(samples, k, count, &mut rng),
        other => fail(format!("TASK must be colors or binary100, not {other:?}")),
    };
    if let Value::Object(fields) = &mut output {
        fields.insert("task".into(), json!(task));
        fields.insert("samples".into(), json!(samples));
        fields.insert("k".into(), json!(k));
    }
    println!("{output}");
}
