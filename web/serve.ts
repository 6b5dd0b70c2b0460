/**
 * `deno task web [--port P] [--host H]`: serves the handwriting-reading page
 * of `web/`. At start `web/app.ts` is bundled for the browser (minified,
 * with the engine's WebAssembly kernels inside) by `deno bundle`, kept in
 * memory with the page and the committed model, and served as static files:
 * every character is read in the visitor's browser, never on the server.
 *
 * Exit codes: 0 on a clean stop, 1 when the server cannot start (the port is
 * taken, the bundle fails), 2 for bad flags.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { InklingError } from "../autograd/errors.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";

const USAGE = `usage: deno task web [--port P] [--host H]
  --port P   the port to listen on (default 8000; 0 picks a free one)
  --host H   the address to listen on (default 127.0.0.1, this machine only;
             0.0.0.0 lets a phone on the same network open the page)
The page reads photos and writing in the browser; stop the server with Ctrl-C.`;

const APP = new URL("app.ts", import.meta.url);
const PAGE = new URL("index.html", import.meta.url);
/** The model `loadOcrModel()` reads by default (its `DEFAULT_MODEL_URL`). */
const MODEL = new URL("../ocr/default_model.safetensors", import.meta.url);
/** Where `deno bundle` runs, so it finds the project's deno.json and packages. */
const ROOT = new URL("../", import.meta.url);

/**
 * Scripts only from this server, WebAssembly allowed (the engine's kernels
 * are compiled from bytes), nothing fetched from elsewhere: a page that
 * reads private handwriting sends it nowhere.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; object-src 'none'";

/** Options of {@linkcode startWebServer}. */
export interface WebServerOptions {
  /** The port (default 8000; 0 picks a free one). */
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  hostname?: string;
}

/** A running server of the page. */
export interface WebServer {
  /** The page's address, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** The size of the served bundle in bytes. */
  bundleBytes: number;
  /** The size of the bundle gzipped (level 9), as it travels to a browser that accepts gzip. */
  bundleGzipBytes: number;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops the server and waits until it has stopped. */
  close(): Promise<void>;
}

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** The body gzipped, for the files worth it (the model's float weights are not). */
  gzip?: Uint8Array<ArrayBuffer>;
}

/** An import of a Node built-in left in a bundle, which a browser cannot load. */
const NODE_IMPORT = /\b(?:from|import)\s*"(node:[^"]+)"/;

/**
 * Bundles `web/app.ts` for the browser with `deno bundle --minify` (the
 * running Deno's own executable) and returns the JavaScript. A failed
 * bundle is an InklingError quoting the bundler's last lines; so is a
 * bundle that imports Node built-ins (the page would stop at its first
 * line), naming the modules that do.
 */
async function bundleApp(): Promise<Uint8Array<ArrayBuffer>> {
  const bundle = await runBundler(["--minify"]);
  if (!NODE_IMPORT.test(new TextDecoder().decode(bundle))) return bundle;
  // Unminified, the bundle names each module in a comment before its code.
  const culprits = nodeImporters(new TextDecoder().decode(await runBundler([])));
  throw new InklingError(
    `web/app.ts cannot run in a browser: its bundle imports Node built-ins (${
      culprits.join(", ")
    }); the page's modules must not import node: modules statically`,
  );
}

async function runBundler(flags: string[]): Promise<Uint8Array<ArrayBuffer>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "browser", ...flags, fileURLToPath(APP)],
    cwd: fileURLToPath(ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
    throw new InklingError(`bundling web/app.ts failed: ${lines.slice(-3).join(" / ")}`);
  }
  return output.stdout;
}

/** "module imports node:x" for each Node import in an unminified bundle. */
function nodeImporters(bundle: string): string[] {
  let module = "?";
  const found: string[] = [];
  for (const line of bundle.split("\n")) {
    module = /^\/\/ (\S+)$/.exec(line)?.[1] ?? module;
    // Unminified, each import statement has a line of its own.
    const builtin = NODE_IMPORT.exec(line)?.[1];
    if (builtin !== undefined) found.push(`${module} imports ${builtin}`);
  }
  return found;
}

/**
 * Serves the page, its bundled script and the model on `hostname:port`
 * until {@linkcode WebServer.close}; resolves once the bundle is built and
 * the server listens. A port in use is an {@linkcode InklingError} saying
 * so, found before the bundling starts.
 */
export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const { port = 8000, hostname = "127.0.0.1" } = options;
  let files: Map<string, StaticFile> | undefined;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { port, hostname, onListen: () => {} },
      (request) =>
        files === undefined
          ? new Response("starting\n", { status: 503, headers: { "retry-after": "1" } })
          : serve(files, request),
    );
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new InklingError(
      `port ${port} on ${hostname} is in use; choose another with --port (0 picks a free one)`,
    );
  }
  try {
    files = await staticFiles();
  } catch (error) {
    await server.shutdown();
    throw error;
  }
  const bundle = files.get("/app.js")!;
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  return {
    url: `http://${host}:${server.addr.port}/`,
    bundleBytes: bundle.body.length,
    bundleGzipBytes: bundle.gzip!.length,
    finished: server.finished,
    close: () => server.shutdown(),
  };
}

/** The served files by URL path: the page, the freshly bundled script (also gzipped), the model. */
async function staticFiles(): Promise<Map<string, StaticFile>> {
  const [bundle, page, model] = await Promise.all([
    bundleApp(),
    Deno.readFile(PAGE),
    Deno.readFile(MODEL),
  ]);
  const gzip = gzipSync(bundle, { level: 9 }) as Uint8Array<ArrayBuffer>;
  return new Map<string, StaticFile>([
    ["/", { body: page, type: "text/html; charset=utf-8" }],
    ["/index.html", { body: page, type: "text/html; charset=utf-8" }],
    ["/app.js", { body: bundle, gzip, type: "text/javascript; charset=utf-8" }],
    ["/default_model.safetensors", { body: model, type: "application/octet-stream" }],
  ]);
}

/** Answers one request from `files`: GET and HEAD only, nothing outside the list. */
function serve(files: Map<string, StaticFile>, request: Request): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const file = files.get(new URL(request.url).pathname);
  if (file === undefined) return new Response("not found\n", { status: 404 });
  const headers: Record<string, string> = {
    "content-type": file.type,
    // The bundle is rebuilt at each start; a browser must not keep an old one.
    "cache-control": "no-cache",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
  };
  if (file.gzip === undefined) return new Response(file.body, { headers });
  headers.vary = "accept-encoding";
  if (!acceptsGzip(request.headers.get("accept-encoding"))) {
    return new Response(file.body, { headers });
  }
  return new Response(file.gzip, { headers: { ...headers, "content-encoding": "gzip" } });
}

/** Whether an Accept-Encoding header allows gzip (listed, and not with q=0). */
function acceptsGzip(header: string | null): boolean {
  return (header ?? "").split(",").some((part) => {
    const [coding, ...parameters] = part.split(";").map((item) => item.trim().toLowerCase());
    return (coding === "gzip" || coding === "*") &&
      !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}

/** Runs the server with `args` until it is stopped; returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = { port: { type: "string" }, host: { type: "string" } } as const;
  return runCommand(
    args,
    { usage: USAGE, flags, output, maxPositionals: 0 },
    async ({ values }, out) => {
      const port = numberFlag(values.port, "port", { fallback: 8000, integer: true, max: 65535 });
      const hostname = values.host ?? "127.0.0.1";
      if (hostname.trim() === "") throw new UsageError("--host needs an address, got an empty one");
      out.stdout("bundling web/app.ts…");
      const server = await startWebServer({ port, hostname });
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
      out.stdout(
        `bundle ${kb(server.bundleBytes)} (${kb(server.bundleGzipBytes)} gzipped)`,
      );
      out.stdout(`serving the Inkling page at ${server.url} (Ctrl-C stops)`);
      await server.finished;
    },
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
