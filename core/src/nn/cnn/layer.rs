//! [`Layer`]: one step of a network, with its forward pass, its backward
//! pass and its `DeepLIFT` multipliers; [`Network`]: layers chained with
//! [`Chain`], keeping every activation for the backward pass.

use super::tensor::Tensor;
use rand_core::Rng;

/// One layer of a network: a map from one [`Tensor`] shape to another.
pub trait Layer: Sized + Clone {
    /// What the layer reads.
    type Input: Values;
    /// What the layer writes.
    type Output: Values;

    /// All parameters zero: the shape of a gradient or of Adam's moments.
    fn zeros() -> Self;

    /// Draws the parameters as `PyTorch` initialises the layer (a layer
    /// without parameters has nothing to draw).
    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let _ = rng;
    }

    /// `output = layer(input)`.
    fn forward(&self, input: &Self::Input, output: &mut Self::Output);

    /// Backpropagates `output_gradient = ∂L/∂output` at `input` (whose
    /// forward pass gave `output`): writes `∂L/∂input` to `input_gradient`
    /// and adds `∂L/∂parameters` to `gradient` when given.
    fn backward(
        &self,
        input: &Self::Input,
        output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    );

    /// `DeepLIFT`'s multipliers: from those of the output (`Δoutput`'s
    /// multipliers) to those of the input, for the pass at `input` against the
    /// pass at `reference`. A linear layer's multipliers are its gradient
    /// (the default); nonlinear layers override it.
    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Output); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    ) {
        let [(input, output), _] = passes;
        self.backward(input, output, output_multipliers, input_multipliers, None);
    }

    /// The parameters as flat slices (none for a layer without weights).
    fn parameters(&self) -> impl Iterator<Item = &[f32]>;

    /// The parameters as flat mutable slices, in the order of
    /// [`parameters`](Self::parameters).
    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]>;

    /// Draws the layer's noise for one Monte Carlo sample (a deterministic
    /// layer has none).
    fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let _ = rng;
    }

    /// Sets the layer's noise to zero: its mean activations.
    fn clear_noise(&mut self) {}

    /// `KL(q || N(0, prior²))` of the layer's weight posterior (0 for a
    /// deterministic layer).
    fn kl(&self, prior: f32) -> f32 {
        let _ = prior;
        0.0
    }

    /// Adds `scale ∂KL/∂parameters` to `gradient` (nothing for a
    /// deterministic layer).
    fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self) {
        let _ = (prior, scale, gradient);
    }
}

/// Layers whose activations are kept for backpropagation: one [`Layer`], or a
/// [`Chain`] of them.
pub trait Network: Sized + Clone {
    /// What the network reads.
    type Input: Values;
    /// What the network writes.
    type Output: Values;
    /// Every layer's output of one forward pass.
    type Trace: Clone;

    /// All parameters zero.
    fn zeros() -> Self;

    /// Draws every layer's parameters; see [`Layer::initialize`].
    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R);

    /// The forward pass, keeping every activation.
    fn trace(&self, input: &Self::Input) -> Self::Trace;

    /// The network's output in a trace.
    fn output(trace: &Self::Trace) -> &Self::Output;

    /// Backpropagates `∂L/∂output` through the pass `trace` at `input`; see
    /// [`Layer::backward`].
    fn backward(
        &self,
        input: &Self::Input,
        trace: &Self::Trace,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    );

    /// `DeepLIFT`'s multipliers through every layer; see
    /// [`Layer::multipliers`].
    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Trace); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    );

    /// Every parameter as flat slices.
    fn parameters(&self) -> impl Iterator<Item = &[f32]>;

    /// Every parameter as flat mutable slices.
    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]>;

    /// Draws every layer's noise for one Monte Carlo sample; see
    /// [`Layer::sample_noise`].
    fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R);

    /// Sets every layer's noise to zero.
    fn clear_noise(&mut self);

    /// The KL divergence of every layer's weights to the prior.
    fn kl(&self, prior: f32) -> f32;

    /// Adds `scale ∂KL/∂parameters` of every layer to `gradient`.
    fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self);
}

impl<L: Layer> Network for L {
    type Input = L::Input;
    type Output = L::Output;
    type Trace = L::Output;

    fn zeros() -> Self {
        <L as Layer>::zeros()
    }

    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        Layer::initialize(self, rng);
    }

    fn trace(&self, input: &Self::Input) -> Self::Trace {
        let mut output = L::Output::zeros();
        self.forward(input, &mut output);
        output
    }

    fn output(trace: &Self::Trace) -> &Self::Output {
        trace
    }

    fn backward(
        &self,
        input: &Self::Input,
        trace: &Self::Trace,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    ) {
        Layer::backward(self, input, trace, output_gradient, input_gradient, gradient);
    }

    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Trace); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    ) {
        Layer::multipliers(self, passes, output_multipliers, input_multipliers);
    }

    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        Layer::parameters(self)
    }

    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        Layer::parameters_mut(self)
    }

    fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        Layer::sample_noise(self, rng);
    }

    fn clear_noise(&mut self) {
        Layer::clear_noise(self);
    }

    fn kl(&self, prior: f32) -> f32 {
        Layer::kl(self, prior)
    }

    fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self) {
        Layer::add_kl_gradient(self, prior, scale, gradient);
    }
}

/// What layers read and write: a fixed number of values with an all-zero
/// start (every [`Tensor`]).
pub trait Values: Clone {
    /// `[channels, height, width]`.
    const SHAPE: [usize; 3];

    /// All values zero.
    fn zeros() -> Self;
    /// The values in storage order.
    fn as_slice(&self) -> &[f32];
    /// The values in storage order, mutable.
    fn as_mut_slice(&mut self) -> &mut [f32];
}

impl<const C: usize, const H: usize, const W: usize> Values for Tensor<C, H, W> {
    const SHAPE: [usize; 3] = [C, H, W];

    fn zeros() -> Self {
        Tensor::zeros()
    }

    fn as_slice(&self) -> &[f32] {
        Tensor::as_slice(self)
    }

    fn as_mut_slice(&mut self) -> &mut [f32] {
        Tensor::as_mut_slice(self)
    }
}

/// `first`, then `then`: a network whose trace holds `first`'s output and
/// `then`'s trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain<A, B> {
    /// The first layer.
    pub first: A,
    /// The rest of the network.
    pub then: B,
}

impl<A, B> Network for Chain<A, B>
where
    A: Layer,
    B: Network<Input = A::Output>,
{
    type Input = A::Input;
    type Output = B::Output;
    type Trace = (A::Output, B::Trace);

    fn zeros() -> Self {
        Self { first: <A as Layer>::zeros(), then: B::zeros() }
    }

    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        Layer::initialize(&mut self.first, rng);
        self.then.initialize(rng);
    }

    fn trace(&self, input: &Self::Input) -> Self::Trace {
        let mut hidden = A::Output::zeros();
        self.first.forward(input, &mut hidden);
        let rest = self.then.trace(&hidden);
        (hidden, rest)
    }

    fn output(trace: &Self::Trace) -> &Self::Output {
        B::output(&trace.1)
    }

    fn backward(
        &self,
        input: &Self::Input,
        trace: &Self::Trace,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    ) {
        let (hidden, rest) = trace;
        let mut hidden_gradient = A::Output::zeros();
        match gradient {
            Some(gradient) => {
                self.then.backward(hidden, rest, output_gradient, &mut hidden_gradient, Some(&mut gradient.then));
                self.first.backward(input, hidden, &hidden_gradient, input_gradient, Some(&mut gradient.first));
            }
            None => {
                self.then.backward(hidden, rest, output_gradient, &mut hidden_gradient, None);
                self.first.backward(input, hidden, &hidden_gradient, input_gradient, None);
            }
        }
    }

    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Trace); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    ) {
        let [(input, (hidden, rest)), (reference, (reference_hidden, reference_rest))] = passes;
        let mut hidden_multipliers = A::Output::zeros();
        self.then.multipliers(
            [(hidden, rest), (reference_hidden, reference_rest)],
            output_multipliers,
            &mut hidden_multipliers,
        );
        self.first.multipliers(
            [(input, hidden), (reference, reference_hidden)],
            &hidden_multipliers,
            input_multipliers,
        );
    }

    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        Layer::parameters(&self.first).chain(self.then.parameters())
    }

    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        Layer::parameters_mut(&mut self.first).chain(self.then.parameters_mut())
    }

    fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        Layer::sample_noise(&mut self.first, rng);
        self.then.sample_noise(rng);
    }

    fn clear_noise(&mut self) {
        Layer::clear_noise(&mut self.first);
        self.then.clear_noise();
    }

    fn kl(&self, prior: f32) -> f32 {
        Layer::kl(&self.first, prior) + self.then.kl(prior)
    }

    fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self) {
        Layer::add_kl_gradient(&self.first, prior, scale, &mut gradient.first);
        self.then.add_kl_gradient(prior, scale, &mut gradient.then);
    }
}
