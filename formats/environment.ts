/**
 * Reading optional settings from environment variables without asking for
 * more than the program was given: a variable that is unset, empty, or not
 * readable (no `--allow-env` for it, or no `Deno` at all, as in a browser)
 * counts as unset, so a library imported with few permissions falls back to
 * its defaults instead of failing or prompting.
 *
 * @module
 */

/** The value of environment variable `name`, or `undefined` when it is unset, empty or not permitted. */
export function optionalEnv(name: string): string | undefined {
  if (typeof Deno === "undefined") return undefined;
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}
