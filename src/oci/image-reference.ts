/** An image name split the way registries and Istio's `oci://` URLs read it. */
export interface ImageReference {
  /** Host with optional port, e.g. `127.0.0.1:5000`; `docker.io` when the name has none. */
  registry: string;
  /** Repository path inside the registry, e.g. `team/hash-tagging`. */
  repository: string;
  tag: string;
  /** The text as given. */
  text: string;
}

// A first path component is a registry host only if it looks like one (docker's rule): it has a dot or a
// port, or is `localhost`. Otherwise `team/app` means docker.io/team/app.
function looksLikeRegistry(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses `REGISTRY[:PORT]/REPO[:TAG]`; `source` names where the text came from, for the error. */
export function parseImageReference(text: string, source = "image name"): ImageReference {
  const fail = (why: string): never => {
    throw new Error(`${source} ${JSON.stringify(text)}: ${why}`);
  };
  if (text.trim() !== text || text === "") fail("expected REGISTRY[:PORT]/REPOSITORY:TAG with no spaces");
  if (text.includes("@")) fail("a digest reference cannot be built or pushed; give a tag (REPOSITORY:TAG)");

  const slash = text.indexOf("/");
  let registry = "docker.io";
  let rest = text;
  if (slash > 0 && looksLikeRegistry(text.slice(0, slash))) {
    registry = text.slice(0, slash);
    rest = text.slice(slash + 1);
  }
  const colon = rest.lastIndexOf(":");
  const repository = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : "latest";
  if (!REPOSITORY_PATTERN.test(repository)) {
    fail(`repository ${JSON.stringify(repository)} must be lowercase letters, digits and separators (. _ - /)`);
  }
  if (!TAG_PATTERN.test(tag)) fail(`tag ${JSON.stringify(tag)} must be 1-128 of letters, digits, _ . - (not starting with . or -)`);
  return { registry, repository, tag, text };
}

/** `localhost/...` without a port is podman/buildah's name for "only in local storage", not a registry. */
export function isLocalOnly(ref: ImageReference): boolean {
  return ref.registry === "localhost";
}

export function defaultImageName(packageVersion: string): string {
  return `localhost/hash-tagging:${packageVersion}`;
}
