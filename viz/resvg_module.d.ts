/** resvg's compiled WebAssembly module (see resvg_module.js), for `initWasm`. */
declare const resvgModule: WebAssembly.Module;
export default resvgModule;
