// Nothing a model writes may run or navigate in the chat: payloads in the answer, the streamed model text, cell
// code and output, sub-call prompts and results, and error messages all end up as text. Each payload sets a global
// flag if it ever runs. The same checks run without the CSP, so they test the sanitizer, not only the CSP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useChat } from './webviewHarness.mjs';

const RUN = 'run-x';
const ROOT = 'rlm-x';
const ev = (event) => ({ type: 'event', runId: RUN, event });

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=\'img\'">',
  '<script>window.__pwned="script"</script>',
  '<svg onload="window.__pwned=\'svg\'"></svg>',
  '<iframe srcdoc="<script>parent.__pwned=\'iframe\'</script>"></iframe>',
  '<a href="javascript:window.__pwned=\'raw-a\'">raw link</a>',
  '<details open ontoggle="window.__pwned=\'toggle\'">x</details>',
  '<style>body{display:none}</style>',
];
const MARKDOWN_PAYLOADS = [
  '[x](javascript:window.__pwned=\'md-js\')',
  '[y](command:workbench.action.quit)',
  '[z](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xPC9zY3JpcHQ+)',
  '[w](https://example.com/steal)',
  '![remote](https://example.com/pixel.png)',
  '![inline](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)',
  '<https://example.com/autolink>',
];
const ANSWER = [
  'Here is the answer with src/a.ts:1 cited.',
  '',
  ...PAYLOADS.map((p) => `Inline ${p} payload.`),
  '',
  ...MARKDOWN_PAYLOADS.map((p) => `- ${p}`),
  '',
  PAYLOADS.join('\n'),
].join('\n');

const chats = useChat();

for (const csp of [true, false]) {
  describe(`model output is inert (${csp ? 'with' : 'without'} the CSP)`, () => {
    test('payloads everywhere execute nothing, load nothing, navigate nowhere and show as text', async () => {
      const chat = await chats.open({ csp });
      try {
        const { page } = chat;
        const all = PAYLOADS.join(' ');
        await chat.send({ type: 'init', version: 1, model: all, provider: 'openai', workspaceName: all, configured: true });
        await chat.send({ type: 'runStarted', runId: RUN, question: `question ${all}`, startedAt: Date.now() });
        await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: all, files: 1 }));
        await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 5 }));
        await chat.send(ev({ type: 'model-delta', runId: ROOT, depth: 0, turn: 1, text: `delta ${all}` }));
        await chat.send(ev({ type: 'model-text', runId: ROOT, depth: 0, turn: 1, text: `model ${all} ${MARKDOWN_PAYLOADS.join(' ')}` }));
        await chat.send(ev({ type: 'cell-start', runId: ROOT, depth: 0, turn: 1, cell: 1, code: `print('${all}')` }));
        await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 1, depth: 1, kind: 'llm', prompt: `prompt ${all}` }));
        await chat.send(ev({ type: 'subcall-end', runId: ROOT, id: 1, depth: 1, kind: 'llm', ok: false, result: `result ${all}`, durationMs: 5 }));
        await chat.send(ev({ type: 'cell-output', runId: ROOT, depth: 0, turn: 1, cell: 1, output: `output ${all}`, error: `error ${all}`, durationMs: 9 }));
        await chat.send(ev({ type: 'notice', runId: ROOT, depth: 0, message: `notice ${all}` }));
        await chat.send({ type: 'status', message: `status ${all}` });
        const cited = 'src/a.ts:1';
        await chat.send({
          type: 'answer', runId: RUN, answer: ANSWER, forced: false, durationMs: 10,
          citations: [
            { offset: ANSWER.indexOf(cited), length: cited.length, raw: cited, path: 'src/a.ts', startLine: 1, endLine: 1, valid: true },
            // A citation whose path itself carries a payload, marked invalid by the host.
            { offset: ANSWER.indexOf('raw link'), length: 8, raw: '<img src=x onerror=alert(1)>', path: '<img src=x onerror=alert(1)>', startLine: 1, endLine: 1, valid: false, reason: '<b>bad</b>' },
          ],
          usage: { totalTokens: 10, iterations: 1, subCalls: 1 },
        });
        await page.locator('.answer a[data-path="src/a.ts"]').waitFor();
        // Open everything, then click every element the answer and trajectory show.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
        const clickable = page.locator('.answer *, .trajectory summary, .cell-output, .model-text-body');
        const n = await clickable.count();
        for (let i = 0; i < n; i++) await clickable.nth(i).click({ force: true, timeout: 2000 }).catch(() => {});
        await page.waitForTimeout(300);

        assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload ran');
        assert.equal(page.url(), `${chats.url}${csp ? '' : '?csp=0'}`, 'the page did not navigate');
        assert.equal(page.context().pages().length, 1, 'no window opened');
        const foreign = chat.requests.filter((u) => !u.startsWith(chats.url));
        assert.deepEqual(foreign, [], 'nothing was fetched from elsewhere');

        const found = await page.evaluate(() => {
          const app = document.getElementById('app');
          const elements = [...app.querySelectorAll('*')];
          return {
            tags: [...new Set(elements.map((e) => e.tagName.toLowerCase()))],
            handlers: elements.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}.${a.name}`)),
            hrefs: elements.filter((e) => e.hasAttribute('href') || e.hasAttribute('src') || e.hasAttribute('srcdoc')).map((e) => e.outerHTML),
            styles: elements.filter((e) => e.hasAttribute('style')).length,
          };
        });
        for (const tag of ['script', 'img', 'svg', 'iframe', 'style', 'object', 'embed', 'form', 'input', 'link', 'meta']) {
          assert.ok(!found.tags.includes(tag), `no <${tag}> in the chat (got ${found.tags.join(', ')})`);
        }
        assert.deepEqual(found.handlers, []);
        assert.deepEqual(found.hrefs, []);
        assert.equal(found.styles, 0);

        // The payloads are visible as text where they were written.
        const answer = await page.locator('.answer').textContent();
        assert.ok(answer.includes('<img src=x onerror="window.__pwned=\'img\'">'), 'the raw HTML shows as text');
        assert.ok(answer.includes('<script>window.__pwned="script"</script>'));
        assert.ok(answer.includes('[image: remote]'), 'an image shows as its alt text');
        const md = page.locator('.answer .md-link', { hasText: 'y' }).first();
        assert.match(await md.getAttribute('title'), /command:workbench\.action\.quit/, 'a link shows its target, inert');
        assert.equal(await page.locator('.answer a').count(), 1, 'the only link is the verified citation');
        assert.ok((await page.locator('.model-text-body').textContent()).includes('<svg onload='));
        assert.ok((await page.locator('.cell-output').first().textContent()).includes('<iframe srcdoc='));
        assert.ok((await page.locator('.question').textContent()).includes('<script>'));
        assert.ok((await page.getByRole('status').textContent()).includes('<img src=x'));
        const invalid = page.locator('.answer .citation.invalid');
        assert.equal(await invalid.getAttribute('title'), 'Unverified citation: <b>bad</b>');

        const posted = await chat.posted();
        const opened = posted.filter((m) => m.type === 'openCitation');
        assert.ok(opened.length >= 1, 'the verified citation opens');
        assert.deepEqual([...new Set(opened.map((m) => m.path))], ['src/a.ts'], 'clicks opened only the verified citation');
        assert.deepEqual(posted.filter((m) => !['ready', 'openCitation'].includes(m.type)), [], 'nothing else was asked of the extension');
        assert.deepEqual(chat.errors.filter((e) => !/Content Security Policy/.test(e)), []);
      } finally {
        await chat.close();
      }
    });
  });
}
