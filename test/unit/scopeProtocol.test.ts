import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage } from '../../src/extension/chat/protocol';

/** `setScope` from the untrusted webview: only well-formed scopes inside the workspace get through. */

describe('setScope validation', () => {
  it('accepts the whole workspace, a folder, a directory and a package', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'setScope', kind: 'workspace' }), { type: 'setScope', kind: 'workspace' });
    assert.deepEqual(parseWebviewMessage({ type: 'setScope', kind: 'folder', folder: 'api' }), { type: 'setScope', kind: 'folder', folder: 'api' });
    assert.deepEqual(parseWebviewMessage({ type: 'setScope', kind: 'directory', folder: 'mono', spec: ' packages/core/ ' }), {
      type: 'setScope',
      kind: 'directory',
      folder: 'mono',
      spec: 'packages/core/',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'setScope', kind: 'package', spec: '@mono/core' }), { type: 'setScope', kind: 'package', spec: '@mono/core' });
    // Without a spec the host shows its own picker.
    assert.deepEqual(parseWebviewMessage({ type: 'setScope', kind: 'directory', folder: 'mono' }), { type: 'setScope', kind: 'directory', folder: 'mono' });
  });

  it('drops directories outside the workspace', () => {
    for (const spec of ['../etc', 'packages/../../etc', '/etc', 'C:\\Windows', 'c:/x', '..\\x', '~/x', 'a\0b', 'a\nb', '', '   ', 'x'.repeat(2000)]) {
      assert.equal(parseWebviewMessage({ type: 'setScope', kind: 'directory', spec }), undefined, JSON.stringify(spec));
    }
  });

  it('drops malformed messages', () => {
    const bad: unknown[] = [
      { type: 'setScope' },
      { type: 'setScope', kind: 'everything' },
      { type: 'setScope', kind: 'workspace', folder: 'api' },
      { type: 'setScope', kind: 'workspace', spec: 'src' },
      { type: 'setScope', kind: 'folder' },
      { type: 'setScope', kind: 'folder', folder: 'api', spec: 'src' },
      { type: 'setScope', kind: 'folder', folder: '' },
      { type: 'setScope', kind: 'folder', folder: 7 },
      { type: 'setScope', kind: 'package', spec: 42 },
      { type: 'setScope', kind: 'package', spec: '' },
      { type: 'setScope', kind: 'package', spec: 'a\u0000b' },
      { type: 'setScope', kind: 'directory', spec: ['src'] },
      ['setScope'],
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m));
  });

  it('passes no extra fields through', () => {
    const parsed = parseWebviewMessage({ type: 'setScope', kind: 'directory', spec: 'src', evil: '<script>' });
    assert.deepEqual(parsed, { type: 'setScope', kind: 'directory', spec: 'src' });
  });
});
