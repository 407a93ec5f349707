/** A run stopped because its caller cancelled it (the signal fired): not a failure. */
export class RlmCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'RlmCancelledError';
  }
}
