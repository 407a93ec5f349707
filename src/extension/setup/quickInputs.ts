import * as vscode from 'vscode';

/** What one step of a multi-step input returns: a value, Back (the title bar's arrow), or nothing (Escape). */
export type StepResult<T> = { kind: 'value'; value: T } | { kind: 'back' } | { kind: 'cancel' };

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface PickOptions<T> {
  title: string;
  step: number;
  totalSteps: number;
  placeholder: string;
  items: PickItem<T>[];
  /** Offered as an item for any text typed that matches no item (model names not in the list). */
  typed?: (text: string) => PickItem<T> | undefined;
  activeValue?: T;
  busy?: boolean;
}

export interface InputOptions {
  title: string;
  step: number;
  totalSteps: number;
  prompt: string;
  value: string;
  placeholder?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
}

/**
 * Quick picks and input boxes of a guided flow, with a Back button after the first step. The input on screen is
 * kept in `current`, so the extension-host tests can type into it and accept it (through VS Code's own
 * workbench.action.acceptSelectedQuickOpenItem) as a user would.
 */
export class QuickInputs {
  current: vscode.QuickPick<PickItem<unknown>> | vscode.InputBox | undefined;

  pick<T>(options: PickOptions<T>): Promise<StepResult<T>> {
    const qp = vscode.window.createQuickPick<PickItem<T>>();
    Object.assign(qp, { title: options.title, step: options.step, totalSteps: options.totalSteps, placeholder: options.placeholder,
      ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true, busy: !!options.busy });
    qp.buttons = options.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    qp.items = options.items;
    const active = options.items.find((i) => i.value === options.activeValue);
    if (active) qp.activeItems = [active];
    if (options.typed) {
      qp.onDidChangeValue((text) => {
        const extra = text.trim() && !options.items.some((i) => i.label === text.trim()) ? options.typed!(text.trim()) : undefined;
        qp.items = extra ? [extra, ...options.items] : options.items;
      });
    }
    return this.run(qp, (resolve) => qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (chosen) resolve({ kind: 'value', value: chosen.value });
    }));
  }

  input(options: InputOptions): Promise<StepResult<string>> {
    const box = vscode.window.createInputBox();
    Object.assign(box, { title: options.title, step: options.step, totalSteps: options.totalSteps, prompt: options.prompt,
      value: options.value, placeholder: options.placeholder ?? '', password: !!options.password, ignoreFocusOut: true });
    box.buttons = options.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    box.onDidChangeValue((v) => (box.validationMessage = v.trim() ? options.validate?.(v) : undefined));
    return this.run(box, (resolve) => box.onDidAccept(() => {
      const problem = options.validate?.(box.value);
      box.validationMessage = problem;
      if (!problem) resolve({ kind: 'value', value: box.value.trim() });
    }));
  }

  private run<T>(input: vscode.QuickPick<any> | vscode.InputBox,
    onAccept: (resolve: (r: StepResult<T>) => void) => vscode.Disposable): Promise<StepResult<T>> {
    return new Promise<StepResult<T>>((resolve) => {
      let settled = false;
      const finish = (result: StepResult<T>) => {
        if (settled) return;
        settled = true;
        for (const d of disposables) d.dispose();
        if (this.current === input) this.current = undefined;
        input.dispose();
        resolve(result);
      };
      const disposables = [
        onAccept(finish),
        input.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish({ kind: 'back' })),
        input.onDidHide(() => finish({ kind: 'cancel' })),
      ];
      this.current = input;
      input.show();
    });
  }
}
