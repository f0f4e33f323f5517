//! The live plots' common shape: an x axis that counts (answers, labelled
//! images, queries), so it is titled with what it counts and labelled only
//! at whole numbers, a y axis titled with what it measures, and the value
//! under the pointer. A tab adds a legend in the plot, or (Watch) keeps it
//! outside, in its runs table.

use egui_plot::{AxisHints, HoverPosition, Legend, Plot};

/// The legend of a plot with few lines, in its corner.
pub fn legend() -> Legend {
    Legend::default()
}

/// A plot of `height` points with its axes titled; x counts; hovering
/// near a line shows its name and the value there.
pub fn counted<'a>(id: &str, x_title: &str, y_title: &str, height: f32) -> Plot<'a> {
    // Whole-number labels are short: they may sit closer than egui_plot's
    // 60 points (which left a run of 56 queries with the label 0 only).
    let x_axis = AxisHints::new_x().label(x_title).formatter(|mark, _| whole(mark.value)).label_spacing(30.0..=45.0);
    let x_name = x_title.to_string();
    Plot::new(id).height(height).custom_x_axes(vec![x_axis]).y_axis_label(y_title).label_formatter(move |hover| {
        match hover {
            HoverPosition::NearDataPoint { plot_name, position, .. } if !plot_name.is_empty() => {
                Some(format!("{plot_name}\n{x_name} {:.0}: {:.3}", position.x, position.y))
            }
            _ => None,
        }
    })
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
