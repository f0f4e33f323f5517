//! The live plots' common shape: an x axis that counts (answers, labelled
//! images, queries), so it is titled with what it counts and labelled only
//! at whole numbers, and a y axis titled with what it measures.

use egui_plot::{Legend, Plot};

/// A plot of `height` points with its axes titled; x counts.
pub fn counted<'a>(id: &str, x_title: &str, y_title: &str, height: f32) -> Plot<'a> {
    Plot::new(id)
        .legend(Legend::default())
        .height(height)
        .x_axis_label(x_title)
        .y_axis_label(y_title)
        .x_axis_formatter(|mark, _| whole(mark.value))
}

/// The label of an x grid mark: the number when it is whole, else none (a
/// count has no tick between 0 and 1).
fn whole(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 { format!("{:.0}", value.round()) } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_counts_are_labelled() {
        assert_eq!(whole(0.0), "0");
        assert_eq!(whole(3.0), "3");
        assert_eq!(whole(1200.0), "1200");
        assert_eq!(whole(0.5), "");
        assert_eq!(whole(0.1), "");
        assert_eq!(whole(-2.0), "-2");
    }
}
