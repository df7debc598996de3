import { hostMatches, pathMatches } from "../../assembly/request/scope";
import { RuleMatch } from "../../assembly/rules";
import { hostPatternBytes } from "../../assembly/config/http-syntax";
import { parseIpv6 } from "../../assembly/request/host-syntax";

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

/** Host entries as config/parser.ts stores them (hostPatternBytes). */
function hostList(items: string[]): StaticArray<ArrayBuffer> {
  const out = new StaticArray<ArrayBuffer>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = hostPatternBytes(items[i])!;
  return out;
}

const HOSTS = new RuleMatch(hostList(["shop.example.com", "*.example.org", "10.0.0.1", "[::1]", "[2001:db8::1:0]"]), null);
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
  it("drops one trailing dot: shop.example.com. is the same host", () => {
    expect(host(HOSTS, "shop.example.com.")).toBe(true);
    expect(host(HOSTS, "shop.example.com.:8080")).toBe(true);
    expect(host(HOSTS, "a.example.org.")).toBe(true);
    expect(host(HOSTS, "shop.example.com..")).toBe(false);
    expect(host(new RuleMatch(hostList(["shop.example.com."]), null), "shop.example.com")).toBe(true);
  });
  it("compares IP addresses in one form, whatever their spelling", () => {
    expect(host(HOSTS, "[0:0::1]")).toBe(true);
    expect(host(HOSTS, "[0000:0000:0000:0000:0000:0000:0000:0001]:80")).toBe(true);
    expect(host(HOSTS, "[::0.0.0.1]")).toBe(true);
    expect(host(HOSTS, "[2001:DB8:0:0:0:0:1:0]")).toBe(true);
    expect(host(HOSTS, "[2001:db8::1]")).toBe(false);
    expect(host(HOSTS, "10.0.0.01")).toBe(true);
    expect(host(HOSTS, "010.000.000.001:80")).toBe(true);
    expect(host(HOSTS, "10.0.0.1.")).toBe(true);
    expect(host(HOSTS, "10.0.0.2")).toBe(false);
  });
  it("matches nothing that is not a host", () => {
    expect(host(HOSTS, "[::1]x")).toBe(false);
    expect(host(HOSTS, "[::1]:8a")).toBe(false);
    expect(host(HOSTS, "[::1")).toBe(false);
    expect(host(HOSTS, "[::1::2]")).toBe(false);
    expect(host(HOSTS, "[1:2:3:4:5:6:7:8:9]")).toBe(false);
    expect(host(HOSTS, "shop.example.com:80x")).toBe(false);
    expect(host(HOSTS, "a/b.example.org")).toBe(false);
    expect(host(HOSTS, ".")).toBe(false);
  });
  it("refuses host entries that are not hosts", () => {
    expect(hostPatternBytes("[::1]x") === null).toBe(true);
    expect(hostPatternBytes("[1::2::3]") === null).toBe(true);
    expect(hostPatternBytes("a..b") === null).toBe(true);
    expect(hostPatternBytes("*.") === null).toBe(true);
    expect(hostPatternBytes("300.1.1.1") === null).toBe(false);
  });
  it("parses IPv6 text into its 16 bytes", () => {
    const out = new ArrayBuffer(16);
    const text = String.UTF8.encode("1:2::ff");
    expect(parseIpv6(changetype<usize>(text), text.byteLength, changetype<usize>(out))).toBe(true);
    const bytes = Uint8Array.wrap(out);
    expect(bytes[1]).toBe(1);
    expect(bytes[3]).toBe(2);
    expect(bytes[14]).toBe(0);
    expect(bytes[15]).toBe(0xff);
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
