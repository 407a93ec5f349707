import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import type { CheckedFinding } from '../../src/core/review/findings';
import { type ReviewReport, toSarif } from '../../src/core/review/reviewReport';

/**
 * The SARIF that `recurse review --format sarif` writes, validated against the official SARIF 2.1.0 JSON schema
 * (draft-04; the copy Microsoft's sarif-js-sdk ships in @microsoft/jest-sarif) — what GitHub code scanning and other
 * SARIF consumers check uploads against.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;

function validator() {
  // The schema's `language` pattern is not a valid /u regular expression; JSON Schema draft-04 predates /u anyway.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  return ajv.compile(schema);
}

function report(findings: CheckedFinding[], extra: Partial<ReviewReport> = {}): ReviewReport {
  return {
    summary: 'A summary.',
    findings,
    reviewed: ['src/a.ts'],
    unreviewed: [],
    diff: { description: 'working tree vs HEAD', baseCommit: 'a'.repeat(40), files: [], additions: 3, deletions: 1 },
    answer: '',
    forced: false,
    reason: 'finish',
    usage: { totalTokens: 10, iterations: 1, subCalls: 0 },
    durationMs: 5,
    ...extra,
  };
}

function errorsOf(doc: unknown): string {
  const validate = validator();
  return validate(doc) ? '' : JSON.stringify(validate.errors, null, 2);
}

describe('SARIF output against the SARIF 2.1.0 schema', () => {
  it('the schema rejects what it should (so a pass below means something)', () => {
    const validate = validator();
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'a driver without a name');
    assert.equal(validate({ version: '2.0.0', runs: [] }), false, 'another version');
    const sarif = JSON.parse(JSON.stringify(toSarif(report([])))) as any;
    sarif.runs[0].results = [{ level: 'fatal', message: { text: 'x' } }];
    assert.equal(validate(sarif), false, 'a level SARIF does not have');
  });

  it('a review with findings of every severity, ranges, no line, odd paths and unverified locations is valid', () => {
    const findings: CheckedFinding[] = [
      { severity: 'error', path: 'src/a.ts', line: 5, endLine: 9, title: 'Renamed export breaks callers', detail: 'x() is gone', suggestion: 'keep an alias', valid: true, side: 'new' },
      { severity: 'warning', path: 'docs/read me #1 (ü).md', line: 2, title: 'Typo', detail: '', valid: true, side: 'new' },
      { severity: 'info', path: 'src/removed.ts', title: 'Whole file deleted', detail: 'no line given', valid: true, side: 'old' },
      { severity: 'warning', path: 'src/a.ts', line: 900, title: 'Renamed export breaks callers', detail: 'same rule twice', valid: false, reason: 'line 900 is not in a hunk' },
      { severity: 'error', path: 'nowhere.ts', line: 1, title: '!!!', detail: 'a title with no letters', valid: false, reason: 'not in the diff' },
    ];
    const doc = JSON.parse(JSON.stringify(toSarif(report(findings, { unreviewed: ['assets/logo.bin', 'src/with space.ts'] }))));
    assert.equal(errorsOf(doc), '');
    assert.equal(doc.runs[0].results.length, 5);
    // A `#` in a file name must not turn the rest of the path into a URI fragment.
    const uri = doc.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri;
    assert.equal(uri, 'docs/read%20me%20%231%20(%C3%BC).md');
    assert.equal(decodeURIComponent(new URL(uri, 'file:///repo/').pathname.slice('/repo/'.length)), 'docs/read me #1 (ü).md');
    // Two findings share a title: one rule, referenced twice.
    assert.equal(doc.runs[0].tool.driver.rules.length, 4);
  });

  it('an empty review, and one a budget stopped (forced) with files left unreviewed, are valid', () => {
    assert.equal(errorsOf(JSON.parse(JSON.stringify(toSarif(report([]))))), '');
    const forced = toSarif(report([], { forced: true, reason: 'budget', unreviewed: Array.from({ length: 50 }, (_, i) => `src/f${i}.ts`) }));
    const doc = JSON.parse(JSON.stringify(forced));
    assert.equal(errorsOf(doc), '');
    assert.equal(doc.runs[0].invocations[0].executionSuccessful, false);
    assert.equal(doc.runs[0].invocations[0].toolExecutionNotifications.length, 50);
  });
});
