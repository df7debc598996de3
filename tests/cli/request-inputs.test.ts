// Where an id goes in the request: each rule's key header, its cookie, or its query parameter
// (percent-encoded, so that decoding gives the id's bytes back), next to what the options add; then
// through the filter, whose bucket must be the id's own FNV-1a whichever way the id travelled.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { FilterRule, HeaderValue } from "../../scripts/cli/filter-batch.ts";
import { ruleRequests } from "../../scripts/cli/request-inputs.ts";
import { fnv1a32 } from "../support/fnv1a.ts";
import { json, runCli, scratch } from "./run-cli.ts";

const { file } = scratch("request-inputs");

const rule = (source: FilterRule["key"]["source"], name: string) => ({ name: `${source}-rule`, key: { source, name } }) as FilterRule;

/** A header value as text: constants as they are, the id's places as <id> and <encoded-id>. */
function shown(value: HeaderValue): string | undefined {
  if ("constant" in value) return value.constant === undefined ? undefined : Buffer.from(value.constant).toString("latin1");
  return value.perId.map((part) => (typeof part === "string" ? `<${part}>` : Buffer.from(part).toString("latin1"))).join("");
}

it("puts the id in every key header, replacing what --header gave it; other options stay as given", () => {
  const [user, tenant] = ruleRequests({ header: ["x-user-id=other", "X-Extra=1"], host: "shop.example.com" }, [
    rule("header", "x-user-id"),
    rule("header", "x-tenant"),
  ]);
  assert.equal(shown(user.value), "<id>");
  assert.equal(shown(tenant.value), "<id>");
  assert.equal(shown(user.authority), "shop.example.com");
  assert.equal(shown(user.path), "/");
});

it("adds the id as a cookie after --cookie's, and as query parameters after --path's", () => {
  const [cookie, query] = ruleRequests({ header: [], cookie: "lang=en", path: "/cart?page=2" }, [
    rule("cookie", "uid"),
    rule("query", "user"),
    rule("query", "u"),
  ]);
  assert.equal(shown(cookie.value), "lang=en; uid=<id>");
  assert.equal(shown(query.value), "/cart?page=2&user=<encoded-id>&u=<encoded-id>");
  assert.equal(query.path, query.value, "a query rule's :path is the value it reads");
  assert.equal(shown(cookie.authority), undefined, "no --host: no :authority");
  const [bareCookie, bareQuery] = ruleRequests({ header: [] }, [rule("cookie", "uid"), rule("query", "user")]);
  assert.equal(shown(bareCookie.value), "uid=<id>");
  assert.equal(shown(bareQuery.value), "/?user=<encoded-id>");
});

it("gives the filter the id's own bytes through a header, a cookie and a query parameter", () => {
  const config = file(
    "sources.json",
    json({
      rules: [
        { name: "by-header", header: "x-user-id", modulo: 1000, tagHeader: "x-a", policies: [{ range: 1000, tagValue: "a" }] },
        { name: "by-cookie", cookie: "uid", modulo: 1000, tagHeader: "x-b", policies: [{ range: 1000, tagValue: "b" }] },
        { name: "by-query", query: "uid", modulo: 1000, tagHeader: "x-c", policies: [{ range: 1000, tagValue: "c" }] },
      ],
    }),
  );
  const id = Buffer.from("a b/é+%&=?#x", "utf8");
  const result = runCli(
    ["which", "--json", "--cookie", "lang=en", "--path", "/cart?page=2", config, "-"],
    Buffer.concat([id, Buffer.from("\n")]),
  );
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as Array<{ rule: string; bucket: number }>;
  assert.deepEqual(
    rows.map((r) => [r.rule, r.bucket]),
    ["by-header", "by-cookie", "by-query"].map((name) => [name, fnv1a32(id) % 1000]),
  );
});
