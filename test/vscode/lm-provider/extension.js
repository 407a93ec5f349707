// Test-only extension: one scripted chat model behind VS Code's Language Model API.
// activate() returns { setHandler(fn), requests, registered }: fn(messages: {role: 'user'|'assistant', text}[]) →
// the reply text (string or Promise); each request is recorded as { model, messages } in `requests`.
const vscode = require('vscode');

const MODEL = {
  id: 'recurse-test-model',
  name: 'Recurse Test Model',
  family: 'recurse-test',
  version: '1',
  maxInputTokens: 200000,
  maxOutputTokens: 8000,
  capabilities: {},
};

function partsText(content) {
  return (content || []).map((p) => (p && typeof p.value === 'string' ? p.value : '')).join('');
}

exports.activate = function activate(context) {
  let handler = () => 'no handler set';
  const requests = [];
  let registered = false;
  let error;
  try {
    context.subscriptions.push(
      vscode.lm.registerLanguageModelChatProvider('recurse-test', {
        provideLanguageModelChatInformation: () => [MODEL],
        async provideLanguageModelChatResponse(model, messages, _options, progress, token) {
          const plain = messages.map((m) => ({
            role: m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user',
            text: partsText(m.content),
          }));
          requests.push({ model: model.id, messages: plain });
          const reply = String(await handler(plain));
          // Streamed in pieces, as a real provider does.
          for (let i = 0; i < reply.length && !token.isCancellationRequested; i += 40) {
            progress.report(new vscode.LanguageModelTextPart(reply.slice(i, i + 40)));
          }
        },
        provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : partsText(text.content)).length / 4),
      }),
    );
    registered = true;
  } catch (e) {
    error = String(e && e.stack || e);
  }
  return {
    setHandler(fn) {
      handler = fn;
    },
    requests,
    registered,
    error,
  };
};

exports.deactivate = function deactivate() {};
