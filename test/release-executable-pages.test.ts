// Which mappings are handed back after start-up: the executable's own code and read-only data,
// never a writable mapping or another file's. The effect on a served binary is in binary.test.ts.
import { expect, test } from "bun:test";
import { readOnlyMappingsOf } from "../src/release-executable-pages.ts";

const MAPS = `00200000-01a38000 r--p 00000000 fd:00 1234   /opt/tollgate
01a40000-06836000 r-xp 01838000 fd:00 1234   /opt/tollgate
06852000-07549000 rw-p 06642000 fd:00 1234   /opt/tollgate
07549000-07600000 rw-p 00000000 00:00 0 
7f00000000-7f00001000 r-xp 00000000 fd:00 99   /usr/lib/x86_64-linux-gnu/libc.so.6
7f00002000-7f00003000 r--p 00000000 fd:00 77   /opt/tollgate-other
`;

test("only the executable's own mappings that cannot be written are chosen", () => {
  expect(readOnlyMappingsOf(MAPS, "/opt/tollgate")).toEqual([
    { start: 0x200000n, end: 0x1a38000n },
    { start: 0x1a40000n, end: 0x6836000n },
  ]);
  expect(readOnlyMappingsOf(MAPS, "/opt/missing")).toEqual([]);
  expect(readOnlyMappingsOf("", "/opt/tollgate")).toEqual([]);
});
