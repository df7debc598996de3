// Ids from a column of a CSV or TSV export (`--column NAME|N`): RFC 4180 quoting, header detection,
// tab or comma, and one clear error per problem. Expected counts come from the independent FNV-1a
// over the ids the test put in the column.
import assert from "node:assert/strict";
import { it } from "node:test";
import { looksLikeHeader } from "../../scripts/cli/csv-ids.ts";
import { referenceConfigWithCanary } from "../support/configs.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { assertOneLineError, json, runCli, SHIPPED, scratch } from "./run-cli.ts";

const { file } = scratch("csv-ids");

const ids = Array.from({ length: 3000 }, (_, i) => `member-${i}`);
const expectedS2 = (list: string[]) => list.filter((id) => referenceTag(id) === "s2").length;

function lanes(args: string[], input?: string): { ids: number; s2: number } {
  const result = runCli(["split", "--json", SHIPPED, ...args], input);
  assert.equal(result.status, 0, result.stderr);
  const [rule] = JSON.parse(result.stdout).rules;
  return { ids: rule.ids, s2: rule.lanes.find((l: { lane: string }) => l.lane === "s2").count };
}

const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
// An export with quoting in the other columns: commas, doubled quotes, a line break, CRLF line ends.
const exportCsv = [
  "email,user_id,note",
  ...ids.map((id, i) => `${quoted(`${id}@example.com`)},${i % 2 ? quoted(id) : id},${quoted(i % 7 ? `says "hi", twice` : "two\nlines")}`),
].join("\r\n");

it("takes the named column of a CSV export, quoting and line breaks inside quotes as RFC 4180 has them", () => {
  assert.deepEqual(lanes([file("users.csv", exportCsv), "--column", "user_id"]), { ids: ids.length, s2: expectedS2(ids) });
});

it("takes a column by number, detecting the header row, or told with --csv-header", () => {
  const numbered = ["user_id,visits", ...ids.map((id, i) => `${id},${i}`)].join("\n");
  assert.deepEqual(lanes([file("numbered.csv", numbered), "--column", "1"]), { ids: ids.length, s2: expectedS2(ids) }, "header detected");
  const bare = ids.map((id, i) => `${id},${i}`).join("\n");
  assert.deepEqual(lanes([file("bare.csv", bare), "--column", "1"]), { ids: ids.length, s2: expectedS2(ids) }, "no header to skip");
  const forced = lanes([file("forced.csv", bare), "--column", "1", "--csv-header", "yes"]);
  assert.deepEqual(forced, { ids: ids.length - 1, s2: expectedS2(ids.slice(1)) }, "--csv-header yes skips row 1");
  const kept = lanes([file("kept.csv", numbered), "--column", "1", "--csv-header", "no"]);
  assert.deepEqual(kept, { ids: ids.length + 1, s2: expectedS2(["user_id", ...ids]) }, "--csv-header no keeps row 1 as an id");
});

it("reads TSV by its extension, and tab-separated stdin by its first line", () => {
  const tsv = ["id\tname", ...ids.map((id) => `${id}\tName, with comma`)].join("\n");
  assert.deepEqual(lanes([file("users.tsv", tsv), "--column", "id"]), { ids: ids.length, s2: expectedS2(ids) });
  assert.deepEqual(lanes(["-", "--column", "id"], tsv), { ids: ids.length, s2: expectedS2(ids) });
});

it("skips empty cells, and feeds diff the same way", () => {
  const sparse = ["id,x", ...ids.map((id, i) => (i % 10 === 0 ? ",1" : `${id},1`))].join("\n");
  const present = ids.filter((_, i) => i % 10 !== 0);
  assert.deepEqual(lanes([file("sparse.csv", sparse), "--column", "id"]), { ids: present.length, s2: expectedS2(present) });
  const result = runCli([
    "diff",
    "--json",
    SHIPPED,
    file("ramp.json", json(referenceConfigWithCanary(50))),
    file("diff.csv", exportCsv),
    "--column",
    "user_id",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const [rule] = JSON.parse(result.stdout).rules;
  assert.equal(rule.ids, ids.length);
  assert.equal(rule.matrix.s1.s2, ids.filter((id) => referenceTag(id) === "s1" && referenceTag(id, 50) === "s2").length);
});

it("tells a header row from data by the column's kind or length below it", () => {
  assert.equal(
    looksLikeHeader([
      ["id", "n"],
      ["17", "3"],
      ["18", "4"],
    ]),
    true,
  );
  assert.equal(looksLikeHeader([["user_id"], ["3f2a9c1e"], ["77b0d2aa"]]), true);
  assert.equal(looksLikeHeader([["16"], ["17"], ["18"]]), false);
  assert.equal(looksLikeHeader([["alice"], ["bob"], ["carol"]]), false);
  assert.equal(looksLikeHeader([["only"]]), false);
});

it("refuses each bad input with one line naming the file and what was expected", () => {
  const users = file("errors.csv", "email,user_id\na@x,1\n");
  assertOneLineError(
    runCli(["split", SHIPPED, users, "--column", "uid"]),
    2,
    /errors\.csv: the header row \(row 1\) has no column "uid" \(it has: "email", "user_id"\)/,
  );
  assertOneLineError(
    runCli(["split", SHIPPED, users, "--column", "3"]),
    2,
    /errors\.csv: row 1 has 2 column\(s\), --column 3 asks for column 3/,
  );
  assertOneLineError(runCli(["split", SHIPPED, users, "--column", "0"]), 2, /--column 0: columns are numbered from 1/);
  assertOneLineError(
    runCli(["split", SHIPPED, users, "--column", "uid", "--csv-header", "no"]),
    2,
    /names a header column, but --csv-header is no/,
  );
  assertOneLineError(runCli(["split", SHIPPED, users, "--column", "1", "--csv-header", "maybe"]), 2, /--csv-header.*maybe.*(auto|choices)/);
  assertOneLineError(
    runCli(["split", SHIPPED, file("open.csv", 'id\n"unterminated\n'), "--column", "id"]),
    2,
    /open\.csv: not valid CSV: /,
  );
  assertOneLineError(
    runCli(["split", SHIPPED, file("ragged.csv", "id,x\na,1\nb\n"), "--column", "id"]),
    2,
    /ragged\.csv: not valid CSV: .*(length|columns)/i,
  );
  assertOneLineError(
    runCli(["split", SHIPPED, file("newline.csv", 'id\n"a\nb"\n'), "--column", "id"]),
    2,
    /newline\.csv: row 2, column 1: id holds a LF byte at column 2/,
  );
  assertOneLineError(runCli(["split", SHIPPED, file("empty.csv", "id\n"), "--column", "id"]), 2, /empty\.csv: no ids in column id/);
  assertOneLineError(runCli(["split", SHIPPED, "--sample", "10", "--column", "id"]), 2, /--column needs a CSV or TSV file of ids/);
});
