import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRAPH_PROTOCOL_VERSION, parseGraphHostMessage, parseGraphWebviewMessage } from '../../src/extension/trace/graphProtocol';
import { isTraceChatCommand, parseTraceChatCommand } from '../../src/extension/trace/traceChatCommand';

/** `/trace …` typed in the chat, and the graph panel's messages: what gets through and what is refused. */

describe('/trace in the chat', () => {
  it('recognises the command only at the start of the text', () => {
    assert.equal(isTraceChatCommand('/trace priceOrder'), true);
    assert.equal(isTraceChatCommand('  /trace'), true);
    assert.equal(isTraceChatCommand('/tracer x'), false);
    assert.equal(isTraceChatCommand('how do I /trace x'), false);
  });

  it('parses a target, --to, --direction, --depth, and quoted targets', () => {
    assert.deepEqual(parseTraceChatCommand('/trace priceOrder'), { ok: true, request: { target: 'priceOrder' } });
    assert.deepEqual(parseTraceChatCommand('/trace src/api/server.ts --to Order.id --depth 2 --direction=in'), {
      ok: true,
      request: { target: 'src/api/server.ts', to: 'Order.id', depth: 2, direction: 'in' },
    });
    assert.deepEqual(parseTraceChatCommand('/trace "src/my dir/a.ts#run" --both'), { ok: true, request: { target: 'src/my dir/a.ts#run', direction: 'both' } });
  });

  it('refuses malformed commands with the usage', () => {
    for (const [text, why] of [
      ['/trace', /needs a target/],
      ['/trace a b', /one target, got 2/],
      ['/trace a --to', /--to needs a target/],
      ['/trace a --direction up', /in, out or both, not "up"/],
      ['/trace a --depth 0', /from 1 to 10/],
      ['/trace a --depth two', /from 1 to 10, not "two"/],
      ['/trace a --fast', /unknown option --fast/],
      ['/trace "a', /unclosed quote/],
    ] as const) {
      const parsed = parseTraceChatCommand(text);
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) {
        assert.match(parsed.message, why, text);
        assert.match(parsed.message, /Usage: \/trace/);
      }
    }
  });
});

describe('graph panel messages', () => {
  it('lets through ready, explain and well-formed openNode', () => {
    assert.deepEqual(parseGraphWebviewMessage({ type: 'ready', version: GRAPH_PROTOCOL_VERSION }), { type: 'ready', version: 1 });
    assert.deepEqual(parseGraphWebviewMessage({ type: 'explain', extra: 1 }), { type: 'explain' });
    assert.deepEqual(parseGraphWebviewMessage({ type: 'openNode', path: 'src/a.ts', line: 3, folder: 'shop', evil: true }), {
      type: 'openNode',
      path: 'src/a.ts',
      line: 3,
      folder: 'shop',
    });
  });

  it('drops anything else', () => {
    for (const bad of [
      null,
      'openNode',
      [],
      { type: 'openNode', path: '', line: 1 },
      { type: 'openNode', path: 'a.ts', line: 0 },
      { type: 'openNode', path: 'a.ts', line: 1.5 },
      { type: 'openNode', path: 'a.ts\0', line: 1 },
      { type: 'openNode', path: 'a.ts', line: 1, folder: 7 },
      { type: 'openNode', path: 'x'.repeat(5000), line: 1 },
      { type: 'openCitation', path: 'a.ts', startLine: 1, endLine: 1 },
      { type: 'ready' },
    ]) {
      assert.equal(parseGraphWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });

  it('checks the shape of host messages before the page reads them', () => {
    const graph = { target: 'a', roots: ['a.ts'], direction: 'out', depth: 3, nodes: [{ id: 'a.ts', kind: 'file', depth: 0 }], edges: [], collapsed: 0, notes: [] };
    assert.ok(parseGraphHostMessage({ type: 'graph', version: 1, graph, folder: 'shop' }));
    assert.ok(parseGraphHostMessage({ type: 'status', message: 'hi', kind: 'info' }));
    assert.equal(parseGraphHostMessage({ type: 'graph', version: 1, graph: { ...graph, nodes: [{ id: 1 }] }, folder: 'shop' }), undefined);
    assert.equal(parseGraphHostMessage({ type: 'graph', version: 1, graph: { ...graph, edges: [{ from: 'a' }] }, folder: 'shop' }), undefined);
    assert.equal(parseGraphHostMessage({ type: 'graph', version: 1, graph }), undefined);
    assert.equal(parseGraphHostMessage({ type: 'status', message: 'hi', kind: 'loud' }), undefined);
  });
});
