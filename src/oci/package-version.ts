import { readFile } from "node:fs/promises";

/** The project version from package.json, used in the default image tag. */
export async function readPackageVersion(packageJsonPath: string): Promise<string> {
  const parsed = JSON.parse(await readFile(packageJsonPath, "utf8")) as { version?: unknown };
  if (typeof parsed.version !== "string" || parsed.version === "") throw new Error(`${packageJsonPath}: "version" is missing`);
  return parsed.version;
}
