import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromPersisted, toPersisted } from '../../src/extension/review/reviewPersistence';

const folderA = { name: 'a', uri: { toString: () => 'file:///work/a' } };

function review(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    folder: folderA,
    root: '/work/a',
    source: { kind: 'commit' as const, ref: 'HEAD' },
    description: 'commit abc',
    baseCommit: 'a'.repeat(40),
    headCommit: 'b'.repeat(40),
    files: [{ path: 'src/x.ts', status: 'modified' as const, binary: false, additions: 1, deletions: 1 }],
    findings: [{ severity: 'error' as const, path: 'src/x.ts', line: 3, title: 'T', detail: 'D', valid: true, side: 'new' as const }],
    reviewed: ['src/x.ts'],
    unreviewed: [],
    ...extra,
  };
}

/** Through JSON, as workspaceState stores it. */
const stored = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('review persistence', () => {
  it('round-trips the reviews and the current one, with folders by URI and without the disk check', () => {
    const saved = stored(toPersisted([review('r1'), review('r2', { onDisk: ['src/x.ts'] })], 'r2'));
    assert.doesNotMatch(JSON.stringify(saved), /onDisk/, 'what was on disk is checked again after a reload');
    const back = fromPersisted(saved, (uri) => (uri === 'file:///work/a' ? folderA : undefined));
    assert.equal(back.current, 'r2');
    assert.deepEqual(back.reviews.map((r) => r.id), ['r1', 'r2']);
    assert.equal(back.reviews[1].folder, folderA);
    assert.deepEqual(back.reviews[1].findings, review('r2').findings);
    assert.deepEqual(back.reviews[1].source, { kind: 'commit', ref: 'HEAD' });
  });

  it('drops a review whose folder is no longer open, and the current mark with it', () => {
    const back = fromPersisted(stored(toPersisted([review('r1')], 'r1')), () => undefined);
    assert.deepEqual(back, { reviews: [] });
  });

  it('keeps the stored JSON under the bound: the current review first, then the newest', () => {
    const big = (id: string) => review(id, { reviewed: [`${'x'.repeat(3_000)}`] });
    const saved = toPersisted([big('old'), big('current'), big('newer'), big('newest')], 'current', 8_000);
    assert.ok(JSON.stringify(saved).length <= 8_000, `${JSON.stringify(saved).length} bytes`);
    assert.deepEqual(saved.reviews.map((r) => r.id), ['current', 'newest'], 'oldest first, as held');
    assert.equal(saved.current, 'current');
    const none = toPersisted([big('huge')], 'huge', 1_000);
    assert.deepEqual(none, { version: 1, reviews: [] }, 'a review over the bound alone is not stored');
  });

  it('ignores malformed or foreign data instead of failing', () => {
    const folderOf = () => folderA;
    for (const raw of [undefined, null, 42, 'x', [], { version: 2, reviews: [] }, { version: 1 }]) {
      assert.deepEqual(fromPersisted(raw, folderOf), { reviews: [] }, JSON.stringify(raw));
    }
    const good = stored(toPersisted([review('ok')], 'ok')) as { reviews: Record<string, unknown>[] };
    const bad = [
      { ...good.reviews[0], id: 'noSource', source: { kind: 'commit' } },
      { ...good.reviews[0], id: 'badSeverity', findings: [{ ...review('x').findings[0], severity: 'fatal' }] },
      { ...good.reviews[0], id: 'badLine', findings: [{ ...review('x').findings[0], line: 0 }] },
      { ...good.reviews[0], id: 'noFiles', files: 'src/x.ts' },
    ];
    const back = fromPersisted({ version: 1, current: 'noSource', reviews: [...bad, good.reviews[0]] }, folderOf);
    assert.deepEqual(back.reviews.map((r) => r.id), ['ok']);
    assert.equal(back.current, undefined, 'a current review that was dropped is not current');
  });
});
