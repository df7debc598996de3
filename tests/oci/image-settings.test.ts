import { test } from "node:test";
import assert from "node:assert/strict";
import { parseImageReference, isLocalOnly, defaultImageName } from "../../src/oci/image-reference.ts";
import { readImageSettings } from "../../src/oci/image-settings.ts";

const REFERENCES: [string, { registry: string; repository: string; tag: string }][] = [
  ["127.0.0.1:5000/hash-tagging:0.1.0", { registry: "127.0.0.1:5000", repository: "hash-tagging", tag: "0.1.0" }],
  ["registry.example.com/team/hash-tagging:v1", { registry: "registry.example.com", repository: "team/hash-tagging", tag: "v1" }],
  ["localhost:5000/hash-tagging", { registry: "localhost:5000", repository: "hash-tagging", tag: "latest" }],
  ["localhost/hash-tagging:0.1.0", { registry: "localhost", repository: "hash-tagging", tag: "0.1.0" }],
  ["team/hash-tagging:1", { registry: "docker.io", repository: "team/hash-tagging", tag: "1" }],
];

for (const [text, want] of REFERENCES) {
  test(`image reference ${text}`, () => {
    const { registry, repository, tag } = parseImageReference(text);
    assert.deepEqual({ registry, repository, tag }, want);
  });
}

const BAD_REFERENCES: [string, RegExp][] = [
  ["", /expected REGISTRY\[:PORT\]\/REPOSITORY:TAG/],
  ["127.0.0.1:5000/Hash-Tagging:1", /repository "Hash-Tagging" must be lowercase/],
  ["127.0.0.1:5000/hash-tagging:-x", /tag "-x"/],
  ["127.0.0.1:5000/hash-tagging@sha256:00", /digest reference cannot be built or pushed/],
];

for (const [text, error] of BAD_REFERENCES) {
  test(`image reference ${JSON.stringify(text)} is refused, naming the variable`, () => {
    assert.throws(() => parseImageReference(text, "IMAGE"), (e: Error) => e.message.startsWith(`IMAGE ${JSON.stringify(text)}: `) && error.test(e.message));
  });
}

test("the default image is local-only and tagged with the package version", () => {
  const settings = readImageSettings({}, [], "1.2.3");
  assert.equal(settings.image.text, defaultImageName("1.2.3"));
  assert.equal(settings.image.text, "localhost/hash-tagging:1.2.3");
  assert.ok(isLocalOnly(settings.image));
  assert.deepEqual(
    { format: settings.format, builder: settings.builder, tlsVerify: settings.tlsVerify, epoch: settings.sourceDateEpoch, driver: settings.buildahStorage.driver },
    { format: "docker", builder: "auto", tlsVerify: true, epoch: 0, driver: "vfs" },
  );
});

test("TLS verification: env TLS_VERIFY, overridden by --tls-verify", () => {
  assert.equal(readImageSettings({ TLS_VERIFY: "false" }, [], "1").tlsVerify, false);
  assert.equal(readImageSettings({ TLS_VERIFY: "false" }, ["--tls-verify=true"], "1").tlsVerify, true);
  assert.equal(readImageSettings({}, ["--tls-verify", "false"], "1").tlsVerify, false);
});

const BAD_SETTINGS: [NodeJS.ProcessEnv, string[], RegExp][] = [
  [{ TLS_VERIFY: "maybe" }, [], /^TLS_VERIFY="maybe": expected true or false$/],
  [{}, ["--tls-verify=nope"], /^--tls-verify="nope": expected true or false$/],
  [{ IMAGE_FORMAT: "v2s1" }, [], /^IMAGE_FORMAT="v2s1": expected one of docker, oci$/],
  [{ IMAGE_BUILDER: "podman" }, [], /^IMAGE_BUILDER="podman": expected one of auto, docker, buildah$/],
  [{ SOURCE_DATE_EPOCH: "yesterday" }, [], /^SOURCE_DATE_EPOCH="yesterday": expected whole seconds/],
  [{}, ["--push"], /^unknown argument --push/],
  [{}, ["latest"], /^unknown argument latest: the only option is --tls-verify/],
];

for (const [env, argv, error] of BAD_SETTINGS) {
  test(`settings ${[JSON.stringify(env), ...argv].join(" ")} are refused, naming the setting`, () => {
    assert.throws(() => readImageSettings(env, argv, "1"), { message: error });
  });
}
