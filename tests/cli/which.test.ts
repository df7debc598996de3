// `hash-tagging which`: per id and rule the bucket, tag and why, from the compiled filter; expected
// values come from the independent FNV-1a in tests/support, never from the filter.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { REFERENCE_CONFIG, WALKTHROUGH_USERS } from "../support/configs.ts";
import { fnv1a32, referenceTag } from "../support/fnv1a.ts";
import { assertOneLineError, json, runCli, SHIPPED, scratch } from "./run-cli.ts";

const { file } = scratch("which");

interface Row {
  id: string;
  rule: string;
  bucket?: number;
  modulo?: number;
  tag?: string;
  outcome: string;
  index?: number;
  why: string;
}

function whichJson(args: string[], input?: string | Uint8Array): Row[] {
  const result = runCli(["which", "--json", ...args], input);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

it("gives each walk-through user of the shipped manifest the bucket and lane FNV-1a gives", () => {
  const rows = whichJson([SHIPPED, ...WALKTHROUGH_USERS]);
  assert.deepEqual(
    rows.map((r) => [r.id, r.rule, r.bucket, r.modulo, r.tag, r.outcome]),
    WALKTHROUGH_USERS.map((id) => [id, "rule_0", fnv1a32(Buffer.from(id)) % 100, 100, referenceTag(id), "policy"]),
  );
  for (const row of rows) assert.equal(row.why, row.tag === "s2" ? "policies[0] (buckets 0..19)" : "policies[1] (buckets 20..99)");
});

it("prints one aligned line per id and rule", () => {
  const result = runCli(["which", SHIPPED, "jason", "bob"]);
  assert.equal(result.status, 0);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2);
  for (const [i, id] of ["jason", "bob"].entries()) {
    const bucket = fnv1a32(Buffer.from(id)) % 100;
    assert.match(lines[i], new RegExp(`^${id} +rule_0  bucket ${bucket} of 100 +x-asm-prefer-tag: ${referenceTag(id)}  policies\\[\\d\\]`));
  }
  assert.equal(result.stderr, "", "no colour codes or progress off a terminal");
  assert.doesNotMatch(result.stdout, /\x1b\[/);
});

it("answers per rule, with no key, past the last range and named rules", () => {
  const config = file(
    "rules.json",
    json({
      rules: [
        { name: "canary", header: "x-user-id", modulo: 100, tagHeader: "x-lane", policies: [{ range: 50, tagValue: "blue" }] },
        { header: "x-tenant", modulo: 10, tagHeader: "x-tenant-lane", policies: [{ range: 10, tagValue: "t" }] },
      ],
    }),
  );
  // Ids go into every rule's key header: x-user-id and x-tenant.
  const ids = ["alice", "bob", "carol", "dave", "erin"];
  const rows = whichJson([config, ...ids]);
  assert.equal(rows.length, 2 * ids.length);
  for (const [i, id] of ids.entries()) {
    const [canary, tenant] = rows.slice(2 * i, 2 * i + 2);
    const bucket = fnv1a32(Buffer.from(id)) % 100;
    assert.deepEqual([canary.rule, canary.bucket], ["canary", bucket]);
    if (bucket < 50) assert.deepEqual([canary.tag, canary.outcome, canary.index], ["blue", "policy", 0]);
    else assert.deepEqual([canary.tag, canary.outcome, canary.why], [undefined, "past_last_range", "past the last range: no tag"]);
    assert.deepEqual([tenant.rule, tenant.bucket, tenant.tag], ["rule_1", fnv1a32(Buffer.from(id)) % 10, "t"]);
  }
  assert.ok(rows.some((r) => r.outcome === "past_last_range") && rows.some((r) => r.tag === "blue"), "both outcomes met");
  const [empty] = whichJson([config, ""]);
  assert.deepEqual([empty.id, empty.outcome, empty.bucket, empty.why], ['""', "no_key", undefined, "no key (x-user-id absent or empty)"]);
});

it("explains a partitionedPolicies rule by its policy and bucket range, as a policies rule (was only `tag`)", () => {
  const weights = [
    { weight: 20, tagValue: "s2" },
    { weight: 80, tagValue: "s1" },
  ];
  const config = file(
    "partitioned.json",
    json({ rules: [{ header: "x-user-id", modulo: 100, tagHeader: "x-asm-prefer-tag", partitionedPolicies: weights }] }),
  );
  const rows = whichJson([config, ...WALKTHROUGH_USERS]);
  for (const [i, id] of WALKTHROUGH_USERS.entries()) {
    const bucket = fnv1a32(Buffer.from(id)) % 100;
    const index = bucket < 20 ? 0 : 1;
    assert.deepEqual(
      [rows[i].bucket, rows[i].outcome, rows[i].index, rows[i].tag, rows[i].why],
      [
        bucket,
        "policy",
        index,
        weights[index].tagValue,
        index === 0 ? "partitionedPolicies[0] (buckets 0..19)" : "partitionedPolicies[1] (buckets 20..99)",
      ],
    );
  }
  assert.ok(new Set(rows.map((r) => r.index)).size === 2, "both policies met");
  const text = runCli(["which", config, "jason"]);
  const bucket = fnv1a32(Buffer.from("jason")) % 100;
  const [index, range] = bucket < 20 ? [0, "0\\.\\.19"] : [1, "20\\.\\.99"];
  assert.match(
    text.stdout,
    new RegExp(
      `^jason +rule_0  bucket ${bucket} of 100 +x-asm-prefer-tag: ${weights[index].tagValue}  partitionedPolicies\\[${index}\\] \\(buckets ${range}\\)$`,
      "m",
    ),
  );
});

it("names overrides, the default tag and requests outside the rule's match", () => {
  const config = file(
    "outcomes.json",
    json({
      rules: [
        {
          name: "vip",
          header: "x-user-id",
          modulo: 100,
          tagHeader: "x-lane",
          policies: [{ range: 10, tagValue: "canary" }],
          overrides: { jason: "staff" },
          defaultTagValue: "stable",
        },
        {
          name: "shop",
          header: "x-user-id",
          modulo: 100,
          tagHeader: "x-shop-lane",
          policies: [{ range: 100, tagValue: "s" }],
          match: { hosts: ["shop.example.com"] },
        },
      ],
    }),
  );
  const ids = ["jason", ...WALKTHROUGH_USERS.filter((id) => id !== "jason")];
  const rows = whichJson([config, "--host", "other.example.com", ...ids]);
  const vip = rows.filter((r) => r.rule === "vip");
  assert.deepEqual([vip[0].outcome, vip[0].tag, vip[0].bucket], ["override", "staff", undefined]);
  for (const [i, id] of ids.entries()) {
    if (i === 0) continue;
    const bucket = fnv1a32(Buffer.from(id)) % 100;
    assert.deepEqual(
      [vip[i].bucket, vip[i].tag, vip[i].outcome],
      [bucket, bucket < 10 ? "canary" : "stable", bucket < 10 ? "policy" : "past_last_range"],
    );
    if (bucket >= 10) assert.equal(vip[i].why, "past the last range: default tag");
  }
  assert.ok(
    rows
      .filter((r) => r.rule === "shop")
      .every((r) => r.outcome === "out_of_scope" && r.tag === undefined && r.why === "outside the rule's match: left alone"),
  );
  const inside = whichJson([config, "--host", "shop.example.com:8443", "bob"]).find((r) => r.rule === "shop")!;
  assert.deepEqual([inside.outcome, inside.tag], ["policy", "s"]);
});

it("sends the id in place of a --header for the key header, and other request options as headers", () => {
  const [row] = whichJson([
    SHIPPED,
    "--header",
    "x-user-id=someone-else",
    "--header",
    "x-other=1",
    "--host",
    "shop.example.com",
    "--path",
    "/cart?x=1",
    "--cookie",
    "a=b",
    "jason",
  ]);
  assert.equal(row.bucket, fnv1a32(Buffer.from("jason")) % 100);
  const [forged] = whichJson([SHIPPED, "--header", "x-asm-prefer-tag=forged", "jason"]);
  assert.equal(forged.tag, referenceTag("jason"), "the filter replaces a client's tag");
  assertOneLineError(runCli(["which", SHIPPED, "--header", "novalue", "jason"]), 2, /--header "novalue": expected NAME=VALUE/);
});

it("reads ids from stdin with -, as raw bytes: CRLF line ends dropped, invalid UTF-8 hashed as is", () => {
  const invalid = Uint8Array.from([0xff, 0xfe, 0x61]);
  const input = Buffer.concat([Buffer.from("jason\r\n"), invalid, Buffer.from("\r\nbob\n")]);
  const rows = whichJson([SHIPPED, "-"], input);
  assert.deepEqual(
    rows.map((r) => r.id),
    ["jason", "\\xff\\xfea", "bob"],
  );
  assert.deepEqual(
    rows.map((r) => r.bucket),
    [Buffer.from("jason"), invalid, Buffer.from("bob")].map((id) => fnv1a32(id) % 100),
  );
});

it("answers a long list of ids from stdin, one line per id", () => {
  const ids = Array.from({ length: 150_000 }, (_, i) => `user-${i}`);
  const result = runCli(["which", SHIPPED, "-"], ids.join("\n"));
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines.length, ids.length);
  const last = ids[ids.length - 1];
  assert.match(
    lines[lines.length - 1],
    new RegExp(`^${last} +rule_0  bucket ${fnv1a32(Buffer.from(last)) % 100} of 100 +x-asm-prefer-tag: ${referenceTag(last)} `),
  );
});

it("refuses bad input with one line and a non-zero exit, never a stack trace", () => {
  assertOneLineError(runCli(["which", "no-such.yaml", "jason"]), 2, /no-such\.yaml: cannot read: ENOENT/);
  assertOneLineError(runCli(["which", file("not-yaml.yaml", "rules: [\n"), "jason"]), 2, /not-yaml\.yaml: not YAML or JSON: /);
  assertOneLineError(
    runCli(["which", file("refused.json", json({ rules: [{ ...REFERENCE_CONFIG.rules[0], modulo: 0 }] })), "jason"]),
    1,
    /refused\.json: pluginConfig: refused by the filter: rules\[0\]\.modulo: expected an integer from 1 to 4294967295, got the number 0/,
  );
  assertOneLineError(runCli(["which", SHIPPED]), 2, /missing required argument 'id'/);
  assertOneLineError(runCli(["which", "--bogus", SHIPPED, "jason"]), 2, /unknown option '--bogus'/);
  assertOneLineError(
    runCli(["which", "--wasm", "build/none.wasm", SHIPPED, "jason"]),
    2,
    /build\/none\.wasm not found: build the filter first/,
  );
  assertOneLineError(runCli(["which", SHIPPED, "-"], "a\0b\n"), 2, /stdin:1: id holds a NUL byte at column 2/);
  const shipped = readFileSync(SHIPPED, "utf8");
  const two = file("two.yaml", `${shipped}\n---\n${shipped.replace("name: hash-tagging", "name: other")}`);
  assertOneLineError(runCli(["which", two, "jason"]), 2, /holds 2 configurations .*: choose one with --plugin NAME/);
  assert.equal(whichJson([two, "--plugin", "other", "jason"])[0].tag, referenceTag("jason"));
});
