//! Rasterise a calfguard chart to PNG with the embedded font (for the README picture).
//!
//! Usage: `cargo run --release --example svg_png -- calfguard-report/weeks.svg docs/sample-weeks.png`

use calfguard::report::chart::{FONT_FAMILY, FONT_TTF};
use resvg::{tiny_skia, usvg};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [svg_path, png_path] = args.as_slice() else {
        eprintln!("usage: svg_png IN.svg OUT.png");
        std::process::exit(2);
    };
    let svg = std::fs::read_to_string(svg_path).expect("cannot read the SVG");
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT_TTF.to_vec());
    opt.fontdb_mut().set_sans_serif_family(FONT_FAMILY);
    let tree = usvg::Tree::from_str(&svg, &opt).expect("not a valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).expect("empty SVG");
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.save_png(png_path).expect("cannot write the PNG");
}
