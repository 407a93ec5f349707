import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { review } from '../../src/core/workflows/review';
import { CLI, type CliRun, runCli as run } from '../support/cliRun';
import { commit, initRepo, write } from '../support/gitRepo';
import { js, startScriptedModels, type Step } from '../support/scriptedModels';

/** A review run end to end: real git repos, a scripted model over real HTTP, the real REPL, and the bundled CLI. */


const MATH_V1 = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n';

/** c1 → c2 (sub renamed to subtract while src/calc.ts still calls sub; a binary changes) → c3 (unrelated). HEAD is c3. */
function buildRepo(): string {
  const dir = initRepo('recurse-review-run-');
  write(dir, {
    'src/math.ts': MATH_V1,
    'src/calc.ts': "import { sub } from './math';\nexport const two = sub(3, 1);\n",
    'assets/logo.bin': Buffer.from([0, 1, 2, 3, 0, 255]),
  });
  commit(dir, 'c1');
  write(dir, {
    'src/math.ts': MATH_V1.replace('function sub', 'function subtract'),
    'src/added.ts': "import { subtract } from './math';\nexport const three = subtract(5, 2);\n",
    'assets/logo.bin': Buffer.from([0, 9, 9, 3, 0, 255, 1]),
  });
  commit(dir, 'c2');
  write(dir, { 'later.txt': 'added after the reviewed commit\n' });
  commit(dir, 'c3');
  return dir;
}

const FINDINGS = {
  summary: 'subtract replaced sub, but src/calc.ts still imports sub.',
  findings: [
    { severity: 'error', path: 'src/math.ts', line: 5, title: 'Removed export sub is still used', detail: 'src/calc.ts imports sub', suggestion: 'export const sub = subtract' },
    { severity: 'warning', path: 'src/added.ts', line: 30, title: 'A line that is not in the diff', detail: 'made up' },
  ],
};

const finishWithFindings = () => js(`finish(${JSON.stringify('Review done.\n```json\n' + JSON.stringify(FINDINGS) + '\n```')})`);

describe('review workflow', () => {
  let dir: string;
  before(() => {
    dir = buildRepo();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reviews a commit through diff, hunks, readOld and the code helpers, and checks the findings', async () => {
    const subPrompts: string[] = [];
    const models = await startScriptedModels({
      rootSteps: [
        js(
          [
            "print(JSON.stringify(diff.files.map((f) => f.status + ' ' + f.path + (f.binary ? ' binary' : ''))));",
            "print(hunks('src/math.ts'));",
            "print('OLD: ' + readOld('src/math.ts', 5, 5));",
            "print('REFS: ' + JSON.stringify((await references('sub')).map((r) => r.path + ':' + r.line)));",
            "print('LATER: ' + files('later.txt').length + ' ' + read('src/added.ts', 2, 2));",
          ].join('\n'),
        ),
        (ctx) => {
          const out = ctx.lastUser;
          assert.match(out, /"modified src\/math.ts"/);
          assert.match(out, /"added src\/added.ts"/);
          assert.match(out, /"modified assets\/logo.bin binary"/);
          assert.match(out, /\+     5 \| export function subtract\(/);
          assert.match(out, /OLD: export function sub\(a: number/);
          assert.match(out, /REFS: \[[^\]]*"src\/calc.ts:1"/);
          // The workspace helpers see the reviewed commit's tree, not the checkout (which has later.txt).
          assert.match(out, /LATER: 0 export const three = subtract\(5, 2\);/);
          return js(
            "const prompts = diff.files.filter((f) => !f.binary).map((f) => 'Review ' + f.path + '\\n' + hunks(f.path));\n" +
              "const answers = await llm_query_batched(prompts);\nprint(answers.join('\\n---\\n'));",
          );
        },
        (ctx) => {
          assert.match(ctx.lastUser, /no issue in src\/added.ts/);
          return finishWithFindings();
        },
      ],
      subSteps: [0, 1].map(
        (): Step => (ctx) => {
          const prompt = ctx.lastUser;
          subPrompts.push(prompt);
          const path = /^Review (\S+)/.exec(prompt)![1];
          return `no issue in ${path}`;
        },
      ),
    });
    try {
      const report = await review({ workspace: join(dir, 'src'), source: { kind: 'commit', ref: 'HEAD~1' }, rootModel: models.root, subModel: models.sub });
      assert.equal(report.summary, FINDINGS.summary);
      assert.equal(report.findings.length, 2);
      const [error, warning] = report.findings;
      assert.deepEqual(
        { severity: error.severity, path: error.path, line: error.line, valid: error.valid, side: error.side },
        { severity: 'error', path: 'src/math.ts', line: 5, valid: true, side: 'new' },
      );
      assert.equal(error.suggestion, 'export const sub = subtract');
      assert.equal(warning.valid, false);
      assert.match(warning.reason!, /line 30 is outside the changed hunks of src\/added.ts/);
      assert.deepEqual(report.reviewed.sort(), ['src/added.ts', 'src/math.ts']);
      assert.deepEqual(report.unreviewed, ['assets/logo.bin']);
      assert.equal(report.usage.subCalls, 2);
      assert.equal(subPrompts.length, 2);
      assert.ok(subPrompts.some((p) => p.includes('+     1 | import { subtract }')));

      const [system, first] = models.bodies('root-model')[0].messages;
      assert.match(system.content, /## Review task/);
      for (const helper of ['hunks(path', 'readOld(path', 'diff: {', 'llm_query_batched', 'findSymbol']) assert.ok(system.content.includes(helper), helper);
      assert.match(first.content, /Review this change: commit HEAD~1/);
      assert.match(first.content, /"additions": 3/);
      assert.ok(!first.content.includes('subtract(5, 2)'), 'no diff content in the first prompt');
    } finally {
      await models.close();
    }
  });

  it('a 10,000-line diff over 300 files is whole in the REPL; what the sub-call budget left out is listed as unreviewed', async () => {
    const big = initRepo('recurse-review-run-');
    try {
      write(big, { 'README.md': 'big\n' });
      commit(big, 'base');
      const files: Record<string, string> = {};
      for (let i = 0; i < 300; i++) {
        files[`pkg${i % 10}/file${String(i).padStart(3, '0')}.ts`] =
          Array.from({ length: 34 }, (_, j) => `export const v${i}_${j} = ${i * j};`).join('\n') + '\n';
      }
      write(big, files);
      commit(big, 'big');
      const models = await startScriptedModels({
        rootSteps: [
          js(
            "print('TOTAL ' + diff.files.length + ' ' + diff.files.reduce((n, f) => n + f.hunks.reduce((m, h) => m + h.lines.length, 0), 0));\n" +
              "const answers = await llm_query_batched(diff.files.map((f) => 'Review ' + f.path + '\\n' + f.hunks[0].lines.join('\\n')));\n" +
              "print('ANSWERS ' + answers.filter((a) => a === 'ok').length);",
          ),
          (ctx) => {
            assert.match(ctx.lastUser, /TOTAL 300 10200/);
            // 100 sub-calls answered; the other 200 items were refused by the budget.
            assert.match(ctx.lastUser, /ANSWERS 100/);
            assert.match(ctx.lastUser, /The sub-call budget is exhausted/);
            return 'Partial review.\n```json\n{"summary": "constants only, partly reviewed", "findings": []}\n```';
          },
        ],
        subSteps: Array.from({ length: 100 }, () => 'ok'),
      });
      try {
        const report = await review({
          workspace: big,
          source: { kind: 'commit', ref: 'HEAD' },
          rootModel: models.root,
          subModel: models.sub,
          code: false,
          limits: { maxSubCalls: 100 },
        });
        assert.equal(report.diff.files.length, 300);
        assert.equal(report.forced, true);
        assert.equal(report.reason, 'sub-calls');
        assert.equal(report.summary, 'constants only, partly reviewed');
        assert.equal(report.reviewed.length, 100);
        assert.equal(report.unreviewed.length, 200);
        assert.deepEqual([...report.reviewed, ...report.unreviewed].sort(), report.diff.files.map((f) => f.path).sort());
        assert.equal(report.usage.subCalls, 100);
        const first = models.bodies('root-model')[0].messages[1].content;
        assert.ok(first.length < 12_000, `the first prompt stays small (${first.length} chars)`);
      } finally {
        await models.close();
      }
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });
});

function runCli(args: string[]): Promise<CliRun> {
  return run(args, { env: { OPENAI_API_KEY: 'test-key' } });
}

describe('recurse review (CLI)', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    dir = buildRepo();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const steps = (): Step[] => [js("print(hunks('src/math.ts'))"), finishWithFindings()];

  it('--format json prints the checked findings and the unreviewed files, exit 0', async () => {
    const models = await startScriptedModels({ rootSteps: steps() });
    try {
      const run = await runCli(['review', '-w', dir, '--commit', 'HEAD~1', '--format', 'json', '--base-url', models.server.url, '-m', 'root-model', '-q']);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout);
      assert.equal(out.summary, FINDINGS.summary);
      assert.deepEqual(out.findings.map((f: { path: string; line: number; valid: boolean }) => [f.path, f.line, f.valid]), [
        ['src/math.ts', 5, true],
        ['src/added.ts', 30, false],
      ]);
      assert.deepEqual(out.reviewed, ['src/math.ts']);
      assert.deepEqual(out.unreviewed.sort(), ['assets/logo.bin', 'src/added.ts']);
      assert.equal(out.diff.files.length, 3);
    } finally {
      await models.close();
    }
  });

  it('--format sarif --output writes SARIF 2.1.0; markdown goes to stdout by default', async () => {
    const models = await startScriptedModels({ rootSteps: [...steps(), ...steps()] });
    const outDir = mkdtempSync(join(tmpdir(), 'recurse-sarif-'));
    try {
      const file = join(outDir, 'review.sarif');
      const sarifRun = await runCli(['review', '-w', dir, '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'sarif', '-o', file, '--base-url', models.server.url, '-m', 'root-model', '-q']);
      assert.equal(sarifRun.code, 0, sarifRun.stderr);
      assert.equal(sarifRun.stdout, '');
      const sarif = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.runs[0].tool.driver.name, 'Recurse');
      assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine, 5);

      const md = await runCli(['review', '-w', dir, '--commit', 'HEAD~1', '--base-url', models.server.url, '-m', 'root-model']);
      assert.equal(md.code, 0, md.stderr);
      assert.match(md.stdout, /^# Review: commit HEAD~1/);
      assert.match(md.stdout, /- \*\*src\/math.ts:5\*\* — Removed export sub is still used/);
      assert.match(md.stdout, /## Unreviewed \(2\)/);
      assert.match(md.stderr, /2 findings \(1 with unverified locations\) · 1\/3 files reviewed/);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
      await models.close();
    }
  });

  it('a bad ref exits 2 naming it; conflicting sources are a usage error', async () => {
    const bad = await runCli(['review', '-w', dir, '--commit', 'no-such-ref', '--base-url', 'http://127.0.0.1:9/v1', '-m', 'root-model', '-q']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown git ref "no-such-ref"/);
    assert.equal(bad.stdout, '');
    const both = await runCli(['review', '-w', dir, '--staged', '--commit', 'HEAD']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /choose one source/);
    const format = await runCli(['review', '-w', dir, '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be markdown, json or sarif/);
  });
});
