/**
 * Where the tests find the shared data sets and fixtures: `$INKLING_DATA_DIR`,
 * else `../shared/data` beside the checkout (as the tasks do); fixtures are
 * always `../shared/fixtures`.
 */

import { fileURLToPath } from "node:url";

const beside = (folder: string) =>
  fileURLToPath(new URL(`../../shared/${folder}/`, import.meta.url)).replace(/\/+$/, "");

/** The data directory, without a trailing slash. */
export const DATA_DIR: string = (Deno.env.get("INKLING_DATA_DIR") ?? beside("data"))
  .replace(/\/+$/, "");

/** The UNIPEN release inside it. */
export const UNIPEN_DIR = `${DATA_DIR}/unipen-train_r01_v07`;

/** Files written by other tools, for format tests. */
export const FIXTURES_DIR: string = beside("fixtures");
