/**
 * Headless Observable Plot: Plot draws into a linkedom document instead of a
 * browser's, and the resulting `<svg>` is serialised to a standalone SVG
 * string that resvg and browsers both read.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { InklingError } from "../autograd/errors.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

/** The DOM `Document` type as Plot declares it (Deno's type library has no DOM). */
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

let sharedDocument: PlotDocument | null = null;

/** One DOM document for every plot; Plot only creates detached elements in it. */
function plotDocument(): PlotDocument {
  sharedDocument ??= (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
    document: PlotDocument;
  }).document;
  return sharedDocument;
}

/** Observable Plot's options, as {@linkcode renderPlot} takes them. */
export type PlotOptions = Plot.PlotOptions;

/**
 * Renders a Plot specification (as given to `Plot.plot`, without `document`)
 * to a standalone SVG string. Titles, captions and legends make Plot return an
 * HTML `<figure>`, which is not SVG; those are refused here (draw them with
 * `stackSvg` and `swatchLegend` from `svg_layout.ts`).
 */
export function renderPlot(spec: PlotOptions): string {
  let element: ReturnType<typeof Plot.plot>;
  try {
    element = Plot.plot({ ...spec, document: plotDocument() });
  } catch (error) {
    throw new InklingError(`renderPlot: Plot rejected the spec (${error})`, { cause: error });
  }
  if (element.tagName.toLowerCase() !== "svg") {
    throw new InklingError(
      `renderPlot: Plot returned a <${element.tagName.toLowerCase()}> instead of an <svg>, ` +
        "because the spec asks for a title, subtitle, caption or legend; " +
        "compose those with stackSvg/swatchLegend instead",
    );
  }
  // linkedom does not write the namespace out; standalone SVG (and resvg) need it.
  element.setAttribute("xmlns", SVG_NS);
  return element.outerHTML;
}
