import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCitations, verifyCitations } from '../../src/core/citations/citations';
import { FileMap } from '../../src/core/workspace/fileMap';
import { fixtureMap } from '../support/scriptedModels';

describe('citations', () => {
  it('parses path:line, path:start-end, path#Lx-Ly and markdown links', () => {
    const md = [
      'Pricing is in `src/orders/pricing.ts:15` and the discount at src/orders/pricing.ts:17-19.',
      'See [the server](src/api/server.ts#L8-L20) and [config](./src/config.ts:6).',
      'Also src/config.ts#L1 and README.md:3.',
    ].join('\n');
    const got = parseCitations(md).map((c) => [c.path, c.startLine, c.endLine]);
    assert.deepEqual(got, [
      ['src/orders/pricing.ts', 15, 15],
      ['src/orders/pricing.ts', 17, 19],
      ['src/api/server.ts', 8, 20],
      ['./src/config.ts', 6, 6],
      ['src/config.ts', 1, 1],
      ['README.md', 3, 3],
    ]);
    const link = parseCitations(md).find((c) => c.label === 'the server')!;
    assert.equal(md.slice(link.offset, link.offset + link.length), '[the server](src/api/server.ts#L8-L20)');
  });

  it('ignores times, URLs with ports, versions and code fences', () => {
    const md = 'At 10:30 we hit http://localhost:8080/api and https://example.com:443/x, v1.2:3 too.\n```\nsrc/a.ts:1\n```';
    assert.deepEqual(parseCitations(md), []);
  });

  describe('against a workspace', () => {
    let map: FileMap;
    fixtureMap('shop', (loaded) => (map = loaded));

    it('marks real files and existing lines valid, with the cited text', async () => {
      const [c] = await verifyCitations('see src/orders/pricing.ts:15-16', map);
      assert.equal(c.valid, true);
      assert.equal(c.resolvedPath, 'src/orders/pricing.ts');
      assert.equal(c.text, 'export function priceOrder(order: Order): number {\n  let total = subtotalCents(order);');
    });

    it('resolves ./paths and unique suffixes', async () => {
      const [a, b] = await verifyCitations('./src/config.ts:6 and pricing.ts:3', map);
      assert.equal(a.valid, true);
      assert.equal(a.resolvedPath, 'src/config.ts');
      assert.equal(b.valid, true);
      assert.equal(b.resolvedPath, 'src/orders/pricing.ts');
    });

    it('marks invented files, lines past the end, and secrets invalid', async () => {
      const cs = await verifyCitations('src/orders/discounts.ts:4, src/orders/pricing.ts:400, .env:1, src/config.ts:0', map);
      assert.deepEqual(
        cs.map((c) => c.valid),
        [false, false, false, false],
      );
      assert.match(cs[0].reason!, /no such file/);
      assert.match(cs[1].reason!, /has 25 lines/);
      assert.match(cs[2].reason!, /no such file/);
      assert.equal(cs[2].text, undefined, 'a secret is never quoted');
    });
  });
});
