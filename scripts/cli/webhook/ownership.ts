// Which WasmPlugins the webhook judges: those whose image is ours. Other teams' plugins are allowed
// untouched. deploy/istio/webhook/validating-webhook.yaml states the same rule in CEL, so that the
// kube-apiserver does not even call us for them.

/** Istio accepts both schemes for an image; a prefix given with or without one means the same image. */
const SCHEME = /^(oci|docker):\/\//;

/** The default: any registry and path, as long as the image repository is named hash-tagging. */
export const DEFAULT_IMAGE_RULE = "an image repository named hash-tagging (any registry and path)";
const DEFAULT_IMAGE = /^([^/]+\/)*hash-tagging([:@]|$)/;

const withoutScheme = (url: string) => url.replace(SCHEME, "");

/** Whether `url` (WasmPlugin spec.url) names our image: it starts with `prefix`, else the default rule. */
export function isOurImage(url: string, prefix?: string): boolean {
  const image = withoutScheme(url);
  if (image === url && /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return false; // http://, file://: not an image
  return prefix === undefined ? DEFAULT_IMAGE.test(image) : image.startsWith(withoutScheme(prefix));
}

/** How the rule in force reads, for the startup line and the allowed-untouched reason. */
export const describeOwnership = (prefix?: string) =>
  prefix === undefined ? DEFAULT_IMAGE_RULE : `spec.url starting with ${withoutScheme(prefix)} (oci:// or docker:// or none)`;
