import { hostMatches, pathMatches } from "../../assembly/request-match";
import { RuleMatch } from "../../assembly/rules";

function list(items: string[]): StaticArray<ArrayBuffer> {
  const out = new StaticArray<ArrayBuffer>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = String.UTF8.encode(items[i]);
  return out;
}

function host(match: RuleMatch, authority: string): bool {
  const bytes = String.UTF8.encode(authority);
  return hostMatches(match, changetype<usize>(bytes), bytes.byteLength);
}

function path(match: RuleMatch, value: string): bool {
  const bytes = String.UTF8.encode(value);
  return pathMatches(match, changetype<usize>(bytes), bytes.byteLength);
}

// As config/parser.ts stores them: lowercase, "*.example.com" as ".example.com".
const HOSTS = new RuleMatch(list(["shop.example.com", ".example.org", "10.0.0.1", "[::1]"]), null);
const PREFIXES = new RuleMatch(null, list(["/api/", "/login"]));

describe("hostMatches", () => {
  it("compares the host without its port, ignoring case", () => {
    expect(host(HOSTS, "shop.example.com")).toBe(true);
    expect(host(HOSTS, "Shop.Example.COM:8080")).toBe(true);
    expect(host(HOSTS, "10.0.0.1:80")).toBe(true);
    expect(host(HOSTS, "[::1]:443")).toBe(true);
    expect(host(HOSTS, "shop.example.co")).toBe(false);
    expect(host(HOSTS, "xshop.example.com")).toBe(false);
    expect(host(HOSTS, "shop.example.com.evil")).toBe(false);
    expect(host(HOSTS, "")).toBe(false);
  });
  it("takes any subdomain for a *. entry, but not the domain itself", () => {
    expect(host(HOSTS, "a.example.org")).toBe(true);
    expect(host(HOSTS, "a.b.EXAMPLE.org:1")).toBe(true);
    expect(host(HOSTS, "example.org")).toBe(false);
    expect(host(HOSTS, "badexample.org")).toBe(false);
  });
  it("matches every host without a hosts list", () => {
    expect(host(new RuleMatch(null, list(["/"])), "anything")).toBe(true);
  });
});

describe("pathMatches", () => {
  it("compares byte for byte from the start", () => {
    expect(path(PREFIXES, "/api/users?x=1")).toBe(true);
    expect(path(PREFIXES, "/login")).toBe(true);
    expect(path(PREFIXES, "/loginx")).toBe(true);
    expect(path(PREFIXES, "/api")).toBe(false);
    expect(path(PREFIXES, "/API/users")).toBe(false);
    expect(path(PREFIXES, "/x/api/")).toBe(false);
    expect(path(PREFIXES, "")).toBe(false);
  });
  it("matches every path without a prefix list", () => {
    expect(path(new RuleMatch(list(["a"]), null), "/anything")).toBe(true);
  });
});
