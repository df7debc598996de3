// An image reference's name and tag: `host[:port]/path/name[:tag]` (a colon before the last slash is a port).
export function splitImage(image: string): { name: string; tag?: string } {
  const tagAt = image.lastIndexOf(":");
  return tagAt > image.lastIndexOf("/") ? { name: image.slice(0, tagAt), tag: image.slice(tagAt + 1) } : { name: image };
}
