/* eslint-disable no-bitwise */ // TypeScript's type, symbol and modifier flags are bit sets.
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every numeric input of every exported construct, read from the TypeScript source (the same
 * types jsii publishes): props of type `number`, `Duration` or `Size`, found through nested
 * structs (`consumer.memorySize`), lists of structs (`subscribers[].consumer.timeout`), the
 * options of a construct's public methods (`addSubscriber(options).…`, `startFromQueue(props).…`) and the
 * options of the static factories of the classes a prop takes (`routes[].targets[].queue(options).maxEventAge`).
 * Keys are construct class names; values are those paths with their kind, e.g. `consumer.timeout: Duration`.
 */
export function numericPropsOfConstructs(root = path.resolve(__dirname, '../..'), entry = 'src/index.ts'): Record<string, string[]> {
  const srcDir = path.join(root, 'src');
  const program = ts.createProgram([path.join(root, entry)], {
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true, noResolve: false,
  });
  const checker = program.getTypeChecker();
  const mod = checker.getSymbolAtLocation(program.getSourceFile(path.join(root, entry))!)!;

  const inSrc = (s: ts.Symbol | undefined) => !!s?.declarations?.some(d => d.getSourceFile().fileName.startsWith(srcDir));
  const strip = (t: ts.Type): ts.Type => {
    if (t.isUnion()) {
      const rest = t.types.filter(x => !(x.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (rest.length === 1) return rest[0];
    }
    return t;
  };
  const kindOf = (t: ts.Type): string | undefined => {
    if (t.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return 'number';
    const name = t.getSymbol()?.getName();
    return name === 'Duration' || name === 'Size' ? name : undefined;
  };
  const typeOf = (s: ts.Symbol) => strip(checker.getTypeOfSymbolAtLocation(s, (s.valueDeclaration ?? s.declarations![0])));
  const isPublic = (s: ts.Symbol) =>
    !(s.valueDeclaration
      && ts.getCombinedModifierFlags(s.valueDeclaration as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));

  function walkType(t: ts.Type, prefix: string, acc: string[], seen: Set<ts.Type>): void {
    if (checker.isArrayType(t)) return walkType(strip(checker.getTypeArguments(t as ts.TypeReference)[0]), `${prefix.replace(/\.$/, '')}[].`, acc, seen);
    const kind = kindOf(t);
    if (kind) { acc.push(`${prefix.replace(/\.$/, '')}: ${kind}`); return; }
    const sym = t.getSymbol();
    if (!inSrc(sym) || seen.has(t)) return;
    seen.add(t);
    if (sym!.flags & ts.SymbolFlags.Interface) {
      for (const p of checker.getPropertiesOfType(t)) walkType(typeOf(p), `${prefix}${p.getName()}.`, acc, seen);
    } else if (sym!.flags & ts.SymbolFlags.Class) {
      // A class a prop takes (e.g. RouteTarget): the options of its public static factories.
      const ctor = checker.getTypeOfSymbolAtLocation(sym!, sym!.valueDeclaration!);
      for (const m of checker.getPropertiesOfType(ctor)) {
        if (!(m.flags & ts.SymbolFlags.Method) || !isPublic(m)) continue;
        walkSignatures(checker.getTypeOfSymbolAtLocation(m, m.valueDeclaration!), `${prefix}${m.getName()}`, acc, seen);
      }
    }
    seen.delete(t);
  }
  function walkSignatures(fn: ts.Type, name: string, acc: string[], seen: Set<ts.Type>): void {
    for (const sig of fn.getCallSignatures().slice(0, 1)) {
      for (const param of sig.getParameters()) walkType(typeOf(param), `${name}(${param.getName()}).`, acc, seen);
    }
  }

  const out: Record<string, string[]> = {};
  for (const exported of checker.getExportsOfModule(mod)) {
    const s = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(s.flags & ts.SymbolFlags.Class) || !s.valueDeclaration) continue;
    const ctorType = checker.getTypeOfSymbolAtLocation(s, s.valueDeclaration);
    const sig = ctorType.getConstructSignatures()[0];
    const params = sig?.getParameters() ?? [];
    if (params.length < 3 || params[0].getName() !== 'scope') continue; // constructs only: (scope, id, [parent,] props)
    const acc: string[] = [];
    const propsParam = params.find(q => q.getName() === 'props' || q.getName() === 'options') ?? params[params.length - 1];
    walkType(typeOf(propsParam), '', acc, new Set());
    // Public instance methods that take options (addSubscriber, addRoute, startFromQueue, …).
    const instance = checker.getDeclaredTypeOfSymbol(s);
    for (const m of checker.getPropertiesOfType(instance)) {
      if (!(m.flags & ts.SymbolFlags.Method) || !isPublic(m) || !inSrc(m) || /^(grant|metric)/.test(m.getName())) continue;
      walkSignatures(checker.getTypeOfSymbolAtLocation(m, m.valueDeclaration!), m.getName(), acc, new Set());
    }
    out[s.getName()] = [...new Set(acc)];
  }
  return out;
}
