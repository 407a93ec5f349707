// Issue 21's goals as one table: each figure a user feels beside its reference, measured in the same run, MET or
// NOT MET. Filled by `npm run bench` (bench/run.ts) from its grep, symbol and warm-open sections.
import { median } from './measure';
import type { GrepRow } from './results';
import type { SymbolCorpusResult } from './symbolBench';
import type { WarmOpenRow } from './warmOpen';

export interface GoalRow {
  goal: string;
  corpus: string;
  /** What was measured and the reference, as text (e.g. "0.42 s vs ctags -R 1.9 s"). */
  measured: string;
  ratio?: number;
  target: string;
  /** REPORTED: measured beside the goals, on a corpus the goal does not name (not counted). */
  status: 'MET' | 'NOT MET' | 'NOT MEASURED' | 'REPORTED';
  note?: string;
}

export const WARM_OPEN_GOAL = 0.25;
export const FIRST_GREP_GOAL = 1.0;
export const COLD_INDEX_GOAL = 1.25;

const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** The corpora issue 21 names for the warm-open goal: "the Python install, the kernel, Go and Java". */
export const WARM_OPEN_CORPORA = new Set(['python-install', 'linux', 'go', 'java']);

export function warmOpenGoals(rows: readonly WarmOpenRow[]): GoalRow[] {
  return rows.map((r) => {
    const steps = `before main ${s(r.beforeMainMs)}, map ${s(r.mapMs)}, symbols ${s(r.symbolsMs)}, imports ${s(r.graphMs)}`;
    const named = WARM_OPEN_CORPORA.has(r.corpus);
    const bare = r.nodeStartMs === undefined ? '' : `; a bare \`node -e 0\` takes ${s(r.nodeStartMs)} here`;
    return {
      goal: 'warm open (process start → complete index)',
      corpus: r.corpus,
      measured: `${s(r.warmMs)} vs ctags -R cold ${s(r.ctagsMs)}`,
      ratio: r.ratio,
      target: `≤ ${WARM_OPEN_GOAL}×`,
      status: !named ? 'REPORTED' : r.ratio <= WARM_OPEN_GOAL ? 'MET' : 'NOT MET',
      note: named ? steps : `${steps} — not among the goal's corpora (Python install, kernel, Go, Java): ${WARM_OPEN_GOAL} × ctags is ${s(WARM_OPEN_GOAL * r.ctagsMs)}${bare}`,
    };
  });
}

/** The first grep of a session: the REPL's grep, every match, text cache empty, against rg as a process. */
export function firstGrepGoals(corpus: string, rows: readonly GrepRow[]): GoalRow[] {
  return rows
    .filter((g) => g.oursSyncFullMs !== undefined)
    .map((g) => {
      const ratio = g.oursSyncFullMs! / g.rgMs;
      const same = g.oursSyncFullMatches === g.rgMatches;
      const sameInMap = g.oursSyncFullMatches === g.rgMatchesInMap;
      const counts = same ? `${g.rgMatches} matches both` : `${g.oursSyncFullMatches} vs rg ${g.rgMatches} matches`;
      return {
        goal: `first grep: ${g.label} \`${g.pattern.replace(/\|/g, '\\|')}\`${g.ignoreCase ? ' (-i)' : ''}`,
        corpus,
        measured: `${s(g.oursSyncFullMs!)} vs rg ${s(g.rgMs)}; ${counts}`,
        ratio,
        target: `≤ ${FIRST_GREP_GOAL}×, same matches`,
        status: ratio <= FIRST_GREP_GOAL && (same || sameInMap) ? 'MET' : 'NOT MET',
        note: same ? undefined : sameInMap ? `identical in the files the map lists (rg: ${g.rgMatchesInMap} there)` : `rg finds ${g.rgMatchesInMap} in the map's files`,
      };
    });
}

/** Complete cold index against the parse floor: the worst cold run against the floor, so every run counts. */
export function coldIndexGoals(results: readonly SymbolCorpusResult[]): GoalRow[] {
  return results.map((r) => {
    if (!r.full || !r.floor) {
      return { goal: 'cold index vs parse floor (every run)', corpus: r.name, measured: r.errors.join('; ') || 'not measured', target: `≤ ${COLD_INDEX_GOAL}×`, status: 'NOT MEASURED' };
    }
    const worst = Math.max(...r.full.runs);
    const floor = median(r.floor.runs);
    const ratio = worst / floor;
    return {
      goal: 'cold index vs parse floor (every run)',
      corpus: r.name,
      measured: `worst of ${r.full.runs.length}: ${s(worst)} vs floor ${s(floor)} (median of ${r.floor.runs.length})`,
      ratio,
      target: `≤ ${COLD_INDEX_GOAL}×`,
      status: ratio <= COLD_INDEX_GOAL ? 'MET' : 'NOT MET',
      note: `runs ${r.full.runs.map((x) => s(x)).join(', ')}; floor runs ${r.floor.runs.map((x) => s(x)).join(', ')}`,
    };
  });
}

/** The kernel-in-VS-Code goals when this run did not measure them, and why (see kernelInVscode.ts). */
export function unmeasuredKernelGoals(why: string): GoalRow[] {
  const row = (goal: string, target: string): GoalRow => ({ goal: `kernel in VS Code: ${goal}`, corpus: 'linux', measured: why, target, status: 'NOT MEASURED' });
  return [
    row('first cited answer (nothing cached)', "≤ 2 × rg -c ''"),
    row('second question while the index builds', '≤ 3 s'),
    row('longest extension-host stall (map load, index, both questions)', '≤ 100 ms'),
    row('extension host peak RSS, index complete', '≤ 2 GiB'),
  ];
}

export function goalTable(rows: readonly GoalRow[]): string {
  const head = '| goal | corpus | measured (same run) | ratio | target | status | inner steps / note |\n|---|---|---|---:|---|---|---|';
  const body = rows.map((r) => `| ${r.goal} | ${r.corpus} | ${r.measured} | ${r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.status} | ${r.note ?? ''} |`);
  const met = rows.filter((r) => r.status === 'MET').length;
  const goals = rows.filter((r) => r.status !== 'REPORTED').length;
  const reported = rows.length - goals;
  return [head, ...body, '', `${met} of ${goals} goals met${reported ? ` (${reported} more ${reported === 1 ? 'row' : 'rows'} reported beside them)` : ''}.`].join('\n');
}
