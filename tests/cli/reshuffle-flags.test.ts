// `diff`'s reshuffle flags, one edited field at a time, each checked against a brute-force comparison
// over the ids: an independent model (tests/support's FNV-1a) decides every id under the old and the
// new rule, in requests where every key source and name carries its own value for the user (as in
// production: a session cookie is not the user id) and across hosts and paths. A bucket flag (key,
// modulo, seed, hash) must appear exactly when some id's bucket changes; a reorder flag exactly when,
// with buckets unchanged, lanes swap users in a cycle; a match flag exactly when some request enters
// or leaves the rule's scope.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HashName, ruleHash } from "../support/fnv1a.ts";
import { json, runCli, scratch } from "./run-cli.ts";

const { file } = scratch("reshuffle-flags");

interface Rule {
  header?: string;
  cookie?: string;
  query?: string;
  modulo: number;
  tagHeader: string;
  policies?: Array<{ range: number; tagValue: string }>;
  partitionedPolicies?: Array<{ weight: number; tagValue: string }>;
  seed?: string;
  hash?: HashName;
  match?: { hosts?: string[]; pathPrefixes?: string[] };
}

const BASE: Rule = {
  cookie: "uid",
  modulo: 100,
  tagHeader: "x-asm-prefer-tag",
  policies: [
    { range: 20, tagValue: "s2" },
    { range: 100, tagValue: "s1" },
  ],
};
const ids = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
const idsFile = file("ids.txt", `${ids.join("\n")}\n`);
const REQUESTS = ["shop.example.com", "other.example.com"].flatMap((host) => ["/", "/api/cart"].map((path) => ({ host, path })));

/** The user's value for a key: its own for every source and name (header names are case-insensitive). */
function keyValue(rule: Rule, user: string): string {
  if (rule.header !== undefined) return `header:${rule.header.toLowerCase()}:${user}`;
  if (rule.cookie !== undefined) return `cookie:${rule.cookie}:${user}`;
  return `query:${rule.query}:${user}`;
}

function ranges(rule: Rule): Array<{ range: number; tagValue: string }> {
  if (rule.policies) return rule.policies;
  let sum = 0;
  return rule.partitionedPolicies!.map((p) => ({ range: (sum += p.weight), tagValue: p.tagValue }));
}

function decide(rule: Rule, user: string, request: { host: string; path: string }) {
  const inScope =
    (rule.match?.hosts?.includes(request.host) ?? true) && (rule.match?.pathPrefixes?.some((p) => request.path.startsWith(p)) ?? true);
  const bucket = ruleHash(keyValue(rule, user), { seed: rule.seed, hash: rule.hash }) % rule.modulo;
  return { inScope, bucket, lane: ranges(rule).find((p) => bucket < p.range)?.tagValue ?? "(past_last_range)" };
}

/** Whether the lane moves between two rules have a cycle (a -> b -> ... -> a). */
function hasCycle(moves: Map<string, Set<string>>): boolean {
  const reach = (from: string, to: string, seen = new Set<string>()): boolean =>
    [...(moves.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reach(next, to, seen))));
  return [...moves.keys()].some((lane) => reach(lane, lane));
}

function bruteForce(before: Rule, after: Rule) {
  let bucketsChange = false;
  let scopeChanges = false;
  const moves = new Map<string, Set<string>>();
  for (const user of ids) {
    for (const request of REQUESTS) {
      const was = decide(before, user, request);
      const is = decide(after, user, request);
      if (was.inScope !== is.inScope) scopeChanges = true;
      if (was.bucket !== is.bucket) bucketsChange = true;
      if (was.lane !== is.lane) (moves.get(was.lane) ?? moves.set(was.lane, new Set()).get(was.lane)!).add(is.lane);
    }
  }
  return { bucketsChange, scopeChanges, lanesCycle: hasCycle(moves) };
}

function flagsOf(before: Rule, after: Rule, name: string): string[] {
  const result = runCli([
    "diff",
    "--json",
    file(`${name}-old.json`, json({ rules: [before] })),
    file(`${name}-new.json`, json({ rules: [after] })),
    idsFile,
  ]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout).rules[0].flags;
}

const BUCKET_FLAG = /^(key|modulo|seed|hash) changed /;
const REORDER_FLAG = /^(policies|partitionedPolicies) reordered /;
const MATCH_FLAG = /^match changed /;

interface Case {
  name: string;
  before?: Rule;
  after: Rule;
  /** The field a bucket flag must name, when the brute force finds buckets changing. */
  field?: string;
}

const without = (rule: Rule, field: keyof Rule): Rule => Object.fromEntries(Object.entries(rule).filter(([k]) => k !== field)) as Rule;
const cases: Case[] = [
  { name: "cookie uid -> cookie sid (was: 0 change lane, no flags)", after: { ...BASE, cookie: "sid" }, field: "key" },
  { name: "cookie uid -> header x-user-id", after: { ...without(BASE, "cookie"), header: "x-user-id" }, field: "key" },
  { name: "cookie uid -> query uid", after: { ...without(BASE, "cookie"), query: "uid" }, field: "key" },
  {
    name: "header x-user-id -> X-User-Id (same header)",
    before: { ...without(BASE, "cookie"), header: "x-user-id" },
    after: { ...without(BASE, "cookie"), header: "X-User-Id" },
  },
  {
    name: "modulo 100 -> 200, ranges doubled",
    after: {
      ...BASE,
      modulo: 200,
      policies: [
        { range: 40, tagValue: "s2" },
        { range: 200, tagValue: "s1" },
      ],
    },
    field: "modulo",
  },
  { name: "seed (unset) -> v2", after: { ...BASE, seed: "v2" }, field: "seed" },
  { name: "seed v2 -> v3", before: { ...BASE, seed: "v2" }, after: { ...BASE, seed: "v3" }, field: "seed" },
  { name: "seed v2 -> v2", before: { ...BASE, seed: "v2" }, after: { ...BASE, seed: "v2" } },
  { name: "hash (unset) -> fnv1a32-fmix32", after: { ...BASE, hash: "fnv1a32-fmix32" }, field: "hash" },
  { name: "hash (unset) -> fnv1a32 (the default, written out)", after: { ...BASE, hash: "fnv1a32" } },
  {
    name: "policies s2, s1 -> s1, s2",
    after: {
      ...BASE,
      policies: [
        { range: 80, tagValue: "s1" },
        { range: 100, tagValue: "s2" },
      ],
    },
  },
  {
    name: "policies a, c, b -> c, b, a (no lane swaps directly)",
    before: {
      ...BASE,
      policies: [
        { range: 10, tagValue: "a" },
        { range: 90, tagValue: "c" },
        { range: 100, tagValue: "b" },
      ],
    },
    after: {
      ...BASE,
      policies: [
        { range: 80, tagValue: "c" },
        { range: 90, tagValue: "b" },
        { range: 100, tagValue: "a" },
      ],
    },
  },
  {
    name: "ramp s2 20 -> 50",
    after: {
      ...BASE,
      policies: [
        { range: 50, tagValue: "s2" },
        { range: 100, tagValue: "s1" },
      ],
    },
  },
  { name: "an empty policy added in front", after: { ...BASE, policies: [{ range: 0, tagValue: "s3" }, ...BASE.policies!] } },
  {
    name: "a new lane carved from the front",
    after: {
      ...BASE,
      policies: [
        { range: 10, tagValue: "s3" },
        { range: 30, tagValue: "s2" },
        { range: 100, tagValue: "s1" },
      ],
    },
  },
  {
    name: "policies -> the same split as partitionedPolicies",
    after: {
      ...without(BASE, "policies"),
      partitionedPolicies: [
        { weight: 20, tagValue: "s2" },
        { weight: 80, tagValue: "s1" },
      ],
    },
  },
  {
    name: "partitionedPolicies s2, s1 -> s1, s2",
    before: {
      ...without(BASE, "policies"),
      partitionedPolicies: [
        { weight: 20, tagValue: "s2" },
        { weight: 80, tagValue: "s1" },
      ],
    },
    after: {
      ...without(BASE, "policies"),
      partitionedPolicies: [
        { weight: 80, tagValue: "s1" },
        { weight: 20, tagValue: "s2" },
      ],
    },
  },
  { name: "match (none) -> hosts shop.example.com", after: { ...BASE, match: { hosts: ["shop.example.com"] } } },
  {
    name: "match hosts reordered",
    before: { ...BASE, match: { hosts: ["shop.example.com", "other.example.com"] } },
    after: { ...BASE, match: { hosts: ["other.example.com", "shop.example.com"] } },
  },
  {
    name: "match pathPrefixes /api added",
    before: { ...BASE, match: { hosts: ["shop.example.com"] } },
    after: { ...BASE, match: { hosts: ["shop.example.com"], pathPrefixes: ["/api"] } },
  },
  { name: "tagHeader renamed (no reshuffle)", after: { ...BASE, tagHeader: "x-lane" } },
];

describe("diff flags each reshuffling edit, and only those, as a brute force over the ids finds them", () => {
  for (const { name, before = BASE, after, field } of cases) {
    it(name, () => {
      const truth = bruteForce(before, after);
      const flags = flagsOf(before, after, name.replace(/\W+/g, "-"));
      const bucketFlags = flags.filter((f) => BUCKET_FLAG.test(f));
      assert.equal(
        bucketFlags.length > 0,
        truth.bucketsChange,
        `bucket flags ${JSON.stringify(bucketFlags)}, buckets change: ${truth.bucketsChange}`,
      );
      if (field !== undefined) {
        assert.ok(truth.bucketsChange, "the case changes buckets");
        assert.ok(
          bucketFlags.some((f) => f.startsWith(`${field} changed `)),
          `a ${field} flag in ${JSON.stringify(flags)}`,
        );
      }
      if (!truth.bucketsChange) {
        assert.equal(
          flags.some((f) => REORDER_FLAG.test(f)),
          truth.lanesCycle,
          `reorder flag in ${JSON.stringify(flags)}, lanes cycle: ${truth.lanesCycle}`,
        );
      }
      assert.equal(
        flags.some((f) => MATCH_FLAG.test(f)),
        truth.scopeChanges,
        `match flag in ${JSON.stringify(flags)}, scope changes: ${truth.scopeChanges}`,
      );
    });
  }
});

it("says what moved the key in the flag: cookie uid -> cookie sid", () => {
  const flags = flagsOf(BASE, { ...BASE, cookie: "sid" }, "key-text");
  assert.ok(
    flags.includes("key changed cookie uid -> cookie sid: every user is bucketed from another value, so users reshuffle across lanes"),
    JSON.stringify(flags),
  );
  const text = runCli([
    "diff",
    file("uid.json", json({ rules: [BASE] })),
    file("sid.json", json({ rules: [{ ...BASE, cookie: "sid" }] })),
    idsFile,
  ]);
  assert.match(text.stdout, /flag: key changed cookie uid -> cookie sid/);
  assert.doesNotMatch(text.stdout, /no flags/);
});
