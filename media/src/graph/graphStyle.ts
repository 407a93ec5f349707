/**
 * Cytoscape draws on a canvas, where CSS does not reach: the colours are read from VS Code's theme variables and
 * turned into a cytoscape stylesheet, again whenever the theme changes (VS Code switches the body's class).
 */
import type cytoscape from 'cytoscape';

export interface Palette {
  foreground: string;
  background: string;
  nodeFill: string;
  border: string;
  target: string;
  imports: string;
  references: string;
  external: string;
  group: string;
  font: string;
}

function cssVar(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const name of names) {
    const v = style.getPropertyValue(name).trim();
    if (v) return v;
  }
  return fallback;
}

export function readPalette(root: Element = document.documentElement): Palette {
  const s = getComputedStyle(root);
  const body = document.body ? getComputedStyle(document.body) : s;
  const dark = !document.body?.classList.contains('vscode-light');
  const any = (names: string[], fallback: string) => cssVar(s, names, cssVar(body, names, fallback));
  return {
    foreground: any(['--vscode-editor-foreground', '--vscode-foreground'], dark ? '#cccccc' : '#333333'),
    background: any(['--vscode-editor-background'], dark ? '#1e1e1e' : '#ffffff'),
    nodeFill: any(['--vscode-editorWidget-background', '--vscode-sideBar-background'], dark ? '#252526' : '#f3f3f3'),
    border: any(['--vscode-editorWidget-border', '--vscode-panel-border', '--vscode-contrastBorder'], dark ? '#555555' : '#c8c8c8'),
    target: any(['--vscode-focusBorder', '--vscode-textLink-foreground'], '#007fd4'),
    imports: any(['--vscode-charts-blue', '--vscode-textLink-foreground'], '#3794ff'),
    references: any(['--vscode-charts-orange'], '#d18616'),
    external: any(['--vscode-disabledForeground', '--vscode-descriptionForeground'], '#888888'),
    group: any(['--vscode-charts-purple'], '#b180d7'),
    font: any(['--vscode-font-family'], 'sans-serif'),
  };
}

const FONT_SIZE = 12;
const LINE_HEIGHT = 15;
let measurer: CanvasRenderingContext2D | null | undefined;

/** A label's widest line in pixels, measured with the font the canvas draws it in. */
function labelWidth(label: string, font: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  const lines = label.split('\n');
  if (!measurer) return Math.max(...lines.map((l) => l.length)) * FONT_SIZE * 0.6;
  measurer.font = `${FONT_SIZE}px ${font}`;
  return Math.max(...lines.map((l) => measurer!.measureText(l).width));
}

export function graphStylesheet(p: Palette): cytoscape.StylesheetJson {
  // Each node is as big as its label (cytoscape's `width: label` is deprecated).
  const width = (ele: cytoscape.NodeSingular) => Math.ceil(labelWidth(String(ele.data('label') ?? ''), p.font)) + 20;
  const height = (ele: cytoscape.NodeSingular) => String(ele.data('label') ?? '').split('\n').length * LINE_HEIGHT + 12;
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width,
        height,
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        'font-family': p.font,
        'font-size': FONT_SIZE,
        color: p.foreground,
        'background-color': p.nodeFill,
        'border-width': 1,
        'border-color': p.border,
      },
    },
    { selector: 'node.openable', style: { 'border-color': p.foreground } },
    { selector: 'node.symbol', style: { shape: 'round-rectangle' } },
    { selector: 'node.file', style: { shape: 'rectangle' } },
    { selector: 'node.external', style: { shape: 'ellipse', color: p.external, 'border-style': 'dotted', 'border-color': p.external } },
    { selector: 'node.group', style: { shape: 'round-hexagon', 'border-style': 'dashed', 'border-width': 2, 'border-color': p.group, 'font-style': 'italic' } },
    { selector: 'node.chain', style: { 'border-width': 2, 'border-color': p.target } },
    { selector: 'node.root', style: { 'border-width': 3, 'border-color': p.target, 'font-weight': 'bold', 'background-color': p.background } },
    { selector: 'node:selected', style: { 'overlay-color': p.target, 'overlay-opacity': 0.2 } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'arrow-scale': 1.1,
      },
    },
    { selector: 'edge.import', style: { 'line-color': p.imports, 'target-arrow-color': p.imports, 'line-style': 'solid' } },
    { selector: 'edge.reference', style: { 'line-color': p.references, 'target-arrow-color': p.references, 'line-style': 'dashed', 'target-arrow-shape': 'vee' } },
  ];
}
