import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { ImportGraph, ImportEdge } from '../../src/core/index/imports/importGraph';

const MONOREPO = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo');

/** `specifier -> to` per import of a file, in source order ('-' for external). */
function targets(graph: ImportGraph, file: string): string[] {
  return graph.imports(file).map((e) => `${e.specifier} -> ${e.to ?? '-'}`);
}

async function graphOf(texts: Record<string, string>): Promise<ImportGraph> {
  return ImportGraph.build(FileMap.fromTexts(texts));
}

describe('ImportGraph on the monorepo fixture', () => {
  let graph: ImportGraph;
  before(async () => {
    graph = await ImportGraph.build(await FileMap.load(MONOREPO));
  });

  test('TS: workspace packages by name and subpath, tsconfig paths via extends, .js → .ts, dynamic import, require', () => {
    assert.deepEqual(targets(graph, 'apps/web/src/main.ts'), [
      '@mono/ui -> packages/ui/src/index.ts',
      '@app/lib/helper -> apps/web/src/lib/helper.ts',
      './config.js -> apps/web/src/config.ts',
      'lodash -> -',
      './lazy -> apps/web/src/lazy.ts',
    ]);
    assert.deepEqual(graph.imports('apps/web/src/main.ts').map((e) => [e.kind, e.line]), [['import', 1], ['import', 2], ['import', 3], ['require', 4], ['dynamic', 7]]);
    // main: dist/index.js is absent from the checkout, so the source it is built from.
    assert.deepEqual(targets(graph, 'packages/ui/src/index.ts'), [
      '@mono/core -> packages/core/src/index.ts',
      '@mono/core/util/strings -> packages/core/src/util/strings.ts',
      './button -> packages/ui/src/button.tsx',
    ]);
    assert.deepEqual(graph.imports('packages/core/src/index.ts').map((e) => e.kind), ['export', 'export']);
  });

  test('commented-out imports and imports inside strings do not count', () => {
    const specs = [...graph.imports('packages/ui/src/index.ts'), ...graph.imports('c/src/main.c'), ...graph.imports('go/cmd/app/main.go'), ...graph.imports('rust/src/lib.rs'), ...graph.imports('python/src/monopy/core.py'), ...graph.imports('java/src/main/java/com/mono/App.java')].map((e) => e.specifier);
    for (const ghost of ['./ghost', './phantom', './fake', 'ghost.h', 'phantom.h', 'example.com/mono/internal/ghost', 'ghost', 'fake_module', 'com.mono.ghost.Ghost']) {
      assert.ok(!specs.includes(ghost), `${ghost} should not be an import`);
    }
  });

  test('Go: module path → package directory, represented by a non-test file', () => {
    assert.deepEqual(targets(graph, 'go/cmd/app/main.go'), ['fmt -> -', 'example.com/mono/internal/store -> go/internal/store/store.go']);
    // Any file of the imported package lists the importer; test files are not part of it.
    assert.deepEqual(graph.importers('go/internal/store/helpers.go').map((e) => e.from), ['go/cmd/app/main.go']);
    assert.deepEqual(graph.importers('go/internal/store/store_test.go'), []);
  });

  test('Python: relative, parent-relative, absolute (src layout) and parenthesized multi-line imports', () => {
    assert.deepEqual(targets(graph, 'python/src/monopy/core.py'), [
      'os -> -',
      '.util -> python/src/monopy/util.py',
      '.models.user -> python/src/monopy/models/user.py',
      'monopy.models.user -> python/src/monopy/models/user.py',
    ]);
    assert.deepEqual(targets(graph, 'python/src/monopy/models/user.py'), ['..util -> python/src/monopy/util.py']);
  });

  test('Rust: mod declarations and use paths through crate, super and self', () => {
    assert.deepEqual(targets(graph, 'rust/src/lib.rs'), [
      'parser -> rust/src/parser.rs',
      'net -> rust/src/net/mod.rs',
      'crate::parser::Token -> rust/src/parser.rs',
      'serde::Serialize -> -',
    ]);
    assert.deepEqual(targets(graph, 'rust/src/net/mod.rs'), [
      'http -> rust/src/net/http.rs',
      'super::parser::Token -> rust/src/parser.rs',
      'self::http::get -> rust/src/net/http.rs',
      'self::http::post -> rust/src/net/http.rs',
    ]);
    assert.deepEqual(graph.imports('rust/src/lib.rs').map((e) => e.kind), ['mod', 'mod', 'use', 'use']);
  });

  test('Java: class imports and wildcard package imports', () => {
    assert.deepEqual(targets(graph, 'java/src/main/java/com/mono/App.java'), [
      'com.mono.service.UserService -> java/src/main/java/com/mono/service/UserService.java',
      'com.mono.model.* -> java/src/main/java/com/mono/model/Role.java',
      'java.util.List -> -',
    ]);
    assert.deepEqual(graph.importers('java/src/main/java/com/mono/model/User.java').map((e) => `${e.from}:${e.line}`), [
      'java/src/main/java/com/mono/App.java:4',
      'java/src/main/java/com/mono/service/UserService.java:3',
    ]);
  });

  test('C: quoted includes relative to the file, angle includes through include/ directories', () => {
    assert.deepEqual(targets(graph, 'c/src/main.c'), ['stdio.h -> -', 'mono/api.h -> c/include/mono/api.h', 'util.h -> c/src/util.h']);
    assert.deepEqual(targets(graph, 'c/src/util.c'), ['util.h -> c/src/util.h', '../include/mono/api.h -> c/include/mono/api.h']);
    assert.deepEqual(graph.importers('c/src/util.h').map((e) => e.from), ['c/src/main.c', 'c/src/util.c']);
  });

  test('importers are sorted by importing file then line', () => {
    const found = graph.importers('packages/core/src/util/strings.ts').map((e) => `${e.from}:${e.line}:${e.kind}`);
    assert.deepEqual(found, ['apps/web/src/lazy.ts:1:import', 'packages/core/src/index.ts:2:export', 'packages/ui/src/index.ts:2:import']);
    assert.deepEqual(graph.importers('apps/web/src/main.ts'), []);
    assert.deepEqual(graph.importers('no/such/file.ts'), []);
  });

  test('dependencyPath finds the shortest chain, across a Go package, or null', () => {
    assert.deepEqual(graph.dependencyPath('apps/web/src/main.ts', 'packages/core/src/math.ts'), ['apps/web/src/main.ts', 'apps/web/src/lib/helper.ts', 'packages/core/src/math.ts']);
    // Of equally short chains, the one through the earliest import in source order.
    assert.deepEqual(graph.dependencyPath('apps/web/src/main.ts', 'packages/core/src/util/strings.ts'), ['apps/web/src/main.ts', 'packages/ui/src/index.ts', 'packages/core/src/util/strings.ts']);
    assert.deepEqual(graph.dependencyPath('go/cmd/app/main.go', 'go/internal/store/cache/cache.go'), ['go/cmd/app/main.go', 'go/internal/store/store.go', 'go/internal/store/cache/cache.go']);
    assert.deepEqual(graph.dependencyPath('go/cmd/app/main.go', 'go/internal/store/helpers.go'), ['go/cmd/app/main.go', 'go/internal/store/helpers.go']);
    assert.deepEqual(graph.dependencyPath('python/src/monopy/__init__.py', 'python/src/monopy/util.py'), ['python/src/monopy/__init__.py', 'python/src/monopy/core.py', 'python/src/monopy/util.py']);
    assert.equal(graph.dependencyPath('packages/core/src/math.ts', 'apps/web/src/main.ts'), null);
    assert.equal(graph.dependencyPath('apps/web/src/main.ts', 'missing.ts'), null);
    assert.deepEqual(graph.dependencyPath('apps/web/src/main.ts', 'apps/web/src/main.ts'), ['apps/web/src/main.ts']);
  });

  test('packages: npm/pnpm workspaces, go.mod, Cargo.toml, pyproject.toml and pom.xml', () => {
    assert.deepEqual(graph.packages(), [
      { name: 'monorepo-root', path: '', kind: 'pnpm' },
      { name: 'web', path: 'apps/web', kind: 'pnpm' },
      { name: 'example.com/mono', path: 'go', kind: 'go' },
      { name: 'mono-java', path: 'java', kind: 'maven' },
      { name: '@mono/core', path: 'packages/core', kind: 'pnpm' },
      { name: '@mono/ui', path: 'packages/ui', kind: 'pnpm' },
      { name: 'monopy', path: 'python', kind: 'python' },
      { name: 'mono-rs', path: 'rust', kind: 'cargo' },
    ]);
  });

  test('externals count unresolved specifiers; stats add up', () => {
    const externals = graph.externals();
    assert.deepEqual(externals.map((e) => e.specifier).sort(), ['fmt', 'java.util.List', 'lodash', 'os', 'react', 'serde::Serialize', 'stddef.h', 'stdio.h', 'testing']);
    assert.ok(externals.every((e) => e.count === 1));
    const s = graph.stats;
    assert.equal(s.edges, s.resolved + s.external);
    assert.equal(s.external, 9);
    assert.equal(s.resolved, 32);
    assert.ok(s.files >= 30);
  });
});

describe('ImportGraph extraction edge cases', () => {
  test('JS/TS: multi-line imports, type imports, re-exports; comments, strings and templates are not imports', async () => {
    const graph = await graphOf({
      'src/a.ts': [
        'import {',
        '  b,',
        '  c as d,',
        "} from './b';",
        "import type { T } from './types';",
        "import './side-effect';",
        "export * as ns from './b';",
        "const s = 'require(\"./fake1\")';",
        'const t = `import x from "./fake2"`;',
        '/*',
        "import z from './fake3';",
        '*/',
        "// const q = require('./fake4');",
        "const dyn = () => import('./lazy/index.js');",
        "obj.require('./fake5');",
      ].join('\n'),
      'src/b.js': "module.exports = require('../lib');",
      'src/types.d.ts': 'export type T = 1;',
      'src/side-effect.mjs': '',
      'src/lazy/index.ts': '',
      'lib/index.cjs': '',
    });
    assert.deepEqual(
      graph.imports('src/a.ts').map((e) => `${e.line} ${e.kind} ${e.specifier} -> ${e.to ?? '-'}`),
      ['1 import ./b -> src/b.js', '5 import ./types -> src/types.d.ts', '6 import ./side-effect -> src/side-effect.mjs', '7 export ./b -> src/b.js', '14 dynamic ./lazy/index.js -> src/lazy/index.ts'],
    );
    assert.deepEqual(targets(graph, 'src/b.js'), ['../lib -> lib/index.cjs']);
  });

  test('Python: docstrings, comments, aliases, star imports, packages resolved to __init__.py', async () => {
    const graph = await graphOf({
      'app/__init__.py': '',
      'app/main.py': [
        '"""Module doc.',
        'import not_real',
        '"""',
        "s = 'from nowhere import x'",
        'import app.sub.leaf as leaf, json  # trailing comment',
        'from app.sub import *',
        'from app.sub.leaf import Thing',
        '# from app import ghost',
        'def f():',
        '    from . import sub',
      ].join('\n'),
      'app/sub/__init__.py': '',
      'app/sub/leaf.py': 'class Thing: pass\n',
    });
    assert.deepEqual(targets(graph, 'app/main.py'), [
      'app.sub.leaf -> app/sub/leaf.py',
      'json -> -',
      'app.sub -> app/sub/__init__.py',
      'app.sub.leaf -> app/sub/leaf.py',
      '.sub -> app/sub/__init__.py',
    ]);
    assert.deepEqual(graph.imports('app/main.py').map((e) => e.line), [5, 5, 6, 7, 10]);
  });

  test('C: the nearest include directory wins, uapi headers are found, includes in block comments are skipped', async () => {
    const graph = await graphOf({
      'include/linux/list.h': '#include <uapi/linux/types.h>\n#include <linux/types.h>\n',
      'include/uapi/linux/types.h': '',
      'tools/include/linux/list.h': '',
      'tools/perf/builtin.c': '#include <linux/list.h>\n',
      'kernel/sched.c': '/* see\n#include <linux/hidden.h>\n */\n#include <linux/list.h>\n  #  include "local.h"\n',
      'kernel/local.h': '',
    });
    assert.deepEqual(targets(graph, 'tools/perf/builtin.c'), ['linux/list.h -> tools/include/linux/list.h']);
    assert.deepEqual(targets(graph, 'kernel/sched.c'), ['linux/list.h -> include/linux/list.h', 'local.h -> kernel/local.h']);
    assert.deepEqual(graph.imports('kernel/sched.c').map((e) => e.line), [4, 5]);
    assert.deepEqual(targets(graph, 'include/linux/list.h'), ['uapi/linux/types.h -> include/uapi/linux/types.h', 'linux/types.h -> include/uapi/linux/types.h']);
  });

  test('C: includes compiled out by #if 0 are skipped, nested conditionals and #else branches handled', async () => {
    const graph = await graphOf({
      'src/main.c': [
        '#include "a.h"', // 1
        '#if 0', // 2
        '#include "dead1.h"', // 3
        '#ifdef X', // 4
        '#include "dead2.h"', // 5
        '#endif', // 6
        '#else', // 7
        '#include "b.h"', // 8
        '#endif', // 9
        '#ifdef CONFIG_Y', // 10
        '#include "c.h"', // 11
        '#if 0 /* disabled */', // 12
        '#include "dead3.h"', // 13
        '#elif defined(Z)', // 14
        '#include "d.h"', // 15
        '#endif', // 16
        '#endif', // 17
        '#if 00', // 18: still zero
        '#include "dead4.h"', // 19
        '#endif', // 20
        '#if 0x1', // 21: not zero
        '#include "e.h"', // 22
        '#endif', // 23
      ].join('\n'),
      ...Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'dead1', 'dead2', 'dead3', 'dead4'].map((n) => [`src/${n}.h`, ''])),
    });
    assert.deepEqual(graph.imports('src/main.c').map((e) => `${e.specifier}:${e.line}`), ['a.h:1', 'b.h:8', 'c.h:11', 'd.h:15', 'e.h:22']);
  });

  test("Go: the standard library's own module resolves bare import paths and its vendor directory", async () => {
    const graph = await graphOf({
      'go.mod': 'module std\n',
      'fmt/print.go': 'package fmt\nimport (\n\t"io"\n\t"golang.org/x/text"\n\t/* "os" */\n)\n',
      'io/io.go': 'package io\n',
      'vendor/golang.org/x/text/doc.go': 'package text\n',
    });
    assert.deepEqual(targets(graph, 'fmt/print.go'), ['io -> io/io.go', 'golang.org/x/text -> vendor/golang.org/x/text/doc.go']);
  });

  test('Rust: nested use trees and a workspace crate by name', async () => {
    const graph = await graphOf({
      'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n',
      'crates/app/Cargo.toml': '[package]\nname = "app"\n',
      'crates/app/src/main.rs': 'use my_util::{fmt::{pad, trim}, io};\nfn main() { let s = "use crate::fake;"; }\n',
      'crates/my-util/Cargo.toml': '[package]\nname = "my-util"\n',
      'crates/my-util/src/lib.rs': 'pub mod fmt;\npub mod io;\n',
      'crates/my-util/src/fmt.rs': '',
      'crates/my-util/src/io/mod.rs': '',
    });
    assert.deepEqual(targets(graph, 'crates/app/src/main.rs'), [
      'my_util::fmt::pad -> crates/my-util/src/fmt.rs',
      'my_util::fmt::trim -> crates/my-util/src/fmt.rs',
      'my_util::io -> crates/my-util/src/io/mod.rs',
    ]);
  });
});

describe('ImportGraph.updateFile', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-imports-'));
    fs.cpSync(MONOREPO, root, { recursive: true });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('an edited file gains and loses imports; added and removed files re-resolve their importers', async () => {
    const graph = await ImportGraph.build(await FileMap.load(root));
    const helper = 'apps/web/src/lib/helper.ts';
    const config = 'apps/web/src/config.ts';
    assert.deepEqual(graph.importers(config).map((e: ImportEdge) => e.from), ['apps/web/src/main.ts']);

    fs.writeFileSync(path.join(root, helper), "import type { Config } from '../config';\nimport { extra } from './extra';\nexport const helper = 1;\n");
    await graph.updateFile(helper);
    assert.deepEqual(targets(graph, helper), ['../config -> apps/web/src/config.ts', './extra -> -']);
    assert.deepEqual(graph.importers(config).map((e) => e.from), ['apps/web/src/lib/helper.ts', 'apps/web/src/main.ts']);
    assert.deepEqual(graph.importers('packages/core/src/math.ts').map((e) => e.from), ['packages/core/src/index.ts']);
    assert.equal(graph.dependencyPath('apps/web/src/main.ts', 'packages/core/src/math.ts')?.length, 4);

    // A new file resolves the import that was external until now.
    fs.writeFileSync(path.join(root, 'apps/web/src/lib/extra.ts'), "export { add as extra } from '@mono/core';\n");
    await graph.updateFile(path.join(root, 'apps/web/src/lib/extra.ts'));
    assert.deepEqual(targets(graph, helper), ['../config -> apps/web/src/config.ts', './extra -> apps/web/src/lib/extra.ts']);
    assert.deepEqual(targets(graph, 'apps/web/src/lib/extra.ts'), ['@mono/core -> packages/core/src/index.ts']);

    // Removing it makes the import external again.
    fs.rmSync(path.join(root, 'apps/web/src/lib/extra.ts'));
    await graph.updateFile('apps/web/src/lib/extra.ts');
    assert.deepEqual(targets(graph, helper), ['../config -> apps/web/src/config.ts', './extra -> -']);
    assert.deepEqual(graph.imports('apps/web/src/lib/extra.ts'), []);
    assert.ok(graph.externals().some((e) => e.specifier === './extra'));
  });

  test('a changed manifest re-resolves package imports', async () => {
    const graph = await ImportGraph.build(await FileMap.load(root));
    assert.equal(graph.imports('apps/web/src/main.ts')[0].to, 'packages/ui/src/index.ts');
    fs.writeFileSync(path.join(root, 'packages/ui/package.json'), '{ "name": "@mono/widgets" }\n');
    await graph.updateFile('packages/ui/package.json');
    assert.equal(graph.imports('apps/web/src/main.ts')[0].to, undefined);
    assert.ok(graph.packages().some((p) => p.name === '@mono/widgets'));
  });
});
