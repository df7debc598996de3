// Where an id goes in the request: each rule's key header, its cookie, or its query parameter
// (percent-encoded, so that decoding gives the id's bytes back), next to what the options add.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { RuleView } from "../../scripts/cli/decisions.ts";
import { requestBuilder } from "../../scripts/cli/request-inputs.ts";

const rule = (source: string, name: string): RuleView => ({ name: `${source}-rule`, config: {}, key: { source, name } });
const text = (entries: Array<[string, Uint8Array]>) => entries.map(([name, value]) => `${name}: ${Buffer.from(value).toString("latin1")}`);

it("puts the id in every key header, replacing what --header gave it", () => {
  const build = requestBuilder({ header: ["x-user-id=other", "X-Extra=1"], host: "shop.example.com" }, [rule("header", "x-user-id"), rule("header", "x-tenant")]);
  assert.deepEqual(text(build(Buffer.from("alice"))), [
    ":method: GET", ":scheme: http", ":path: /", ":authority: shop.example.com", "x-extra: 1", "x-user-id: alice", "x-tenant: alice",
  ]);
});

it("adds the id as a cookie after --cookie's, and as query parameters after --path's", () => {
  const build = requestBuilder({ header: [], cookie: "lang=en", path: "/cart?page=2" }, [rule("cookie", "uid"), rule("query", "user"), rule("query", "u")]);
  const id = Uint8Array.from([0x61, 0x20, 0xff, 0x2f]);
  assert.deepEqual(text(build(id)), [
    ":method: GET", ":scheme: http", `cookie: lang=en; uid=a ${String.fromCharCode(0xff)}/`, ":path: /cart?page=2&user=a%20%FF%2F&u=a%20%FF%2F",
  ]);
  const bare = requestBuilder({ header: [] }, [rule("cookie", "uid"), rule("query", "user")]);
  assert.deepEqual(text(bare(Buffer.from("bob"))), [":method: GET", ":scheme: http", "cookie: uid=bob", ":path: /?user=bob"]);
});
