/**
 * Serves this repository over HTTP the way JSR serves a published version:
 * only the files `deno.json`'s `publish` settings include, under
 * `/@scope/name/version/`, with every bare specifier rewritten to what the
 * import map says (`"image-js"` → `"npm:image-js@1.7.0"`), as `deno publish`
 * does. A consumer importing from it sees what a JSR user would: no
 * `node_modules`, no import map, `import.meta.url` on `http:`.
 *
 * @module
 */

/** A running package host. */
export interface JsrHost {
  /** Base URL of the served version, ending in `/` (`http://127.0.0.1:P/@inkling/inkling/0.2.0/`). */
  base: URL;
  /** `name:port` of the server, for `--allow-import` and `--allow-net`. */
  host: string;
  /** Stops the server. */
  close(): Promise<void>;
}

interface DenoConfig {
  name: string;
  version: string;
  imports: Record<string, string>;
  publish: { include: string[]; exclude: string[] };
}

const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "text/javascript",
  ".json": "application/json",
  ".md": "text/markdown",
};

/** Serves the package rooted at `root` (the folder of `deno.json`) on a free local port. */
export async function hostPackage(root: URL): Promise<JsrHost> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as DenoConfig;
  const prefix = `/${config.name}/${config.version}/`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (!path.startsWith(prefix)) return new Response("not found", { status: 404 });
    const file = path.slice(prefix.length);
    if (file.includes("..") || !published(file, config.publish)) {
      return new Response("not found", { status: 404 });
    }
    const bytes = await Deno.readFile(new URL(file, root)).catch(() => null);
    if (bytes === null) return new Response("not found", { status: 404 });
    const extension = file.slice(file.lastIndexOf("."));
    const type = TYPES[extension] ?? "application/octet-stream";
    const body = extension === ".ts" || extension === ".js"
      ? rewriteSpecifiers(new TextDecoder().decode(bytes), config.imports)
      : bytes;
    return new Response(body, { headers: { "content-type": type } });
  });
  const { port } = server.addr;
  return {
    base: new URL(`http://127.0.0.1:${port}${prefix}`),
    host: `127.0.0.1:${port}`,
    close: () => server.shutdown(),
  };
}

/** Whether `file` is in the published set (folders in `include` end in `/`). */
function published(file: string, publish: DenoConfig["publish"]): boolean {
  const matches = (pattern: string) => {
    if (pattern.includes("*")) {
      const re = new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
      return re.test(file);
    }
    return pattern.endsWith("/") ? file.startsWith(pattern) : file === pattern;
  };
  return publish.include.some(matches) && !publish.exclude.some(matches);
}

/**
 * Bare specifiers in import/export statements and `import()` → the import
 * map's targets. (A regular expression, not a parser: it also rewrites
 * examples in comments, which does no harm to a consumer.)
 */
function rewriteSpecifiers(source: string, imports: Record<string, string>): string {
  const pattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'.\/][^"']*)\2/g;
  return source.replace(pattern, (whole, lead: string, quote: string, specifier: string) => {
    if (/^[a-z]+:/.test(specifier)) return whole; // node:, npm:, jsr:, https:
    const key = Object.keys(imports).find((name) =>
      specifier === name || specifier.startsWith(`${name}/`)
    );
    // Unmapped names are left alone, as publishing does (the package's own name in doc examples).
    if (key === undefined) return whole;
    return `${lead}${quote}${imports[key]}${specifier.slice(key.length)}${quote}`;
  });
}
