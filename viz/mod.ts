/**
 * Figures for training reports, drawn without a browser: Observable Plot
 * renders into a linkedom document, figures are standalone SVG strings (line
 * charts of training curves, heatmaps and confusion matrices, titled
 * side-by-side panels), resvg-wasm rasterises them to PNG with a real font,
 * image grids (weights, reconstructions, crops) are composed pixel by pixel
 * straight to PNG, and reports come out as Markdown tables or one
 * self-contained HTML file. Figure functions are pure (data in, SVG or PNG
 * bytes out); only `saveFigure`, `svgToPng` (font and wasm loading) and
 * `htmlReport` (figure paths) touch the file system. Imports: the engine's
 * error types, `formats/` (PNG, atomic writes) and the plotting packages. Never
 * data sets or applications: callers pass plain arrays and labels.
 *
 * @module
 */

export * from "./render_plot.ts";
export * from "./svg_layout.ts";
export * from "./rasterize.ts";
export * from "./save_figure.ts";
export * from "./fonts.ts";
export * from "./data_uri.ts";
export * from "./line_chart.ts";
export * from "./heatmap.ts";
export * from "./image_grid.ts";
export * from "./side_by_side.ts";
export * from "./markdown_table.ts";
export * from "./html_report.ts";
export * from "./write_report.ts";

// The PNG encoder moved to formats/ in 0.2 (see CHANGELOG.md); re-exported so
// imports from `@inkling/inkling/viz` keep working.
export { encodePng, PNG_SIGNATURE, type RasterImage } from "../formats/png.ts";
