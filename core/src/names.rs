//! Names for the settings enums: each variant has one name, the way the
//! command line and saved settings spell it, and an enum can be listed,
//! displayed and parsed by those names.

/// Gives a fieldless enum `ALL` (its variants in order), `name()`,
/// `Display` (the name) and `FromStr` (a name; anything else is
/// [`Error::InvalidParameter`](crate::Error::InvalidParameter) with the
/// given parameter name).
macro_rules! named {
    ($type:ty, $parameter:literal, [$($variant:ident => $name:literal),+ $(,)?]) => {
        impl $type {
            /// Every variant, in order.
            pub const ALL: [Self; [$($name),+].len()] = [$(Self::$variant),+];

            /// The variant's name, as the command line and saved settings
            /// spell it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }

        impl core::fmt::Display for $type {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl core::str::FromStr for $type {
            type Err = crate::Error;

            fn from_str(text: &str) -> Result<Self, crate::Error> {
                Self::ALL
                    .into_iter()
                    .find(|variant| variant.name() == text)
                    .ok_or(crate::Error::InvalidParameter { name: $parameter })
            }
        }
    };
}

pub(crate) use named;

#[cfg(test)]
mod tests {
    use crate::tasks::colors::Rule;
    use crate::{CaliStrategy, Error, ExplanationLoss, QueryStrategy};
    use core::fmt::{Debug, Display, Write};
    use core::str::FromStr;

    /// Every variant displays as its name and parses back from it.
    fn round_trip<T: FromStr<Err = Error> + Display + Debug + PartialEq + Copy>(all: &[T], names: &[&str]) {
        assert_eq!(all.len(), names.len());
        for (&variant, &name) in all.iter().zip(names) {
            let mut shown = heapless::String::<32>::new();
            write!(shown, "{variant}").unwrap();
            assert_eq!(shown.as_str(), name);
            assert_eq!(T::from_str(name), Ok(variant));
        }
        assert!(T::from_str("no-such-name").is_err());
    }

    #[test]
    fn every_settings_enum_parses_its_own_names_and_nothing_else() {
        round_trip(&Rule::ALL, &["0", "1"]);
        round_trip(&CaliStrategy::ALL, &["random", "uncertainty"]);
        round_trip(&ExplanationLoss::ALL, &["ranking", "squared", "squared-corrected"]);
        round_trip(&QueryStrategy::ALL, &["random", "closest-to-margin", "least-confident", "margin", "entropy"]);
        assert_eq!(QueryStrategy::from_str("Random"), Err(Error::InvalidParameter { name: "query strategy" }));
    }
}
