import * as vscode from 'vscode';
import type { ModelListing, TestCallResult } from '../../core/llm/endpointCheck';
import type { ApiKeyStore } from '../models/apiKeyStore';
import { loadCore } from '../loadCore';
import { readSettings } from '../settings';
import { VsCodeLmModel } from '../models/vscodeLmModel';
import { type ProviderId, PROVIDERS, baseUrlProblem, providerById, providerOf } from './providers';
import { type PickItem, QuickInputs, type StepResult } from './quickInputs';

export type ConfigureOutcome =
  | { status: 'saved'; provider: ProviderId; baseUrl?: string; model: string; subModel: string; test: TestCallResult }
  | { status: 'cancelled' };

export interface ConfigureDeps {
  keys: ApiKeyStore;
  inputs: QuickInputs;
  log: vscode.LogOutputChannel;
  /** Tells the chat panel how the test call went. */
  report(message: string): void;
}

type Step = 'provider' | 'baseUrl' | 'key' | 'root' | 'sub' | 'test';
type KeyChoice = { kind: 'keep' } | { kind: 'set'; value: string } | { kind: 'none' };
/** Items of the model pick that are actions rather than model names. */
const ACTION_KEY = '\u0000key';
const ACTION_URL = '\u0000url';
const ACTION_SAVE = '\u0000save';

/**
 * "Configure model…": provider → base URL (the provider's usual default) → API key (into SecretStorage) → root
 * model and sub-model, picked from the endpoint's own /models list (typed names accepted) → a one-token test call
 * whose result — ok and latency, or the endpoint's own error — is shown before anything is saved. One method per
 * step; Back returns to the previous step with what was entered kept.
 */
export class ConfigureModelFlow {
  private provider: ProviderId;
  private baseUrl: string;
  private key: KeyChoice = { kind: 'keep' };
  private listing: ModelListing | undefined;
  private lmModels: vscode.LanguageModelChat[] = [];
  private root: string;
  private sub: string;
  private test: TestCallResult | undefined;

  constructor(private readonly deps: ConfigureDeps) {
    const settings = readSettings(vscode.workspace.workspaceFolders?.[0]);
    this.provider = providerOf(settings);
    this.baseUrl = settings.baseUrl;
    this.root = settings.model;
    this.sub = settings.subModel;
  }

  async run(): Promise<ConfigureOutcome> {
    let step: Step | undefined = 'provider';
    const history: Step[] = [];
    while (step) {
      const result = await this.runStep(step);
      if (result.kind === 'cancel') return { status: 'cancelled' };
      if (result.kind === 'back') {
        step = history.pop() ?? 'provider';
        continue;
      }
      if (result.value === 'done') return this.save();
      history.push(step);
      step = result.value;
    }
    return { status: 'cancelled' };
  }

  private runStep(step: Step): Promise<StepResult<Step | 'done'>> {
    switch (step) {
      case 'provider': return this.pickProvider();
      case 'baseUrl': return this.enterBaseUrl();
      case 'key': return this.enterKey();
      case 'root': return this.pickRoot();
      case 'sub': return this.pickSub();
      case 'test': return this.testCall();
    }
  }

  private get totalSteps(): number {
    return this.provider === 'vscode-lm' ? 4 : 6;
  }

  private async pickProvider(): Promise<StepResult<Step>> {
    const items: PickItem<ProviderId>[] = PROVIDERS.map((p) => ({
      label: p.label, detail: p.detail, description: p.defaultBaseUrl && !p.defaultBaseUrl.includes('RESOURCE') ? p.defaultBaseUrl : undefined, value: p.id,
    }));
    const r = await this.deps.inputs.pick({ title: 'Recurse: Configure Model', step: 1, totalSteps: this.totalSteps,
      placeholder: 'Where does the model run?', items, activeValue: this.provider });
    if (r.kind !== 'value') return r;
    if (r.value !== this.provider) {
      this.provider = r.value;
      this.baseUrl = providerById(r.value).defaultBaseUrl ?? '';
      this.key = { kind: 'keep' };
    }
    if (r.value === 'vscode-lm') {
      this.lmModels = await vscode.lm.selectChatModels();
      return { kind: 'value', value: 'root' };
    }
    return { kind: 'value', value: 'baseUrl' };
  }

  private async enterBaseUrl(): Promise<StepResult<Step>> {
    const provider = providerById(this.provider);
    const r = await this.deps.inputs.input({ title: `Recurse: ${provider.label} base URL`, step: 2, totalSteps: this.totalSteps,
      prompt: 'The OpenAI-compatible endpoint, ending in /v1 (Azure: …/openai/deployments/DEPLOYMENT)', value: this.baseUrl,
      placeholder: provider.defaultBaseUrl, validate: baseUrlProblem });
    if (r.kind !== 'value') return r;
    if (r.value.replace(/\/+$/, '') !== this.baseUrl.replace(/\/+$/, '')) this.key = { kind: 'keep' };
    this.baseUrl = r.value.replace(/\/+$/, '');
    return { kind: 'value', value: 'key' };
  }

  private async enterKey(): Promise<StepResult<Step>> {
    const required = providerById(this.provider).key === 'required';
    const stored = await this.deps.keys.get(this.baseUrl);
    const keepHint = stored ? 'Leave empty to keep the key already stored' : required ? '' : 'Leave empty if the server needs no key';
    const r = await this.deps.inputs.input({ title: `Recurse: API key for ${this.baseUrl}`, step: 3, totalSteps: this.totalSteps,
      prompt: `Stored in VS Code's secret storage, sent only to this endpoint. ${keepHint}`.trim(), value: this.key.kind === 'set' ? this.key.value : '',
      placeholder: keepHint || 'sk-…', password: true,
      validate: (v) => (required && !stored && !v.trim() ? 'This endpoint needs an API key' : undefined) });
    if (r.kind !== 'value') return r;
    this.key = r.value ? { kind: 'set', value: r.value } : stored ? { kind: 'keep' } : { kind: 'none' };
    this.listing = await this.withProgress(`listing the models of ${this.baseUrl}`, async () =>
      loadCore().listEndpointModels({ baseURL: this.baseUrl, apiKey: await this.apiKey() }));
    this.deps.log.info(`configure: ${this.baseUrl}/models → ${this.listing.ok ? `${this.listing.models.length} models` : this.listing.error}`);
    return { kind: 'value', value: 'root' };
  }

  private async pickRoot(): Promise<StepResult<Step>> {
    const r = await this.deps.inputs.pick({ title: 'Recurse: root model', step: this.totalSteps - 2, totalSteps: this.totalSteps,
      placeholder: this.modelPlaceholder('the model that writes the code cells'), items: [...this.modelItems(), ...this.listingActions()],
      typed: (text) => ({ label: text, description: 'use this model name', value: text }), activeValue: this.root });
    if (r.kind !== 'value') return r;
    if (r.value === ACTION_KEY) return { kind: 'value', value: 'key' };
    if (r.value === ACTION_URL) return { kind: 'value', value: 'baseUrl' };
    this.root = r.value;
    return { kind: 'value', value: 'sub' };
  }

  private async pickSub(): Promise<StepResult<Step>> {
    const same: PickItem<string> = { label: `Same as the root model (${this.root})`, value: '' };
    const r = await this.deps.inputs.pick({ title: 'Recurse: sub-model', step: this.totalSteps - 1, totalSteps: this.totalSteps,
      placeholder: 'The model for llm_query and child RLMs: often a smaller, cheaper one',
      items: [same, ...this.modelItems().filter((i) => i.value !== this.root)],
      typed: (text) => ({ label: text, description: 'use this model name', value: text }), activeValue: this.sub === this.root ? '' : this.sub });
    if (r.kind !== 'value') return r;
    this.sub = r.value;
    return { kind: 'value', value: 'test' };
  }

  /** The one-token test call; ok saves, a failure says the endpoint's own words and offers the way back. */
  private async testCall(): Promise<StepResult<Step | 'done'>> {
    const test = await this.withProgress(`testing ${this.root}`, () => this.callOnce());
    this.test = test;
    this.deps.log.info(`configure: test call to ${this.root}: ${test.ok ? `ok in ${test.latencyMs} ms` : test.error}`);
    if (test.ok) return { kind: 'value', value: 'done' };
    this.deps.report(`Test call failed — ${test.error}`);
    const items: PickItem<string>[] = [
      ...(test.kind === 'auth' && this.provider !== 'vscode-lm' ? [{ label: '$(key) Enter the API key again', value: ACTION_KEY }] : []),
      ...(this.provider !== 'vscode-lm' ? [{ label: '$(link) Change the base URL', value: ACTION_URL }] : []),
      { label: '$(list-selection) Pick another model', value: 'root' },
      { label: '$(save) Save anyway', value: ACTION_SAVE },
    ];
    const r = await this.deps.inputs.pick({ title: `Recurse: the test call failed (${test.latencyMs} ms)`, step: this.totalSteps,
      totalSteps: this.totalSteps, placeholder: test.error, items: items.map((i) => ({ ...i, detail: i === items[0] ? test.error : undefined })) });
    if (r.kind !== 'value') return r;
    const next: Record<string, Step | 'done'> = { [ACTION_KEY]: 'key', [ACTION_URL]: 'baseUrl', root: 'root', [ACTION_SAVE]: 'done' };
    return { kind: 'value', value: next[r.value] ?? 'root' };
  }

  private async callOnce(): Promise<TestCallResult> {
    if (this.provider !== 'vscode-lm') {
      return loadCore().testCompletion({ baseURL: this.baseUrl, apiKey: await this.apiKey(), model: this.root });
    }
    const started = performance.now();
    const chat = this.lmModels.find((m) => m.id === this.root);
    try {
      if (!chat) throw new Error(`No VS Code chat model has the id "${this.root}".`);
      const reply = await new VsCodeLmModel(chat).complete({ messages: [{ role: 'user', content: 'Reply with the single word: ok' }], maxTokens: 1 });
      return { ok: true, model: this.root, latencyMs: Math.round(performance.now() - started), reply: reply.text, servedBy: chat.id };
    } catch (e) {
      const kind = (e as { kind?: string }).kind ?? 'config';
      return { ok: false, model: this.root, kind: kind as 'config', error: (e as Error).message, latencyMs: Math.round(performance.now() - started) };
    }
  }

  private async save(): Promise<ConfigureOutcome> {
    const test = this.test!;
    const lm = this.provider === 'vscode-lm';
    const sub = this.sub === this.root ? '' : this.sub;
    await updateSetting('provider', lm ? 'vscode-lm' : 'openai');
    if (!lm) await updateSetting('baseUrl', this.baseUrl);
    await updateSetting('model', this.root);
    await updateSetting('subModel', sub);
    if (!lm && this.key.kind === 'set') await this.deps.keys.set(this.key.value, this.baseUrl);
    if (!lm && this.key.kind === 'none') await this.deps.keys.set('', this.baseUrl);
    const where = lm ? 'VS Code' : this.baseUrl;
    const message = test.ok ? `Model ready: ${this.root} at ${where} answered the test call in ${test.latencyMs} ms.`
      : `Saved ${this.root} at ${where}, although its test call failed: ${test.error}`;
    this.deps.report(message);
    if (test.ok) void vscode.window.showInformationMessage(`Recurse: ${message}`);
    else void vscode.window.showWarningMessage(`Recurse: ${message}`);
    return { status: 'saved', provider: this.provider, ...(lm ? {} : { baseUrl: this.baseUrl }), model: this.root, subModel: sub, test };
  }

  private modelItems(): PickItem<string>[] {
    if (this.provider === 'vscode-lm') {
      return this.lmModels.map((m) => ({ label: m.id, description: `${m.name} · ${m.vendor}`, value: m.id }));
    }
    return this.listing?.ok ? this.listing.models.map((id) => ({ label: id, value: id })) : [];
  }

  private listingActions(): PickItem<string>[] {
    if (this.provider === 'vscode-lm' || !this.listing || this.listing.ok) return [];
    return [
      ...(this.listing.kind === 'auth' ? [{ label: '$(key) Enter the API key again', detail: this.listing.error, value: ACTION_KEY }] : []),
      ...(this.listing.kind !== 'unsupported' ? [{ label: '$(link) Change the base URL', value: ACTION_URL }] : []),
    ];
  }

  private modelPlaceholder(what: string): string {
    if (this.provider === 'vscode-lm') return this.lmModels.length ? `Pick ${what}` : 'No chat model is installed in VS Code: type a model id, or go back';
    if (!this.listing || this.listing.ok) return `Pick ${what}, or type its name`;
    return `Could not list the models (${this.listing.error}) Type the model name.`;
  }

  private async apiKey(): Promise<string> {
    if (this.key.kind === 'set') return this.key.value;
    if (this.key.kind === 'none') return '';
    return (await this.deps.keys.get(this.baseUrl)) ?? '';
  }

  private withProgress<T>(what: string, work: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Recurse: ${what}…` }, work));
  }
}

/** Writes a `recurse.*` setting where it takes effect: the user's settings, or the workspace's if it sets the key. */
async function updateSetting(key: string, value: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('recurse');
  const inspected = config.inspect(key);
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}
