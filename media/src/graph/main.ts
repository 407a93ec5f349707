/**
 * The dependency-graph panel's entry (bundled to media/dist/graph.js). It says `ready` to the extension, then draws
 * each `graph` message it receives (keeping the last one as the webview's state) and shows each `status`. Host
 * messages are shape-checked before use.
 */
import { GRAPH_PROTOCOL_VERSION, type GraphWebviewMessage, parseGraphHostMessage } from '../../../src/extension/trace/graphProtocol';
import { GraphView } from './graphView';

interface VsCodeApi {
  postMessage(message: GraphWebviewMessage): void;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/**
 * Cytoscape adds a <style> element to the page unless one with this id exists; the page's CSP refuses inline styles,
 * so a placeholder takes its place and media/graph.css carries the one rule it held.
 */
function preemptCytoscapeStylesheet(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = id;
  document.head.append(placeholder);
}

function start(): void {
  const vscode = acquireVsCodeApi();
  preemptCytoscapeStylesheet();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  const view = new GraphView(root, (m) => vscode.postMessage(m));
  window.addEventListener('message', (event: MessageEvent) => {
    const message = parseGraphHostMessage(event.data);
    if (!message) return;
    if (message.type === 'graph') {
      view.render(message);
      // VS Code hands this back to the extension's panel serializer after a window reload, which sends it again.
      vscode.setState({ graph: message });
    } else view.showStatus(message.message, message.kind);
  });
  vscode.postMessage({ type: 'ready', version: GRAPH_PROTOCOL_VERSION });
}

start();
