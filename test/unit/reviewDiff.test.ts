import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDiffHelpers, renderHunk } from '../../src/core/review/diffHelpers';
import { type DiffSource, diffMetadata, loadDiff } from '../../src/core/review/diffSource';
import { checkFindings, parseReviewAnswer } from '../../src/core/review/findings';
import { GitError } from '../../src/core/review/git';
import { type ReviewReport, SARIF_SCHEMA, toMarkdown, toSarif } from '../../src/core/review/reviewReport';
import { commit, gitIn, initRepo, write } from '../support/gitRepo';

/** Diff sources and parsing over real git repositories built here: commits, a rename, a deletion, a binary file, a branch. */

const MATH_V1 = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n';
const MATH_V2 = MATH_V1.replace('function sub', 'function subtract');
const OLD_TXT = Array.from({ length: 20 }, (_, i) => `line ${i + 1} of the notes`).join('\n') + '\n';

/** main: c1 → c2 (modify, rename, delete, binary, add) → c3; feature branches from c2 and changes util.ts. */
export function buildRepo() {
  const dir = initRepo('recurse-review-repo-');
  write(dir, {
    'src/math.ts': MATH_V1,
    'src/util.ts': 'export const answer = 41;\n',
    'src/gone.ts': 'export const gone = true;\nexport const alsoGone = 2;\n',
    'docs/old.txt': OLD_TXT,
    'assets/logo.bin': Buffer.from([0, 1, 2, 3, 0, 255, 0, 7]),
  });
  const c1 = commit(dir, 'c1');
  write(dir, {
    'src/math.ts': MATH_V2,
    'docs/new.txt': OLD_TXT.replace('line 20 of', 'line twenty of'),
    'src/added.ts': "import { subtract } from './math';\nexport const three = subtract(5, 2);\n",
    'assets/logo.bin': Buffer.from([0, 9, 9, 9, 0, 255, 0, 7, 0]),
  });
  rmSync(join(dir, 'docs/old.txt'));
  rmSync(join(dir, 'src/gone.ts'));
  const c2 = commit(dir, 'c2');
  gitIn(dir, 'checkout', '-q', '-b', 'feature');
  write(dir, { 'src/util.ts': 'export const answer = 42;\n' });
  const f1 = commit(dir, 'f1');
  gitIn(dir, 'checkout', '-q', 'main');
  write(dir, { 'src/math.ts': MATH_V2 + '\nexport const zero = 0;\n' });
  const c3 = commit(dir, 'c3');
  gitIn(dir, 'checkout', '-q', 'feature');
  return { dir, c1, c2, c3, f1, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('review diff sources', () => {
  let repo: ReturnType<typeof buildRepo>;
  before(() => {
    repo = buildRepo();
  });
  after(() => repo.cleanup());

  it('a commit vs its parent: modified, renamed, deleted, added and binary files with exact hunks', async () => {
    const diff = await loadDiff(repo.dir, { kind: 'commit', ref: 'main~1' });
    assert.equal(diff.baseCommit, repo.c1);
    assert.equal(diff.headCommit, repo.c2);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    assert.deepEqual(Object.keys(byPath).sort(), ['assets/logo.bin', 'docs/new.txt', 'src/added.ts', 'src/gone.ts', 'src/math.ts']);
    assert.equal(byPath['src/math.ts'].status, 'modified');
    assert.deepEqual(
      { ...byPath['src/math.ts'].hunks[0], lines: undefined },
      { oldStart: 2, oldLines: 6, newStart: 2, newLines: 6, header: 'export function add(a: number, b: number): number {', lines: undefined },
    );
    assert.deepEqual(byPath['src/math.ts'].hunks[0].lines.filter((l) => l[0] !== ' '), [
      '-export function sub(a: number, b: number): number {',
      '+export function subtract(a: number, b: number): number {',
    ]);
    assert.equal(byPath['docs/new.txt'].status, 'renamed');
    assert.equal(byPath['docs/new.txt'].oldPath, 'docs/old.txt');
    assert.ok(byPath['docs/new.txt'].similarity! >= 90);
    assert.deepEqual([byPath['docs/new.txt'].additions, byPath['docs/new.txt'].deletions], [1, 1]);
    assert.equal(byPath['docs/new.txt'].hunks[0].newStart, 17);
    assert.equal(byPath['src/gone.ts'].status, 'deleted');
    assert.deepEqual(byPath['src/gone.ts'].hunks[0].lines, ['-export const gone = true;', '-export const alsoGone = 2;']);
    assert.equal(byPath['src/added.ts'].status, 'added');
    assert.equal(byPath['src/added.ts'].additions, 2);
    assert.equal(byPath['assets/logo.bin'].binary, true);
    assert.deepEqual(byPath['assets/logo.bin'].hunks, []);
    assert.equal(diff.additions, 1 + 1 + 2);
    assert.equal(diff.deletions, 1 + 1 + 2);
  });

  it('a range, a branch against its merge-base, the working tree and the index', async () => {
    const range = await loadDiff(repo.dir, { kind: 'range', base: repo.c1, head: 'main' });
    assert.equal(range.headCommit, repo.c3);
    assert.ok(range.files.some((f) => f.path === 'src/math.ts' && f.additions === 3));

    // HEAD is feature; its merge-base with main is c2, so main's c3 is not part of the change.
    const branch = await loadDiff(repo.dir, { kind: 'branch', base: 'main' });
    assert.equal(branch.baseCommit, repo.c2);
    assert.deepEqual(branch.files.map((f) => [f.path, f.additions, f.deletions]), [['src/util.ts', 1, 1]]);
    assert.match(branch.description, /merge-base with main/);

    write(repo.dir, { 'src/util.ts': 'export const answer = 43;\n// unstaged\n' });
    write(repo.dir, { 'src/added.ts': 'export const staged = 1;\n' });
    gitIn(repo.dir, 'add', 'src/added.ts');
    try {
      const staged = await loadDiff(repo.dir, { kind: 'staged' });
      assert.deepEqual(staged.files.map((f) => f.path), ['src/added.ts']);
      assert.equal(staged.headCommit, undefined);
      const worktree = await loadDiff(repo.dir, { kind: 'worktree' });
      assert.deepEqual(worktree.files.map((f) => f.path).sort(), ['src/added.ts', 'src/util.ts']);
      const util = worktree.files.find((f) => f.path === 'src/util.ts')!;
      assert.deepEqual(util.hunks[0].lines, ['-export const answer = 42;', '+export const answer = 43;', '+// unstaged']);
    } finally {
      gitIn(repo.dir, 'reset', '-q', '--hard');
    }
  });

  it('an unknown ref or a directory outside git is a user error naming it', async () => {
    await assert.rejects(loadDiff(repo.dir, { kind: 'commit', ref: 'no-such-branch' }), (e: unknown) => {
      assert.ok(e instanceof GitError && e.userError);
      assert.match((e as Error).message, /unknown git ref "no-such-branch"/);
      return true;
    });
    await assert.rejects(loadDiff(repo.dir, { kind: 'range', base: '--output=/tmp/x', head: 'HEAD' } as DiffSource), /not a git ref/);
    const outside = mkdtempSync(join(tmpdir(), 'recurse-not-git-'));
    try {
      await assert.rejects(loadDiff(outside, { kind: 'worktree' }), /not a git repository/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('hunks() numbers lines on both sides and readOld() reads the base, also through a rename', async () => {
    const diff = await loadDiff(repo.dir, { kind: 'commit', ref: repo.c2 });
    const helpers = createDiffHelpers(diff);
    const text = helpers.hunks('src/math.ts') as string;
    assert.match(text, /^modified: src\/math.ts \(\+1 -1\)/);
    assert.match(text, /-     5 \| export function sub\(/);
    assert.match(text, /\+     5 \| export function subtract\(/);
    assert.equal(helpers.readOld('docs/new.txt', 19, 20), 'line 19 of the notes\nline 20 of the notes');
    assert.equal(helpers.readOld('src/gone.ts', 2, 2), 'export const alsoGone = 2;');
    assert.throws(() => helpers.readOld('src/added.ts'), /was added: it has no old version/);
    assert.throws(() => helpers.hunks('src/nope.ts'), /not a file of this diff/);
    assert.match(helpers.hunks('assets/logo.bin') as string, /binary file/);
    assert.match(renderHunk(diff.files.find((f) => f.path === 'src/gone.ts')!.hunks[0]), /-     2 \| export const alsoGone = 2;/);
  });

  it('a 10,000-line change over 300 files comes back whole, with metadata capped for the prompt', async () => {
    const big = initRepo('recurse-review-big-');
    try {
      write(big, { 'README.md': 'big\n' });
      commit(big, 'base');
      const files: Record<string, string> = {};
      for (let i = 0; i < 300; i++) {
        files[`pkg${i % 10}/file${i}.ts`] = Array.from({ length: 34 }, (_, j) => `export const v${i}_${j} = ${i * j};`).join('\n') + '\n';
      }
      write(big, files);
      commit(big, 'big');
      const started = Date.now();
      const diff = await loadDiff(big, { kind: 'commit', ref: 'HEAD' });
      assert.equal(diff.files.length, 300);
      assert.equal(diff.additions, 10_200);
      assert.equal(diff.files.reduce((n, f) => n + f.hunks.reduce((m, h) => m + h.lines.length, 0), 0), 10_200);
      assert.ok(diff.files.every((f) => f.status === 'added' && f.hunks[0].newLines === 34));
      const meta = diffMetadata(diff);
      assert.equal(meta.largest.length, 60);
      assert.match(meta.notListed!, /240 more files/);
      assert.ok(JSON.stringify(meta).length < 8_000, 'the prompt metadata stays small');
      assert.ok(Date.now() - started < 10_000);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });
});

describe('review findings and reports', () => {
  let repo: ReturnType<typeof buildRepo>;
  before(() => {
    repo = buildRepo();
  });
  after(() => repo.cleanup());

  it('parses findings from a json block and checks each location against the diff', async () => {
    const diff = await loadDiff(repo.dir, { kind: 'commit', ref: repo.c2 });
    const parsed = parseReviewAnswer(
      'Done.\n```json\n' +
        JSON.stringify({
          summary: 'sub was renamed',
          findings: [
            { severity: 'error', path: 'src/math.ts', line: 5, title: 'Renamed export', detail: 'callers of sub break' },
            { severity: 'warning', path: 'src/math.ts', line: 40, title: 'Out of range', detail: '' },
            { severity: 'info', path: 'src/gone.ts', line: 2, title: 'Deleted constant', detail: 'old side' },
            { severity: 'bogus', path: 'src/elsewhere.ts', line: 1, title: 'Not in diff', detail: '' },
          ],
        }) +
        '\n```',
    );
    assert.equal(parsed.summary, 'sub was renamed');
    const checked = checkFindings(parsed.findings, diff.files);
    const byTitle = Object.fromEntries(checked.map((f) => [f.title, f]));
    assert.equal(byTitle['Renamed export'].valid, true);
    assert.equal(byTitle['Out of range'].valid, false);
    assert.match(byTitle['Out of range'].reason!, /line 40 is outside the changed hunks of src\/math.ts \(new side: 2-7\)/);
    assert.equal(byTitle['Deleted constant'].valid, true);
    assert.equal(byTitle['Deleted constant'].side, 'old');
    assert.equal(byTitle['Not in diff'].valid, false);
    assert.equal(byTitle['Not in diff'].severity, 'warning');
    assert.deepEqual(checked.map((f) => f.severity), ['error', 'warning', 'warning', 'info']);

    const whole = parseReviewAnswer('{"summary": "s", "findings": []}');
    assert.deepEqual(whole, { summary: 's', findings: [] });
    const prose = parseReviewAnswer('Looks fine to me.');
    assert.match(prose.parseError!, /no findings JSON/);
    assert.equal(prose.summary, 'Looks fine to me.');
  });

  it('renders SARIF 2.1.0 with the required structure, and markdown with the unreviewed list', async () => {
    const diff = await loadDiff(repo.dir, { kind: 'commit', ref: repo.c2 });
    const findings = checkFindings(
      [
        { severity: 'error', path: 'src/math.ts', line: 5, endLine: 6, title: 'Renamed export', detail: 'callers break', suggestion: 'keep an alias' },
        { severity: 'info', path: 'src/math.ts', line: 90, title: 'Elsewhere', detail: '' },
      ],
      diff.files,
    );
    const report: ReviewReport = {
      summary: 'One rename breaks callers.',
      findings,
      reviewed: ['src/math.ts'],
      unreviewed: ['assets/logo.bin'],
      diff: { description: diff.description, baseCommit: diff.baseCommit, files: [], additions: 4, deletions: 4 },
      answer: '',
      forced: false,
      reason: 'finish',
      usage: { totalTokens: 1, iterations: 1, subCalls: 0 },
      durationMs: 1,
    };
    const sarif = JSON.parse(JSON.stringify(toSarif(report))) as any;
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.$schema, SARIF_SCHEMA);
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'Recurse');
    assert.ok(Array.isArray(run.tool.driver.rules));
    assert.equal(run.results.length, 2);
    const ruleIds = new Set(run.tool.driver.rules.map((r: any) => r.id));
    for (const result of run.results) {
      assert.ok(ruleIds.has(result.ruleId), `rule ${result.ruleId} is declared`);
      assert.ok(['error', 'warning', 'note', 'none'].includes(result.level));
      assert.equal(typeof result.message.text, 'string');
      const loc = result.locations[0].physicalLocation;
      assert.equal(typeof loc.artifactLocation.uri, 'string');
      assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    }
    assert.deepEqual(run.results[0].locations[0].physicalLocation, {
      artifactLocation: { uri: 'src/math.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 5, endLine: 6 },
    });
    assert.equal(run.results[0].level, 'error');
    assert.match(run.results[0].message.text, /callers break[\s\S]*Suggestion: keep an alias/);
    assert.equal(run.results[1].level, 'note');
    assert.equal(run.results[1].properties.locationVerified, false);
    assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /unreviewed: .*assets\/logo.bin/);

    const md = toMarkdown(report);
    assert.match(md, /## Errors \(1\)\n\n- \*\*src\/math.ts:5-6\*\* — Renamed export/);
    assert.match(md, /\*\*src\/math.ts:90\*\* — Elsewhere \[✗ location not in the diff: line 90 is outside/);
    assert.match(md, /## Unreviewed \(1\)[\s\S]*- assets\/logo.bin/);
  });
});
