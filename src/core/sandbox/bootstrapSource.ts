/**
 * JavaScript evaluated once inside every fresh QuickJS context. It evaluates to a setup function
 * that receives the two raw host bridges and keeps them in its closure, so cell code can never reach
 * them directly: cells only see the wrappers defined here (`print`, `console`, the helpers).
 *
 * The wrappers capture the intrinsics they use at setup time, so a cell that overwrites
 * `JSON.stringify` or `Array.prototype.push` breaks only its own code, not printing or helpers.
 *
 * setup(hostCall, hostWrite, configJson) returns { format, describe, seal, restore }:
 * - format(value): the text print() would show for a value;
 * - describe(error): JSON {name, message, stack} for any thrown value, never throwing itself;
 * - seal(): makes the built-ins and every global the prelude added read-only and non-configurable
 *   (so `delete`, reassignment or `Object.defineProperty` in a cell cannot break them) and returns
 *   their names as JSON;
 * - restore(): puts the sealed globals back (run before every cell).
 * - replace(name, json): a new value for one of config.globals (read-only and sealed like the first).
 */
export const BOOTSTRAP_SOURCE = String.raw`(function (hostCall, hostWrite, configJson) {
  'use strict';
  const G = globalThis;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const apply = Reflect.apply;
  const ownKeys = Reflect.ownKeys;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const isFrozen = Object.isFrozen;
  const objectKeys = Object.keys;
  const hasOwn = Object.prototype.hasOwnProperty;
  const objectToString = Object.prototype.toString;
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const then = Promise.prototype.then;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const iteratorNext = Object.getPrototypeOf(new Map().entries()).next;
  const setIteratorNext = Object.getPrototypeOf(new Set().values()).next;
  const dateToISOString = Date.prototype.toISOString;
  const regexpToString = RegExp.prototype.toString;
  const symbolToString = Symbol.prototype.toString;
  const toStr = String;
  const isFiniteNumber = Number.isFinite;
  const ErrorCtor = Error;
  const errorCtors = { Error, TypeError, RangeError, SyntaxError, ReferenceError };
  const MAX_DEPTH = 40;

  const config = parse(configJson);

  function tagOf(value) {
    return apply(objectToString, value, []);
  }

  function safeGet(object, key) {
    try {
      return object[key];
    } catch (e) {
      return '[getter threw]';
    }
  }

  function errorText(error) {
    const name = safeGet(error, 'name');
    const message = safeGet(error, 'message');
    const n = typeof name === 'string' ? name : 'Error';
    return typeof message === 'string' && message !== '' ? n + ': ' + message : n;
  }

  function setKey(target, key, value) {
    defineProperty(target, key, { value: value, enumerable: true, writable: true, configurable: true });
  }

  // A JSON-safe copy of value: cycles, functions, BigInt, Map/Set and errors become readable stand-ins.
  function plain(value, ancestors, depth) {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return isFiniteNumber(value) ? value : toStr(value);
      case 'undefined':
        return undefined;
      case 'bigint':
        return toStr(value) + 'n';
      case 'symbol':
        return apply(symbolToString, value, []);
      case 'function': {
        const name = safeGet(value, 'name');
        return '[Function ' + (typeof name === 'string' && name ? name : 'anonymous') + ']';
      }
    }
    if (value === null) return null;
    for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === value) return '[Circular]';
    if (depth >= MAX_DEPTH) return isArray(value) ? '[Array]' : '[Object]';
    const tag = tagOf(value);
    if (tag === '[object Error]') return errorText(value);
    if (tag === '[object Date]') {
      try {
        return apply(dateToISOString, value, []);
      } catch (e) {
        return 'Invalid Date';
      }
    }
    if (tag === '[object RegExp]') return apply(regexpToString, value, []);
    if (tag === '[object Promise]') return '[Promise — use await to get its value]';
    ancestors[ancestors.length] = value;
    try {
      const toJSON = safeGet(value, 'toJSON');
      if (typeof toJSON === 'function') return plain(apply(toJSON, value, []), ancestors, depth + 1);
      if (isArray(value) || isView(value)) {
        const out = [];
        const length = value.length;
        for (let i = 0; i < length; i++) {
          const item = plain(safeGet(value, i), ancestors, depth + 1);
          out[i] = item === undefined ? null : item;
        }
        return out;
      }
      if (tag === '[object Map]') {
        const pairs = [];
        let allStrings = true;
        const it = apply(mapEntries, value, []);
        for (let step = apply(iteratorNext, it, []); !step.done; step = apply(iteratorNext, it, [])) {
          if (typeof step.value[0] !== 'string') allStrings = false;
          pairs[pairs.length] = step.value;
        }
        if (allStrings) {
          const out = {};
          for (let i = 0; i < pairs.length; i++) setKey(out, pairs[i][0], plain(pairs[i][1], ancestors, depth + 1));
          return out;
        }
        const out = [];
        for (let i = 0; i < pairs.length; i++) {
          out[i] = [plain(pairs[i][0], ancestors, depth + 1), plain(pairs[i][1], ancestors, depth + 1)];
        }
        return out;
      }
      if (tag === '[object Set]') {
        const out = [];
        const it = apply(setValues, value, []);
        for (let step = apply(setIteratorNext, it, []); !step.done; step = apply(setIteratorNext, it, [])) {
          out[out.length] = plain(step.value, ancestors, depth + 1);
        }
        return out;
      }
      const out = {};
      const keys = objectKeys(value);
      for (let i = 0; i < keys.length; i++) {
        const item = plain(safeGet(value, keys[i]), ancestors, depth + 1);
        if (item !== undefined) setKey(out, keys[i], item);
      }
      return out;
    } finally {
      ancestors.length -= 1;
    }
  }

  function format(value) {
    if (typeof value === 'string') return value;
    if (value === undefined) return 'undefined';
    try {
      const p = plain(value, [], 0);
      if (typeof p === 'string') return p;
      const text = stringify(p, null, 2);
      return text === undefined ? toStr(p) : text;
    } catch (e) {
      return '[unprintable value: ' + errorText(e) + ']';
    }
  }

  function print(...values) {
    let line = '';
    for (let i = 0; i < values.length; i++) line += (i ? ' ' : '') + format(values[i]);
    hostWrite(line + '\n');
  }

  function describe(error) {
    try {
      if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
        const name = safeGet(error, 'name');
        const message = safeGet(error, 'message');
        const stack = safeGet(error, 'stack');
        return stringify({
          name: typeof name === 'string' ? name : 'Error',
          message: typeof message === 'string' ? message : format(error),
          stack: typeof stack === 'string' ? stack : '',
        });
      }
      return stringify({ name: 'Uncaught', message: format(error), stack: '' });
    } catch (e) {
      return '{"name":"Error","message":"(an error that could not be described)","stack":""}';
    }
  }

  function argReplacer(key, value) {
    if (value !== null && typeof value === 'object' && tagOf(value) === '[object RegExp]') {
      return { source: value.source, flags: value.flags };
    }
    return value;
  }

  function decode(envelopeJson, site) {
    const envelope = parse(envelopeJson);
    if (envelope.error) {
      const Ctor = (apply(hasOwn, errorCtors, [envelope.error.name]) && errorCtors[envelope.error.name]) || ErrorCtor;
      const error = new Ctor(envelope.error.message);
      // The call site's stack, so an uncaught helper error names the model's line.
      if (site && typeof site.stack === 'string') defineProperty(error, 'stack', { value: site.stack, writable: true, configurable: true });
      throw error;
    }
    return envelope.value;
  }

  function makeHelper(name) {
    const helper = function (...args) {
      const site = new ErrorCtor();
      while (args.length && args[args.length - 1] === undefined) args.length -= 1;
      const result = hostCall(name, stringify(args, argReplacer));
      if (typeof result === 'string') return decode(result, site);
      return apply(then, result, [function (envelopeJson) { return decode(envelopeJson, site); }]);
    };
    defineProperty(helper, 'name', { value: name });
    return helper;
  }

  function deepFreeze(root) {
    const stack = [root];
    while (stack.length) {
      const value = stack[stack.length - 1];
      stack.length -= 1;
      if (value === null || typeof value !== 'object' || isFrozen(value)) continue;
      freeze(value);
      const keys = objectKeys(value);
      for (let i = 0; i < keys.length; i++) stack[stack.length] = value[keys[i]];
    }
    return root;
  }

  function install(name, value) {
    defineProperty(G, name, { value: value, writable: true, enumerable: false, configurable: true });
  }

  const builtins = ['globalThis', 'print', 'console'];
  install('print', print);
  install('console', freeze({ log: print, info: print, warn: print, error: print, debug: print }));
  for (let i = 0; i < config.helpers.length; i++) {
    builtins[builtins.length] = config.helpers[i];
    install(config.helpers[i], makeHelper(config.helpers[i]));
  }
  const globalNames = objectKeys(config.globals);
  for (let i = 0; i < globalNames.length; i++) {
    builtins[builtins.length] = globalNames[i];
    install(globalNames[i], deepFreeze(config.globals[globalNames[i]]));
  }
  const before = ownKeys(G);

  const lockedNames = [];
  const lockedValues = [];

  function seal() {
    const now = ownKeys(G);
    for (let i = 0; i < builtins.length; i++) lockedNames[lockedNames.length] = builtins[i];
    for (let i = 0; i < now.length; i++) {
      if (typeof now[i] === 'string' && before.indexOf(now[i]) < 0 && lockedNames.indexOf(now[i]) < 0) {
        lockedNames[lockedNames.length] = now[i];
      }
    }
    for (let i = 0; i < lockedNames.length; i++) lockedValues[i] = G[lockedNames[i]];
    restore();
    return stringify(lockedNames);
  }

  // This QuickJS lets Object.defineProperty replace even a non-configurable global, so the locked
  // globals are put back before every cell as well.
  function restore() {
    for (let i = 0; i < lockedNames.length; i++) {
      try {
        defineProperty(G, lockedNames[i], { value: lockedValues[i], writable: false, enumerable: false, configurable: false });
      } catch (e) {
        // keep restoring the others
      }
    }
  }

  // A read-only global given at creation gets a new value (a conversation's \`history\`), sealed like the old one.
  function replace(name, json) {
    const i = lockedNames.indexOf(name);
    if (i < 0 || globalNames.indexOf(name) < 0) return false;
    lockedValues[i] = deepFreeze(JSON.parse(json));
    restore();
    return true;
  }

  return { format: format, describe: describe, seal: seal, restore: restore, replace: replace };
})`;
