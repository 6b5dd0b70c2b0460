// @ts-self-types="./resvg_module.d.ts"
// resvg's compiled WebAssembly module, imported in the source phase so the
// .wasm file is an ordinary dependency of the module graph: Deno finds it in
// node_modules, in its npm cache, or in a published JSR package alike. (A
// .js file because TypeScript does not parse `import source` yet.)
import source resvgModule from "@resvg/resvg-wasm/index_bg.wasm";
export default resvgModule;
