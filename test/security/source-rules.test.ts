/**
 * Rules the library's source keeps, checked on the syntax tree (TypeScript compiler API):
 *  - no code generation at run time anywhere in src/ (no eval, no Function constructor, no
 *    setTimeout/setInterval/setImmediate with a string), nor in dist/ when it is built;
 *  - src/common and src/v14–16 import no Node module (node:*, builtins, or any package but
 *    fzstd), use no Node globals (process, Buffer, require, __dirname, __filename), and common/
 *    imports nothing from the version folders, node/ or cli/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const SRC = join(REPO, 'src');
const CORE_DIRS = ['common', 'v14', 'v15', 'v16'].map((d) => join(SRC, d));
const ALLOWED_PACKAGES = new Set(['fzstd']);
const NODE_GLOBALS = new Set(['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'module']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);

function files(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(
    path,
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    path.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS,
  );
}

function where(sf: ts.SourceFile, node: ts.Node): string {
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${relative(REPO, sf.fileName)}:${line + 1}`;
}

function isFunctionLike(node: ts.Node): boolean {
  return (
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isIdentifier(node) ||
    ts.isPropertyAccessExpression(node) ||
    ts.isCallExpression(node)
  );
}

/** Name of a callee: `eval`, `globalThis.eval` → eval; `window.Function` → Function. */
function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (
    ts.isPropertyAccessExpression(e) &&
    ts.isIdentifier(e.expression) &&
    ['globalThis', 'window', 'self', 'global'].includes(e.expression.text)
  )
    return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteral(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

/** Code-generation sites in one file. */
function codegenSites(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name === 'eval' || name === 'Function' || name === 'AsyncFunction' || name === 'GeneratorFunction')
        found.push(`${where(sf, node)} ${name}(…)`);
      if (name !== undefined && TIMERS.has(name)) {
        const first = node.arguments?.[0];
        if (first !== undefined && !isFunctionLike(first)) found.push(`${where(sf, node)} ${name} with a non-function argument`);
      }
    }
    // (0, eval)(…) and indirect references to eval
    if (ts.isIdentifier(node) && node.text === 'eval' && !ts.isPropertyAccessExpression(node.parent)) {
      if (!(ts.isCallExpression(node.parent) && node.parent.expression === node)) found.push(`${where(sf, node)} reference to eval`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function coreViolations(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const file = sf.fileName;
  const inCommon = file.startsWith(join(SRC, 'common'));
  const check = (spec: string, node: ts.Node): void => {
    if (spec.startsWith('.')) {
      const target = resolve(file, '..', spec);
      const inside = CORE_DIRS.some((d) => target.startsWith(d + '/') || target === d);
      if (!inside) found.push(`${where(sf, node)} imports ${spec} (outside src/common and src/vNN)`);
      else if (inCommon && !target.startsWith(join(SRC, 'common'))) found.push(`${where(sf, node)} common/ imports ${spec}`);
      return;
    }
    const bare = spec.replace(/^node:/, '').split('/')[0] as string;
    if (spec.startsWith('node:') || builtinModules.includes(bare)) found.push(`${where(sf, node)} imports Node module ${spec}`);
    else if (!ALLOWED_PACKAGES.has(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : bare))
      found.push(`${where(sf, node)} imports package ${spec}`);
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      check(node.moduleSpecifier.text, node);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteral(arg)) check(arg.text, node);
      else found.push(`${where(sf, node)} dynamic import() of a computed specifier`);
    }
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const p = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        ts.isPropertyAssignment(p) ||
        ts.isPropertySignature(p) ||
        ts.isPropertyDeclaration(p) ||
        ts.isMethodDeclaration(p) ||
        ts.isParameter(p) ||
        ts.isVariableDeclaration(p) ||
        ts.isBindingElement(p);
      if (!isPropertyName) found.push(`${where(sf, node)} uses Node global ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('no code generation at run time', () => {
  it('finds none in src/', () => {
    const sources = files(SRC, /\.ts$/);
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.flatMap((f) => codegenSites(parse(f)))).toEqual([]);
  });

  it('finds none in dist/ (when built)', () => {
    const built = files(join(REPO, 'dist'), /\.js$/);
    expect(built.flatMap((f) => codegenSites(parse(f)))).toEqual([]);
  });

  it('would find each form it looks for', () => {
    const probe = ts.createSourceFile(
      'probe.ts',
      "eval('1'); new Function('return 1'); Function('x', 'return x'); globalThis.eval('2'); setTimeout('alert(1)', 0); setInterval(`x`, 1); const e = eval; setTimeout(() => 1, 0);",
      ts.ScriptTarget.Latest,
      true,
    );
    expect(codegenSites(probe).length).toBe(7);
  });
});

describe('the core is browser-safe', () => {
  it('src/common and src/v14–16 import no Node modules and use no Node globals', () => {
    const sources = CORE_DIRS.flatMap((d) => files(d, /\.ts$/));
    expect(sources.length).toBeGreaterThan(40);
    expect(sources.flatMap((f) => coreViolations(parse(f)))).toEqual([]);
  });

  it('would flag a Node import, a Node global and a common/ → node/ import', () => {
    const probe = ts.createSourceFile(
      join(SRC, 'common', 'probe.ts'),
      "import { readFileSync } from 'node:fs'; import x from 'path'; import { y } from '../node/native.js'; import z from 'left-pad'; const b = Buffer.from([]); process.exit(1);",
      ts.ScriptTarget.Latest,
      true,
    );
    expect(coreViolations(probe).length).toBe(6);
  });
});
