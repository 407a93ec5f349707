import * as vscode from 'vscode';
import type { Citation } from '../../core/citations/citations';
import type { DiffSource } from '../../core/review/diffSource';
import type { HistoryEntry } from '../../core/rlm/followUp';
import type { RlmEvent } from '../../core/rlm/events';
import type { TraceDirection, TraceGraph } from '../../core/trace/traceGraph';
import { loadCore } from '../loadCore';
import type { ApiKeyStore } from '../models/apiKeyStore';
import { createModels } from '../models/models';
import { fileMapSettings, readSettings, runSettings } from '../settings';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

/** A citation of an agent's answer, with where it opens when it was verified. */
export interface AgentCitation {
  /** Where it is in the answer as the model gave it. */
  offset: number;
  length: number;
  raw: string;
  path: string;
  startLine: number;
  endLine: number;
  valid: boolean;
  reason?: string;
  location?: vscode.Location;
}

export interface AgentAnswer {
  /** The answer with unverified citations marked `[✗ unverified: …]`. */
  markdown: string;
  /** The answer as the model gave it. */
  answer: string;
  citations: AgentCitation[];
  usage: { totalTokens: number; iterations: number; subCalls: number; cost?: number };
}

export interface AgentSymbol {
  path: string;
  name: string;
  kind: string;
  line: number;
  endLine: number;
  container?: string;
  location: vscode.Location;
}

export interface AgentReview {
  markdown: string;
  findings: { path: string; line?: number; endLine?: number; severity: string; title: string; valid: boolean; location?: vscode.Location }[];
}

export type AgentTrace = { ok: true; graph: TraceGraph; markdown: string } | { ok: false; message: string };

export interface AgentRunDeps {
  maps: WorkspaceMaps;
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
}

/**
 * Recurse's workflows for agents — VS Code's language-model tools and the @recurse chat participant — over the same
 * settings, models, file maps and code index as the sidebar chat, without its webview: an answer, checked citations
 * with their locations, and progress through `onEvent`.
 */
export class AgentRuns {
  constructor(private readonly deps: AgentRunDeps) {}

  async ask(question: string, options: { token: vscode.CancellationToken; onEvent?: (e: RlmEvent) => void; history?: HistoryEntry[] }): Promise<AgentAnswer> {
    const folder = this.folder();
    const settings = readSettings(folder);
    return this.withSignal(options.token, async (signal) => {
      const core = loadCore();
      const models = await createModels(settings, this.deps.keys);
      const map = await this.deps.maps.get(folder, signal, { provisional: true });
      const conversation = options.history?.length ? new core.Conversation() : undefined;
      conversation?.restore(options.history!);
      this.deps.log.info(`[agent] asking ${models.label} about ${folder.name}: ${question}`);
      const result = await core.ask({
        workspace: folder.uri.fsPath, question, rootModel: models.root, subModel: models.sub, map,
        code: this.deps.maps.codeIndex(folder, map), ...runSettings(settings),
        conversation, signal, onEvent: options.onEvent,
      });
      return {
        markdown: core.markInvalidCitations(result.answer, result.citations),
        answer: result.answer,
        citations: result.citations.map((c) => agentCitation(c, folder)),
        usage: { totalTokens: result.usage.totalTokens, iterations: result.usage.iterations, subCalls: result.usage.subCalls, ...(result.usage.cost !== undefined ? { cost: result.usage.cost } : {}) },
      };
    });
  }

  async findSymbol(name: string, kind: string | undefined, token: vscode.CancellationToken): Promise<AgentSymbol[]> {
    const folder = this.folder();
    return this.withSignal(token, async (signal) => {
      const map = await this.deps.maps.get(folder, signal);
      const found = await this.deps.maps.codeIndex(folder, map).findSymbol(name, { kind: kind as never, exact: true });
      return found.map((s) => ({
        path: s.path, name: s.name, kind: s.kind, line: s.line, endLine: s.endLine, ...(s.container ? { container: s.container } : {}),
        location: new vscode.Location(vscode.Uri.joinPath(folder.uri, s.path), new vscode.Range(s.line - 1, 0, Math.max(s.line, s.endLine) - 1, 0)),
      }));
    });
  }

  async trace(target: string, options: { to?: string; direction?: TraceDirection; depth?: number }, token: vscode.CancellationToken): Promise<AgentTrace> {
    const folder = this.folder();
    return this.withSignal(token, async (signal) => {
      const core = loadCore();
      const map = await this.deps.maps.get(folder, signal);
      const result = await core.trace({ workspace: folder.uri.fsPath, target, ...options, map, code: this.deps.maps.codeIndex(folder, map), signal });
      if (!result.ok) {
        const { message, suggestions } = result.error;
        return { ok: false, message: `${result.error.which === 'to' ? 'to: ' : ''}${message}${suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : ''}` };
      }
      return { ok: true, graph: result.graph, markdown: core.traceMarkdown(result.graph) };
    });
  }

  async review(source: DiffSource, options: { token: vscode.CancellationToken; onEvent?: (e: RlmEvent) => void }): Promise<AgentReview> {
    const folder = this.folder();
    const settings = readSettings(folder);
    return this.withSignal(options.token, async (signal) => {
      const core = loadCore();
      const models = await createModels(settings, this.deps.keys);
      const report = await core.review({
        workspace: folder.uri.fsPath, source, rootModel: models.root, subModel: models.sub, ...runSettings(settings),
        fileMap: fileMapSettings(settings),
        signal, onEvent: options.onEvent,
      });
      return {
        markdown: core.toMarkdown(report),
        findings: report.findings.map((f) => ({
          path: f.path, ...(f.line !== undefined ? { line: f.line } : {}), ...(f.endLine !== undefined ? { endLine: f.endLine } : {}),
          severity: f.severity, title: f.title, valid: f.valid,
          ...(f.valid && f.line !== undefined ? { location: new vscode.Location(vscode.Uri.joinPath(folder.uri, f.path), new vscode.Range(f.line - 1, 0, (f.endLine ?? f.line) - 1, 0)) } : {}),
        })),
      };
    });
  }

  /** The folder agents ask about: the active editor's, else the first. */
  folder(): vscode.WorkspaceFolder {
    const folder = WorkspaceMaps.pickFolder();
    if (!folder) throw new Error('Open a folder or workspace for Recurse to answer about it.');
    return folder;
  }

  private async withSignal<T>(token: vscode.CancellationToken, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
      return await fn(controller.signal);
    } finally {
      subscription.dispose();
    }
  }
}

function agentCitation(c: Citation, folder: vscode.WorkspaceFolder): AgentCitation {
  const path = c.resolvedPath ?? c.path;
  return {
    offset: c.offset, length: c.length, raw: c.raw, path, startLine: c.startLine, endLine: c.endLine, valid: c.valid, ...(c.reason ? { reason: c.reason } : {}),
    ...(c.valid ? { location: new vscode.Location(vscode.Uri.joinPath(folder.uri, path), new vscode.Range(c.startLine - 1, 0, c.endLine - 1, 0)) } : {}),
  };
}
