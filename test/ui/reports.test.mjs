// The two self-contained HTML files the CLI writes, opened from disk (file://, offline) in a real Chromium: the eval
// report of `recurse eval --format html` (Chart.js inlined: three charts drawn) and a run exported by
// `recurse export` (the tree of turns, cells, outputs and sub-calls, a child run nested). Both made by the bundled CLI
// against the test model server; no console errors, no CSP violations, nothing fetched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { launchChromium } from './pageHarness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { ModelServer } = createRequire(import.meta.url)(path.join(ROOT, 'out', 'test', 'support', 'modelServer.js'));
const js = (code) => '```js\n' + code + '\n```';

function cli(args, home) {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI_|RECURSE_)/.test(k)));
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...env, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), RECURSE_OLLAMA_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Opens a file in a fresh page; records errors, console errors, CSP violations and every request. */
async function open(browser, file) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors, requests, close: () => context.close() };
}

describe('HTML reports opened in Chromium', () => {
  let dir;
  let server;
  let browser;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'recurse-reports-'));
    server = await ModelServer.start({
      models: ['model-a', 'model-b', 'sub-model'],
      script: (ctx) => {
        if (ctx.model === 'sub-model') {
          // The child run of rlm_query has its own turns; llm_query gets one answer.
          const child = ctx.messages.some((m) => m.role === 'system' && m.content.includes('finish('));
          if (!child) return 'The total is computed in cents.';
          const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
          return turn === 0 ? js("print(grep(/subtotalCents/).length + ' uses')") : js('finish("subtotalCents adds line items (src/orders/pricing.ts:5).")');
        }
        const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
        const first = ctx.messages.find((m) => m.role === 'user').content;
        const letter = /Question (\d)/.exec(first)?.[1];
        if (letter) {
          if (turn === 0) return js("print(files().length + ' files')");
          const right = { 1: 'A', 2: 'C' }[letter];
          return js(`finish("Answer: ${ctx.model === 'model-a' ? right : 'B'}")`);
        }
        if (turn === 0) {
          return { reasoning: 'Check the pricing module, then ask about the helper.', text: js([
            "const hits = grep(/export function priceOrder/);",
            "print(hits.map((h) => h.path + ':' + h.line).join('\\n'));",
            "print(await llm_query('What unit are totals in? ' + read(hits[0].path, 15, 18)));",
            "print(await rlm_query('What does subtotalCents do?', { glob: 'src/orders/**' }));",
          ].join('\n')) };
        }
        return js('finish("Orders are priced by `priceOrder` at src/orders/pricing.ts:15, in **cents**.")');
      },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the eval report draws its three charts from an offline file, with no errors', async () => {
    const code = (id, answer) => ({
      _id: id, domain: 'Code Repository Understanding', sub_domain: 'Code repo QA', difficulty: 'easy', length: 'short',
      question: `Question ${id}: which function prices an order?`, choice_A: 'priceOrder', choice_B: 'subtotalCents', choice_C: 'main', choice_D: 'none', answer,
      context: `## File: src/pricing.ts\n${readFileSync(path.join(ROOT, 'test/fixtures/shop/src/orders/pricing.ts'), 'utf8')}\n## File: src/order.ts\n${readFileSync(path.join(ROOT, 'test/fixtures/shop/src/orders/order.ts'), 'utf8')}`,
    });
    writeFileSync(path.join(dir, 'lb.json'), JSON.stringify([code('1', 'A'), code('2', 'C')]));
    const config = (name, model, prices) => {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ baseUrl: server.url, apiKey: 'k', model, maxIterations: 3, ...(prices ? { prices } : {}) }));
      return file;
    };
    const a = config('cheap', 'model-a', { 'model-a': { input: 0.5, output: 1 } });
    const b = config('pricey', 'model-b', { 'model-b': { input: 5, output: 15 } });
    const out = path.join(dir, 'report.html');
    const run = await cli(['eval', path.join(dir, 'lb.json'), '--config', a, '--config', b, '--format', 'html', '-o', out, '-q'], dir);
    assert.equal(run.code, 0, run.stderr);

    const { page, errors, requests, close } = await open(browser, out);
    try {
      await page.waitForFunction(() => document.body.dataset.charts === '3');
      const painted = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
        return { id: c.id, ink, width: c.width };
      }));
      assert.equal(painted.length, 3);
      for (const c of painted) assert.ok(c.width > 100 && c.ink > 2000, `${c.id} is drawn: ${JSON.stringify(c)}`);
      const rows = await page.$$eval('table:first-of-type tbody tr', (trs) => trs.map((tr) => [...tr.cells].slice(0, 4).map((td) => td.textContent)));
      assert.deepEqual(rows.map((r) => [r[0], r[1], r[3]]), [['cheap', '100.0%', '2/2'], ['pricey', '0.0%', '0/2']]);
      assert.deepEqual(errors, []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'nothing fetched');
    } finally {
      await close();
    }
  });

  test('an exported run shows the question, answer, turns, cells, outputs and sub-calls with a nested child run', async () => {
    const shop = path.join(dir, 'shop');
    cpSync(path.join(ROOT, 'test/fixtures/shop'), shop, { recursive: true });
    const trajectory = path.join(dir, 'run.json');
    const asked = await cli(['ask', '-w', shop, '--base-url', server.url, '-m', 'model-a', '--sub-model', 'sub-model', '--trajectory', trajectory, '-q', 'How are orders priced?'], dir);
    assert.equal(asked.code, 0, asked.stderr);
    const exported = await cli(['export', trajectory], dir);
    assert.equal(exported.code, 0, exported.stderr);
    const file = path.join(dir, 'run.html');
    assert.match(exported.stderr, /wrote .*run\.html/);

    const { page, errors, requests, close } = await open(browser, file);
    try {
      const text = await page.evaluate(() => document.body.innerText);
      assert.match(text, /How are orders priced\?/);
      assert.match(await page.locator('.answer').first().innerHTML(), /<code>priceOrder<\/code>.*<strong>cents<\/strong>/s);
      assert.match(text, /src\/orders\/pricing\.ts:15 verified/);
      assert.match(text, /Turn 1/);
      assert.match(text, /Turn 2/);
      assert.match(text, /const hits = grep\(\/export function priceOrder\/\);/);
      assert.match(text, /src\/orders\/pricing\.ts:15\nThe total is computed in cents\./, 'the cell output');
      assert.match(text, /tokens/);
      // Sub-calls are collapsed: open them as a user would.
      await page.locator('summary', { hasText: 'llm_query #1' }).click();
      await page.locator('summary', { hasText: 'rlm_query #2' }).click();
      const opened = await page.evaluate(() => document.body.innerText);
      assert.match(opened, /What unit are totals in\?/);
      assert.match(opened, /Child run \(depth 1\)/);
      assert.match(opened, /print\(grep\(\/subtotalCents\/\)\.length \+ ' uses'\)/, "the child's own cell");
      assert.match(opened, /subtotalCents adds line items/);
      await page.locator('summary', { hasText: 'thinking (not run)' }).click();
      assert.match(await page.evaluate(() => document.body.innerText), /Check the pricing module/);
      assert.equal(await page.evaluate(() => document.scripts.length), 0, 'a static page');
      assert.deepEqual(errors, []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), []);
    } finally {
      await close();
    }
  });
});
